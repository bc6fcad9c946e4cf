"""Drill pages: the list, the create form, the command-post console, the participant view.

The pages are server-rendered from the drill's folded state (``DrillService.view``); the
browser keeps them live: an ``EventSource`` on ``/api/v1/drills/{id}/stream`` tells it that
something happened, and it fetches ``/drills/{id}/panels`` (the same panels, re-rendered) and
``/drills/{id}/twin.json``.  The drill clock ticks in the browser from the clock data each
panel carries (drill time at render, speed, running) and is re-synced on every event.

Every tap is a form posted to ``/drills/{id}/actions`` with the CSRF token and an
idempotency key (a hidden field, also sent as ``Idempotency-Key``): a double tap or a retry
after a lost connection is recorded once.
"""

from __future__ import annotations

import asyncio
import secrets
from datetime import UTC, date, datetime
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from starlette.responses import JSONResponse, RedirectResponse, Response

from ccdrill.domain import events as ev
from ccdrill.domain.common import clock_str, minutes_of
from ccdrill.domain.roles import role_text
from ccdrill.errors import InvalidInput, PermissionDenied, Problem, TooLargeError
from ccdrill.i18n import N_, t
from ccdrill.web import present
from ccdrill.web.auth import Drills, OptionalUser
from ccdrill.web.deps import CSRF_FIELD, Lang, Page, Session, check_csrf, set_flash

router = APIRouter(include_in_schema=False)

STATUS = {
    "draft": N_("Draft"),
    "scheduled": N_("Scheduled"),
    "running": N_("Running"),
    "paused": N_("Paused"),
    "ended": N_("Ended"),
    "cancelled": N_("Cancelled"),
}
INJECT_STATUS = {
    "pending": N_("Pending"),
    "fired": N_("Issued"),
    "skipped": N_("Skipped"),
    "held": N_("Standby"),
    "released": N_("Released"),
}
STEP_STATUS = {
    "blocked": N_("Waiting"),
    "ready": N_("Ready"),
    "in_progress": N_("Under way"),
    "done": N_("Done"),
}
KIND_WORDS = {
    ev.DRILL_CREATED: N_("created the drill"),
    ev.DRILL_SCHEDULED: N_("scheduled the drill"),
    ev.DRILL_STARTED: N_("started the drill"),
    ev.DRILL_PAUSED: N_("paused the drill"),
    ev.DRILL_RESUMED: N_("resumed the drill"),
    ev.DRILL_ENDED: N_("ended the drill"),
    ev.DRILL_CANCELLED: N_("cancelled the drill"),
    ev.SPEED_CHANGED: N_("changed the speed"),
    ev.INJECT_FIRED: N_("issued an inject"),
    ev.INJECT_SKIPPED: N_("skipped an inject"),
    ev.INJECT_ADDED: N_("added an inject"),
    ev.CONTINGENCY_RELEASED: N_("released a standby inject"),
    ev.ACKNOWLEDGE: N_("acknowledged"),
    ev.REPORT: N_("reported"),
    ev.STEP_START: N_("started a step"),
    ev.STEP_COMPLETE: N_("completed a step"),
    ev.NOTE: N_("noted"),
    ev.EFFECT_APPLIED: N_("applied an effect"),
}
SPEEDS = (1, 2, 5, 10, 20, 30, 60)
ACTION_KINDS = frozenset(
    {ev.DRILL_STARTED, ev.DRILL_PAUSED, ev.DRILL_RESUMED, ev.DRILL_ENDED, ev.SPEED_CHANGED, ev.INJECT_FIRED,
     ev.INJECT_SKIPPED, ev.INJECT_ADDED, ev.CONTINGENCY_RELEASED, ev.ACKNOWLEDGE, ev.REPORT, ev.STEP_START,
     ev.STEP_COMPLETE, ev.NOTE}
)
LOG_LIMIT = 60
MAX_PHOTO = 10_000_000


# ---- formatting ----


def hms(seconds: float) -> str:
    s = int(max(0.0, seconds))
    return f"{s // 3600:02d}:{s % 3600 // 60:02d}:{s % 60:02d}"


