"""Exercise 05.2's hidden test: the learner's own service against their own openapi.yaml.

The check runs this module with pytest in a copy of the learner's project. Schemathesis reads
their spec, generates requests for every operation (a bounded, repeatable run), sends them to
their service in-process, and each test below is one kind of promise the spec makes.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from onboarding.stages.implementation.suites.support import describe
from onboarding.stages.testing.contract import CHECKS, ContractReport, contract_test

SPEC = "openapi.yaml"
EXAMPLES = 10
"""Generated requests per operation, besides the spec's own examples."""


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> ContractReport:
    spec = Path.cwd() / SPEC
    if not spec.is_file():
        raise AssertionError(f"{SPEC} does not exist yet in your project (it is stage 02's spec)")
    try:
        from booking_service.core.config import Settings
        from booking_service.main import create_app

        database = tmp_path_factory.mktemp("contract") / "bookings.db"
        app = create_app(Settings(database=database, log_level="CRITICAL"))
    except Exception as error:  # noqa: BLE001 - a service that does not build is the finding
        raise AssertionError(f"your service does not start: {describe(error)}") from None
    try:
        return contract_test(app, spec=spec, max_examples=EXAMPLES)
    except Exception as error:  # noqa: BLE001 - an unreadable spec or a failing set-up
        raise AssertionError(f"the contract test could not run: {describe(error)}") from None


def test_the_contract_test_runs(report: ContractReport):
    assert report.operations, f"schemathesis found no operation in {SPEC}"


@pytest.mark.parametrize("check", list(CHECKS))
def test_promise(report: ContractReport, check: str):
    failing = report.failing(check)
    if failing:
        found = "; ".join(f"{finding.operation}: {finding.detail}" for finding in failing)
        raise AssertionError(f"schemathesis found: {found}")
