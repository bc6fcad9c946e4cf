"""评分 — evaluators' scorecards combined into indicator, area and overall scores and a grade.

Pure: no I/O, no clock, no database.  The web form, the store and the report sit on top.

Arithmetic (documented in ``docs/*/evaluation.md``):

* Every score is checked against its indicator's scale first; one bad value refuses the whole
  set of scorecards (:class:`~ccdrill.errors.InvalidInput`, every problem listed).
* **Indicator**: mean, min, max, population standard deviation and count of the evaluators'
  values on its own scale; its score is the mean normalised to 0–100
  (``(mean − min) / (max − min) × 100``).
* **Area**: weighted mean of its scored indicators' 0–100 scores.
* **Overall**: weighted mean of the scored areas' scores; the grade comes from the bands.
* **Missing**: an indicator nobody scored is left out and the weights of its area's other
  indicators are scaled up to add up to 100 again; an area with no scored indicator is left
  out of the overall score the same way.  The result says so (``missing_indicators``,
  ``missing_areas``, ``renormalised``, ``notes``).
* **Disagreement**: an indicator scored by two or more evaluators whose values spread
  (max − min) by at least ``spread_points`` scale points (default 2), or — when
  ``std_above`` is given — whose standard deviation is above it.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from typing import Annotated, Any

from pydantic import Field, model_validator
from pydantic_core import PydanticCustomError

from ccdrill.domain.common import DrillTime, Identifier, Strict, Text
from ccdrill.domain.rubric import SEED_CRITERIA, Criterion, GradeBand, Rubric, Scale, _num
from ccdrill.errors import InvalidInput, Problem
from ccdrill.i18n import N_, t

DEFAULT_SPREAD_POINTS = 2.0

PersonName = Annotated[str, Field(min_length=1, max_length=200)]
FreeText = Annotated[str, Field(max_length=20_000)]


# ---- inputs ---------------------------------------------------------------------------------------


class Evidence(Strict):
    """What backs a score: an event of the drill log (by sequence number) or a photo (by reference).

    Written as ``12`` (an event) or ``"photo-ref"`` (a photo) for short.
    """

    event: int | None = Field(None, ge=0, description="sequence number of an event in the drill log")
    photo: str | None = Field(None, min_length=1, max_length=500, description="reference of a stored photo")

    @model_validator(mode="before")
    @classmethod
    def _short(cls, data: Any) -> Any:
        if isinstance(data, bool):
            return data
        if isinstance(data, int):
            return {"event": data}
        if isinstance(data, str):
            return {"photo": data}
        return data

    @model_validator(mode="after")
    def _one(self) -> Evidence:
        if (self.event is None) == (self.photo is None):
            raise PydanticCustomError("evidence", N_("Evidence is either an event number or a photo reference."))
        return self


class Scorecard(Strict):
    """One evaluator's scores (评估记录): indicator id → value on that indicator's scale."""

    evaluator: PersonName
    scores: dict[Identifier, float] = Field(default_factory=dict, max_length=1000)
    comments: dict[Identifier, FreeText] = Field(default_factory=dict, max_length=1000)
    evidence: dict[Identifier, list[Evidence]] = Field(default_factory=dict, max_length=1000)

    @model_validator(mode="before")
    @classmethod
    def _no_booleans(cls, data: Any) -> Any:
        scores = data.get("scores") if isinstance(data, dict) else None
        if isinstance(scores, dict):
            for key, value in scores.items():
                if isinstance(value, bool):
                    raise PydanticCustomError("score", N_("The score for indicator {indicator} must be a number."),
                                              {"indicator": str(key)})
        return data


class SelfAssessment(Strict):
    """参演人员自评 — a participant's own view of how it went."""

    participant: PersonName
    role: Annotated[str, Field(max_length=200)] = ""
    rating: int = Field(ge=1, le=5, description="1 (poor) to 5 (very good)")
    text: FreeText = ""


class Debrief(Strict):
    """演练点评 — the on-site debrief given at the end of the drill (or at a point during it)."""

    author: PersonName
    text: Annotated[str, Field(min_length=1, max_length=50_000)]
    at: DrillTime | None = Field(None, description='when it was given: "10:30" or "T+01:30"')


