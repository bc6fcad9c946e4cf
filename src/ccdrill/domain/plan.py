"""应急预案 — an emergency plan: the scenario, who does what, in which order, how fast.

Structure follows GB/T 29639 (生产经营单位生产安全事故应急预案编制导则): scenario,
organisation and roles, trigger and response level, response procedure.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Literal

from pydantic import Field

from ccdrill.domain.common import Identifier, Strict, Text
from ccdrill.twin.effects import Effect

KNOWN_SCENARIO_TYPES = ("system_failure", "staff_loss", "natural_disaster", "network_failure")


class ResponseLevel(StrEnum):
    """响应级别: Ⅰ (most severe) to Ⅳ."""

    I = "I"  # noqa: E741
    II = "II"
    III = "III"
    IV = "IV"


class Role(Strict):
    """A role in the plan (指挥长, 客服人员, 技术支持 …); drills assign people to it."""

    id: Identifier
    name: Text
    duties: Text | None = None


class StepEffect(Strict):
    """A twin effect that a step causes when it starts or completes."""

    on: Literal["start", "complete"] = "complete"
    effect: Effect


class Step(Strict):
    """One ordered step of the response procedure."""

    id: Identifier
    title: Text
    role: Identifier = Field(description="responsible role id")
    after: list[Identifier] = Field(default_factory=list, description="ids of steps that must be complete first")
    target_minutes: float = Field(gt=0, le=7 * 24 * 60, description="target duration from when it may start")
    detail: Text | None = None
    restores_service: bool = Field(False, description="completing it means normal service is restored (恢复)")
    reports_incident: bool = Field(False, description="completing it means the incident was reported up (上报)")
    activates_plan: bool = Field(False, description="completing it means the plan is activated (启动预案)")
    effects: list[StepEffect] = Field(default_factory=list)


class Incident(Strict):
    """What happens when the scenario's incident is injected, and what it does to the centre."""

    description: Text
    effects: list[Effect] = Field(default_factory=list)


class Plan(Strict):
    kind: Literal["plan"] = "plan"
    id: Identifier
    version: int | None = Field(None, ge=1, le=999_999, description="set by the store; optional in files")
    title: Text
    owner: Text
    effective_date: date | None = None
    scenario_type: Identifier = Field(description="system_failure, staff_loss, natural_disaster, network_failure or your own")
    scenario: Text = Field(description="演练场景: what happens")
    objective: Text = Field(description="目的: what the plan protects")
    trigger: Text = Field(description="启动条件: when the plan is activated")
    response_level: ResponseLevel = ResponseLevel.III
    roles: list[Role] = Field(min_length=1, max_length=200)
    steps: list[Step] = Field(min_length=1, max_length=500)
    incident: Incident | None = None

    def role(self, role_id: str) -> Role | None:
        return next((r for r in self.roles if r.id == role_id), None)

    def step(self, step_id: str) -> Step | None:
        return next((s for s in self.steps if s.id == step_id), None)

    @property
    def ref(self) -> str:
        return self.id if self.version is None else f"{self.id}@{self.version}"
