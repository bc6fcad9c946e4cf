"""评估标准 — the rubric evaluators score a drill against.

A rubric has **areas** (the five of AQ/T 9009, 生产安全事故应急演练评估规范, in the default
rubric: plan, organisation, people, mechanisms, support), each with **indicators** that an
evaluator scores on a **scale** (0–5 by default).  Scores combine, by weight, into a 0–100
score and a **grade** from the grade bands (default 优秀 ≥ 90, 良好 ≥ 80, 合格 ≥ 60,
不合格 < 60 — our choice, configurable per rubric).

Weights are **percentages**: the areas' weights add up to 100, and so do the indicators'
weights within each area (±0.001).  Cross-checks raise :class:`PydanticCustomError` whose
English templates are msgids (``evaluation.po``), so the file loader can translate and locate
them.  Arithmetic lives in :mod:`ccdrill.domain.scoring`.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from functools import cached_property
from importlib import resources
from typing import Annotated, Literal

from pydantic import Field, model_validator
from pydantic_core import PydanticCustomError

from ccdrill.domain.common import Identifier, Strict, Text
from ccdrill.i18n import N_

WEIGHT_TOTAL = 100.0
WEIGHT_TOLERANCE = 0.001
# Scale values are compared with this tolerance (steps such as 0.5 or 0.1 are not exact in binary).
SCALE_EPSILON = 1e-9

Criterion = Literal["a", "b", "c", "d"]
Grade = Literal["excellent", "good", "pass", "fail"]

# 七、演练评估 of the seed programme: what the command post evaluates after every drill.
SEED_CRITERIA: dict[str, Text] = {
    "a": Text(zh="演练预案的实用性", en="Practicality of the plan"),
    "b": Text(zh="客服团队的应急响应能力", en="The team's emergency response capability"),
    "c": Text(zh="客户服务质量保障情况", en="How customer-service quality was protected"),
    "d": Text(zh="演练过程中存在的问题及改进措施", en="Problems found and their improvements"),
}

Weight = Annotated[float, Field(gt=0, le=WEIGHT_TOTAL, allow_inf_nan=False,
                                description="percentage; siblings add up to 100")]
ScaleValue = Annotated[float, Field(ge=-1000, le=1000, allow_inf_nan=False)]


def _num(value: float) -> str:
    """A number as people write it: 5, 2.5, 99.9 (never 5.0 or 99.89999999)."""
    return f"{round(value, 6):g}"


class Scale(Strict):
    """The values an evaluator may give: ``min``, ``min + step`` … ``max``; labels name some of them."""

    min: ScaleValue = 0
    max: ScaleValue = 5
    step: Annotated[float, Field(gt=0, le=1000, allow_inf_nan=False)] = 1
    labels: dict[float, Text] = Field(default_factory=dict, max_length=1000)

    @model_validator(mode="after")
    def _check(self) -> Scale:
        if not self.min < self.max:
            raise PydanticCustomError(
                "rubric", N_("The scale's min ({min}) must be below its max ({max})."),
                {"min": _num(self.min), "max": _num(self.max)})
        if not self.on_step(self.max):
            raise PydanticCustomError(
                "rubric", N_("The scale's max ({max}) is not reached from min ({min}) in steps of {step}."),
                {"min": _num(self.min), "max": _num(self.max), "step": _num(self.step)})
        if self.points > 1000:
            raise PydanticCustomError(
                "rubric", N_("The scale has {count} points; at most 1000 are allowed."), {"count": self.points})
        for value in self.labels:
            if not self.allows(value):
                raise PydanticCustomError(
                    "rubric", N_("The label for {value} is not a value of the scale {min}–{max} (step {step})."),
                    {"value": _num(value), "min": _num(self.min), "max": _num(self.max), "step": _num(self.step)})
        return self

    def on_step(self, value: float) -> bool:
        k = (value - self.min) / self.step
        return abs(k - round(k)) <= SCALE_EPSILON * max(1.0, abs(k))

    def allows(self, value: float) -> bool:
        """Whether ``value`` is a value of this scale (within range and on a step)."""
        return (math.isfinite(value) and self.min - SCALE_EPSILON <= value <= self.max + SCALE_EPSILON
                and self.on_step(value))

    @property
    def points(self) -> int:
        return int(round((self.max - self.min) / self.step)) + 1

    def values(self) -> list[float]:
        """Every allowed value, lowest first (for a form's buttons)."""
        return [round(self.min + i * self.step, 9) for i in range(self.points)]

    def normalise(self, value: float) -> float:
        """``value`` on this scale as 0–100."""
        return (value - self.min) / (self.max - self.min) * 100.0

    def label(self, value: float) -> Text | None:
        for v, text in self.labels.items():
            if abs(v - value) <= SCALE_EPSILON:
                return text
        return None


class Indicator(Strict):
    """One thing an evaluator scores, with what to look for while watching."""

    id: Identifier
    title: Text
    guidance: Text = Field(description="what to watch and how to score it")
    weight: Weight
    scale: Scale | None = Field(None, description="overrides the rubric's scale")
    source: Criterion | None = Field(None, description="the seed's evaluation criterion (七、演练评估 a–d) it serves")


class Area(Strict):
    """A group of indicators with a weight (an AQ/T 9009 area in the default rubric)."""

    id: Identifier
    title: Text
    description: Text | None = None
    weight: Weight
    indicators: list[Indicator] = Field(min_length=1, max_length=100)

    @model_validator(mode="after")
    def _check(self) -> Area:
        total = sum(i.weight for i in self.indicators)
        if abs(total - WEIGHT_TOTAL) > WEIGHT_TOLERANCE:
            raise PydanticCustomError(
                "rubric", N_("The weights of the indicators of area {area} add up to {total}, not 100."),
                {"area": self.id, "total": _num(total)})
        return self


class GradeBand(Strict):
    """A grade from ``min_score`` (inclusive, 0–100) up to the next band's ``min_score``."""

    grade: Grade
    label: Text
    min_score: Annotated[float, Field(ge=0, le=100, allow_inf_nan=False)]


def default_grade_bands() -> list[GradeBand]:
    """优秀 ≥ 90, 良好 ≥ 80, 合格 ≥ 60, 不合格 < 60 — our default, not a standard's."""
    return [
        GradeBand(grade="excellent", label=Text(zh="优秀", en="Excellent"), min_score=90),
        GradeBand(grade="good", label=Text(zh="良好", en="Good"), min_score=80),
        GradeBand(grade="pass", label=Text(zh="合格", en="Pass"), min_score=60),
        GradeBand(grade="fail", label=Text(zh="不合格", en="Fail"), min_score=0),
    ]


class Rubric(Strict):
    kind: Literal["rubric"] = "rubric"
    id: Identifier
    version: int | None = Field(None, ge=1, le=999_999, description="set by the store; optional in files")
    title: Text
    description: Text | None = None
    scale: Scale = Field(default_factory=Scale, description="the scale of every indicator that has none")
    areas: list[Area] = Field(min_length=1, max_length=50)
    grade_bands: list[GradeBand] = Field(default_factory=default_grade_bands, min_length=1, max_length=4)

    @model_validator(mode="after")
    def _check(self) -> Rubric:
        total = sum(a.weight for a in self.areas)
        if abs(total - WEIGHT_TOTAL) > WEIGHT_TOLERANCE:
            raise PydanticCustomError(
                "rubric", N_("The weights of the areas add up to {total}, not 100."), {"total": _num(total)})
        seen: set[str] = set()
        for area in self.areas:
            if area.id in seen:
                raise PydanticCustomError("rubric", N_("The area id {id} is used more than once."), {"id": area.id})
            seen.add(area.id)
        seen = set()
        for _, ind in self.iter_indicators():
            if ind.id in seen:
                raise PydanticCustomError(
                    "rubric", N_("The indicator id {id} is used more than once; ids must be unique in the rubric."),
                    {"id": ind.id})
            seen.add(ind.id)
        grades = [b.grade for b in self.grade_bands]
        for g in grades:
            if grades.count(g) > 1:
                raise PydanticCustomError("rubric", N_("The grade {grade} has more than one band."), {"grade": g})
        for upper, lower in zip(self.grade_bands, self.grade_bands[1:], strict=False):
            if not lower.min_score < upper.min_score:
                raise PydanticCustomError(
                    "rubric", N_("Grade bands must be listed from the highest min_score down: {lower} after {upper}."),
                    {"upper": _num(upper.min_score), "lower": _num(lower.min_score)})
        if self.grade_bands[-1].min_score != 0:
            raise PydanticCustomError(
                "rubric", N_("The lowest grade band must start at 0 so that every score has a grade; it starts at {min}."),
                {"min": _num(self.grade_bands[-1].min_score)})
        return self

    # ---- look-ups -----------------------------------------------------------------------------

    def iter_indicators(self) -> Iterator[tuple[Area, Indicator]]:
        for area in self.areas:
            for ind in area.indicators:
                yield area, ind

    @cached_property
    def _index(self) -> dict[str, tuple[Area, Indicator]]:
        return {ind.id: (area, ind) for area, ind in self.iter_indicators()}

    def indicator(self, indicator_id: str) -> Indicator | None:
        found = self._index.get(indicator_id)
        return found[1] if found else None

    def area_of(self, indicator_id: str) -> Area | None:
        found = self._index.get(indicator_id)
        return found[0] if found else None

    def scale_of(self, indicator: Indicator | str) -> Scale:
        """The indicator's own scale, else the rubric's."""
        ind = self.indicator(indicator) if isinstance(indicator, str) else indicator
        return ind.scale if ind is not None and ind.scale is not None else self.scale

    def grade_for(self, score: float) -> GradeBand:
        """The band of a 0–100 score: the first band whose ``min_score`` it reaches.

        The score is compared unrounded (to 1e-6, so that 90 computed as 89.99999999999 is
        still 90): 89.999 is 良好, not 优秀.
        """
        s = round(score, 6)
        for band in self.grade_bands:
            if s >= band.min_score:
                return band
        return self.grade_bands[-1]


def default_rubric() -> Rubric:
    """The built-in rubric (``library/rubrics/default.yaml``)."""
    import yaml

    text = resources.files("ccdrill.library").joinpath("rubrics", "default.yaml").read_text(encoding="utf-8")
    return Rubric.model_validate(yaml.safe_load(text))
