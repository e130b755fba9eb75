"""The checks API: one line per expectation, plain messages, time limits, parse errors."""

from __future__ import annotations

import codecs
import linecache
import time
from pathlib import Path

import pytest

from onboarding import checks, paths
from onboarding.checks import Exercise


def run_as_notebook_cell(source: str, namespace: dict, cell: int = 1) -> None:
    """Compile code the way IPython does, so tracebacks name a notebook cell and its lines."""
    filename = f"/tmp/ipykernel_4242/{cell}23456.py"
    linecache.cache[filename] = (len(source), None, source.splitlines(keepends=True), filename)
    exec(compile(source, filename, "exec"), namespace)


def test_passing_and_failing_lines_and_summary(capsys):
    with Exercise("09.1") as exercise:
        exercise.equal("two plus two is four", lambda: 2 + 2, 4, hint="unused")
        exercise.equal("the answer is 42", lambda: 41, 42, hint="Add one.")
    printed = capsys.readouterr().out.splitlines()
    assert printed == [
        "✅ two plus two is four",
        "❌ the answer is 42 — expected 42, got 41. Hint: Add one.",
        "Exercise 09.1: 1 of 2 checks passed. Fix the ❌ lines above and run this cell again.",
    ]


def test_all_passed_summary(capsys):
    with Exercise("09.2") as exercise:
        exercise.true("truth holds", lambda: True, found="never shown")
    assert capsys.readouterr().out.splitlines()[-1] == "Exercise 09.2: all 1 checks passed."


def test_learner_exception_names_the_line_not_a_traceback():
    namespace: dict = {}
    run_as_notebook_cell(
        "def average(values):\n    total = sum(values)\n    return total / len(values)\n", namespace
    )
    # The check cell is a second notebook cell; its own lines must not be blamed.
    run_as_notebook_cell("def check():\n    return average([])\n", namespace, cell=2)
    result = checks.evaluate("average of nothing", namespace["check"])
    assert not result.passed
    assert result.found == (
        "your code raised ZeroDivisionError: division by zero "
        "(line 3 of your cell: `return total / len(values)`)"
    )
    assert "Traceback" not in result.line()


def test_a_course_reader_that_crashes_on_an_answer_is_not_blamed_on_the_learner():
    from onboarding.artefacts.quantities import with_digits

    namespace: dict = {"with_digits": with_digits}
    run_as_notebook_cell("def check():\n    return with_digits(None)\n", namespace, cell=2)
    result = checks.evaluate("the target is measurable", namespace["check"])
    assert not result.passed
    assert result.found.startswith("the check itself failed on your answer with TypeError: ")
    assert "gap in the course's check, not a verdict on your answer" in result.found
    assert "your code raised" not in result.found


def compiled_as(path: Path, source: str) -> dict:
    """Functions whose frames name `path`, as if they were written in that file."""
    namespace: dict = {}
    exec(compile(source, str(path), "exec"), namespace)
    return namespace


def test_whose_error_it_is_goes_by_the_innermost_frame_that_is_no_librarys(tmp_path):
    reader = checks.COURSE_PACKAGE / "artefacts" / "an_imagined_reader.py"
    theirs = tmp_path / "migrations" / "versions" / "0002.py"
    learners = compiled_as(theirs, "import json\ndef upgrade(text):\n    return json.loads(text)\n")
    course = compiled_as(
        reader,
        "import json\n"
        "def read(text):\n    return json.loads(text)\n"
        "def run(step, text):\n    return step(text)\n",
    )

    def raised(call) -> BaseException:
        with pytest.raises(Exception) as caught:
            call()
        return caught.value

    # The course's reader handed the learner's text to a library (json, in Python's own folder).
    course_error = raised(lambda: course["read"]("{"))
    assert checks.raised_by_the_course(course_error.__traceback__)
    # The course ran the learner's module, whose call into the library failed: theirs.
    learner_error = raised(lambda: course["run"](learners["upgrade"], "{"))
    assert not checks.raised_by_the_course(learner_error.__traceback__)
    assert checks.describe_exception(learner_error).startswith("your code raised JSONDecodeError")