def mmss(seconds: float) -> str:
    s = int(max(0.0, seconds))
    return f"{s // 60:02d}:{s % 60:02d}"


def clock_of(start_minutes: int, drill_s: float) -> str:
    """Drill time as the wall-clock time of the schedule: 600 s after 09:00 → 09:10:00."""
    return hms(start_minutes * 60 + drill_s)


def new_key() -> str:
    return secrets.token_urlsafe(16)


def _is_planner(user: Any) -> bool:
    roles = getattr(user, "roles", None) or ()
    return bool(getattr(user, "is_admin", False) or getattr(user, "admin", False)
                or "admin" in roles or "planner" in roles or getattr(user, "is_planner", False))


def _login_redirect(request: Request) -> Response:
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return RedirectResponse(f"/login?next={quote(target)}", status_code=303)


# ---- view models ----


def role_name(programme: Any, plans: dict, role_id: str, lang: str) -> str:
    return role_text(programme, plans, role_id).get(lang)


def drill_model(view: Any, lang: str, *, now_s: float | None = None) -> dict[str, Any]:
    """Everything the console and the participant view show, as plain values."""
    state = view.state
    programme = state.programme
    start_min = minutes_of(programme.schedule.start)
    end_min = minutes_of(programme.schedule.end)
    span_s = max((end_min - start_min) * 60, 60)
    drill_s = float(view.drill_time_s if now_s is None else now_s)
    status = view.status or state.status or "draft"
    running = status == "running"
    role = lambda rid: role_name(programme, state.plans, rid, lang)  # noqa: E731

    current = state.phase_at(drill_s)
    phases = []
    for i, ph in enumerate(programme.phases):
        lo, hi = state.phase_window(ph)
        phases.append({
            "index": i, "title": ph.title.get(lang), "window": f"{clock_str(ph.start)}–{clock_str(ph.end)}",
            "lo": lo, "hi": hi, "x": round(max(lo, 0) * 100 / span_s, 3),
            "w": round(max(min(hi, span_s) - max(lo, 0), 0) * 100 / span_s, 3),
            "current": current is not None and ph.id == current.id,
        })

    injects = []
    for st in sorted(state.injects.values(), key=lambda i: (i.time_s, i.seq)):
        inj = st.inject
        injects.append({
            "seq": inj.seq, "time": clock_of(start_min, st.time_s)[:5], "time_s": st.time_s,
            "title": inj.title.get(lang), "description": inj.description.get(lang) if inj.description else "",
            "expected": inj.expected_action.get(lang) if inj.expected_action else "",
            "from": role(inj.from_role) if inj.from_role else "", "to": [role(r) for r in inj.to],
            "to_ids": list(inj.to), "channel": present.label(present.INJECT_CHANNELS, inj.channel, lang), "status": st.status,
            "status_label": t(INJECT_STATUS.get(st.status, st.status), lang), "adhoc": st.adhoc,
            "contingency": inj.contingency, "fired_at": st.fired_at,
            "fired_clock": clock_of(start_min, st.fired_at)[:8] if st.fired_at is not None else "",
            "acknowledged_by": list(st.acknowledged_by), "step": inj.step,
        })

    scenarios = []
    for sc in programme.scenarios:
        plan = state.plans.get(sc.plan.id)
        if plan is None:
            continue
        m = state.milestones.get(plan.id)
        groups: dict[str, dict[str, Any]] = {}
        for st in state.scenario_steps(plan.id):
            g = groups.setdefault(st.role, {"role": st.role, "name": role(st.role), "steps": []})
            g["steps"].append(step_model(st, drill_s, lang))
        scenarios.append({
            "id": plan.id, "title": plan.title.get(lang), "groups": list(groups.values()),
            "incident_at": clock_of(start_min, m.incident_started_at)[:8] if m and m.incident_started_at is not None else "",
            "active": bool(m and m.incident_started_at is not None),
            "late": sum(1 for g in groups.values() for s in g["steps"] if s["late"]),
        })

    return {
        "id": getattr(view, "id", None), "title": programme.title.get(lang), "status": status,
        "status_label": t(STATUS.get(status, status), lang), "speed": float(view.speed or 1),
        "speed_label": f"×{float(view.speed or 1):g}", "drill_s": drill_s, "running": running,
        "start_min": start_min, "span_s": span_s, "clock": clock_of(start_min, drill_s),
        "tplus": "T+" + hms(drill_s), "phase": current.title.get(lang) if current else "",
        "phases": phases, "injects": injects, "scenarios": scenarios,
        "date": programme.schedule.date, "location": programme.location.get(lang),
        "my_roles": [{"id": r, "name": role(r)} for r in (view.my_roles or ())],
        "can_control": bool(view.can_control), "is_observer": bool(getattr(view, "is_observer", False)),
        "is_evaluator": bool(getattr(view, "is_evaluator", False)),
        "open": status in ("draft", "scheduled", "running", "paused"), "active": status in ("running", "paused"),
    }


