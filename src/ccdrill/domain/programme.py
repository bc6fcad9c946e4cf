"""演练方案 — a drill programme: why, when, where, who, what happens when, how it is judged.

Drill types follow AQ/T 9007 (生产安全事故应急演练基本规范): by form 桌面演练 (tabletop)
or 实战演练 (live); by content 单项演练 (single) or 综合演练 (comprehensive).
"""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import Field

from ccdrill.domain.common import ClockTime, DrillTime, Identifier, Ref, Strict, Text
from ccdrill.twin.effects import Effect

RoleKind = Literal["command", "participant", "observer", "evaluator"]


class DrillType(Strict):
    form: Literal["tabletop", "live"] = "live"
    scope: Literal["single", "comprehensive"] = "single"


class Schedule(Strict):
    date: date
    start: ClockTime
    end: ClockTime


class DrillRole(Strict):
    """A seat in the drill that people are assigned to (指挥长, 客服人员, 观摩人员 …)."""

    id: Identifier
    name: Text
    kind: RoleKind = "participant"
    holder: Text | None = Field(None, description="who normally holds it, e.g. 客服中心经理")
    duties: Text | None = None


class Seat(Strict):
    """A position in the leadership group, held by a person or a job title."""

    title: Text
    holder: Text


class LeadershipGroup(Strict):
    """演练领导小组."""

    leader: Seat
    deputies: list[Seat] = Field(default_factory=list)
    members: list[Text] = Field(default_factory=list)
    duties: Text | None = None


class CommandPost(Strict):
    """演练指挥部: drill roles by id."""

    commander: Identifier
    deputies: list[Identifier] = Field(default_factory=list)
    members: list[Identifier] = Field(default_factory=list)
    duties: Text | None = None


class Organisation(Strict):
    leadership_group: LeadershipGroup | None = Field(None, description="演练领导小组; small single drills may have none")
    command_post: CommandPost


class Phase(Strict):
    """A phase of the drill with its time window (准备 09:00–09:10 …)."""

    id: Identifier
    title: Text
    start: ClockTime
    end: ClockTime
    activities: list[Text] = Field(default_factory=list)


class Scenario(Strict):
    """A scenario of the drill, played out with a stored plan."""

    plan: Ref


class Inject(Strict):
    """One entry of the master scenario events list (MSEL)."""

    seq: int = Field(ge=1, le=100_000)
    time: DrillTime
    title: Text
    description: Text | None = None
    from_role: Identifier | None = Field(None, alias="from")
    to: list[Identifier] = Field(default_factory=list)
    channel: Literal["verbal", "phone", "im", "system", "radio", "paper", "email"] = "verbal"
    expected_action: Text | None = None
    step: str | None = Field(None, description='linked plan step as "plan-id.step-id"')
    scenario: Identifier | None = Field(None, description="plan id of the scenario this inject belongs to")
    starts_incident: bool = Field(False, description="firing it starts the scenario's incident (and its twin effects)")
    contingency: bool = Field(False, description="held back; released by the command post if needed")
    effects: list[Effect] = Field(default_factory=list)

    model_config = Strict.model_config | {"populate_by_name": True}


class Evaluation(Strict):
    rubric: str = Field("default", description="rubric id")
    criteria: list[Text] = Field(default_factory=list, description="what the evaluation looks at")
    after: list[Text] = Field(default_factory=list, description="what follows the evaluation (修订预案 …)")


class Summary(Strict):
    """演练总结: the closing meeting, commendations and rectification, report to leadership."""

    items: list[Text] = Field(default_factory=list)


class Provisions(Strict):
    """附则."""

    owner: Text = Field(description="who drafts and carries out the programme")
    interpretation: Text = Field(description="who interprets it")
    effective_date: date | None = None
    effective: Text | None = Field(None, description='e.g. "自发布之日起实施"')
    note: Text | None = None


class Programme(Strict):
    kind: Literal["programme"] = "programme"
    id: Identifier
    version: int | None = Field(None, ge=1, le=999_999)
    title: Text
    preface: Text | None = None
    objectives: list[Text] = Field(min_length=1, max_length=50)
    background: Text
    drill_type: DrillType = DrillType()
    schedule: Schedule
    location: Text
    centre: Identifier | None = Field(None, description="centre model id the twin simulates")
    roles: list[DrillRole] = Field(min_length=1, max_length=200)
    organisation: Organisation
    phases: list[Phase] = Field(default_factory=list, max_length=50)
    scenarios: list[Scenario] = Field(min_length=1, max_length=20)
    injects: list[Inject] = Field(default_factory=list, max_length=2000)
    evaluation: Evaluation = Evaluation()
    summary: Summary = Summary()
    provisions: Provisions

    def role(self, role_id: str) -> DrillRole | None:
        return next((r for r in self.roles if r.id == role_id), None)

    @property
    def ref(self) -> str:
        return self.id if self.version is None else f"{self.id}@{self.version}"