def test_a_check_calling_a_missing_function_says_which_cell_to_run():
    namespace: dict = {}
    run_as_notebook_cell("def check():\n    return booking_minutes('a', 'b')\n", namespace)
    result = checks.evaluate("works", namespace["check"])
    assert result.found == (
        "`booking_minutes` is not defined — run the cell that defines it "
        "(and fix any error it shows) before this check"
    )


def test_not_implemented_stub_says_so():
    def stub():
        raise NotImplementedError("Exercise 09.1: replace this line with your code")

    result = checks.evaluate("does the thing", stub, hint="Write it.")
    assert result.line() == (
        "❌ does the thing — not written yet (the stub still raises NotImplementedError). Hint: Write it."
    )


def test_endless_loop_is_stopped_with_a_plain_message(monkeypatch):
    monkeypatch.setenv("ONBOARD_CHECK_TIME_LIMIT", "0.3")

    def spins():
        while True:
            pass

    result = checks.evaluate("finishes", spins)
    assert result.found == "took longer than 0.3 s — is there a loop that never ends?"


def sleeping_child(seconds: float) -> None:
    import subprocess
    import sys

    subprocess.run([sys.executable, "-c", f"import time; time.sleep({seconds})"], check=True)


def test_a_child_with_a_limit_of_its_own_does_not_count_against_the_checks(monkeypatch):
    """A workflow's steps or a learner's tests, slowed down by a loaded machine, are judged by
    their own limits; before, the check's 30 s stopped them and asked about an endless loop."""
    monkeypatch.setenv("ONBOARD_CHECK_TIME_LIMIT", "0.3")

    def waits_for_a_child():
        with checks.limit_paused():
            sleeping_child(0.8)

    assert checks.evaluate("runs the tests", waits_for_a_child).passed
    unpaused = checks.evaluate("runs the tests", lambda: sleeping_child(0.8))
    assert unpaused.found == "took longer than 0.3 s — is there a loop that never ends?"


def test_the_limit_counts_again_after_the_child(monkeypatch):
    monkeypatch.setenv("ONBOARD_CHECK_TIME_LIMIT", "0.5")

    def child_then_spins():
        with checks.limit_paused(), checks.limit_paused():  # nested: the inner one is a no-op
            sleeping_child(0.8)
        while True:
            pass

    started = time.perf_counter()
    result = checks.evaluate("finishes", child_then_spins)
    assert result.found == "took longer than 0.5 s — is there a loop that never ends?"
    assert 0.8 <= time.perf_counter() - started < 5.0


def test_a_pytest_run_in_a_child_waits_under_its_own_limit(monkeypatch, tmp_path):
    from onboarding import pytest_runs

    (tmp_path / "test_slow.py").write_text("import time\n\ndef test_slow():\n    time.sleep(1.0)\n")
    monkeypatch.setenv("ONBOARD_CHECK_TIME_LIMIT", "0.3")
    outcome = {}

    def runs_the_learners_tests():
        outcome["run"] = pytest_runs.run(tmp_path, "-p", "no:cacheprovider", time_limit=60)

    assert checks.evaluate("the tests pass", runs_the_learners_tests).passed
    assert outcome["run"].returncode == 0 and len(outcome["run"].passed) == 1


def test_outside_a_check_a_pause_leaves_other_timers_alone():
    import signal

    fired = []
    previous = signal.signal(signal.SIGALRM, lambda *_: fired.append(True))
    try:
        signal.setitimer(signal.ITIMER_REAL, 0.2)
        with checks.limit_paused():
            time.sleep(0.5)
        assert fired == [True]
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def test_raises_reports_the_wrong_exception_and_no_exception():
    with Exercise("09.3", echo=False) as exercise:
        wrong = exercise.raises("refuses", lambda: int("x"), KeyError)
        silent = exercise.raises("refuses again", lambda: None, KeyError)
        right = exercise.raises("refuses properly", lambda: {}["missing"], KeyError)
    assert wrong.found.startswith("expected KeyError, got ValueError: invalid literal")
    assert silent.found == "expected KeyError, but nothing was raised"
    assert right.passed


def test_required_failure_blocks_the_rest(capsys):
    with Exercise("09.4") as exercise:

        @exercise.expect("the file parses", required=True)
        def _():
            raise checks.CheckFailed("line 2, column 3: bad indentation")

        exercise.true("has three rooms", lambda: True, found="")
    lines = capsys.readouterr().out.splitlines()
    assert lines[1] == "❌ has three rooms — not checked until “the file parses” passes."


