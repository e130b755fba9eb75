"""Stage 05, testing: the learner's integration, contract and load tests, and their test plan.

- 05.1: integration tests that catch a bug only a second request shows;
- 05.2: contract tests of their service against their own openapi.yaml;
- 05.3: the SLO as code, judged on known runs and on a real load test of a slow release;
- 05.4: the test plan, consistent with the load test it describes.
"""

from onboarding.stages.testing import slo
from onboarding.stages.testing.checks import EXERCISES

# While `onboard check` grades, 05.3's load test starts at the first check: it mostly waits
# (on a service slowed on purpose), so it costs little beside 05.1's and 05.2's runs.
AHEAD = {slo.SLOWED_SERVICE_RUN: slo.slowed_service_run}

__all__ = ["AHEAD", "EXERCISES"]