def step_model(st: Any, now_s: float, lang: str) -> dict[str, Any]:
    elapsed = st.elapsed(now_s)
    late = st.late_at(now_s)
    return {
        "key": st.key, "title": st.step.title.get(lang), "detail": st.step.detail.get(lang) if st.step.detail else "",
        "role": st.role, "status": st.status, "status_label": t(STEP_STATUS.get(st.status, st.status), lang),
        "ready_at": st.ready_at, "started_at": st.started_at, "completed_at": st.completed_at,
        "target_s": st.target_s, "elapsed": mmss(elapsed) if elapsed is not None else "",
        "target": mmss(st.target_s), "late": late, "over": mmss(elapsed - st.target_s) if late and elapsed else "",
        "out_of_order": st.out_of_order, "by": st.completed_by or st.started_by or "",
        "acknowledged_by": list(st.acknowledged_by),
    }


def log_model(events: list[Any], model: dict[str, Any], lang: str) -> list[dict[str, Any]]:
    injects = {i["seq"]: i["title"] for i in model["injects"]}
    steps = {s["key"]: s["title"] for sc in model["scenarios"] for g in sc["groups"] for s in g["steps"]}
    rows = []
    for e in reversed(events[-LOG_LIMIT:]):
        p = e.payload or {}
        what = ""
        if isinstance(p.get("inject"), int):
            what = f"#{p['inject']} {injects.get(p['inject'], '')}"
        elif isinstance(p.get("inject"), dict):
            title = p["inject"].get("title")
            what = title.get(lang) or title.get("zh", "") if isinstance(title, dict) else str(title or "")
        if p.get("step"):
            what = (what + " · " if what else "") + steps.get(p["step"], p["step"])
        if e.kind == ev.SPEED_CHANGED:
            what = f"×{float(p.get('speed', 1)):g}"
        rows.append({
            "seq": e.seq, "clock": clock_of(model["start_min"], e.drill_time_s), "actor": e.actor,
            "kind": e.kind, "words": t(KIND_WORDS.get(e.kind, e.kind), lang), "what": what,
            "note": p.get("note") or p.get("reason") or "",
        })
    return rows


def participant_model(model: dict[str, Any], username: str = "") -> dict[str, Any]:
    """My view: every situation addressed to me that I have not acknowledged yet (newest first; else
    the newest one), my tasks that can be done now, and the rest folded away."""
    mine = {r["id"] for r in model["my_roles"]}
    cards = [i for i in model["injects"] if i["status"] == "fired" and mine & set(i["to_ids"])]
    cards.sort(key=lambda i: (i["fired_at"] or 0, i["seq"]), reverse=True)
    current = [i for i in cards if username not in i["acknowledged_by"]] or cards[:1]
    tasks, upcoming, done = [], [], []
    for sc in model["scenarios"]:
        for g in sc["groups"]:
            if g["role"] not in mine:
                continue
            for s in g["steps"]:
                (tasks if s["status"] in ("ready", "in_progress") else done if s["status"] == "done" else upcoming).append(s)
    return {"cards": cards, "current": current, "older": [i for i in cards if i not in current], "tasks": tasks,
            "upcoming": upcoming, "done": done}


def _events(service: Any, drill_id: int, user: Any) -> list[Any]:
    return list(service.events_after(drill_id, 0, user))


def _twin(service: Any, drill_id: int, user: Any) -> dict[str, Any] | None:
    try:
        return service.twin_series(drill_id, user)
    except Exception:  # noqa: BLE001 - the console works without the twin panel
        return None


