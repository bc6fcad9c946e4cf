"""发现的问题与亮点 — findings: strengths and areas for improvement, suggested from the timings
and the scores, or written by hand after the debrief.

Pure.  Suggestions are deterministic (same timings and scores → same findings, same ids), so a
finding the command post has accepted can be matched again after a re-fold of the log.

Rules (thresholds are module constants):

* a step completed later than its target → improvement (``source="timings"``);
* a step not completed by the end of the drill → improvement;
* every step of a scenario completed within its target → strength;
* an indicator scored below ``LOW_SCORE`` (60, the 合格 line) → improvement (``source="score"``);
* an indicator scored ``HIGH_SCORE`` (90, the 优秀 line) or above → strength.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

from pydantic import Field

from ccdrill.domain.common import Identifier, Strict, Text
from ccdrill.domain.scoring import EvaluationResult
from ccdrill.evaluation.timings import ScenarioTimings, mmss
from ccdrill.i18n import LANGS, N_, t

FindingKind = Literal["strength", "improvement"]
FindingSource = Literal["timings", "score", "debrief", "manual"]

LOW_SCORE = 60.0
HIGH_SCORE = 90.0

# messages (English msgids; Chinese in evaluation2.po)
MSG_LATE_TITLE = N_("Step “{step}” finished {late} later than its target")
MSG_LATE_DETAIL = N_("{role} took {actual} against a target of {target} (mm:ss, from when the step could start).")
MSG_MISSED_TITLE = N_("Step “{step}” was not completed by the end of the drill")
MSG_MISSED_DETAIL = N_("{role} did not record the step as complete; its target was {target} (mm:ss).")
MSG_ON_TIME_TITLE = N_("Every step of “{scenario}” was completed within its target")
MSG_ON_TIME_DETAIL = N_("{count} steps; from the incident to the last step took {actual} against a planned {planned} (mm:ss).")
MSG_LOW_SCORE = N_("Low score for “{indicator}”: {score} of 100")
MSG_HIGH_SCORE = N_("High score for “{indicator}”: {score} of 100")


class Finding(Strict):
    """One strength (亮点) or area for improvement (存在的问题)."""

    id: str = Field(min_length=1, max_length=200)
    kind: FindingKind
    title: Text
    detail: Text | None = None
    source: FindingSource = "manual"
    evidence: tuple[int, ...] = Field((), description="sequence numbers of events of the drill log")
    scenario: Identifier | None = Field(None, description="plan id")
    step: str | None = Field(None, description='"plan-id.step-id"')
    indicator: Identifier | None = None

    @property
    def improvement(self) -> bool:
        return self.kind == "improvement"


def bilingual(msgid: str, **params: object) -> Text:
    """``msgid`` in Chinese and English; :class:`Text` params are put in each language."""
    def fill(lang: str) -> str:
        values = {k: (v.get(lang) if isinstance(v, Text) else v) for k, v in params.items()}
        return t(msgid, lang, **values)

    zh, en = (fill(lang) for lang in LANGS)
    return Text(zh=zh, en=en)


def _timing_findings(sc: ScenarioTimings) -> list[Finding]:
    out: list[Finding] = []
    for st in sc.steps:
        if st.late:
            out.append(Finding(
                id=f"late:{st.ref}", kind="improvement", source="timings", scenario=sc.plan_id, step=st.ref,
                evidence=st.evidence,
                title=bilingual(MSG_LATE_TITLE, step=st.title,
                            late=mmss(st.late_by_s)),
                detail=bilingual(MSG_LATE_DETAIL, role=st.role_name, actual=mmss(st.duration_s),
                             target=mmss(st.target_s)),
            ))
        elif st.missed:
            out.append(Finding(
                id=f"missed:{st.ref}", kind="improvement", source="timings", scenario=sc.plan_id, step=st.ref,
                evidence=st.evidence,
                title=bilingual(MSG_MISSED_TITLE, step=st.title),
                detail=bilingual(MSG_MISSED_DETAIL,
                             role=st.role_name, target=mmss(st.target_s)),
            ))
    if sc.all_on_time:
        evidence = tuple(sorted({seq for st in sc.steps for seq in st.evidence}))
        out.append(Finding(
            id=f"on-time:{sc.plan_id}", kind="strength", source="timings", scenario=sc.plan_id,
            evidence=evidence,
            title=bilingual(MSG_ON_TIME_TITLE, scenario=sc.title),
            detail=bilingual(MSG_ON_TIME_DETAIL, count=len(sc.steps), actual=mmss(sc.actual_total_s),
                         planned=mmss(sc.planned_total_s)),
        ))
    return out


def _score_findings(result: EvaluationResult) -> list[Finding]:
    out: list[Finding] = []
    for area in result.areas:
        for ind in area.indicators:
            if ind.score is None:
                continue
            evidence = tuple(sorted({e.event for s in (*ind.by_evaluator, *ind.comments)
                                     for e in s.evidence if e.event is not None}))
            score = f"{ind.score:.0f}"
            if ind.score < LOW_SCORE:
                kind: FindingKind = "improvement"
                title = bilingual(MSG_LOW_SCORE, indicator=ind.title, score=score)
            elif ind.score >= HIGH_SCORE:
                kind = "strength"
                title = bilingual(MSG_HIGH_SCORE, indicator=ind.title, score=score)
            else:
                continue
            comments = [s.comment for s in (*ind.by_evaluator, *ind.comments) if s.comment]
            detail = Text(zh="；".join(comments), en="; ".join(comments)) if comments else None
            out.append(Finding(id=f"score:{ind.id}", kind=kind, source="score", indicator=ind.id, title=title,
                               detail=detail, evidence=evidence))
    return out


def suggest_findings(timings: Sequence[ScenarioTimings], evaluation: EvaluationResult | None = None,
                     ) -> list[Finding]:
    """Strengths and areas for improvement from the timings (and the scores, when given):
    timing findings scenario by scenario in plan order, then score findings in rubric order."""
    out: list[Finding] = []
    for sc in timings:
        out.extend(_timing_findings(sc))
    if evaluation is not None:
        out.extend(_score_findings(evaluation))
    return out


def improvements(findings: Sequence[Finding]) -> list[Finding]:
    return [f for f in findings if f.kind == "improvement"]


def strengths(findings: Sequence[Finding]) -> list[Finding]:
    return [f for f in findings if f.kind == "strength"]
