"""`make workshop`'s checks before the hub starts: each a clear message, nothing half-done."""

from __future__ import annotations

import json
import stat

import pytest
from click.testing import CliRunner

from tests.conftest import COURSE_ROOT
from workshop import cohort, launcher


def test_check_cohort_lists_who_is_in_it():
    result = CliRunner().invoke(
        launcher.cli, ["check-cohort", str(COURSE_ROOT / "workshop" / "cohort.example.yaml")]
    )
    assert result.exit_code == 0, result.output
    assert "learners (3): ada, alan, barbara" in result.output


def test_a_bad_cohort_file_stops_the_launch_with_every_problem(tmp_path):
    bad = tmp_path / "cohort.yaml"
    bad.write_text("instructors: [grace]\nlearners: [ada, ada, Alan]\n")
    result = CliRunner().invoke(launcher.cli, ["run", "--cohort", str(bad)])
    assert result.exit_code == 1
    assert (
        "`ada` is listed twice" in result.output and "`Alan` has capital letters" in result.output
    )


def test_not_root_is_a_clear_error(monkeypatch):
    monkeypatch.setattr(launcher.os, "geteuid", lambda: 1000)
    with pytest.raises(launcher.LaunchError, match="must run as root: `sudo make workshop`"):
        launcher.require_root()


def test_an_existing_account_not_made_by_a_workshop_is_refused():
    taken = cohort.parse("instructors: [root]\nlearners: [nobody, ada-not-a-user-here]\n")
    with pytest.raises(launcher.LaunchError) as refused:
        launcher.check_existing_accounts(taken)
    assert "root, nobody already exist on this machine" in str(refused.value)
    assert "ada-not-a-user-here" not in str(refused.value)


def test_passwords_are_generated_once_kept_private_and_reused(tmp_path):
    learners, instructors = launcher.passwords(tmp_path, {})
    assert len(learners) == 14 and len(instructors) >= 32 and learners != instructors
    kept = tmp_path / "passwords.json"
    assert stat.S_IMODE(kept.stat().st_mode) == 0o600
    assert launcher.passwords(tmp_path, {}) == (learners, instructors)
    assert json.loads(kept.read_text())["learners"] == learners


def test_passwords_from_the_environment_win_and_are_checked(tmp_path):
    env = {"WORKSHOP_LEARNER_PASSWORD": "our-class-2026", "WORKSHOP_ADMIN_PASSWORD": "x" * 32}
    assert launcher.passwords(tmp_path, env) == ("our-class-2026", "x" * 32)
    with pytest.raises(launcher.LaunchError, match="at least 8"):
        launcher.passwords(tmp_path, {**env, "WORKSHOP_LEARNER_PASSWORD": "short"})
    with pytest.raises(launcher.LaunchError, match="at least 32"):
        launcher.passwords(tmp_path, {**env, "WORKSHOP_ADMIN_PASSWORD": "x" * 31})
    with pytest.raises(launcher.LaunchError, match="must differ"):
        launcher.passwords(
            tmp_path, {"WORKSHOP_LEARNER_PASSWORD": "y" * 32, "WORKSHOP_ADMIN_PASSWORD": "y" * 32}
        )


@pytest.mark.parametrize(
    "text, expected", [("2G", 2 * 2**30), ("1536M", 1536 * 2**20), ("0.5g", 2**29), ("4096", 4096)]
)
def test_memory_sizes_are_read_as_jupyterhub_reads_them(text, expected):
    assert launcher.parse_bytes(text) == expected


def test_a_memory_size_that_is_not_one_is_a_clear_error():
    with pytest.raises(launcher.LaunchError, match="is not a size"):
        launcher.parse_bytes("lots")


def test_a_busy_port_is_reported_with_what_to_do():
    import socket

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        with pytest.raises(launcher.LaunchError, match=f"WORKSHOP_PORT={port + 1}"):
            launcher.check_port("127.0.0.1", port)


def test_the_handout_has_the_address_names_and_learners_password_only(tmp_path, cohort_file):
    from workshop.hubconfig import HubSettings

    settings = HubSettings(
        cohort=cohort_file,
        state_dir=tmp_path,
        course_root=COURSE_ROOT,
        learner_python=tmp_path / "python",
        proxy_command=tmp_path / "chp",
        learner_password="abcd-efgh-jkmn",
        admin_password="s" * 40,
        port=8001,
    )
    text = launcher.handout(settings, cohort.load(cohort_file), "limits per learner: …")
    assert "http://127.0.0.1:8001/" in text and "abcd-efgh-jkmn" in text
    assert "ada, alan, barbara" in text and "s" * 40 not in text
    assert "services/cohort-dashboard/" in text