# ---- pages ----


@router.get("/drills")
def drills_list(request: Request, page: Page, user: OptionalUser, service: Drills, session: Session,
                lang: Lang) -> Response:
    if user is None:
        return page("drills/list.html", nav="drills", drills=[], user=None, can_create=False, signed_out=True,
                    status_label=lambda s: t(STATUS.get(s, s), lang))
    cache: dict[str, Any] = {}
    rows = [_row(d, lang, session, cache) for d in service.list_drills(user)]
    return page("drills/list.html", nav="drills", drills=rows, user=user, can_create=_is_planner(user), signed_out=False,
                status_label=lambda s: t(STATUS.get(s, s), lang))


def _row(d: Any, lang: str, session: Any, cache: dict[str, Any]) -> dict[str, Any]:
    from ccdrill.store import documents as store

    title = d.title.get(lang) or d.title.get("zh") or d.programme if isinstance(d.title, dict) else str(d.title)
    roles = list(d.my_roles)
    if roles:
        if d.programme not in cache:
            pid, _, ver = d.programme.partition("@")
            try:
                cache[d.programme] = store.get_programme(session, pid, int(ver) if ver else None)
            except Exception:  # noqa: BLE001 - the list still shows role ids
                cache[d.programme] = None
        prog = cache[d.programme]
        if prog is not None:
            roles = [(prog.role(r).name.get(lang) if prog.role(r) else r) for r in roles]
    return {"id": d.id, "title": title, "status": d.status or "draft", "date": d.date, "speed": float(d.speed or 1),
            "roles": roles, "href": f"/drills/{d.id}"}


def _programme_choices(session: Any, lang: str) -> list[dict[str, Any]]:
    from ccdrill.store import documents as store

    out = []
    for s in store.list_programmes(session):
        title = s.title_en if lang == "en" and getattr(s, "title_en", None) else (s.title_zh or s.id)
        for v in range(s.versions, 0, -1):
            out.append({"value": f"{s.id}@{v}", "label": f"{title} · v{v}", "id": s.id, "latest": v == s.versions})
    return out


def _users(service: Any, session: Any) -> list[Any]:
    from ccdrill.store import users

    return list(users.list_users(session))


def _roles_of(session: Any, ref: str) -> list[Any]:
    from ccdrill.store import documents as store

    pid, _, ver = ref.partition("@")
    try:
        prog = store.get_programme(session, pid, int(ver)) if ver else store.get_programme(session, pid)
    except Exception:  # noqa: BLE001
        return []
    return list(prog.roles)


@router.get("/drills/new")
def drills_new(request: Request, page: Page, user: OptionalUser, service: Drills, session: Session,
               lang: Lang, programme: str | None = None) -> Response:
    if user is None:
        return _login_redirect(request)
    if not _is_planner(user):
        raise PermissionDenied(N_("Only planners and administrators can create drills."))
    choices = _programme_choices(session, lang)
    chosen = programme if any(c["value"] == programme for c in choices) else next(
        (c["value"] for c in choices if "network" in c["id"] and c["latest"]), choices[0]["value"] if choices else "")
    roles = _roles_of(session, chosen) if chosen else []
    users = [getattr(u, "username", u) for u in _users(service, session)]
    return page("drills/new.html", nav="drills", choices=choices, chosen=chosen, roles=roles, users=users,
                speeds=SPEEDS, today=date.today().isoformat())


