"""Naming a drill role: the programme's seat name, else the name a scenario plan gives it."""

from __future__ import annotations

from collections.abc import Mapping

from ccdrill.domain.common import Text
from ccdrill.domain.plan import Plan
from ccdrill.domain.programme import Programme


def role_text(programme: Programme, plans: Mapping[str, Plan], role_id: str) -> Text:
    """The bilingual name of ``role_id``; the id itself when nobody names it."""
    role = programme.role(role_id)
    if role is not None:
        return role.name
    for plan in plans.values():
        found = plan.role(role_id)
        if found is not None:
            return found.name
    return Text(zh=role_id, en=role_id)
