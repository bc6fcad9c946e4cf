"""``/api/v1`` for live drills: tokens, drills, the clock, events (idempotent), photos, the live stream.

Authentication: ``Authorization: Bearer <token>`` from ``POST /api/v1/auth/token``, or the session
cookie of the pages (then a state-changing request needs the ``X-CSRF-Token`` header).
Errors are ``{"error": {"code", "message"}}`` in the request's language (``?lang=``, cookie or
``Accept-Language``).  A drill the caller is not part of answers 404.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
from collections import OrderedDict
from typing import Annotated, Any

from fastapi import APIRouter, Body, Header, Path, Query, Request
from pydantic import BaseModel, ConfigDict, Field
from starlette.responses import JSONResponse, Response, StreamingResponse

from ccdrill.auth.permissions import User
from ccdrill.domain import events as ev
from ccdrill.errors import InvalidInput, Problem, TooLargeError
from ccdrill.i18n import N_
from ccdrill.live.service import Drills, DrillView
from ccdrill.store import users as user_repo
from ccdrill.web.api import ERRORS, ErrorResponse
from ccdrill.web.auth import CurrentUser, client_address, throttle

v1 = APIRouter(prefix="/api/v1", tags=["drills"])

SSE_HEARTBEAT_S = 15.0
ALL_ERRORS = {
    401: {"model": ErrorResponse, "description": "not signed in"},
    403: {"model": ErrorResponse, "description": "not allowed"},
    **ERRORS,
    409: {"model": ErrorResponse, "description": "not possible in the drill's current state"},
    422: {"model": ErrorResponse, "description": "invalid input"},
}


def _drill_id():  # noqa: ANN202
    return Path(ge=1, le=2_147_483_647, description="drill id")


DrillId = Annotated[int, _drill_id()]
IdemKey = Annotated[str | None, Header(alias="Idempotency-Key", max_length=200,
                                       description="retries with the same key record the event once")]


# ---- schemas ----------------------------------------------------------------------------------------
class TokenIn(BaseModel):
    username: str = Field(max_length=200)
    password: str = Field(max_length=1024)


class TokenOut(BaseModel):
    token: str
    username: str
    expires: dt.datetime


class DrillIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    programme: str = Field(max_length=200, description='"ID" (latest version) or "ID@VERSION"')
    speed: float = Field(1.0, description="drill seconds per wall second, 1–60")
    assignments: dict[str, list[str]] = Field(default_factory=dict, description="drill role id → usernames")
    date: dt.date | None = Field(None, description="planned date: the drill is then scheduled")
    seed: int | None = Field(None, ge=0, le=2**31 - 1, description="seed of the twin (default 0)")


class ClockIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: str | None = None


class EventIn(BaseModel):
    """An action.  Participants: note, acknowledge, report, step_start, step_complete.  The command post
    also: inject_fired, inject_skipped, inject_added, contingency_released, speed_changed,
    effect_applied, drill_* (better through the clock endpoints)."""

    model_config = ConfigDict(extra="forbid")
    kind: str = Field(max_length=40, examples=["step_complete"])
    step: str | None = Field(None, description='"plan-id.step-id"')
    inject: int | None = Field(None, description="the inject's seq")
    note: str | None = None
    photo: str | None = Field(None, description='"photo-N" from POST …/photos')
    scenario: str | None = None
    reason: str | None = None
    speed: float | None = None
    private: bool | None = Field(None, description="evaluators' notes are private until the drill ends "
                                                   "(default true for evaluators)")
    payload: dict[str, Any] | None = Field(None, description="other payload fields (inject_added, effect_applied)")

    def to_payload(self) -> dict[str, Any]:
        data = dict(self.payload or {})
        for name in ("step", "inject", "note", "photo", "scenario", "reason", "speed", "private"):
            value = getattr(self, name)
            if value is not None:
                data[name] = value
        return data


class EventOut(BaseModel):
    seq: int
    drill_time_s: float
    wall_time: dt.datetime
    actor: str
    kind: str
    payload: dict[str, Any]
    idempotency_key: str | None = None
    private: bool = False


def event_json(e: ev.Event, private: bool = False) -> dict[str, Any]:
    out = e.model_dump(mode="json")
    out["private"] = private
    return out


def _text(text: Any) -> dict[str, Any] | None:
    if text is None:
        return None
    return {"zh": text.zh, "en": text.en}


def drill_json(v: DrillView, twin: dict | None) -> dict[str, Any]:
    s = v.state
    now = v.drill_time_s
    phase = v.current_phase
    return {
        "id": v.id,
        "programme": v.record.programme_ref,
        "title": _text(v.programme.title),
        "plans": dict(v.record.plan_refs),
        "status": v.status,
        "speed": v.speed,
        "date": v.record.date.isoformat() if v.record.date else None,
        "drill_time_s": now,
        "last_seq": s.last_seq,
        "current_phase": None if phase is None else {
            "id": phase.id, "title": _text(phase.title), "window_s": list(s.phase_window(phase))},
        "phases": [{"id": p.id, "title": _text(p.title), "window_s": list(s.phase_window(p))}
                   for p in v.programme.phases],
        "injects": [{"seq": i.seq, "title": _text(i.inject.title), "time_s": i.time_s, "status": i.status,
                     "to": list(i.inject.to), "fired_at": i.fired_at, "acknowledged_by": list(i.acknowledged_by)}
                    for i in sorted(s.injects.values(), key=lambda x: (x.time_s, x.seq))],
        "steps": {k: {"title": _text(st.step.title), "role": st.step.role, "status": st.status,
                      "ready_at": st.ready_at, "started_at": st.started_at, "completed_at": st.completed_at,
                      "target_minutes": st.step.target_minutes, "late": bool(st.late_at(now)),
                      "out_of_order": st.out_of_order}
                  for k, st in s.steps.items()},
        "milestones": {pid: {"incident_started_at": m.incident_started_at, "first_report_at": m.first_report_at,
                             "plan_activated_at": m.plan_activated_at, "restored_at": m.restored_at}
                       for pid, m in s.milestones.items()},
        "assignments": v.assignments,
        "my_roles": v.my_roles,
        "can_control": v.can_control,
        "is_observer": v.is_observer,
        "is_evaluator": v.is_evaluator,
        "twin": None if twin is None else {"latest": twin.get("latest"), "target": twin.get("target")},
    }


# ---- tokens -----------------------------------------------------------------------------------------
@v1.post("/auth/token", response_model=TokenOut, tags=["accounts"],
         responses={401: ALL_ERRORS[401], 429: {"model": ErrorResponse, "description": "too many failures"}})
def create_token(request: Request, body: TokenIn) -> TokenOut:
    """A bearer token for ``username`` (valid 30 days).  Five failures per username and address within
    five minutes lock further attempts for the rest of that window (429)."""
    from ccdrill.web.auth import NotSignedIn

    th = throttle(request)
    address = client_address(request)
    name = body.username.strip()
    th.check(name, address)
    with request.app.state.session_factory() as s:
        row = user_repo.authenticate(s, name, body.password)
        if row is None:
            th.failed(name, address)
            s.rollback()
            raise NotSignedIn()
        token, expires = user_repo.issue_token(s, row.username)
        s.commit()
    th.succeeded(name, address)
    return TokenOut(token=token, username=row.username, expires=expires)


@v1.delete("/auth/token", status_code=204, tags=["accounts"], responses={401: ALL_ERRORS[401]})
def revoke_token(request: Request, user: CurrentUser) -> Response:
    """Revoke the bearer token of this request (it stops working at once on this server, within 10 s on others)."""
    from ccdrill.auth import tokens
    from ccdrill.web.auth import forget_credentials

    token = tokens.bearer(request.headers.get("authorization"))
    if token:
        with request.app.state.session_factory() as s:
            user_repo.revoke_token(s, token)
            s.commit()
        forget_credentials(request)
    return Response(status_code=204)


@v1.get("/me", tags=["accounts"], responses={401: ALL_ERRORS[401]})
def me(user: CurrentUser) -> dict[str, Any]:
    """Who the token or session belongs to, and their global roles."""
    return {"username": user.username, "display_name": user.display_name, "admin": user.is_admin,
            "planner": user.is_planner, "evaluator": user.is_evaluator}


# ---- drills -----------------------------------------------------------------------------------------
@v1.get("/drills", responses=ALL_ERRORS)
def list_drills(user: CurrentUser, drills: Drills) -> list[dict[str, Any]]:
    """The drills the caller is part of (planners, admins and evaluators: all)."""
    return [{"id": d.id, "programme": d.programme, "title": d.title, "status": d.status,
             "date": d.date.isoformat() if d.date else None, "speed": d.speed, "my_roles": d.my_roles,
             "created_by": d.created_by, "created_at": d.created_at.isoformat()} for d in drills.list_drills(user)]


@v1.post("/drills", status_code=201, responses=ALL_ERRORS)
def create_drill(body: DrillIn, user: CurrentUser, drills: Drills) -> dict[str, Any]:
    """Create a drill from a programme version (planners and admins)."""
    drill_id = drills.create_drill(programme=body.programme, speed=body.speed, assignments=body.assignments,
                                   date=body.date, actor=user, seed=body.seed)
    return drill_json(drills.view(drill_id, user), None)


@v1.get("/drills/{drill_id}", responses=ALL_ERRORS)
def get_drill(drill_id: DrillId, user: CurrentUser, drills: Drills) -> dict[str, Any]:
    """Status, drill time, current phase, injects, step states, milestones and the latest twin KPIs."""
    view = drills.view(drill_id, user)
    return drill_json(view, drills.twin_series(drill_id, user))


@v1.get("/drills/{drill_id}/twin", responses=ALL_ERRORS)
def get_twin(drill_id: DrillId, user: CurrentUser, drills: Drills) -> dict[str, Any]:
    """KPI series per interval since the drill start, against the no-incident baseline."""
    return drills.twin_series(drill_id, user)


async def _clock(drills: Any, drill_id: int, user: User, kind: str, body: ClockIn | None, key: str | None
                 ) -> JSONResponse:
    rec = await drills.record_action(drill_id, user=user, kind=kind,
                                     payload={"reason": body.reason} if body and body.reason else {},
                                     idempotency_key=key)
    return JSONResponse(event_json(rec.event), status_code=201 if rec.created else 200)


@v1.post("/drills/{drill_id}/start", status_code=201, response_model=EventOut, responses=ALL_ERRORS,
         summary="Start the drill clock")
async def start(drill_id: DrillId, user: CurrentUser, drills: Drills, key: IdemKey = None,
                body: Annotated[ClockIn | None, Body()] = None) -> JSONResponse:
    """Command post or planner: the drill clock starts at drill time 0.  Returns the event (201; 200 for a
    repeated Idempotency-Key)."""
    return await _clock(drills, drill_id, user, ev.DRILL_STARTED, body, key)


@v1.post("/drills/{drill_id}/pause", status_code=201, response_model=EventOut, responses=ALL_ERRORS,
         summary="Pause the drill clock")
async def pause(drill_id: DrillId, user: CurrentUser, drills: Drills, key: IdemKey = None,
                body: Annotated[ClockIn | None, Body()] = None) -> JSONResponse:
    """Drill time freezes; pending injects keep their drill-time positions."""
    return await _clock(drills, drill_id, user, ev.DRILL_PAUSED, body, key)


@v1.post("/drills/{drill_id}/resume", status_code=201, response_model=EventOut, responses=ALL_ERRORS,
         summary="Resume the drill clock")
async def resume(drill_id: DrillId, user: CurrentUser, drills: Drills, key: IdemKey = None,
                 body: Annotated[ClockIn | None, Body()] = None) -> JSONResponse:
    """Drill time continues from where it was frozen."""
    return await _clock(drills, drill_id, user, ev.DRILL_RESUMED, body, key)


@v1.post("/drills/{drill_id}/end", status_code=201, response_model=EventOut, responses=ALL_ERRORS,
         summary="End the drill")
async def end(drill_id: DrillId, user: CurrentUser, drills: Drills, key: IdemKey = None,
              body: Annotated[ClockIn | None, Body()] = None) -> JSONResponse:
    """The drill ends; nothing more can be recorded (409)."""
    return await _clock(drills, drill_id, user, ev.DRILL_ENDED, body, key)


@v1.post("/drills/{drill_id}/cancel", status_code=201, response_model=EventOut, responses=ALL_ERRORS,
         summary="Cancel the drill")
async def cancel(drill_id: DrillId, user: CurrentUser, drills: Drills, key: IdemKey = None,
                 body: Annotated[ClockIn | None, Body()] = None) -> JSONResponse:
    """A drill that has not ended may be cancelled."""
    return await _clock(drills, drill_id, user, ev.DRILL_CANCELLED, body, key)


@v1.post("/drills/{drill_id}/events", status_code=201, response_model=EventOut, responses=ALL_ERRORS)
async def post_event(drill_id: DrillId, body: EventIn, user: CurrentUser, drills: Drills,
                     key: IdemKey = None) -> JSONResponse:
    """Record an action; committed before the response.  With an ``Idempotency-Key`` header, a repeat by the
    same user returns the first result with status **200** (the first time: **201**) and records nothing."""
    rec = await drills.record_action(drill_id, user=user, kind=body.kind, payload=body.to_payload(),
                                     idempotency_key=key)
    private = drills.is_private(drill_id, rec.event.seq)
    return JSONResponse(event_json(rec.event, private), status_code=201 if rec.created else 200)


@v1.get("/drills/{drill_id}/events", response_model=list[EventOut], responses=ALL_ERRORS)
def get_events(drill_id: DrillId, user: CurrentUser, drills: Drills,
               after: Annotated[int, Query(ge=0, le=2_147_483_647)] = 0,
               limit: Annotated[int, Query(ge=1, le=10_000)] = 10_000) -> list[dict[str, Any]]:
    """The events after ``after``, in order (evaluators' private notes hidden from participants until the end)."""
    return [event_json(e, drills.is_private(drill_id, e.seq))
            for e in drills.events_after(drill_id, after, user, limit=limit)]


# ---- the live stream --------------------------------------------------------------------------------
def sse_frame(drills: Any, drill_id: int, e: ev.Event, private: bool) -> bytes:
    """The SSE frame of an event, made once per event and shared by every open stream."""
    cache: OrderedDict[tuple[int, int], bytes] | None = getattr(drills, "_sse_cache", None)
    if cache is None:
        cache = drills._sse_cache = OrderedDict()
    key = (drill_id, e.seq)
    frame = cache.get(key)
    if frame is None:
        data = json.dumps(event_json(e, private), ensure_ascii=False, separators=(",", ":"))
        frame = f"id: {e.seq}\nevent: {e.kind}\ndata: {data}\n\n".encode()
        cache[key] = frame
        if len(cache) > 4096:
            cache.popitem(last=False)
    return frame


@v1.get("/drills/{drill_id}/stream", responses={**ALL_ERRORS, 200: {
    "content": {"text/event-stream": {}}, "description": "server-sent events: id = seq, event = kind"}})
async def stream(request: Request, drill_id: DrillId, user: CurrentUser, drills: Drills,
                 last_event_id: Annotated[str | None, Header(alias="Last-Event-ID", max_length=20)] = None,
                 after: Annotated[int | None, Query(ge=0, le=2_147_483_647)] = None) -> StreamingResponse:
    """Server-sent events: every new event as ``id: <seq>``, ``event: <kind>``, ``data: <json>``.  A reconnect
    with ``Last-Event-ID`` (or ``?after=``) first receives what it missed.  Comment lines keep it alive."""
    await asyncio.to_thread(drills._open, drill_id, user)  # 404 before the stream starts
    start = after or 0
    if last_event_id is not None and last_event_id.strip().isdigit():
        start = int(last_event_id.strip())
    heartbeat = getattr(request.app.state, "sse_heartbeat", SSE_HEARTBEAT_S)

    async def frames():  # noqa: ANN202
        yield b": ccdrill\nretry: 2000\n\n"
        async for e in drills.subscribe(drill_id, user, start, heartbeat=heartbeat):
            if e is None:
                if await request.is_disconnected():
                    return
                yield b": keep-alive\n\n"
                continue
            yield sse_frame(drills, drill_id, e, drills.is_private(drill_id, e.seq))

    return StreamingResponse(frames(), media_type="text/event-stream",
                             headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"})


# ---- photos -----------------------------------------------------------------------------------------
IMAGE_TYPES = {"jpeg": "image/jpeg", "png": "image/png", "webp": "image/webp"}


def sniff_image(data: bytes) -> str | None:
    """The image type by its first bytes (JPEG, PNG, WebP), whatever the name or the declared type."""
    if data[:3] == b"\xff\xd8\xff":
        return "jpeg"
    if data[:8] == b"\x89PNG\r\n\x1a\n":
        return "png"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp"
    return None


_PHOTO_BODY = {"requestBody": {"required": True, "content": {"multipart/form-data": {"schema": {
    "type": "object", "required": ["file"], "properties": {"file": {"type": "string", "format": "binary"}}}}}}}


@v1.post("/drills/{drill_id}/photos", status_code=201, responses={**ALL_ERRORS, 413: {"model": ErrorResponse}},
         openapi_extra=_PHOTO_BODY)
async def upload_photo(request: Request, drill_id: DrillId, user: CurrentUser, drills: Drills) -> dict[str, Any]:
    """A photo for an action (JPEG, PNG or WebP, checked by content; at most ``max_upload_bytes``).
    Returns ``{"photo": "photo-N"}``: pass it as ``photo`` with the action."""
    limit = request.app.state.settings.max_upload_bytes
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit + 64 * 1024:
        raise TooLargeError(N_("The photo is larger than {mb} MB."), mb=round(limit / 1048576, 1))
    await asyncio.to_thread(drills._open, drill_id, user)
    form = await request.form(max_files=1, max_fields=4)
    try:
        upload = form.get("file")
        if upload is None or isinstance(upload, str):
            raise InvalidInput([Problem(N_("Attach the photo as the form field “file”."), path="file")])
        data = await upload.read(limit + 1)
        if len(data) > limit:
            raise TooLargeError(N_("The photo is larger than {mb} MB."), mb=round(limit / 1048576, 1))
        kind = sniff_image(data)
        if kind is None:
            raise InvalidInput([Problem(N_("This file is not a photo: upload a JPEG, PNG or WebP image."),
                                        path="file")])
        filename = (upload.filename or f"photo.{kind}")[-200:]
    finally:
        await form.close()
    photo = await asyncio.to_thread(drills.save_photo, drill_id, user, filename=filename,
                                    content_type=IMAGE_TYPES[kind], data=data)
    return {"photo": photo, "url": f"/api/v1/drills/{drill_id}/photos/{photo}", "content_type": IMAGE_TYPES[kind],
            "size": len(data)}


@v1.get("/drills/{drill_id}/photos/{photo}", responses=ALL_ERRORS,
        response_class=Response)
def get_photo(drill_id: DrillId, photo: Annotated[str, Path(max_length=40)], user: CurrentUser,
              drills: Drills) -> Response:
    """The photo's bytes."""
    content_type, data = drills.photo(drill_id, user, photo)
    return Response(data, media_type=content_type, headers={"Cache-Control": "private, max-age=3600"})