@router.post("/drills/new")
async def drills_create(request: Request, user: OptionalUser, service: Drills, session: Session) -> Response:
    if user is None:
        return _login_redirect(request)
    form = await request.form()
    check_csrf(request, form.get(CSRF_FIELD))
    if not _is_planner(user):
        raise PermissionDenied(N_("Only planners and administrators can create drills."))
    ref = str(form.get("programme") or "")
    problems = []
    try:
        speed = float(form.get("speed") or 1)
        if not ev.MIN_SPEED <= speed <= ev.MAX_SPEED:
            raise ValueError
    except ValueError:
        problems.append(Problem(N_("The speed must be between ×1 and ×60."), {}, path="speed"))
        speed = 1.0
    when = None
    if form.get("date"):
        try:
            when = date.fromisoformat(str(form.get("date")))
        except ValueError:
            problems.append(Problem(N_("The date is not valid."), {}, path="date"))
    if problems:
        raise InvalidInput(problems)
    assignments: dict[str, list[str]] = {}
    for role in _roles_of(session, ref):
        people = [str(v).strip() for v in form.getlist(f"role:{role.id}") if str(v).strip()]
        if people:
            assignments[role.id] = people
    drill_id = service.create_drill(programme=ref, speed=speed, assignments=assignments, date=when, actor=user)
    response = RedirectResponse(f"/drills/{drill_id}", status_code=303)
    set_flash(request, response, N_("The drill is created. Share its address with the participants."))
    return response


def _view(service: Any, drill_id: int, user: Any) -> Any:
    view = service.view(drill_id, user)
    if getattr(view, "id", None) is None:
        try:
            object.__setattr__(view, "id", drill_id)
        except Exception:  # noqa: BLE001
            pass
    return view


def _console_context(service: Any, drill_id: int, user: Any, lang: str) -> dict[str, Any]:
    view = _view(service, drill_id, user)
    model = drill_model(view, lang)
    model["id"] = drill_id
    return {"d": model, "log": log_model(_events(service, drill_id, user), model, lang), "speeds": SPEEDS,
            "key": new_key, "roles": [{"id": r.id, "name": r.name.get(lang)} for r in view.state.programme.roles]}


def _participant_context(service: Any, drill_id: int, user: Any, lang: str) -> dict[str, Any]:
    view = _view(service, drill_id, user)
    model = drill_model(view, lang)
    model["id"] = drill_id
    return {"d": model, "me": participant_model(model, getattr(user, "username", "")), "key": new_key, "user": user,
            "user_name": getattr(user, "username", ""), "has_photos": True}


@router.get("/drills/{drill_id}")
def console(request: Request, drill_id: int, page: Page, user: OptionalUser, service: Drills, lang: Lang) -> Response:
    if user is None:
        return _login_redirect(request)
    ctx = _console_context(service, drill_id, user, lang)
    d = ctx["d"]
    if not (d["can_control"] or d["is_observer"] or d["is_evaluator"]) and d["my_roles"]:
        return RedirectResponse(f"/drills/{drill_id}/me", status_code=303)
    return page("drills/console.html", nav="drills", **ctx)


@router.get("/drills/{drill_id}/me")
def participant(request: Request, drill_id: int, page: Page, user: OptionalUser, service: Drills,
                lang: Lang) -> Response:
    if user is None:
        return _login_redirect(request)
    return page("drills/participant.html", nav="drills", **_participant_context(service, drill_id, user, lang))


@router.get("/drills/{drill_id}/panels")
def panels(request: Request, drill_id: int, page: Page, user: OptionalUser, service: Drills, lang: Lang,
           view: str = "console") -> Response:
    if user is None:
        raise PermissionDenied(N_("Please sign in again."))
    if view == "me":
        response = page("drills/_participant_panels.html", **_participant_context(service, drill_id, user, lang))
    else:
        response = page("drills/_console_panels.html", **_console_context(service, drill_id, user, lang))
    response.headers["Cache-Control"] = "no-store"
    return response


@router.get("/drills/{drill_id}/twin.json")
def twin_json(drill_id: int, user: OptionalUser, service: Drills) -> Response:
    if user is None:
        raise PermissionDenied(N_("Please sign in again."))
    service.view(drill_id, user)  # the same permission as the page
    data = _twin(service, drill_id, user) or {}
    return JSONResponse(data, headers={"Cache-Control": "no-store"})


