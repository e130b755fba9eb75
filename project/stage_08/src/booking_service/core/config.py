"""Settings read from the environment.

STAND-IN until stage 04's service joins the course's blueprint: the settings of the course's
reference service, under the name the project's README gives them.
"""

from __future__ import annotations

from bookings.core.config import Settings

__all__ = ["Settings"]
