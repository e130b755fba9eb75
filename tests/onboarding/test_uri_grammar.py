"""`onboarding.uri_grammar`: jsonschema without its RFC 3987 grammar, and no verdict changed."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

GRAMMAR_STATE = (
    "import sys, jsonschema; grammar = sys.modules.get('rfc3987_syntax'); "
    "print('absent' if grammar is None else 'built')"
)


def python(code: str) -> str:
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    return run.stdout.strip()


def test_without_it_jsonschema_builds_the_grammar():
    # The cost is real in this environment: otherwise the module would be guarding nothing.
    assert python(GRAMMAR_STATE) == "built"


def test_importing_it_first_keeps_the_grammar_out():
    assert python("import onboarding.uri_grammar; " + GRAMMAR_STATE) == "absent"


def test_it_cannot_take_the_grammar_out_once_jsonschema_has_looked():
    code = "import jsonschema; from onboarding import uri_grammar; uri_grammar.skip(); "
    assert python(code + GRAMMAR_STATE) == "built"


def test_as_a_pytest_plugin_it_acts_before_nbval_loads(tmp_path):
    probe = tmp_path / "test_probe.py"
    probe.write_text(
        "import sys\n"
        "def test_grammar():\n"
        "    assert 'jsonschema' in sys.modules\n"
        "    assert sys.modules['rfc3987_syntax'] is None\n"
    )
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "onboarding.uri_grammar", "-p", "nbval"]
        + ["-p", "no:cacheprovider", "-c", os.devnull, "--rootdir", str(tmp_path), str(probe)],
        capture_output=True,
        text=True,
        timeout=120,
        env={"PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1", "PATH": ""},
    )
    assert run.returncode == 0, run.stdout + run.stderr


@pytest.mark.parametrize(
    ("value", "valid"),
    [("https://rooms.example/bookings/7", True), ("not a uri at all", False)],
)
def test_uri_formats_are_still_checked_without_it(value, valid):
    code = (
        "import onboarding.uri_grammar, jsonschema\n"
        "checker = jsonschema.FormatChecker()\n"
        f"print(checker.conforms({value!r}, 'uri'), 'uri' in checker.checkers)"
    )
    assert python(code) == f"{valid} True"
