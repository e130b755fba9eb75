"""Exercise 01.1: who owns what. The five roles of the process document and ten duties.

`role_problems` returns plain sentences, one per problem, and an empty list when the learner
placed a duty with the role the process document makes responsible for it.
"""

from __future__ import annotations

import difflib
import enum
import re
from dataclasses import dataclass
from typing import Any

PRODUCT_MANAGER = "Product Manager"
TECH_LEAD = "Tech Lead"
BACKEND_ENGINEER = "Backend Engineer"
QA_SRE = "QA / SRE"
DEVOPS = "DevOps"
ROLES = (PRODUCT_MANAGER, TECH_LEAD, BACKEND_ENGINEER, QA_SRE, DEVOPS)

# Other ways people write the roles, after lower-casing and dropping spaces and punctuation.
ROLE_ALIASES = {
    "pm": PRODUCT_MANAGER,
    "productmanager": PRODUCT_MANAGER,
    "product": PRODUCT_MANAGER,
    "productmanagement": PRODUCT_MANAGER,
    "tl": TECH_LEAD,
    "techlead": TECH_LEAD,
    "technicallead": TECH_LEAD,
    "backend": BACKEND_ENGINEER,
    "backendengineer": BACKEND_ENGINEER,
    "backendengineers": BACKEND_ENGINEER,
    "backenddeveloper": BACKEND_ENGINEER,
    "be": BACKEND_ENGINEER,
    "qa": QA_SRE,
    "sre": QA_SRE,
    "qasre": QA_SRE,
    "sreqa": QA_SRE,
    "qualityassurance": QA_SRE,
    "sitereliability": QA_SRE,
    "devops": DEVOPS,
}
# Words that say nothing about which role is meant: "the Tech Lead", "DevOps team", "QA engineer".
FILLER_WORDS = frozenset(
    ("the", "a", "an", "team", "role", "engineer", "engineers", "engineering", "developer", "dev")
)
ARTICLES = frozenset(("the", "a", "an"))
# Where an answer gives a role two names: "Product Manager (PM)", "SRE / QA", "QA or SRE".
ALTERNATIVES = re.compile(r"[/&(),;|]|\b(?:and|or)\b")


@dataclass(frozen=True)
class Duty:
    text: str
    role: str
    clue: str
    """Where the duty sits in the process, without naming the role: the check's hint."""


DUTIES: tuple[Duty, ...] = (
    Duty(
        "defines success criteria",
        PRODUCT_MANAGER,
        "Whoever decides what the feature is for also decides how we will know it worked.",
    ),
    Duty(
        "sets business constraints such as budget and deadline",
        PRODUCT_MANAGER,
        "Constraints come from the business side, together with the features themselves.",
    ),
    Duty(
        "designs the DB schema",
        TECH_LEAD,
        "The process document puts the data model with architecture and API design.",
    ),
    Duty(
        "decides performance trade-offs",
        TECH_LEAD,
        "Trade-offs are design decisions, made with the architecture before the code is written.",
    ),
    Duty(
        "implements the booking endpoints",
        BACKEND_ENGINEER,
        "Building the service is the job of the people who write its code and its tests.",
    ),
    Duty(
        "writes unit tests",
        BACKEND_ENGINEER,
        "Unit tests are written with the code, by the people who write the code.",
    ),
    Duty(
        "runs load tests",
        QA_SRE,
        "Load and integration tests are run by the role that writes the test plan.",
    ),
    Duty(
        "defines SLAs",
        QA_SRE,
        "How reliable the service must be is set by the role that tests and watches reliability.",
    ),
    Duty(
        "manages CI/CD secrets",
        DEVOPS,
        "Secrets belong with the pipeline and the infrastructure they are used in.",
    ),
    Duty(
        "sets up metrics, logs and tracing",
        DEVOPS,
        "Observability sits with CI/CD, infrastructure and secrets in the process document.",
    ),
)


def canonical_role(value: Any) -> str | None:
    """The role a learner meant ("PM", "qa/sre", "Backend Engineers"…), or None."""
    named = roles_named(value)
    return next(iter(named)) if len(named) == 1 else None


def roles_named(value: Any) -> set[str]:
    """Every role an answer names: one for "Product Manager (PM)" or "SRE / QA", two for
    "PM / TL", none for "Designer". A member of an Enum stands for its value (or its name)."""
    if isinstance(value, enum.Enum) and not isinstance(value, str):
        value = value.value if isinstance(value.value, str) else value.name
    if not isinstance(value, str):
        return set()
    whole = _role_of_words(value)
    if whole is not None:
        return {whole}
    parts = [part for part in ALTERNATIVES.split(value.lower()) if part.strip()]
    named = {_role_of_words(part) for part in parts}
    # A part that is no role ("QA / Designer") makes the whole answer no role.
    return set() if not named or None in named else named  # type: ignore[return-value]


def _role_of_words(text: str) -> str | None:
    words = re.findall(r"[a-z0-9]+", text.lower().replace("_", " "))
    # Filler trimmed from the ends first (an article before, "team" or "engineers" after): in
    # "Dev Ops team", "dev" is part of the role's name, not filler.
    trimmed = list(words)
    while trimmed and trimmed[0] in ARTICLES:
        trimmed.pop(0)
    while trimmed and _is_filler(trimmed[-1]):
        trimmed.pop()
    for kept in (words, trimmed, [word for word in words if not _is_filler(word)]):
        # A role named in the plural ("SREs", "Tech leads") is that role.
        for key in ("".join(kept), "".join(_singular(word) for word in kept)):
            if key in ROLE_ALIASES:
                return ROLE_ALIASES[key]
    return None


def _singular(word: str) -> str:
    """ "leads" -> "lead", "sres" -> "sre"; tried only after the word as written ("devops")."""
    return word[:-1] if len(word) > 2 and word.endswith("s") and not word.endswith("ss") else word


def _is_filler(word: str) -> bool:
    return word in FILLER_WORDS or _singular(word) in FILLER_WORDS


def role_problems(answers: Any, duty: Duty) -> list[str]:
    """What is wrong with the role `answers` gives `duty` (a dict of duty text → role name)."""
    if not isinstance(answers, dict):
        return [f"`responsibilities` is a {type(answers).__name__}, not a dict of duty → role"]
    if duty.text not in answers:
        keys = [key for key in answers if isinstance(key, str)]
        close = difflib.get_close_matches(duty.text, keys, n=1, cutoff=0.6)
        if close:
            return [f"the key is written {close[0]!r}; keep the duty's wording exactly"]
        return ["it is missing from `responsibilities`"]
    value = answers[duty.text]
    if value is None or value is Ellipsis or (isinstance(value, str) and not value.strip()):
        return ["no role chosen yet"]
    named = roles_named(value)
    if len(named) > 1:
        both = " and ".join(role for role in ROLES if role in named)
        return [f"{value!r} names {both}; choose the one role that owns it"]
    if not named:
        return [f"{value!r} is not one of the five roles: {', '.join(ROLES)}"]
    (role,) = named
    if role != duty.role:
        return [f"it belongs to {duty.role}, not {role}"]
    return []
