"""Without Chromium the browser tests skip on a developer's machine, and fail in CI.

These tests need no browser: they point the rule at a path where there is none.
"""

from __future__ import annotations

import pytest

from tests.browser.conftest import require_chromium, running_in_ci


@pytest.mark.parametrize("value", ["true", "TRUE", "1", "yes"])
def test_ci_is_recognised(value):
    assert running_in_ci({"CI": value})


@pytest.mark.parametrize("env", [{}, {"CI": ""}, {"CI": "false"}, {"CI": "0"}])
def test_not_ci(env):
    assert not running_in_ci(env)


def test_missing_chromium_fails_in_ci(tmp_path):
    with pytest.raises(pytest.fail.Exception, match="In CI the browser tests must run"):
        require_chromium(tmp_path / "chromium", {"CI": "true"})


def test_missing_chromium_skips_elsewhere_with_the_reason(tmp_path):
    with pytest.raises(pytest.skip.Exception, match="apt-get install chromium"):
        require_chromium(tmp_path / "chromium", {})


def test_a_file_that_cannot_run_is_not_a_browser(tmp_path):
    fake = tmp_path / "chromium"
    fake.write_text("not a program")
    with pytest.raises(pytest.fail.Exception):
        require_chromium(fake, {"CI": "true"})


def test_installed_chromium_is_used(tmp_path):
    fake = tmp_path / "chromium"
    fake.write_text("#!/bin/sh\n")
    fake.chmod(0o755)
    assert require_chromium(fake, {"CI": "true"}) == fake


def test_the_browser_fixture_uses_the_rule(tmp_path, monkeypatch):
    """What the `browser` fixture calls, with Debian's path swapped for one with no browser."""
    from tests.browser import conftest as browser_conftest

    monkeypatch.setattr(browser_conftest, "CHROMIUM", tmp_path / "usr" / "bin" / "chromium")
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="must run"):
        browser_conftest.require_chromium()
    monkeypatch.delenv("CI")
    with pytest.raises(pytest.skip.Exception):
        browser_conftest.require_chromium()