class DisagreementRule(Strict):
    """When evaluators disagree on an indicator (needs at least two of them)."""

    spread_points: float | None = Field(DEFAULT_SPREAD_POINTS, gt=0, description="max − min, in scale points")
    std_above: float | None = Field(None, ge=0, description="population standard deviation, in scale points")

    def applies(self, spread: float, std: float) -> bool:
        eps = 1e-9
        if self.spread_points is not None and spread >= self.spread_points - eps:
            return True
        return self.std_above is not None and std > self.std_above + eps


# ---- results --------------------------------------------------------------------------------------


class Note(Strict):
    """A translatable remark on the result (e.g. that weights were renormalised)."""

    msgid: str
    params: dict[str, str | int | float] = Field(default_factory=dict)

    def message(self, lang: str) -> str:
        return t(self.msgid, lang, **self.params)


class EvaluatorScore(Strict):
    evaluator: str
    value: float | None = Field(None, description="None: commented on without a score")
    comment: str = ""
    evidence: tuple[Evidence, ...] = ()


class IndicatorResult(Strict):
    id: str
    area_id: str
    title: Text
    source: Criterion | None
    scale: Scale
    weight: float = Field(description="as declared, % of its area")
    effective_weight: float = Field(description="% of its area after leaving out unscored indicators; 0 if unscored")
    overall_weight: float = Field(description="% of the overall score (area × indicator effective weights)")
    count: int
    mean: float | None = None
    min: float | None = None
    max: float | None = None
    std: float | None = Field(None, description="population standard deviation, in scale points")
    spread: float | None = Field(None, description="max − min, in scale points")
    score: float | None = Field(None, description="mean normalised to 0–100")
    disagreement: bool = False
    by_evaluator: tuple[EvaluatorScore, ...] = ()
    comments: tuple[EvaluatorScore, ...] = Field((), description="comments on an indicator the evaluator did not score")

    @property
    def scored(self) -> bool:
        return self.count > 0


class AreaResult(Strict):
    id: str
    title: Text
    weight: float
    effective_weight: float
    score: float | None
    indicators: tuple[IndicatorResult, ...]
    missing_indicators: tuple[str, ...] = ()


class CriterionResult(Strict):
    """The seed's criteria (七、演练评估 a–d): weighted mean of the indicators that serve each."""

    criterion: Criterion
    title: Text
    score: float | None
    indicators: tuple[str, ...]


class Disagreement(Strict):
    indicator_id: str
    area_id: str
    title: Text
    spread: float
    std: float
    values: tuple[EvaluatorScore, ...]


class EvaluationResult(Strict):
    rubric_id: str
    rubric_version: int | None
    evaluators: tuple[str, ...]
    overall: float | None = Field(description="0–100; None when nothing was scored")
    grade: GradeBand | None
    areas: tuple[AreaResult, ...]
    criteria: tuple[CriterionResult, ...]
    disagreements: tuple[Disagreement, ...]
    disagreement_rule: DisagreementRule
    missing_indicators: tuple[str, ...]
    missing_areas: tuple[str, ...]
    renormalised: bool = Field(description="weights were scaled up because something was not scored")
    notes: tuple[Note, ...] = ()

    @property
    def complete(self) -> bool:
        return not self.missing_indicators

    def indicator(self, indicator_id: str) -> IndicatorResult | None:
        for area in self.areas:
            for ind in area.indicators:
                if ind.id == indicator_id:
                    return ind
        return None

    def area(self, area_id: str) -> AreaResult | None:
        return next((a for a in self.areas if a.id == area_id), None)


# ---- validation -----------------------------------------------------------------------------------


def check_scorecard(rubric: Rubric, card: Scorecard, *, path: str = "") -> list[Problem]:
    """Every problem of one scorecard against the rubric (empty when it is fine)."""
    prefix = f"{path}." if path else ""
    problems: list[Problem] = []
    for ind_id, value in card.scores.items():
        ind = rubric.indicator(ind_id)
        where = f"{prefix}scores.{ind_id}"
        if ind is None:
            problems.append(Problem(N_("Unknown indicator {indicator}; it is not in rubric {rubric}."),
                                    {"indicator": ind_id, "rubric": rubric.id}, path=where))
            continue
        scale = rubric.scale_of(ind)
        if not math.isfinite(value) or not scale.min <= value <= scale.max:
            problems.append(Problem(
                N_("The score {value} for indicator {indicator} is outside its scale; allowed: {min} to {max}."),
                {"value": _num(value) if math.isfinite(value) else str(value), "indicator": ind_id,
                 "min": _num(scale.min), "max": _num(scale.max)}, path=where))
        elif not scale.allows(value):
            problems.append(Problem(
                N_("The score {value} for indicator {indicator} is not a step of its scale; allowed: {allowed}."),
                {"value": _num(value), "indicator": ind_id,
                 "allowed": ", ".join(_num(v) for v in scale.values())}, path=where))
    for field, keys in (("comments", card.comments), ("evidence", card.evidence)):
        for ind_id in keys:
            if rubric.indicator(ind_id) is None:
                problems.append(Problem(N_("Unknown indicator {indicator}; it is not in rubric {rubric}."),
                                        {"indicator": ind_id, "rubric": rubric.id}, path=f"{prefix}{field}.{ind_id}"))
    return problems


