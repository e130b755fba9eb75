"""`onboarding.uri_grammar`: jsonschema without its RFC 3987 grammar, and no verdict changed.

The course's uv environment leaves rfc3987-syntax out (pyproject.toml says why), but conda's
environment.yml installs it. So these tests put a stand-in of that module on the path, which
leaves a mark when it is imported, and watch whether jsonschema imports it.
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

GRAMMAR_STATE = (
    "import sys, jsonschema; grammar = sys.modules.get('rfc3987_syntax'); "
    "print('absent' if grammar is None else 'built')"
)


@pytest.fixture
def stand_in(tmp_path) -> dict[str, str]:
    """An environment where `rfc3987_syntax` is importable, as in conda's environment."""
    folder = tmp_path / "stand_in"
    folder.mkdir()
    (folder / "rfc3987_syntax.py").write_text(
        "def is_valid_syntax(kind, value):\n    return True\n"
    )
    return {**os.environ, "PYTHONPATH": str(folder), "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1"}


def python(code: str, env: dict[str, str]) -> str:
    run = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, env=env
    )
    assert run.returncode == 0, run.stderr
    return run.stdout.strip()


def test_without_it_jsonschema_imports_the_grammar(stand_in):
    # Otherwise the stand-in would prove nothing: jsonschema must be seen to import it.
    assert python(GRAMMAR_STATE, stand_in) == "built"


def test_importing_it_first_keeps_the_grammar_out(stand_in):
    assert python("import onboarding.uri_grammar; " + GRAMMAR_STATE, stand_in) == "absent"


def test_it_cannot_take_the_grammar_out_once_jsonschema_has_looked(stand_in):
    code = "import jsonschema; from onboarding import uri_grammar; uri_grammar.skip(); "
    assert python(code + GRAMMAR_STATE, stand_in) == "built"


def test_as_a_pytest_plugin_it_acts_before_nbval_loads(stand_in, tmp_path):
    probe = tmp_path / "test_probe.py"
    probe.write_text(
        "import sys\n"
        "def test_grammar():\n"
        "    assert 'nbval' in sys.modules and 'jsonschema' in sys.modules\n"
        "    assert sys.modules['rfc3987_syntax'] is None\n"
    )
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-c", os.devnull]
    command += ["--rootdir", str(tmp_path), str(probe)]
    plugins = ["-p", "onboarding.uri_grammar", "-p", "nbval"]
    run = subprocess.run(command + plugins, capture_output=True, text=True, env=stand_in)
    assert run.returncode == 0, run.stdout + run.stderr
    # And without the plugin, the same probe fails: the plugin is what kept the grammar out.
    run = subprocess.run(command + ["-p", "nbval"], capture_output=True, text=True, env=stand_in)
    assert run.returncode == 1, run.stdout + run.stderr


@pytest.mark.parametrize(
    ("value", "valid"),
    [("https://rooms.example/bookings/7", True), ("not a uri at all", False)],
)
def test_uri_formats_are_still_checked_without_it(value, valid, stand_in):
    code = (
        "import onboarding.uri_grammar, jsonschema\n"
        "checker = jsonschema.FormatChecker()\n"
        f"print(checker.conforms({value!r}, 'uri'), 'uri' in checker.checkers)"
    )
    assert python(code, stand_in) == f"{valid} True"
