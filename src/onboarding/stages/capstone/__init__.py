"""Stage 10, the capstone: recurring weekly bookings carried through every stage of the process.

`onboard check 10` reviews the change as a reviewer would, one exercise per artefact (10.1 the PRD
and its examples ... 10.8 the release note), so the results, the ledger and the workshop
dashboard keep the shape of every other stage.
"""

from onboarding.stages.capstone.checks import EXERCISES

__all__ = ["EXERCISES"]