def validate_scorecards(rubric: Rubric, cards: Sequence[Scorecard]) -> None:
    """Refuse the whole set (``InvalidInput`` with every problem) if any value is wrong."""
    problems: list[Problem] = []
    seen: set[str] = set()
    for i, card in enumerate(cards):
        path = f"scorecards.{i}" if len(cards) > 1 else ""
        if card.evaluator in seen:
            problems.append(Problem(N_("Evaluator {evaluator} has more than one scorecard."),
                                    {"evaluator": card.evaluator}, path=f"{path}.evaluator".lstrip(".")))
        seen.add(card.evaluator)
        problems += check_scorecard(rubric, card, path=path)
    if problems:
        raise InvalidInput(problems)


# ---- arithmetic -----------------------------------------------------------------------------------


def _weighted_mean(pairs: Iterable[tuple[float, float]]) -> float | None:
    pairs = list(pairs)
    total = sum(w for _, w in pairs)
    if not pairs or total <= 0:
        return None
    return sum(v * w for v, w in pairs) / total


def combine(rubric: Rubric, cards: Sequence[Scorecard], *, rule: DisagreementRule | None = None) -> EvaluationResult:
    """Combine several evaluators' scorecards into the rubric's scores and grade.

    Raises :class:`~ccdrill.errors.InvalidInput` (nothing combined) if any scorecard has a
    problem.  Unscored indicators and areas are left out with the weights renormalised.
    """
    rule = rule or DisagreementRule()
    validate_scorecards(rubric, cards)

    # Pass 1: per indicator statistics on its own scale.
    stats: dict[str, dict[str, Any]] = {}
    for _, ind in rubric.iter_indicators():
        scale = rubric.scale_of(ind)
        scored: list[EvaluatorScore] = []
        comments: list[EvaluatorScore] = []
        for card in cards:
            comment = card.comments.get(ind.id, "")
            evidence = tuple(card.evidence.get(ind.id, ()))
            if ind.id in card.scores:
                scored.append(EvaluatorScore(evaluator=card.evaluator, value=card.scores[ind.id],
                                             comment=comment, evidence=evidence))
            elif comment or evidence:
                comments.append(EvaluatorScore(evaluator=card.evaluator, comment=comment, evidence=evidence))
        values = [s.value for s in scored if s.value is not None]
        entry: dict[str, Any] = {"scale": scale, "by": tuple(scored), "comments": tuple(comments),
                                 "count": len(values)}
        if values:
            mean = sum(values) / len(values)
            std = math.sqrt(sum((v - mean) ** 2 for v in values) / len(values))
            spread = max(values) - min(values)
            entry.update(mean=mean, min=min(values), max=max(values), std=std, spread=spread,
                         score=scale.normalise(mean),
                         disagreement=len(values) >= 2 and rule.applies(spread, std))
        stats[ind.id] = entry

    # Pass 2: area scores with renormalised indicator weights; then the overall score.
    area_scores: dict[str, float | None] = {}
    area_inner: dict[str, dict[str, float]] = {}
    for area in rubric.areas:
        scored_inds = [i for i in area.indicators if stats[i.id]["count"]]
        total = sum(i.weight for i in scored_inds)
        area_inner[area.id] = {i.id: (i.weight / total * 100.0 if total else 0.0) for i in scored_inds}
        area_scores[area.id] = _weighted_mean((stats[i.id]["score"], i.weight) for i in scored_inds)
    scored_areas = [a for a in rubric.areas if area_scores[a.id] is not None]
    area_total = sum(a.weight for a in scored_areas)
    area_eff = {a.id: (a.weight / area_total * 100.0 if area_total else 0.0) for a in scored_areas}
    overall = _weighted_mean((area_scores[a.id], a.weight) for a in scored_areas)  # type: ignore[misc]

    areas: list[AreaResult] = []
    disagreements: list[Disagreement] = []
    missing_inds: list[str] = []
    for area in rubric.areas:
        inds: list[IndicatorResult] = []
        for ind in area.indicators:
            s = stats[ind.id]
            eff = area_inner[area.id].get(ind.id, 0.0)
            res = IndicatorResult(
                id=ind.id, area_id=area.id, title=ind.title, source=ind.source, scale=s["scale"],
                weight=ind.weight, effective_weight=eff,
                overall_weight=eff * area_eff.get(area.id, 0.0) / 100.0,
                count=s["count"], mean=s.get("mean"), min=s.get("min"), max=s.get("max"), std=s.get("std"),
                spread=s.get("spread"), score=s.get("score"), disagreement=s.get("disagreement", False),
                by_evaluator=s["by"], comments=s["comments"])
            inds.append(res)
            if not res.scored:
                missing_inds.append(ind.id)
            if res.disagreement:
                disagreements.append(Disagreement(indicator_id=ind.id, area_id=area.id, title=ind.title,
                                                  spread=s["spread"], std=s["std"], values=s["by"]))
        areas.append(AreaResult(
            id=area.id, title=area.title, weight=area.weight, effective_weight=area_eff.get(area.id, 0.0),
            score=area_scores[area.id], indicators=tuple(inds),
            missing_indicators=tuple(i.id for i in inds if not i.scored)))
    missing_areas = [a.id for a in rubric.areas if area_scores[a.id] is None]

    # The seed's criteria a–d: weighted (overall weight) mean of the indicators serving each.
    all_inds = [i for a in areas for i in a.indicators]
    criteria: list[CriterionResult] = []
    for key, title in SEED_CRITERIA.items():
        serving = [i for i in all_inds if i.source == key]
        if not serving:
            continue
        score = _weighted_mean((i.score, i.overall_weight) for i in serving if i.score is not None)
        criteria.append(CriterionResult(criterion=key, title=title, score=score,  # type: ignore[arg-type]
                                        indicators=tuple(i.id for i in serving)))

    notes: list[Note] = []
    if not cards or overall is None:
        notes.append(Note(msgid=N_("Nothing has been scored yet.")))
    else:
        if missing_inds:
            notes.append(Note(
                msgid=N_("{count} indicator(s) nobody scored were left out and the weights of the others "
                         "scaled up to make up for them: {indicators}."),
                params={"count": len(missing_inds), "indicators": ", ".join(missing_inds)}))
        if missing_areas:
            notes.append(Note(
                msgid=N_("{count} area(s) with no score were left out of the overall score and the weights "
                         "of the others scaled up: {areas}."),
                params={"count": len(missing_areas), "areas": ", ".join(missing_areas)}))
    if disagreements:
        notes.append(Note(msgid=N_("Evaluators disagree on {count} indicator(s): {indicators}."),
                          params={"count": len(disagreements),
                                  "indicators": ", ".join(d.indicator_id for d in disagreements)}))

    return EvaluationResult(
        rubric_id=rubric.id, rubric_version=rubric.version, evaluators=tuple(c.evaluator for c in cards),
        overall=overall, grade=rubric.grade_for(overall) if overall is not None else None,
        areas=tuple(areas), criteria=tuple(criteria), disagreements=tuple(disagreements), disagreement_rule=rule,
        missing_indicators=tuple(missing_inds), missing_areas=tuple(missing_areas),
        renormalised=bool(missing_inds) and overall is not None, notes=tuple(notes))


def score_self_assessments(items: Sequence[SelfAssessment]) -> tuple[int, float | None]:
    """How many participants assessed themselves and their mean rating (1–5)."""
    if not items:
        return 0, None
    return len(items), sum(i.rating for i in items) / len(items)


__all__ = [
    "DEFAULT_SPREAD_POINTS",
    "AreaResult",
    "CriterionResult",
    "Debrief",
    "Disagreement",
    "DisagreementRule",
    "EvaluationResult",
    "EvaluatorScore",
    "Evidence",
    "IndicatorResult",
    "Note",
    "Scorecard",
    "SelfAssessment",
    "check_scorecard",
    "combine",
    "score_self_assessments",
    "validate_scorecards",
]
