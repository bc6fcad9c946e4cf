"""Evaluation pages: the scorecard on a phone, self-assessment, debrief, results, report downloads, the
corrective-action board, plan revision from a finding, and the history of a centre's drills.

Pages sit on the pure evaluation modules and the evaluation store; every figure comes from the same
computation as the summary report (:func:`ccdrill.reports.build_report_data`).  Who may do what:

* the scorecard: evaluators (a global evaluator or an evaluator seat) until the evaluation is closed;
* the self-assessment: anyone with a seat in the drill; the debrief, closing the evaluation, creating
  corrective actions and findings: whoever controls the drill (command post, planners, admins);
* confirming a commendation and verifying an action: the drill's command post only
  (:func:`ccdrill.evaluation.actions.command_post_roles`);
* moving an action: its owner or a planner;
* evaluators' scores and comments are shown to participants only once the drill has ended.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from pydantic import ValidationError
from sqlalchemy.exc import IntegrityError
from starlette.responses import RedirectResponse, Response

from ccdrill.domain.common import Text
from ccdrill.domain.scoring import Debrief, Scorecard, SelfAssessment, check_scorecard
from ccdrill.errors import (
    ConflictError,
    InvalidInput,
    NotFoundError,
    PermissionDenied,
    Problem,
    TooLargeError,
)
from ccdrill.evaluation import actions as act_rules
from ccdrill.evaluation.commendations import confirm
from ccdrill.evaluation.timings import mmss
from ccdrill.i18n import N_, t
from ccdrill.reports.gather import gather, rubric_for
from ccdrill.store import evaluation as store
from ccdrill.store.db import unit_of_work
from ccdrill.web.auth import Drills, OptionalUser
from ccdrill.web.deps import CSRF_FIELD, Lang, Page, Session, check_csrf, set_flash

router = APIRouter(include_in_schema=False)

MAX_PHOTO = 10_000_000
SCORING_STATUSES = ("running", "paused", "ended")
OUTCOME = {"on_time": N_("On time"), "late": N_("Late"), "missed": N_("Missed"), "open": N_("Open"),
           "overdue": N_("Overdue")}
FINDING_KIND = {"strength": N_("Strength"), "improvement": N_("Area for improvement")}


# ---- helpers --------------------------------------------------------------------------------------


def _login(request: Request) -> Response:
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return RedirectResponse(f"/login?next={quote(target)}", status_code=303)


def _command_roles(programme: Any) -> frozenset[str]:
    return act_rules.command_post_roles(programme)


def _is_command_post(view: Any) -> bool:
    return bool(set(view.my_roles) & _command_roles(view.programme))


def _actor_roles(view: Any | None, user: Any) -> list[str]:
    roles = list(view.my_roles) if view is not None else []
    if user.is_planner or user.is_admin:
        roles.append(act_rules.PLANNER)
    return roles


def _today() -> date:
    return date.today()


def _txt(value: Any, lang: str) -> str:
    if value is None:
        return ""
    if isinstance(value, Text):
        return value.get(lang)
    if isinstance(value, dict):
        return value.get(lang) or value.get("zh") or ""
    return str(value)


def _pct(v: float | None) -> str:
    return "—" if v is None else f"{v * 100:.1f}%"


def _num(v: float | None, digits: int = 1) -> str:
    return "—" if v is None else f"{v:.{digits}f}"


def _form_text(form: Any, name: str, limit: int = 20_000) -> str:
    return str(form.get(name) or "").strip()[:limit]


def _event_rows(events: list[Any], start_min: int, lang: str, hidden: frozenset[int] = frozenset()) -> list[dict]:
    from ccdrill.web.drill_pages import KIND_WORDS, clock_of

    rows = []
    for e in events:
        if e.seq in hidden:
            continue
        p = e.payload or {}
        what = p.get("note") or p.get("reason") or p.get("step") or ""
        if isinstance(p.get("inject"), int):
            what = f"#{p['inject']} {what}".strip()
        rows.append({"seq": e.seq, "clock": clock_of(start_min, e.drill_time_s)[:8], "actor": e.actor,
                     "words": t(KIND_WORDS.get(e.kind, e.kind), lang), "what": str(what)[:80]})
    return rows


async def _photo(upload: Any) -> tuple[str, str, bytes] | None:
    from ccdrill.web.drill_pages import image_type

    if upload is None or not getattr(upload, "filename", ""):
        return None
    data = await upload.read(MAX_PHOTO + 1)
    if not data:
        return None
    if len(data) > MAX_PHOTO:
        raise TooLargeError(N_("The photo is too large: at most {mb} MB."), mb=MAX_PHOTO // 1_000_000)
    kind = image_type(data)
    if kind is None:
        raise InvalidInput([Problem(N_("The photo must be a JPEG, PNG, GIF, WebP or HEIC image."), {}, path="photo")])
    return upload.filename[:200], kind, data


# ---- the results computation ------------------------------------------------------------------------


def compute(session: Any, drill_id: int, *, with_confirmed: bool = False) -> dict[str, Any]:
    """Everything the results page and the report need (shared with ``ccdrill report``)."""
    return gather(session, drill_id, today=_today(), with_confirmed=with_confirmed)


def _find(result: dict[str, Any], key: str) -> Any:
    finding = next((f for f in result["data"].findings if f.id == key), None)
    if finding is None:
        raise NotFoundError(N_("No finding {finding}."), finding=key[:80])
    return finding


def drill_summary(session: Any, drill_id: int) -> dict[str, Any] | None:
    """The history figures of one drill (cached in ``drill_summaries`` until its log or scores change)."""
    from ccdrill.reports.model import DrillNeverRan
    from ccdrill.store import drills as drill_repo

    events = drill_repo.event_count(session, drill_id)
    cards = store.scorecard_revisions(session, drill_id)
    row = store.summary(session, drill_id)
    if row is None or row.events != events or row.cards != cards:
        try:
            result = compute(session, drill_id)
        except DrillNeverRan:
            return None
        data, ev_ = result["data"], result["evaluation"]
        firsts = [sc.first_report_s for sc in data.timings if sc.first_report_s is not None]
        values = {"events": events, "cards": cards, "overall": ev_.overall if ev_ else None,
                  "grade": ev_.grade.grade if ev_ and ev_.grade else None,
                  "first_report_s": min(firsts) if firsts else None,
                  "customers_affected": data.impact.customers_affected if data.impact else None,
                  "late_steps": len(data.late_steps) + len(data.missed_steps)}
        try:
            store.save_summary(session, drill_id, **values)
            session.commit()
        except IntegrityError:  # another request cached the same drill meanwhile: use the figures computed here
            session.rollback()
            return {k: values[k] for k in ("overall", "grade", "first_report_s", "customers_affected", "late_steps")}
        row = store.summary(session, drill_id)
    return {"overall": row.overall, "grade": row.grade, "first_report_s": row.first_report_s,
            "customers_affected": row.customers_affected, "late_steps": row.late_steps}


# ---- the scorecard --------------------------------------------------------------------------------


def _evaluator_view(service: Any, drill_id: int, user: Any) -> Any:
    view = service.view(drill_id, user)
    if not view.is_evaluator:
        raise PermissionDenied(N_("Only evaluators fill in scorecards."))
    return view


def _scorecard_page(page: Any, service: Any, session: Any, drill_id: int, view: Any, user: Any, lang: str, *,
                   card: Any = None, problems: list[str] | None = None, status_code: int = 200) -> Response:
    from ccdrill.domain.common import minutes_of

    rubric = rubric_for(view.programme)
    mine = next((c for c in store.scorecards(session, drill_id) if c.card.evaluator == user.username), None)
    if card is None:
        card = mine.card if mine else Scorecard(evaluator=user.username)
    events = service.events_after(drill_id, 0, user)
    areas = []
    for area in rubric.areas:
        inds = []
        for ind in area.indicators:
            scale = rubric.scale_of(ind)
            given = card.scores.get(ind.id)
            inds.append({
                "id": ind.id, "title": ind.title.get(lang), "guidance": ind.guidance.get(lang),
                "values": [{"v": f"{v:g}", "label": _txt(scale.label(v), lang),
                            "on": given is not None and abs(given - v) < 1e-9} for v in scale.values()],
                "min": f"{scale.min:g}", "max": f"{scale.max:g}",
                "bad": given is not None and not scale.allows(given),
                "comment": card.comments.get(ind.id, ""),
                "evidence": {e.event for e in card.evidence.get(ind.id, ()) if e.event is not None},
                "photos": [e.photo for e in card.evidence.get(ind.id, ()) if e.photo],
            })
        areas.append({"id": area.id, "title": area.title.get(lang), "indicators": inds})
    closed = store.evaluation_closed(session, drill_id) is not None
    return page("evaluation/evaluate.html", status_code=status_code, nav="drills", drill_id=drill_id,
                title=view.programme.title.get(lang), areas=areas, rubric_title=rubric.title.get(lang),
                revision=mine.revision if mine else 0, problems=problems or [],
                events=list(reversed(_event_rows(events, minutes_of(view.programme.schedule.start), lang))),
                closed=closed, can_score=view.status in SCORING_STATUSES and not closed, status=view.status)


@router.get("/drills/{drill_id}/evaluate")
def evaluate_page(request: Request, drill_id: int, page: Page, user: OptionalUser, service: Drills,
                  session: Session, lang: Lang) -> Response:
    if user is None:
        return _login(request)
    view = _evaluator_view(service, drill_id, user)
    return _scorecard_page(page, service, session, drill_id, view, user, lang)


@router.post("/drills/{drill_id}/evaluate")
async def evaluate_save(request: Request, drill_id: int, user: OptionalUser, service: Drills, lang: Lang,
                        page: Page, session: Session) -> Response:
    form = await request.form()
    check_csrf(request, form.get(CSRF_FIELD))
    if user is None:
        raise PermissionDenied(N_("Please sign in again."))
    view = _evaluator_view(service, drill_id, user)
    if view.status not in SCORING_STATUSES:
        raise ConflictError(N_("Scores are recorded once the drill has started."))
    rubric = rubric_for(view.programme)
    last_seq = view.state.last_seq
    problems: list[Problem] = []
    scores: dict[str, float] = {}
    comments: dict[str, str] = {}
    evidence: dict[str, list[Any]] = {}
    photos: dict[str, tuple[str, str, bytes]] = {}
    for _area, ind in rubric.iter_indicators():
        raw = _form_text(form, f"score:{ind.id}", 40)
        if raw:
            try:
                scores[ind.id] = float(raw)
            except ValueError:
                problems.append(Problem(N_("The score for indicator {indicator} must be a number."),
                                        {"indicator": ind.id}, path=f"scores.{ind.id}"))
        comment = _form_text(form, f"comment:{ind.id}")
        if comment:
            comments[ind.id] = comment
        seqs = []
        for v in form.getlist(f"evidence:{ind.id}"):
            try:
                seq = int(str(v))
            except ValueError:
                seq = -1
            if not 1 <= seq <= last_seq:
                problems.append(Problem(N_("Event {seq} is not in this drill's log."), {"seq": str(v)[:12]},
                                        path=f"evidence.{ind.id}"))
            else:
                seqs.append(seq)
        kept = [str(p) for p in form.getlist(f"keep-photo:{ind.id}") if str(p).startswith("photo-")]
        items: list[Any] = [{"event": s} for s in dict.fromkeys(seqs)] + [{"photo": p} for p in kept]
        if items:
            evidence[ind.id] = items
        photo = await _photo(form.get(f"photo:{ind.id}"))
        if photo is not None:
            photos[ind.id] = photo
    try:
        card = Scorecard(evaluator=user.username, scores=scores, comments=comments, evidence=evidence)
    except ValidationError as exc:
        card = None
        problems += [Problem(N_("Invalid value: {detail}"), {"detail": str(e.get("msg", ""))[:200]}, path="scores")
                     for e in exc.errors()[:10]]
    if card is not None:
        problems += check_scorecard(rubric, card)
    if problems:
        # 422: the form again with what was entered and every problem; nothing is saved
        shown = card or Scorecard.model_construct(evaluator=user.username, scores={}, comments=comments, evidence={})
        return _scorecard_page(page, service, session, drill_id, view, user, lang, card=shown, status_code=422,
                               problems=[p.format(lang) for p in problems])
    from ccdrill.store import drills as drill_repo

    with unit_of_work(request.app.state.session_factory) as s:
        if photos:
            ev_map = {k: list(v) for k, v in card.evidence.items()}  # type: ignore[union-attr]
            for ind_id, (name, kind, data) in photos.items():
                upload_id = drill_repo.save_upload(s, drill_id=drill_id, username=user.username, filename=name,
                                                   content_type=kind, data=data)
                ev_map.setdefault(ind_id, []).append({"photo": f"photo-{upload_id}"})
            card = card.model_copy(update={"evidence": Scorecard.model_validate(  # type: ignore[union-attr]
                {"evaluator": user.username, "evidence": ev_map}).evidence})
        revision = store.save_scorecard(s, drill_id, card)  # type: ignore[arg-type]
    response = RedirectResponse(f"/drills/{drill_id}/evaluate", status_code=303)
    set_flash(request, response, N_("Scorecard saved (revision {n})."), n=revision)
    return response


async def _posted(request: Request, drill_id: int, user: Any, service: Any, *,
                  control_only: str | None = None) -> tuple[Any, Any]:
    """The form of a POST to a drill's evaluation, checked: CSRF, signed in, may see the drill.

    With ``control_only`` (a message id), only the command post (or a planner) may post it."""
    form = await request.form()
    check_csrf(request, form.get(CSRF_FIELD))
    if user is None:
        raise PermissionDenied(N_("Please sign in again."))
    view = service.view(drill_id, user)
    if control_only is not None and not view.can_control:
        raise PermissionDenied(control_only)
    return form, view


# ---- self-assessment and debrief ----------------------------------------------------------------


@router.get("/drills/{drill_id}/self-assessment")
def self_assessment_page(request: Request, drill_id: int, page: Page, user: OptionalUser, service: Drills,
                         session: Session, lang: Lang) -> Response:
    if user is None:
        return _login(request)
    view = service.view(drill_id, user)
    if not view.my_roles or view.is_observer:
        raise PermissionDenied(N_("Only participants of this drill assess themselves."))
    from ccdrill.web.drill_pages import role_name

    mine = next((a for a in store.self_assessments(session, drill_id) if a.participant == user.username), None)
    roles = [{"id": r, "name": role_name(view.programme, view.plans, r, lang)} for r in view.my_roles]
    return page("evaluation/self_assessment.html", nav="drills", drill_id=drill_id,
                title=view.programme.title.get(lang), roles=roles, mine=mine, ratings=(1, 2, 3, 4, 5),
                can_save=view.status in SCORING_STATUSES)


@router.post("/drills/{drill_id}/self-assessment")
async def self_assessment_save(request: Request, drill_id: int, user: OptionalUser, service: Drills) -> Response:
    form, view = await _posted(request, drill_id, user, service)
    if not view.my_roles or view.is_observer:
        raise PermissionDenied(N_("Only participants of this drill assess themselves."))
    if view.status not in SCORING_STATUSES:
        raise ConflictError(N_("Scores are recorded once the drill has started."))
    role = _form_text(form, "role", 64)
    try:
        item = SelfAssessment(participant=user.username, role=role if role in view.my_roles else "",
                              rating=int(_form_text(form, "rating", 4) or 0), text=_form_text(form, "text"))
    except (ValueError, ValidationError):
        raise InvalidInput([Problem(N_("Choose a rating from 1 to 5."), path="rating")]) from None
    with unit_of_work(request.app.state.session_factory) as s:
        store.save_self_assessment(s, drill_id, item)
    response = RedirectResponse(f"/drills/{drill_id}/self-assessment", status_code=303)
    set_flash(request, response, N_("Thank you: your self-assessment is saved."))
    return response


@router.get("/drills/{drill_id}/debrief")
def debrief_page(request: Request, drill_id: int, page: Page, user: OptionalUser, service: Drills,
                 session: Session, lang: Lang) -> Response:
    if user is None:
        return _login(request)
    view = service.view(drill_id, user)
    notes = [{"author": d.author, "text": d.text, "at": d.at or "", "saved": saved}
             for d, saved in store.debriefs(session, drill_id)]
    return page("evaluation/debrief.html", nav="drills", drill_id=drill_id, title=view.programme.title.get(lang),
                notes=notes, can_write=view.can_control and view.status in SCORING_STATUSES)


@router.post("/drills/{drill_id}/debrief")
async def debrief_save(request: Request, drill_id: int, user: OptionalUser, service: Drills) -> Response:
    form, view = await _posted(request, drill_id, user, service, control_only=N_("Only the command post writes the debrief."))
    text = _form_text(form, "text", 50_000)
    at = _form_text(form, "at", 16) or None
    try:
        item = Debrief(author=user.username, text=text, at=at)
    except ValidationError:
        raise InvalidInput([Problem(N_("Write the debrief note; a time is like 10:30 or T+01:30."),
                                    path="text")]) from None
    with unit_of_work(request.app.state.session_factory) as s:
        store.add_debrief(s, drill_id, item)
    response = RedirectResponse(f"/drills/{drill_id}/debrief", status_code=303)
    set_flash(request, response, N_("Debrief note saved."))
    return response


# ---- results --------------------------------------------------------------------------------------


def _results_model(result: dict[str, Any], view: Any, user: Any, lang: str) -> dict[str, Any]:
    data, ev_ = result["data"], result["evaluation"]
    private = bool(view.private_visible)
    areas = []
    if not private:  # before the drill ends, participants see neither the scores nor the evaluators' remarks
        ev_ = None
    if ev_ is not None:
        for a in ev_.areas:
            inds = []
            for i in a.indicators:
                inds.append({
                    "title": i.title.get(lang), "score": _num(i.score), "mean": _num(i.mean, 2), "count": i.count,
                    "spread": _num(i.spread, 1), "disagreement": i.disagreement,
                    "by": [{"who": s.evaluator, "value": f"{s.value:g}" if s.value is not None else "—",
                            "comment": s.comment,
                            "evidence": ", ".join(f"#{e.event}" if e.event is not None else (e.photo or "")
                                                  for e in s.evidence)}
                           for s in (*i.by_evaluator, *i.comments)] if private else [],
                })
            areas.append({"title": a.title.get(lang), "score": _num(a.score), "weight": f"{a.weight:g}",
                          "indicators": inds})
    scenarios = []
    for sc in data.timings:
        crit = set(sc.critical_path.steps)
        scenarios.append({
            "title": sc.title.get(lang), "incident": data.clock(sc.incident_at),
            "first_report": mmss(sc.first_report_s), "activation": mmss(sc.activation_s),
            "restoration": mmss(sc.restoration_s), "actual_total": mmss(sc.actual_total_s),
            "planned_total": mmss(sc.planned_total_s),
            "steps": [{"title": st.title.get(lang), "role": st.role_name.get(lang), "target": mmss(st.target_s),
                       "duration": mmss(st.duration_s), "late_by": mmss(st.late_by_s) if st.late_by_s else "",
                       "outcome": st.outcome, "outcome_label": t(OUTCOME.get(st.outcome, st.outcome), lang),
                       "critical": st.ref in crit, "done_at": data.clock(st.completed_at)} for st in sc.steps],
        })
    impact = None
    if data.impact is not None:
        im = data.impact
        impact = {
            "customers": im.customers_affected, "ttr": mmss(im.time_to_recover_s),
            "target": _pct(im.target), "held": im.service_held,
            "base_sl": _pct(im.window_baseline.service_level if im.window_baseline else None),
            "inc_sl": _pct(im.window_incident.service_level if im.window_incident else None),
            "base_ab": _pct(im.window_baseline.unanswered_rate if im.window_baseline else None),
            "inc_ab": _pct(im.window_incident.unanswered_rate if im.window_incident else None),
            "window": f"{data.clock(im.incident_start_s)}–{data.clock(im.incident_end_s)}",
            "chart": json.dumps({
                "labels": [p.start for p in im.intervals],
                "baseline": [round(p.baseline_sl * 100, 1) if p.baseline_sl is not None else None for p in im.intervals],
                "incident": [round(p.incident_sl * 100, 1) if p.incident_sl is not None else None for p in im.intervals],
                "target": round(im.target * 100, 1),
                "names": [t(N_("Baseline (no incident)"), lang), t(N_("This drill"), lang),
                          t(N_("Target"), lang)],
            }, ensure_ascii=False).replace("<", "\\u003c"),
        }
    stored = result["stored_findings"]
    linked = {a.finding_id for a in result["actions"] if a.finding_id}
    plan_ids = list(data.plans)
    findings = []
    for f in data.findings:
        if not private and f.source == "score":
            continue
        row = stored.get(f.id)
        findings.append({
            "key": f.id, "kind": f.kind, "kind_label": t(FINDING_KIND[f.kind], lang), "title": f.title.get(lang),
            "detail": f.detail.get(lang) if f.detail else "", "source": f.source,
            "evidence": ", ".join(f"#{s}" for s in f.evidence[:8]),
            "has_action": row is not None and row[0] in linked,
            "plan": f.scenario or (plan_ids[0] if plan_ids else ""),
        })
    confirmed = {c.suggestion_id: c for c in result["confirmed"]}
    commendations = [{"id": s.id, "who": s.person or _txt(s.team, lang), "reason": s.reason.get(lang),
                      "confirmed": s.id in confirmed,
                      "by": confirmed[s.id].confirmed_by if s.id in confirmed else ""}
                     for s in result["suggestions"]]
    today = _today()
    actions = [{"id": a.id, "title": a.action.title.get(lang), "owner": a.action.owner, "due": a.action.due,
                "status": a.action.status, "status_label": t(act_rules.STATUS_LABELS[a.action.status], lang),
                "overdue": a.action.is_overdue(today)} for a in result["actions"]]
    selfs = result["self_assessments"]
    return {
        "overall": _num(ev_.overall) if ev_ and ev_.overall is not None else None,
        "grade": ev_.grade.label.get(lang) if ev_ and ev_.grade else "", "grade_code": ev_.grade.grade if ev_ and ev_.grade else "",
        "evaluators": len(result["cards"]), "areas": areas,
        "disagreements": len(ev_.disagreements) if ev_ else 0,
        "notes": [n.message(lang) for n in ev_.notes] if ev_ else [],
        "scenarios": scenarios, "impact": impact, "impact_problem": t(data.impact_problem, lang) if data.impact_problem else "",
        "strengths": [f for f in findings if f["kind"] == "strength"],
        "improvements": [f for f in findings if f["kind"] == "improvement"],
        "commendations": commendations, "actions": actions, "private": private,
        "self_count": len(selfs),
        "self_mean": _num(sum(s.rating for s in selfs) / len(selfs)) if selfs else "—",
        "selfs": [{"who": s.participant, "rating": s.rating, "text": s.text} for s in selfs] if private else [],
        "debriefs": [{"author": d.author, "text": d.text, "at": d.at or ""} for d, _ in result["debriefs"]],
        "ended": data.ended,
    }


@router.get("/drills/{drill_id}/results")
def results_page(request: Request, drill_id: int, page: Page, user: OptionalUser, service: Drills,
                 session: Session, lang: Lang) -> Response:
    if user is None:
        return _login(request)
    view = service.view(drill_id, user)
    result = compute(session, drill_id)
    model = _results_model(result, view, user, lang)
    manage = bool(view.can_control)
    return page("evaluation/results.html", nav="drills", drill_id=drill_id, title=view.programme.title.get(lang),
                r=model, manage=manage, command_post=_is_command_post(view), is_evaluator=view.is_evaluator,
                closed=store.evaluation_closed(session, drill_id) is not None, today=_today().isoformat(),
                priorities=[(p, t(act_rules.PRIORITY_LABELS[p], lang)) for p in act_rules.PRIORITIES],
                people=sorted({n for names in view.assignments.values() for n in names}),
                may_revise=user.is_planner or user.is_admin or _is_command_post(view))


@router.post("/drills/{drill_id}/evaluation/close")
async def close_evaluation(request: Request, drill_id: int, user: OptionalUser, service: Drills) -> Response:
    form, view = await _posted(request, drill_id, user, service, control_only=N_("Only the command post closes the evaluation."))
    if view.status != "ended":
        raise ConflictError(N_("The evaluation can be closed once the drill has ended."))
    with unit_of_work(request.app.state.session_factory) as s:
        store.close_evaluation(s, drill_id, user.username)
    response = RedirectResponse(f"/drills/{drill_id}/results", status_code=303)
    set_flash(request, response, N_("The evaluation is closed; the scores are final."))
    return response


@router.post("/drills/{drill_id}/findings")
async def add_finding(request: Request, drill_id: int, user: OptionalUser, service: Drills) -> Response:
    form, view = await _posted(request, drill_id, user, service, control_only=N_("Only the command post records findings."))
    kind = _form_text(form, "kind", 16)
    title = _form_text(form, "title", 500)
    if kind not in FINDING_KIND or not title:
        raise InvalidInput([Problem(N_("Give the finding a title and say whether it is a strength or an area "
                                       "for improvement."), path="title")])
    with unit_of_work(request.app.state.session_factory) as s:
        store.add_manual_finding(s, drill_id, kind=kind, title=title, detail=_form_text(form, "detail", 4000),
                                 actor=user.username)
    return RedirectResponse(f"/drills/{drill_id}/results#findings", status_code=303)


@router.post("/drills/{drill_id}/corrective-actions")
async def create_corrective_action(request: Request, drill_id: int, user: OptionalUser, service: Drills) -> Response:
    form, view = await _posted(request, drill_id, user, service, control_only=N_("Only the command post or a planner creates corrective actions."))
    try:
        due = date.fromisoformat(_form_text(form, "due", 10))
    except ValueError:
        raise InvalidInput([Problem(N_("The date is not valid."), {}, path="due")]) from None
    with unit_of_work(request.app.state.session_factory) as s:
        result = compute(s, drill_id)
        finding = _find(result, _form_text(form, "finding", 200)) if form.get("finding") else None
        title = _form_text(form, "title", 500) or (finding.title.get("zh") if finding else "")
        row = store.ensure_finding(s, drill_id, finding, user.username) if finding is not None else None
        created = store.create_corrective_action(
            s, drill_id=drill_id, title=title, owner=_form_text(form, "owner", 64),
            due=due, priority=_form_text(form, "priority", 8) or "medium", actor=user.username, today=_today(),
            finding=finding, finding_row=row)
    response = RedirectResponse(f"/actions/{created.id}", status_code=303)
    set_flash(request, response, N_("Corrective action {id} created."), id=created.id)
    return response


@router.post("/drills/{drill_id}/commendations/confirm")
async def confirm_commendation(request: Request, drill_id: int, user: OptionalUser, service: Drills) -> Response:
    form, view = await _posted(request, drill_id, user, service)
    with unit_of_work(request.app.state.session_factory) as s:
        result = compute(s, drill_id)
        sid = _form_text(form, "suggestion", 200)
        suggestion = next((c for c in result["suggestions"] if c.id == sid), None)
        if suggestion is None:
            raise NotFoundError(N_("No commendation suggestion {id}."), id=sid[:80])
        item = confirm(suggestion, user.username, view.my_roles, today=_today(),
                       command_roles=_command_roles(view.programme))
        store.save_commendation(s, drill_id, item)
    return RedirectResponse(f"/drills/{drill_id}/results#commendations", status_code=303)


@router.get("/drills/{drill_id}/report.{fmt}")
def report_download(drill_id: int, fmt: str, user: OptionalUser, service: Drills, session: Session, lang: Lang,
                    request: Request) -> Response:
    from ccdrill.reports import EXTENSIONS, FORMATS, MEDIA_TYPES, render_report

    if user is None:
        return _login(request)
    if fmt not in FORMATS:
        raise NotFoundError(N_("Not found: {what}"), what=fmt[:16])
    service.view(drill_id, user)  # the same visibility as the drill
    data = compute(session, drill_id, with_confirmed=True)["data"]
    body = render_report(data, fmt, lang)
    name = f"drill-{drill_id}-report-{lang}{EXTENSIONS[fmt]}"
    disposition = "inline" if fmt == "html" else "attachment"
    return Response(body, media_type=MEDIA_TYPES[fmt], headers={
        "Content-Disposition": f'{disposition}; filename="{name}"', "Cache-Control": "no-store"})


# ---- the corrective-action board ------------------------------------------------------------------


def _visible_drills(service: Any, user: Any) -> dict[int, Any]:
    return {d.id: d for d in service.list_drills(user)}


@router.get("/actions")
def actions_board(request: Request, page: Page, user: OptionalUser, service: Drills, session: Session, lang: Lang,
                  status: str = "", owner: str = "", drill: str = "", priority: str = "",
                  overdue: str = "") -> Response:
    if user is None:
        return _login(request)
    drills = _visible_drills(service, user)
    items = [a for a in store.list_actions(session) if a.drill_id in drills or a.action.owner == user.username]
    if owner:
        items = [a for a in items if a.action.owner == owner]
    if drill.isdigit():
        items = [a for a in items if a.drill_id == int(drill)]
    if priority in act_rules.PRIORITIES:
        items = [a for a in items if a.action.priority == priority]
    today = _today()
    if overdue:
        items = [a for a in items if a.action.is_overdue(today)]
    by_id = {str(a.id): a for a in items}
    b = act_rules.board([a.action for a in items], today)
    columns = []
    for st in act_rules.STATUSES:
        if status and status != st:
            continue
        cards = []
        for item in b.columns[st]:
            stored = by_id[item.action.id]
            d = drills.get(stored.drill_id)
            cards.append({"id": stored.id, "title": item.action.title.get(lang), "owner": item.action.owner,
                          "due": item.action.due, "priority": item.action.priority,
                          "priority_label": t(act_rules.PRIORITY_LABELS[item.action.priority], lang),
                          "overdue": item.overdue, "days": item.days_overdue, "drill": stored.drill_id,
                          "drill_title": _txt(d.title, lang) if d else ""})
        columns.append({"status": st, "label": t(act_rules.STATUS_LABELS[st], lang), "cards": cards})
    all_items = [a for a in store.list_actions(session) if a.drill_id in drills or a.action.owner == user.username]
    return page("evaluation/actions.html", nav="actions", columns=columns, overdue_count=b.overdue_count,
                owners=sorted({a.action.owner for a in all_items}),
                drills=sorted({a.drill_id for a in all_items if a.drill_id}),
                statuses=[(s, t(act_rules.STATUS_LABELS[s], lang)) for s in act_rules.STATUSES],
                priorities=[(p, t(act_rules.PRIORITY_LABELS[p], lang)) for p in act_rules.PRIORITIES],
                f={"status": status, "owner": owner, "drill": drill, "priority": priority, "overdue": overdue})


def _action_context(service: Any, session: Any, action_id: int, user: Any) -> tuple[Any, Any]:
    stored = store.get_action(session, action_id)
    view = None
    if stored.drill_id is not None:
        try:
            view = service.view(stored.drill_id, user)
        except NotFoundError:
            if stored.action.owner != user.username:
                raise NotFoundError(N_("No corrective action {id}."), id=action_id) from None
    return stored, view


@router.get("/actions/{action_id}")
def action_page(request: Request, action_id: int, page: Page, user: OptionalUser, service: Drills,
                session: Session, lang: Lang) -> Response:
    if user is None:
        return _login(request)
    stored, view = _action_context(service, session, action_id, user)
    a = stored.action
    command = _command_roles(view.programme) if view is not None else act_rules.COMMAND_POST_ROLES
    moves = act_rules.allowed_moves(a, actor=user.username, actor_roles=_actor_roles(view, user),
                                    command_roles=command)
    finding = None
    if stored.finding_id:
        _d, f = store.finding_by_id(session, stored.finding_id)
        finding = {"title": f.title.get(lang), "detail": f.detail.get(lang) if f.detail else ""}
    history = [{"from": t(act_rules.STATUS_LABELS[c.from_status], lang) if c.from_status else "",
                "to": t(act_rules.STATUS_LABELS[c.to_status], lang), "actor": c.actor, "evidence": c.evidence,
                "at": c.at} for c in store.action_changes(session, action_id)]
    return page("evaluation/action.html", nav="actions", a=a, id=stored.id, drill_id=stored.drill_id,
                drill_title=view.programme.title.get(lang) if view is not None else "", finding=finding,
                status_label=t(act_rules.STATUS_LABELS[a.status], lang),
                priority_label=t(act_rules.PRIORITY_LABELS[a.priority], lang), overdue=a.is_overdue(_today()),
                moves=[(m, t(act_rules.STATUS_LABELS[m], lang)) for m in moves], history=history,
                evidence=[{"text": e.text, "by": e.by, "on": e.on} for e in a.evidence])


@router.post("/actions/{action_id}/move")
async def action_move(request: Request, action_id: int, user: OptionalUser, service: Drills) -> Response:
    form = await request.form()
    check_csrf(request, form.get(CSRF_FIELD))
    if user is None:
        raise PermissionDenied(N_("Please sign in again."))
    factory = request.app.state.session_factory
    with unit_of_work(factory) as s:
        stored, view = _action_context(service, s, action_id, user)
        command = _command_roles(view.programme) if view is not None else act_rules.COMMAND_POST_ROLES
        store.move_action(s, action_id, _form_text(form, "to", 16), actor=user.username,
                          actor_roles=_actor_roles(view, user), command_roles=list(command), today=_today(),
                          evidence=_form_text(form, "evidence", 4000) or None)
    response = RedirectResponse(f"/actions/{action_id}", status_code=303)
    set_flash(request, response, N_("Corrective action {id} updated."), id=action_id)
    return response


# ---- plan revision --------------------------------------------------------------------------------


def _revise_context(service: Any, session: Any, user: Any, plan_id: str, drill: int, finding: str,
                    lang: str) -> dict[str, Any]:
    from ccdrill.store import documents

    view = service.view(drill, user)
    if not (user.is_planner or user.is_admin or _is_command_post(view)):
        raise PermissionDenied(N_("Only planners and the command post revise plans."))
    plan = documents.get_plan(session, plan_id)
    found = None
    if finding:
        result = compute(session, drill)
        f = _find(result, finding)
        found = {"key": f.id, "title": f.title.get(lang), "detail": f.detail.get(lang) if f.detail else "",
                 "step": f.step or ""}
    return {"view": view, "plan": plan, "finding": found}


@router.get("/plans/{plan_id}/revise")
def revise_page(request: Request, plan_id: str, page: Page, user: OptionalUser, service: Drills, session: Session,
                lang: Lang, drill: int, finding: str = "") -> Response:
    from ccdrill.web.pages import yaml_text

    if user is None:
        return _login(request)
    ctx = _revise_context(service, session, user, plan_id, drill, finding, lang)
    plan = ctx["plan"]
    steps = [{"id": s.id, "title": s.title.get(lang), "target": f"{s.target_minutes:g}",
              "detail": s.detail.get(lang) if s.detail else "",
              "flagged": bool(ctx["finding"] and ctx["finding"]["step"].endswith("." + s.id))} for s in plan.steps]
    return page("evaluation/revise.html", nav="plans", plan=plan, plan_title=plan.title.get(lang), drill_id=drill,
                finding=ctx["finding"], yaml=yaml_text(plan).decode("utf-8"), steps=steps, problems=[],
                note="")


@router.post("/plans/{plan_id}/revise")
async def revise_save(request: Request, plan_id: str, page: Page, user: OptionalUser, service: Drills,
                      lang: Lang) -> Response:
    from ccdrill.formats import parse_document

    form = await request.form()
    check_csrf(request, form.get(CSRF_FIELD))
    if user is None:
        raise PermissionDenied(N_("Please sign in again."))
    try:
        drill = int(_form_text(form, "drill", 12))
    except ValueError:
        raise InvalidInput([Problem(N_("The revision needs the drill it comes from."), path="drill")]) from None
    finding_key = _form_text(form, "finding", 200)
    note = _form_text(form, "note", 2000)
    factory = request.app.state.session_factory
    with factory() as s:
        ctx = _revise_context(service, s, user, plan_id, drill, finding_key, lang)
        current = ctx["plan"]
    mode = _form_text(form, "mode", 8) or "yaml"
    if mode == "steps":
        content = current.model_dump(mode="json", by_alias=True, exclude_none=True)
        for step in content.get("steps", []):
            raw = _form_text(form, f"target:{step['id']}", 20)
            if raw:
                try:
                    step["target_minutes"] = float(raw)
                except ValueError:
                    step["target_minutes"] = raw  # the validator reports it, located
            detail = _form_text(form, f"detail:{step['id']}", 4000)
            if detail and detail != str((step.get("detail") or {}).get(lang) or "").strip():
                step["detail"] = {**(step.get("detail") or {}), lang: detail}
                step["detail"].setdefault("zh", detail)
        import yaml

        text = yaml.safe_dump(content, allow_unicode=True, sort_keys=False, width=100)
    else:
        text = str(form.get("yaml") or "")
    try:
        plan = parse_document(text, filename=f"{plan_id}.yaml", lang=lang, expected_kind="plan")
        if plan.id != plan_id:
            raise InvalidInput([Problem(N_("The plan id must stay {id}."), {"id": plan_id}, path="id")])
    except InvalidInput as exc:
        steps = [{"id": st.id, "title": st.title.get(lang), "target": f"{st.target_minutes:g}",
                  "detail": st.detail.get(lang) if st.detail else "", "flagged": False} for st in current.steps]
        return page("evaluation/revise.html", status_code=422, nav="plans", plan=current,
                    plan_title=current.title.get(lang), drill_id=drill, finding=ctx["finding"], yaml=text,
                    steps=steps, problems=[p.format(lang) for p in exc.problems], note=note)
    with unit_of_work(factory) as s:
        row = None
        if finding_key:
            result = compute(s, drill)
            row = store.ensure_finding(s, drill, _find(result, finding_key), user.username)
        before, after, created = store.save_plan_revision(s, plan, drill_id=drill, finding_row=row,
                                                          author=user.username, note=note)
    if not created:
        response = RedirectResponse(f"/plans/{plan_id}/revise?drill={drill}&finding={quote(finding_key)}",
                                    status_code=303)
        set_flash(request, response, N_("Nothing changed: the plan is the same as its current version."))
        return response
    response = RedirectResponse(f"/plans/{plan_id}/diff?from={before or after}&to={after}", status_code=303)
    set_flash(request, response, N_("Saved as version {n}, linked to drill {drill}."), n=after, drill=drill)
    return response


# ---- history --------------------------------------------------------------------------------------


@router.get("/history")
def history_page(request: Request, page: Page, user: OptionalUser, service: Drills, session: Session, lang: Lang,
                 centre: str = "") -> Response:
    if user is None:
        return _login(request)
    from ccdrill.store import drills as drill_repo

    rows = []
    centres: set[str] = set()
    for d in sorted(service.list_drills(user), key=lambda d: (d.date or d.created_at.date(), d.id)):
        if d.status not in ("ended", "running", "paused"):
            continue
        rec = drill_repo.get_drill(session, d.id)
        cid = rec.centre_id or "—"
        centres.add(cid)
        if centre and cid != centre:
            continue
        s = drill_summary(session, d.id)
        if s is None:
            continue
        grade = s["grade"]
        rows.append({"id": d.id, "title": _txt(d.title, lang), "date": d.date or d.created_at.date(), "centre": cid,
                     "overall": s["overall"], "overall_text": _num(s["overall"]),
                     "grade": t(GRADES.get(grade, ""), lang) if grade else "",
                     "first_report": mmss(s["first_report_s"]),
                     "first_report_min": round(s["first_report_s"] / 60, 2) if s["first_report_s"] is not None else None,
                     "customers": s["customers_affected"], "late": s["late_steps"], "status": d.status})
    trend = ""
    scored = [r["overall"] for r in rows if r["overall"] is not None]
    if len(scored) >= 2:
        trend = t(N_("Better than the first drill shown") if scored[-1] > scored[0] else
                  N_("Not better than the first drill shown"), lang)
    chart = json.dumps({
        "labels": [f"#{r['id']} {r['date']}" for r in rows],
        "overall": [round(r["overall"], 1) if r["overall"] is not None else None for r in rows],
        "first": [r["first_report_min"] for r in rows],
        "customers": [r["customers"] for r in rows],
        "names": [t(N_("Overall score"), lang), t(N_("Time to first report (min)"), lang),
                  t(N_("Customers affected"), lang)],
    }, ensure_ascii=False).replace("<", "\\u003c")
    return page("evaluation/history.html", nav="history", rows=rows, chart=chart, centres=sorted(centres),
                centre=centre, trend=trend)


GRADES = {"excellent": N_("Excellent"), "good": N_("Good"), "pass": N_("Pass"), "fail": N_("Fail")}