def test_a_broken_check_cell_is_reported_not_raised(capsys):
    with Exercise("09.5") as exercise:
        exercise.equal("fine", lambda: 1, 1)
        raise RuntimeError("author typo")
    lines = capsys.readouterr().out.splitlines()
    assert lines[1].startswith(
        "❌ the check itself ran — your code raised RuntimeError: author typo"
    )
    assert lines[-1].startswith("Exercise 09.5: 1 of 2 checks passed.")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "rooms:\n  - name: Ada\n   capacity: 4\n",
            "rooms.yaml is not valid YAML: line 3, column 4",
        ),
        ("rooms: [Ada, Grace\n", "rooms.yaml is not valid YAML: line 2, column 1"),
        ("a: b: c\n", "rooms.yaml is not valid YAML: line 1, column 5"),
    ],
)
def test_malformed_yaml_names_line_and_column(tmp_path, text, message):
    path = tmp_path / "rooms.yaml"
    path.write_text(text)
    with pytest.raises(checks.ArtefactError) as error:
        checks.load_yaml(path)
    assert str(error.value).startswith(message)
    assert path.read_text() == text  # the learner's file is left as it was


def test_malformed_json_names_line_and_column(tmp_path):
    path = tmp_path / "spec.json"
    path.write_text('{\n  "a": 1,\n  "b": \n}\n')
    with pytest.raises(
        checks.ArtefactError, match=r"spec.json is not valid JSON: line 4, column 1"
    ):
        checks.load_json(path)


@pytest.mark.parametrize(
    ("name", "text", "load", "expected"),
    [
        ("spec.json", '{"openapi": "3.1.0"}', checks.load_json, {"openapi": "3.1.0"}),
        ("rooms.yaml", "rooms: [Ada]\n", checks.load_yaml, {"rooms": ["Ada"]}),
        ("prd.md", "# PRD\n", checks.read_artefact, "# PRD\n"),
    ],
)
def test_a_byte_order_mark_at_the_start_is_read_past(tmp_path, name, text, load, expected):
    # Windows editors may save UTF-8 with a BOM; json.loads refuses one, and a Markdown heading
    # behind one is no heading.
    path = tmp_path / name
    path.write_bytes(codecs.BOM_UTF8 + text.encode())
    assert load(path) == expected
    assert path.read_bytes().startswith(codecs.BOM_UTF8)  # the learner's file is left as it was


def test_missing_artefact_says_which_cell_to_run(tmp_path):
    result = checks.evaluate("parses", lambda: checks.load_yaml(tmp_path / "rooms.yaml"))
    assert (
        result.found == "rooms.yaml does not exist yet — run the %%writefile cell that creates it"
    )


def test_the_workspace_hook_records_only_inside_the_workspace_and_never_while_grading(
    workspace, tmp_path, monkeypatch
):
    from onboarding import progress, protocol, workspace_hook
    from onboarding import workspace as workspaces

    workspaces.create(workspace, paths.exercises_dir())
    result = protocol.CheckResult("00.1", (protocol.Outcome("x", True),), duration_s=0.5)
    workspace_hook.load_ipython_extension(None)
    try:
        monkeypatch.chdir(tmp_path)  # a notebook outside the workspace: a lesson, say
        protocol.publish(result)
        assert not workspaces.ledger_path(workspace).exists()

        monkeypatch.chdir(workspace)
        monkeypatch.setenv(protocol.GRADING_VARIABLE, "1")  # `onboard check` records itself
        protocol.publish(result)
        assert not workspaces.ledger_path(workspace).exists()

        monkeypatch.delenv(protocol.GRADING_VARIABLE)
        protocol.publish(result)
    finally:
        workspace_hook.unload_ipython_extension(None)
    rows = [(r.exercise_id, r.passed, r.total, r.attempts) for r in progress.statuses(workspace)]
    assert rows[0] == ("00.1", 1, 4, 1)


def test_the_author_api_writes_no_ledger(workspace, monkeypatch):
    from onboarding import workspace as workspaces

    workspaces.create(workspace, paths.exercises_dir())
    monkeypatch.chdir(workspace)
    with Exercise("00.1", echo=True) as exercise:
        exercise.equal("x", lambda: 1, 1)
    assert not workspaces.ledger_path(workspace).exists()