def _payload(kind: str, form: Any, service: Any, drill_id: int, user: Any, lang: str) -> dict[str, Any]:
    def text(name: str) -> str | None:
        value = str(form.get(name) or "").strip()
        return value or None

    payload: dict[str, Any] = {}
    if kind == ev.SPEED_CHANGED:
        payload["speed"] = text("speed")
    elif kind in (ev.DRILL_STARTED, ev.DRILL_PAUSED, ev.DRILL_RESUMED, ev.DRILL_ENDED):
        if text("note"):
            payload["reason"] = text("note")
    elif kind in (ev.INJECT_FIRED, ev.CONTINGENCY_RELEASED, ev.INJECT_SKIPPED):
        payload["inject"] = _int(text("inject"))
        if kind == ev.INJECT_SKIPPED and text("note"):
            payload["reason"] = text("note")
    elif kind == ev.INJECT_ADDED:
        view = service.view(drill_id, user)
        state = view.state
        title = text("title")
        if not title:
            raise InvalidInput([Problem(N_("Give the inject a title."), {}, path="title")])
        drill_s = float(view.drill_time_s)
        minute = minutes_of(state.programme.schedule.start) + int(drill_s // 60) + 1
        inject: dict[str, Any] = {
            "seq": state.next_inject_seq, "time": f"{minute // 60 % 24:02d}:{minute % 60:02d}",
            "title": {"zh": title, "en": title}, "to": [str(r) for r in form.getlist("to") if str(r)],
            "channel": text("channel") or "verbal",
        }
        if text("description"):
            inject["description"] = {"zh": text("description"), "en": text("description")}
        if text("from"):
            inject["from"] = text("from")
        payload["inject"] = inject
    else:  # participant actions
        for name in ("step", "inject", "note", "photo", "scenario"):
            if text(name) is not None:
                payload[name] = _int(text(name)) if name == "inject" else text(name)
    return payload


@router.post("/drills/{drill_id}/actions")
async def actions(request: Request, drill_id: int, user: OptionalUser, service: Drills, lang: Lang) -> Response:
    form = await request.form()
    check_csrf(request, form.get(CSRF_FIELD))
    if user is None:
        raise PermissionDenied(N_("Please sign in again."))
    kind = str(form.get("kind") or "")
    if kind not in ACTION_KINDS:
        raise InvalidInput([Problem(N_("Unknown action."), {}, path="kind")])
    key = (request.headers.get("idempotency-key") or str(form.get("idempotency_key") or "")).strip()[:200] or None
    photo = form.get("photo_file")
    if photo is not None and getattr(photo, "filename", "") and kind in ev.PARTICIPANT_KINDS:
        data = await photo.read(MAX_PHOTO + 1)
        if len(data) > MAX_PHOTO:
            raise TooLargeError(N_("The photo is too large: at most {mb} MB."), mb=MAX_PHOTO // 1_000_000)
        if data:
            content_type = image_type(data)
            if content_type is None:
                raise InvalidInput([Problem(N_("The photo must be a JPEG, PNG, GIF, WebP or HEIC image."), {},
                                            path="photo")])
            ref = await asyncio.to_thread(service.save_photo, drill_id, user, filename=photo.filename[:200],
                                          content_type=content_type, data=data)
            form = _with(form, photo=str(ref))
    payload = _payload(kind, form, service, drill_id, user, lang)
    result = await service.act(drill_id, user=user, kind=kind, payload=payload, idempotency_key=key)
    seq = getattr(result, "seq", result if isinstance(result, int) else None)
    if isinstance(result, dict):
        seq = result.get("seq")
    if "application/json" in request.headers.get("accept", ""):
        return JSONResponse({"ok": True, "seq": seq}, status_code=201)
    back = str(form.get("back") or "")
    if not back.startswith(f"/drills/{drill_id}"):
        back = f"/drills/{drill_id}"
    return RedirectResponse(back, status_code=303)


def image_type(data: bytes) -> str | None:
    """The image type by its first bytes (the browser's claim is not trusted)."""
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return "image/gif"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    if data[4:12] in (b"ftypheic", b"ftypheix", b"ftypmif1", b"ftyphevc"):
        return "image/heic"
    return None


def _int(value: str | None) -> int | str | None:
    try:
        return int(value) if value is not None else None
    except ValueError:
        return value


def _with(form: Any, **extra: str) -> dict[str, Any]:
    class _Form(dict):
        def getlist(self, name: str) -> list[Any]:
            return form.getlist(name)

    out = _Form({k: v for k, v in form.items()})
    out.update(extra)
    return out


def now_utc() -> datetime:
    return datetime.now(UTC)
