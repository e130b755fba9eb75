"""The practice cells of lessons 06 and 09: a right answer gets ✅, a wrong one a ❌ saying why."""

from __future__ import annotations

import hashlib

import pytest

from onboarding.checks import NOT_TRIED
from onboarding.stages.ci import lesson as ci_lesson
from onboarding.stages.security import lesson as security_lesson

SHA_PIN = "actions/checkout@de0fac2e4500dabe0009e67214ff5f5447ce83dd # v6.0.2"


def printed(capsys) -> str:
    return capsys.readouterr().out.strip()


@pytest.mark.parametrize(
    ("practice", "answer"),
    [
        (ci_lesson.check_jobs_on_main, {"lint", "unit", "integration"}),
        (ci_lesson.check_jobs_on_main, ["integration", "unit", "lint"]),
        (ci_lesson.check_pinned_checkout, SHA_PIN),
        (ci_lesson.check_pinned_checkout, "uses: " + SHA_PIN),
        (ci_lesson.check_bumps, ["minor", "none", "major"]),
        (ci_lesson.check_bumps, ("MINOR", "None", "Major")),
        (
            security_lesson.check_hashed_line,
            f"idna==3.20 --hash=sha256:{hashlib.sha256(security_lesson.FAKE_WHEEL).hexdigest()}",
        ),
        (security_lesson.check_secret_lines, {1, 4}),
        (security_lesson.check_secret_lines, [4, 1]),
        (
            security_lesson.check_bandit_fix,
            "import subprocess\n\nimport yaml\n\n\ndef load_settings(path):\n"
            "    with open(path) as handle:\n        return yaml.safe_load(handle)\n\n\n"
            "def backup(database):\n    with open('backup.sql', 'w') as out:\n"
            "        subprocess.run(['sqlite3', database, '.dump'], stdout=out, check=True)  # nosec B603 B607\n",
        ),
    ],
)
def test_right_answers_get_a_tick(capsys, practice, answer):
    practice(answer)
    assert printed(capsys).startswith("✅"), printed(capsys)


@pytest.mark.parametrize(
    ("practice", "answer", "message"),
    [
        (
            ci_lesson.check_jobs_on_main,
            {"lint", "unit", "integration", "build"},
            "not run on main: build",
        ),
        (ci_lesson.check_jobs_on_main, {"lint", "unit"}, "run on main too: integration"),
        (ci_lesson.check_jobs_on_main, "lint", "write a set of job ids"),
        (
            ci_lesson.check_pinned_checkout,
            "actions/checkout@v6 # v6.0.2",
            "is not a full 40-character commit SHA",
        ),
        (ci_lesson.check_pinned_checkout, SHA_PIN.split(" #")[0], "there is no `# v6.0.2` comment"),
        (
            ci_lesson.check_bumps,
            ["none", "none", "major"],
            "`Feat(rooms): show the capacity in the room list` asks for minor, not none",
        ),
        (ci_lesson.check_bumps, ["minor"], "write a list of 3 answers"),
        (
            security_lesson.check_hashed_line,
            "idna==3.20 --hash=sha256:" + "0" * 64,
            "its hash is sha256:00000000…, not the file's",
        ),
        (
            security_lesson.check_hashed_line,
            "idna>=3.20",
            "the requirement is idna>=3.20, not idna==3.20",
        ),
        (security_lesson.check_secret_lines, {1, 2, 4}, "no secret on line(s) 2"),
        (security_lesson.check_secret_lines, {4}, "missed line(s) 1"),
        (
            security_lesson.check_bandit_fix,
            "import yaml\n\ndef load_settings(path):\n    return yaml.load(open(path), Loader=yaml.Loader)\n\ndef backup(d):\n    pass\n",
            "bandit B506",
        ),
    ],
)
def test_wrong_answers_say_what_is_wrong(capsys, practice, answer, message):
    practice(answer)
    out = printed(capsys)
    assert out.startswith("❌") and message in out, out


@pytest.mark.parametrize(
    "practice",
    [
        ci_lesson.check_jobs_on_main,
        ci_lesson.check_pinned_checkout,
        ci_lesson.check_bumps,
        security_lesson.check_hashed_line,
        security_lesson.check_secret_lines,
        security_lesson.check_bandit_fix,
    ],
)
def test_an_unfilled_cell_gets_one_friendly_line(capsys, practice):
    practice(...)
    assert printed(capsys) == NOT_TRIED


def test_practice_records_nothing(capsys, monkeypatch):
    from onboarding import protocol

    published = []
    monkeypatch.setattr(protocol, "publish", published.append)
    ci_lesson.check_bumps(["minor", "none", "major"])
    assert published == []