def test_install_keeps_other_kernel_extensions(tmp_path):
    import json

    from onboarding import workspace_hook

    config = workspace_hook.kernel_config_path(tmp_path)
    config.parent.mkdir(parents=True)
    config.write_text(json.dumps({"InteractiveShellApp": {"extensions": ["autoreload"]}}))
    workspace_hook.install(tmp_path)
    workspace_hook.install(tmp_path)
    extensions = json.loads(config.read_text())["InteractiveShellApp"]["extensions"]
    assert extensions == ["autoreload", "onboarding.workspace_hook"]


def test_what_learner_code_prints_does_not_reach_the_compared_output(capsys):
    import warnings

    def chatty(value):
        print("debugging", value)
        warnings.warn("careful", stacklevel=1)
        return value

    with Exercise("09.6") as exercise:
        exercise.equal("returns its input", lambda: chatty(3), 3)
    captured = capsys.readouterr()
    assert captured.out.splitlines() == [
        "✅ returns its input",
        "Exercise 09.6: all 1 checks passed.",
    ]
    assert captured.err == ""


# ---------------------------------------------------------------------- expectations as data
def test_expectations_are_data_judged_in_order_with_what_the_cell_hands_over(capsys):
    expectations = (
        checks.equal("doubles 2", lambda given: given.double(2), 4, hint="Multiply by two."),
        checks.raises("refuses text", lambda given: given.double("x"), TypeError),
        checks.true("is named double", lambda g: g.double.__name__ == "double", found="renamed"),
    )

    def double(value):
        if not isinstance(value, int):
            raise TypeError("numbers only")
        return value * 2

    result = checks.run_expectations("09.7", expectations, checks.Given(double=double))
    assert (result.passed, result.total, result.ok) == (3, 3, True)
    assert capsys.readouterr().out.splitlines() == [
        "✅ doubles 2",
        "✅ refuses text",
        "✅ is named double",
        "Exercise 09.7: all 3 checks passed.",
    ]


@pytest.mark.parametrize(
    ("value", "found"),
    [(90.0, "expected 90, got 90.0 (float)"), (True, "expected 1, got True (bool)")],
)
def test_equal_checks_the_type_the_prompt_names(value, found):
    expected = 90 if isinstance(value, float) else 1
    expectation = checks.equal("an int", lambda given: value, expected)
    result = checks.run_expectations("09.8", [expectation], checks.Given(), echo=False)
    assert result.outcomes[0].found == found


def test_a_name_the_learner_has_not_defined_says_which_cell_to_run():
    expectation = checks.equal("works", lambda given: given.booking_minutes("a", "b"), 1)
    result = checks.run_expectations("00.1", [expectation], checks.Given({}), echo=False)
    assert result.outcomes[0].found == (
        "`booking_minutes` is not defined — run the cell that defines it "
        "(and fix any error it shows) before this check"
    )


def test_given_shares_a_value_between_expectations():
    made = []
    given = checks.Given()
    for _ in range(3):
        given.once("parsed", lambda: made.append(1) or "value")
    assert made == [1]


def test_a_value_started_ahead_is_taken_once_instead_of_made_again():
    from concurrent.futures import Future

    started: Future = Future()
    started.set_result("measured ahead")
    ahead = {"load test": started}
    made = []
    first = checks.Given().computed_ahead(ahead)
    assert first.once("load test", lambda: made.append(1) or "made now") == "measured ahead"
    assert made == [] and ahead == {}
    second = checks.Given().computed_ahead(ahead)
    assert second.once("load test", lambda: made.append(1) or "made now") == "made now"
    assert made == [1]


def test_a_failure_started_ahead_fails_the_check_with_its_own_words():
    from concurrent.futures import Future

    started: Future = Future()
    started.set_exception(checks.CheckFailed("tests/load/locustfile.py does not exist"))
    expectation = checks.Expectation(
        "it says no to a slow service", lambda given: given.once("load test", lambda: None)
    )
    given = checks.Given().computed_ahead({"load test": started})
    result = checks.run_expectations("05.3", [expectation], given, echo=False)
    assert [o.found for o in result.outcomes] == ["tests/load/locustfile.py does not exist"]


