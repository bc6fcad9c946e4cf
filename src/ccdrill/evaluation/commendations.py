"""表彰 — commendations for people and teams, suggested from the log and confirmed by the command post.

Pure.  Suggestions (deterministic ids, so they can be matched after a re-fold):

* ``fastest-report`` (person): whoever made the fastest first report of a scenario, if it came
  within the target of the plan's first step (the step the first report belongs to);
* ``role-on-time:ROLE`` (team = role): every step of the role, across all scenarios, completed
  within its target;
* ``scenario-on-time:PLAN`` (team = the scenario's responders): every step of a scenario on time;
* ``most-steps`` (person): whoever completed the most steps (at least two); everyone tied is named.

A suggestion becomes a :class:`Commendation` only through :func:`confirm`, by the command post.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Sequence
from datetime import date, datetime
from typing import Literal

from pydantic import Field

from ccdrill.domain.common import Strict, Text
from ccdrill.domain.fold import DrillState
from ccdrill.errors import PermissionDenied
from ccdrill.evaluation.actions import COMMAND_POST_ROLES, is_command_post
from ccdrill.evaluation.findings import bilingual
from ccdrill.evaluation.timings import ScenarioTimings, StepTiming, mmss
from ccdrill.i18n import N_

MSG_FASTEST = N_("Fastest first report: {minutes} after the incident in “{scenario}”")
MSG_ROLE = N_("Every step of the {role} team was completed within its target (steps: {count})")
MSG_SCENARIO = N_("Every step of “{scenario}” was completed within its target")
MSG_MOST = N_("Completed the most steps: {count}")


class CommendationSuggestion(Strict):
    id: str
    kind: Literal["person", "team"]
    person: str | None = Field(None, description="username, for a person")
    role: str | None = Field(None, description="drill role id, for a team that is a role")
    scenario: str | None = Field(None, description="plan id, for a scenario's team")
    team: Text | None = Field(None, description="the team's name")
    reason: Text
    evidence: tuple[int, ...] = ()


class Commendation(Strict):
    """A suggestion the command post has confirmed (possibly with its own wording)."""

    suggestion_id: str
    kind: Literal["person", "team"]
    person: str | None = None
    role: str | None = None
    scenario: str | None = None
    team: Text | None = None
    reason: Text
    evidence: tuple[int, ...] = ()
    confirmed_by: str
    confirmed_on: date | None = None
    confirmed_at: datetime | None = None


def _seqs(steps: Sequence[StepTiming]) -> tuple[int, ...]:
    return tuple(sorted({s for st in steps for s in st.evidence}))


def suggest_commendations(state: DrillState, timings: Sequence[ScenarioTimings]) -> list[CommendationSuggestion]:
    """Commendations the log supports, in the order listed in the module docstring."""
    out: list[CommendationSuggestion] = []

    # fastest first report, within the first step's target
    reports = []
    for sc in timings:
        if sc.first_report_s is None or sc.first_report_by is None:
            continue
        plan = state.plans[sc.plan_id]
        if sc.first_report_s <= plan.steps[0].target_minutes * 60.0:
            reports.append(sc)
    if reports:
        best = min(reports, key=lambda sc: sc.first_report_s or 0.0)
        out.append(CommendationSuggestion(
            id="fastest-report", kind="person", person=best.first_report_by, scenario=best.plan_id,
            reason=bilingual(MSG_FASTEST, minutes=mmss(best.first_report_s), scenario=best.title),
            evidence=best.evidence.get("first_report", ()),
        ))

    # every step of a role on time (the role's steps across all scenarios)
    by_role: dict[str, list[StepTiming]] = {}
    for sc in timings:
        for st in sc.steps:
            by_role.setdefault(st.role, []).append(st)
    for role, steps in by_role.items():
        if all(st.on_time for st in steps):
            name = steps[0].role_name
            out.append(CommendationSuggestion(
                id=f"role-on-time:{role}", kind="team", role=role, team=name,
                reason=bilingual(MSG_ROLE, role=name, count=len(steps)), evidence=_seqs(steps),
            ))

    # every step of a scenario on time
    for sc in timings:
        if sc.all_on_time:
            out.append(CommendationSuggestion(
                id=f"scenario-on-time:{sc.plan_id}", kind="team", scenario=sc.plan_id, team=sc.title,
                reason=bilingual(MSG_SCENARIO, scenario=sc.title), evidence=_seqs(sc.steps),
            ))

    # most steps completed
    done = [st for sc in timings for st in sc.steps if st.completed_by]
    counts = Counter(st.completed_by for st in done)
    if counts:
        top = max(counts.values())
        if top >= 2:
            for person in sorted(p for p, n in counts.items() if n == top and p is not None):
                mine = [st for st in done if st.completed_by == person]
                out.append(CommendationSuggestion(
                    id=f"most-steps:{person}", kind="person", person=person,
                    reason=bilingual(MSG_MOST, count=top),
                    evidence=tuple(sorted(st.evidence[-1] for st in mine if st.evidence)),
                ))
    return out


def confirm(suggestion: CommendationSuggestion, actor: str, actor_roles: Collection[str], *,
            reason: Text | None = None, today: date | None = None, at: datetime | None = None,
            command_roles: Collection[str] = COMMAND_POST_ROLES) -> Commendation:
    """The suggestion as a commendation, confirmed by ``actor``; only the command post may."""
    if not is_command_post(actor_roles, command_roles):
        raise PermissionDenied(N_("Only the command post (commander or deputy commander) can confirm "
                                  "a commendation."))
    return Commendation(
        suggestion_id=suggestion.id, kind=suggestion.kind, person=suggestion.person, role=suggestion.role,
        scenario=suggestion.scenario, team=suggestion.team, reason=reason or suggestion.reason,
        evidence=suggestion.evidence, confirmed_by=actor, confirmed_on=today, confirmed_at=at,
    )