def test_a_required_expectation_blocks_the_rest_as_data():
    expectations = (
        checks.Expectation("parses", lambda given: checks.require(["bad"]), required=True),
        checks.Expectation("has rooms", lambda given: None),
    )
    result = checks.run_expectations("09.9", expectations, checks.Given(), echo=False)
    assert [o.found for o in result.outcomes] == ["bad", "not checked until “parses” passes"]


def test_every_declared_exercise_is_in_the_catalogue_with_its_number_of_checks():
    """Declarations and the solutions' published results agree: one place to add an exercise."""
    from onboarding import catalogue, stages

    declared = stages.all_declared()
    catalogued = {entry.exercise_id: entry.total_checks for entry in catalogue.exercises()}
    for exercise_id, expectations in declared.items():
        assert catalogued.get(exercise_id) == len(expectations), exercise_id


def test_an_unknown_exercise_is_named_with_what_exists():
    from onboarding import stages

    with pytest.raises(stages.UnknownExercise, match=r"stage 00 has no exercise '00.9'; it has"):
        stages.declared("00.9")
    with pytest.raises(stages.UnknownExercise, match=r"no exercise '42.1': no stage '42'"):
        stages.declared("42.1")


# --- Advice, practice cells and small builders -------------------------------------------------


def test_an_expectation_may_pass_with_advice_that_is_published():
    expectations = (
        checks.Expectation("ordered", lambda given: checks.advise([], "keep the order")),
        checks.Expectation("plain", lambda given: checks.advise([], None)),
        checks.Expectation("failing", lambda given: checks.advise(["bad"], "never shown")),
    )
    result = checks.run_expectations("09.9", expectations, checks.Given(), echo=False)
    assert [(o.passed, o.advice) for o in result.outcomes] == [
        (True, "keep the order"),
        (True, ""),
        (False, ""),
    ]
    assert result.outcomes[0].line() == "✅ ordered\n   💡 keep the order"
    again = checks.CheckResult.from_json(result.to_json())
    assert again.outcomes[0].advice == "keep the order"


def test_judged_by_reads_then_requires_no_problems():
    run = checks.judged_by(lambda text: [] if text == "ok" else [f"not ok: {text}"], lambda g: g.x)
    run(checks.Given(x="ok"))
    with pytest.raises(checks.CheckFailed, match="not ok: no"):
        run(checks.Given(x="no"))


def test_a_practice_cell_prints_its_lines_and_publishes_nothing(capsys):
    from onboarding import protocol

    published = []
    protocol.subscribe(published.append)
    try:
        checks.practise(
            (
                checks.Expectation("right", lambda given: None),
                checks.Expectation("wrong", lambda given: checks.require(["nope"]), hint="Try."),
            ),
            checks.Given(),
        )
    finally:
        protocol.unsubscribe(published.append)
    assert capsys.readouterr().out.splitlines() == [
        "✅ right",
        "❌ wrong — nope. Hint: Try.",
        "1 of 2 right: change the cell and run it again.",
    ]
    assert published == []


def test_parse_yaml_names_the_file_line_and_column():
    assert checks.parse_yaml("a: 1\n", "x.yaml") == {"a": 1}
    with pytest.raises(checks.ArtefactError, match=r"^x.yaml is not valid YAML: line 2, column 1"):
        checks.parse_yaml("a: [1\n", "x.yaml")


def test_a_stage_starts_its_values_ahead_only_while_graded_and_once(monkeypatch):
    """In a learner's kernel files change between cells: nothing may start ahead there."""
    from types import SimpleNamespace

    from onboarding import protocol, stages

    made = []
    package = SimpleNamespace(AHEAD={"load test": lambda: made.append(1) or "measured"})
    monkeypatch.setattr(stages, "stage_package", lambda stage: package)
    monkeypatch.setattr(stages, "_started", {})
    monkeypatch.delenv(protocol.GRADING_VARIABLE, raising=False)
    assert stages._started_ahead("05.1") == {}
    assert made == []

    monkeypatch.setenv(protocol.GRADING_VARIABLE, "1")
    first, later = stages._started_ahead("05.1"), stages._started_ahead("05.3")
    assert first is later
    assert first["load test"].result(timeout=10) == "measured"
    assert made == [1]
