"""The drill service: the one path by which anything happens in a drill.

Every action, inject and clock change goes through :meth:`DrillService.act` (people) or the runner
(the schedule, actor ``system``): the permission rules are checked, the pure fold validates the new
event (:func:`ccdrill.domain.fold.record`), the event and the drill's status cache are committed in
one transaction, and only then is the event published to the hub and returned.  An exception at
any point leaves the log unchanged.

State is a cache of ``fold(log)``: a loaded drill keeps its folded state and its whole log in
memory; before each write (and each read of the state) it reads any rows appended by another
worker, so several workers on one PostgreSQL database stay consistent — the UNIQUE constraints on
``(drill, seq)`` and ``(drill, actor, idempotency key)`` settle a race, and the loser re-reads and
retries.  On start, every running or paused drill is folded again from its log and its runner
restarted (:meth:`start`).

``now`` is injectable: tests pass a fake clock.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import threading
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Annotated, Any

from fastapi import Depends, Request
from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError

from ccdrill.auth.permissions import Access, User, access, check_action, may_read_private
from ccdrill.domain import events as ev
from ccdrill.domain.common import Ref
from ccdrill.domain.fold import DrillState, fold, record
from ccdrill.domain.plan import Plan
from ccdrill.domain.programme import Phase, Programme
from ccdrill.errors import CcdrillError, InvalidInput, NotFoundError, PermissionDenied, Problem
from ccdrill.i18n import N_
from ccdrill.live.clock import DrillClock, Now, utc_now
from ccdrill.live.hub import Hub, PgListener
from ccdrill.live.schedule import due_injects
from ccdrill.live.twin_live import LiveTwin, library_centre
from ccdrill.store import documents
from ccdrill.store import drills as repo
from ccdrill.store import users as user_repo
from ccdrill.store.db import session_factory, unit_of_work

log = logging.getLogger("ccdrill.live")

FINISHED = frozenset({"ended", "cancelled"})
ACTIVE = frozenset({"running", "paused"})
PHOTO_PREFIX = "photo-"
_RETRIES = 8


@dataclass(frozen=True)
class DrillSummary:
    id: int
    programme: str  # "id@version"
    title: dict[str, str | None]
    status: str
    date: dt.date | None
    speed: float
    created_by: str
    created_at: datetime
    my_roles: list[str]


@dataclass
class DrillView:
    id: int
    status: str | None
    speed: float
    drill_time_s: float
    programme: Programme
    plans: dict[str, Plan]
    state: DrillState
    my_roles: list[str]
    can_control: bool
    is_observer: bool
    is_evaluator: bool
    assignments: dict[str, list[str]]
    record: repo.DrillRecord
    private_visible: bool

    @property
    def current_phase(self) -> Phase | None:
        return self.state.phase_at(self.drill_time_s)

    def late_steps(self) -> list[Any]:
        return self.state.late_steps(self.drill_time_s)


@dataclass(frozen=True)
class Recorded:
    event: ev.Event
    created: bool  # False: an earlier request with the same idempotency key recorded it


@dataclass(frozen=True)
class _Request:
    access: Access | None
    kind: str
    payload: dict
    key: str | None
    actor: str
    at: datetime | None


@dataclass
class _Live:
    record: repo.DrillRecord
    programme: Programme
    plans: dict[str, Plan]
    assignments: dict[str, list[str]]
    state: DrillState
    log: list[ev.Event] = field(default_factory=list)  # log[i].seq == i + 1
    private: set[int] = field(default_factory=set)
    lock: threading.RLock = field(default_factory=threading.RLock)
    twin: LiveTwin | None = None


def parse_programme_ref(value: str) -> tuple[str, int | None]:
    try:
        ref = Ref.model_validate(value)
    except Exception:  # noqa: BLE001 - pydantic's error becomes ours
        raise InvalidInput([Problem(N_('Expected a programme reference "id" or "id@version".'), path="programme")]) \
            from None
    return ref.id, ref.version


class DrillService:
    def __init__(self, engine: Engine, *, now: Now = utc_now, run_schedule: bool = True,
                 listen: bool | None = None) -> None:
        self.engine = engine
        self.factory = session_factory(engine)
        self.now = now
        self.hub = Hub()
        self.run_schedule = run_schedule
        self.is_pg = engine.dialect.name == "postgresql"
        self.listen = self.is_pg if listen is None else listen
        self._live: dict[int, _Live] = {}
        self._cache_lock = threading.RLock()
        self._pending: dict[int, list[tuple[_Request, asyncio.Future]]] = {}
        self._writers: dict[int, asyncio.Task] = {}
        self._docs: dict[tuple[str, str], Any] = {}
        self._loop: asyncio.AbstractEventLoop | None = None
        self._listener: PgListener | None = None
        from ccdrill.live.runner import Runners

        self.runners = Runners(self)

    # ---- life cycle ------------------------------------------------------------------------------
    async def start(self) -> None:
        """Rebuild every running or paused drill by replay and restart its runner."""
        self._loop = asyncio.get_running_loop()
        if self.listen:
            url = self.engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
            self._listener = PgListener(url, self._on_notify, repo.NOTIFY_CHANNEL)
            self._listener.start()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._listener.ready.wait(), 10)
        ids = await asyncio.to_thread(self._active_ids)
        for drill_id in ids:
            live = await asyncio.to_thread(self._get, drill_id)
            self.hub.publish(drill_id, live.state.last_seq)
            self._ensure_runner(drill_id, live.state.status)

    async def stop(self) -> None:
        """Stop the runners and the listener (bounded: shutdown never waits more than a few seconds).
        Writes in progress finish; nothing is lost, since every event is committed before it is acknowledged."""
        await self.runners.stop_all()
        if self._listener is not None:
            await self._listener.stop()
        writers = [t for t in self._writers.values() if not t.done()]
        if writers:
            with contextlib.suppress(Exception):
                await asyncio.wait(writers, timeout=5.0)

    def _active_ids(self) -> list[int]:
        with self.factory() as s:
            return [d.id for d in repo.list_drills(s, statuses=tuple(ACTIVE))]

    def _ensure_runner(self, drill_id: int, status: str | None) -> None:
        if self.run_schedule and status in ACTIVE:
            self.runners.ensure(drill_id)

    async def _on_notify(self, drill_id: int, seq: int) -> None:
        with self._cache_lock:
            live = self._live.get(drill_id)
        if live is None:
            self.hub.publish(drill_id, seq)
            return
        if seq > live.state.last_seq:
            await asyncio.to_thread(self._sync, live)
        self.hub.publish(drill_id, live.state.last_seq)
        self._ensure_runner(drill_id, live.state.status)

    # ---- loading ---------------------------------------------------------------------------------
    def _programme(self, session: Any, pid: str, version: int) -> Programme:
        key = ("programme", f"{pid}@{version}")
        if key not in self._docs:
            self._docs[key] = documents.get_programme(session, pid, version)
        return self._docs[key]

    def _plan(self, session: Any, ref: str) -> Plan:
        key = ("plan", ref)
        if key not in self._docs:
            self._docs[key] = documents.resolve_plan_ref(session, ref)
        return self._docs[key]

    def _get(self, drill_id: int) -> _Live:
        with self._cache_lock:
            live = self._live.get(drill_id)
            if live is not None:
                return live
            with self.factory() as s:
                rec = repo.get_drill(s, drill_id)
                programme = self._programme(s, rec.programme_id, rec.programme_version)
                plans = {pid: self._plan(s, ref) for pid, ref in rec.plan_refs.items()}
                assignments = repo.assignments(s, drill_id)
                rows = repo.load_events(s, drill_id)
            events = [e for e, _ in rows]
            live = _Live(record=rec, programme=programme, plans=plans, assignments=assignments,
                         state=fold(programme, plans, events), log=events,
                         private={e.seq for e, p in rows if p})
            self._live[drill_id] = live
            return live

    def _sync(self, live: _Live) -> None:
        """Read rows another worker appended since our last event."""
        with live.lock:
            with self.factory() as s:
                rows = repo.load_events(s, live.record.id, after=live.state.last_seq)
            if not rows:
                return
            state = live.state
            for e, private in rows:
                state = state if e.seq <= state.last_seq else _apply(state, e)
                if e.seq > len(live.log):
                    live.log.append(e)
                if private:
                    live.private.add(e.seq)
            live.state = state

    def forget(self, drill_id: int) -> None:
        """Drop the cached state (tests: simulate a restart of this process's memory)."""
        with self._cache_lock:
            self._live.pop(drill_id, None)

    def _access(self, live: _Live, user: User) -> Access:
        a = access(user, live.programme, live.assignments)
        if not a.can_see:
            raise NotFoundError(N_("No drill {drill}."), drill=live.record.id)
        return a

    def _open(self, drill_id: int, user: User) -> tuple[_Live, Access]:
        live = self._get(drill_id)
        return live, self._access(live, user)

    # ---- creating --------------------------------------------------------------------------------
    def create_drill(self, *, programme: str, speed: float = 1.0, assignments: dict[str, list[str]] | None = None,
                     date: dt.date | None = None, actor: User, seed: int | None = None,
                     at: datetime | None = None) -> int:
        """A new drill (draft, or scheduled when ``date`` is given) from an exact programme version."""
        if not actor.may_create_drills:
            raise PermissionDenied(N_("Only planners and administrators create drills."))
        pid, version = parse_programme_ref(programme)
        assignments = {str(k): [str(n) for n in v] for k, v in (assignments or {}).items()}
        with self.factory() as s:
            prog = documents.get_programme(s, pid, version)
            version = prog.version or version
            if version is None:
                raise NotFoundError(N_("No programme {programme}."), programme=programme)
            plan_refs: dict[str, str] = {}
            plans: dict[str, Plan] = {}
            for sc in prog.scenarios:
                plan = documents.resolve_plan_ref(s, sc.plan)
                plans[plan.id] = plan
                plan_refs[plan.id] = f"{plan.id}@{plan.version}"
            problems = [Problem(N_("The programme has no role {role}."), {"role": r}, path=f"assignments.{r}")
                        for r in assignments if prog.role(r) is None]
            names = {n for v in assignments.values() for n in v}
            known = user_repo.existing_usernames(s, names)
            problems += [Problem(N_("No user {user}."), {"user": n}, path="assignments") for n in sorted(names - known)]
            if problems:
                raise InvalidInput(problems)
            centre_id, centre_version = prog.centre, None
            if centre_id:
                with contextlib.suppress(CcdrillError):
                    centre_version = int(documents.get_centre(s, centre_id).get("version") or 0) or None
                if centre_version is None:
                    try:
                        rows = documents.centre_versions(s, centre_id)
                        centre_version = rows[-1].version if rows else None
                    except CcdrillError:
                        centre_version = None
        now = at or self.now()
        state = DrillState.initial(prog, plans)
        created, state = record(state, kind=ev.DRILL_CREATED, actor=actor.username, wall_time=now, payload={
            "programme": f"{pid}@{version}", "plans": plan_refs, "speed": speed, "assignments": assignments})
        events = [created]
        if date is not None:
            scheduled, state = record(state, kind=ev.DRILL_SCHEDULED, actor=actor.username, wall_time=now,
                                      payload={"date": date.isoformat()})
            events.append(scheduled)
        with unit_of_work(self.factory) as s:
            drill_id = repo.create_drill(
                s, programme_id=pid, programme_version=version, plan_refs=plan_refs, centre_id=centre_id,
                centre_version=centre_version, speed=float(created.payload["speed"]),
                seed=int(seed if seed is not None else 0), date=date, created_by=actor.username,
                assignments=assignments)
            for e in events:
                repo.append_event(s, drill_id, e, status=state.status)
        return drill_id

    # ---- reading ---------------------------------------------------------------------------------
    def list_drills(self, user: User) -> list[DrillSummary]:
        with self.factory() as s:
            rows = repo.list_drills(s, username=None if user.sees_all else user.username)
            mine: dict[int, list[str]] = {}
            for r in rows:
                mine[r.id] = [role for role, names in repo.assignments(s, r.id).items() if user.username in names]
            out = []
            for r in rows:
                prog = self._programme(s, r.programme_id, r.programme_version)
                out.append(DrillSummary(id=r.id, programme=r.programme_ref,
                                        title={"zh": prog.title.zh, "en": prog.title.en}, status=r.status,
                                        date=r.date, speed=r.speed, created_by=r.created_by,
                                        created_at=r.created_at, my_roles=sorted(mine[r.id])))
        return out

    def view(self, drill_id: int, user: User) -> DrillView:
        live, a = self._open(drill_id, user)
        self._sync(live)
        with live.lock:
            state = live.state
        clock = DrillClock.from_state(state, now=self.now)
        return DrillView(id=drill_id, status=state.status, speed=state.clock.speed,
                         drill_time_s=max(state.drill_time_s, clock.drill_time()), programme=live.programme,
                         plans=live.plans, state=state, my_roles=list(a.roles), can_control=a.can_control,
                         is_observer=a.is_observer, is_evaluator=a.is_evaluator,
                         assignments={k: list(v) for k, v in live.assignments.items()}, record=live.record,
                         private_visible=may_read_private(a, state.status))

    def drill_time(self, drill_id: int) -> float:
        live = self._get(drill_id)
        return DrillClock.from_state(live.state, now=self.now).drill_time()

    def _filter(self, live: _Live, a: Access, events: list[ev.Event]) -> list[ev.Event]:
        if not live.private or may_read_private(a, live.state.status):
            return events
        return [e for e in events if e.seq not in live.private]

    def events_after(self, drill_id: int, after_seq: int, user: User, limit: int | None = None) -> list[ev.Event]:
        live, a = self._open(drill_id, user)
        self._sync(live)
        with live.lock:
            events = live.log[max(0, after_seq):]
        if limit is not None:
            events = events[:limit]
        return self._filter(live, a, events)

    def is_private(self, drill_id: int, seq: int) -> bool:
        return seq in self._get(drill_id).private

    def event_count(self, drill_id: int) -> int:
        with self.factory() as s:
            return repo.event_count(s, drill_id)

    async def subscribe(self, drill_id: int, user: User, last_event_id: int | None = None, *,
                        heartbeat: float | None = None) -> AsyncIterator[ev.Event | None]:
        """The drill's events after ``last_event_id``: first the catch-up from the log, then live.

        With ``heartbeat``, yields ``None`` after that many quiet seconds (for SSE comments)."""
        live = await asyncio.to_thread(self._get, drill_id)
        a = self._access(live, user)
        last = max(0, int(last_event_id or 0))
        if self.hub.latest(drill_id) < live.state.last_seq:
            self.hub.publish(drill_id, live.state.last_seq)
        while True:
            batch = live.log[last:]
            if batch:
                last = batch[-1].seq
                for e in self._filter(live, a, batch):
                    yield e
                continue
            woke = await self.hub.wait(drill_id, last, timeout=heartbeat)
            if not woke and heartbeat is not None:
                yield None

    # ---- writing ---------------------------------------------------------------------------------
    async def act(self, drill_id: int, *, user: User, kind: str, payload: dict | None = None,
                  idempotency_key: str | None = None) -> ev.Event:
        """Record one action of ``user``; committed before it returns, then published."""
        return (await self.record_action(drill_id, user=user, kind=kind, payload=payload,
                                         idempotency_key=idempotency_key)).event

    async def record_action(self, drill_id: int, *, user: User | None, kind: str, payload: dict | None = None,
                            idempotency_key: str | None = None, actor: str | None = None,
                            at: datetime | None = None) -> Recorded:
        """:meth:`act` telling whether the event is new.  ``user=None`` records as ``actor`` (default
        ``system``) without a permission check (the runner, autoplay)."""
        if idempotency_key is not None and not (0 < len(idempotency_key) <= 200):
            raise InvalidInput([Problem(N_("The Idempotency-Key must be 1 to 200 characters."),
                                        path="Idempotency-Key")])
        live = await self._aget(drill_id)
        a = self._access(live, user) if user is not None else None
        request = _Request(a, kind, dict(payload or {}), idempotency_key,
                           user.username if user is not None else (actor or ev.SYSTEM), at)
        fut: asyncio.Future = asyncio.get_running_loop().create_future()
        self._pending.setdefault(drill_id, []).append((request, fut))
        writer = self._writers.get(drill_id)
        if writer is None or writer.done():
            self._writers[drill_id] = asyncio.create_task(self._write_loop(drill_id, live))
        rec = await fut
        return rec

    async def _aget(self, drill_id: int) -> _Live:
        live = self._live.get(drill_id)
        return live if live is not None else await asyncio.to_thread(self._get, drill_id)

    async def _write_loop(self, drill_id: int, live: _Live) -> None:
        """Group commit: every request waiting for this drill goes into one transaction (each still
        validated in order against the state its predecessors left), then every caller gets its answer."""
        while True:
            batch = self._pending.pop(drill_id, None)
            if not batch:
                self._writers.pop(drill_id, None)
                return
            try:
                results = await asyncio.to_thread(self._record_batch, live, [r for r, _ in batch])
            except BaseException as exc:  # noqa: BLE001 - every waiter learns of it
                results = [exc] * len(batch)
            created = False
            for (_, fut), res in zip(batch, results, strict=True):
                if fut.done():
                    continue
                if isinstance(res, BaseException):
                    fut.set_exception(res)
                else:
                    created = created or res.created
                    fut.set_result(res)
            if created:
                self._published(drill_id, live)

    def _published(self, drill_id: int, live: _Live) -> None:
        self.hub.publish(drill_id, live.state.last_seq)
        self._ensure_runner(drill_id, live.state.status)

    def _prepare(self, live: _Live, state: DrillState, r: _Request, batch_keys: dict[tuple[str, str], ev.Event]
                 ) -> tuple[Recorded, DrillState, bool, int | None]:
        payload = dict(r.payload)
        private_flag = payload.pop("private", None)
        if private_flag is not None and not isinstance(private_flag, bool):
            raise InvalidInput([Problem(N_("Invalid value: {detail}"), {"detail": "private"}, path="private")])
        if r.key is not None:
            earlier = batch_keys.get((r.actor, r.key))
            if earlier is not None:
                return Recorded(earlier, False), state, False, None
            seq = state.seq_for(r.actor, r.key)
            if seq is not None:
                return Recorded(live.log[seq - 1], False), state, False, None
        a = r.access
        if a is not None:
            check_action(a, state, r.kind, payload)
        # evaluators' notes are private by default (explicit "private": false shares them)
        private = (r.kind == ev.NOTE and a is not None and a.is_evaluator
                   and (private_flag is True or (private_flag is None and not a.can_control)))
        photo = payload.get("photo")
        upload_id = self._photo_id(live, photo) if photo is not None else None
        event, new_state = record(state, kind=r.kind, payload=payload, actor=r.actor, wall_time=r.at or self.now(),
                                  idempotency_key=r.key)
        return Recorded(event, True), new_state, private, upload_id

    def _record_batch(self, live: _Live, requests: list[_Request]) -> list[Recorded | BaseException]:
        for attempt in range(_RETRIES):
            # Optimistic: write on the cached state.  Events are dense, so if another worker appended
            # anything meanwhile our first seq collides (UNIQUE), and we re-read and re-validate.
            if attempt:
                self._sync(live)
            with live.lock:
                state = old = live.state
                results: list[Recorded | BaseException] = []
                new: list[tuple[ev.Event, bool, int | None]] = []
                keys: dict[tuple[str, str], ev.Event] = {}
                for r in requests:
                    try:
                        rec, state, private, upload_id = self._prepare(live, state, r, keys)
                    except Exception as exc:  # noqa: BLE001 - this request's answer; the others go on
                        results.append(exc)
                        continue
                    results.append(rec)
                    if rec.created:
                        new.append((rec.event, private, upload_id))
                        if r.key is not None:
                            keys[(r.actor, r.key)] = rec.event
                if not new:
                    return results
                try:
                    with unit_of_work(self.factory) as s:
                        for i, (event, private, upload_id) in enumerate(new):
                            last = i == len(new) - 1
                            repo.append_event(s, live.record.id, event, private=private,
                                              status=state.status if last and state.status != old.status else None,
                                              notify=last)
                            if upload_id is not None:
                                repo.link_upload(s, live.record.id, upload_id, event.seq)
                except IntegrityError:
                    log.info("drill %s: seq taken by another writer; retrying", live.record.id)
                    continue
                live.state = state
                for event, private, _ in new:
                    live.log.append(event)
                    if private:
                        live.private.add(event.seq)
                return results
        raise CcdrillError(N_("The drill is too busy; try again."))  # pragma: no cover

    def _record(self, live: _Live, a: Access | None, kind: str, payload: dict, key: str | None, actor: str,
                at: datetime | None) -> Recorded:
        """One request, synchronously (the group-commit path with a batch of one)."""
        res = self._record_batch(live, [_Request(a, kind, payload, key, actor, at)])[0]
        if isinstance(res, BaseException):
            raise res
        return res

    def _photo_id(self, live: _Live, photo: Any) -> int:
        if not isinstance(photo, str) or not photo.startswith(PHOTO_PREFIX) or not photo[len(PHOTO_PREFIX):].isdigit():
            raise InvalidInput([Problem(N_("Unknown photo {photo}: upload it first."), {"photo": str(photo)[:40]},
                                        path="photo")])
        upload_id = int(photo[len(PHOTO_PREFIX):])
        with self.factory() as s:
            repo.get_upload(s, live.record.id, upload_id)
        return upload_id

    async def fire_due(self, drill_id: int, *, at: datetime | None = None) -> list[ev.Event]:
        """Fire (actor ``system``) every inject that is due at ``at`` (default: now)."""
        live = await asyncio.to_thread(self._get, drill_id)
        fired: list[ev.Event] = []
        when = at or self.now()
        for _ in range(1000):
            state = live.state
            if state.status != "running":
                break
            due = due_injects(state, DrillClock.from_state(state, now=lambda: when).drill_time())
            if not due:
                break
            try:
                rec = await self.record_action(drill_id, user=None, kind=ev.INJECT_FIRED,
                                               payload={"inject": due[0].seq, "by": "schedule"}, at=when)
            except CcdrillError as exc:  # another worker fired it first, or it changed meanwhile
                log.info("drill %s: inject %s not fired: %s", drill_id, due[0].seq, exc)
                await asyncio.to_thread(self._sync, live)
                if live.state.injects[due[0].seq].status not in ("fired", "skipped"):
                    break
                continue
            fired.append(rec.event)
        return fired

    # ---- photos ----------------------------------------------------------------------------------
    def save_photo(self, drill_id: int, user: User, *, filename: str, content_type: str, data: bytes) -> str:
        live, a = self._open(drill_id, user)
        if a.is_observer:
            raise PermissionDenied(N_("Observers follow the drill but do not act in it."))
        if live.state.status in FINISHED:
            raise_conflict_finished(live.state.status)
        with unit_of_work(self.factory) as s:
            upload_id = repo.save_upload(s, drill_id=drill_id, username=user.username, filename=filename,
                                         content_type=content_type, data=data)
        return f"{PHOTO_PREFIX}{upload_id}"

    def photo(self, drill_id: int, user: User, photo: str) -> tuple[str, bytes]:
        live, _a = self._open(drill_id, user)
        upload_id = self._photo_id(live, photo)
        with self.factory() as s:
            row = repo.get_upload(s, drill_id, upload_id)
            return row.content_type, bytes(row.data)

    # ---- the twin --------------------------------------------------------------------------------
    def _twin(self, live: _Live) -> LiveTwin:
        if live.twin is None:
            from ccdrill.twin.model import CentreModel

            model = None
            cid = live.programme.centre or "demo-centre"
            with self.factory() as s, contextlib.suppress(CcdrillError, ValueError):
                model = CentreModel.model_validate(documents.get_centre(s, cid, live.record.centre_version))
            if model is None:
                try:
                    model = library_centre(cid)
                except CcdrillError:
                    model = library_centre("demo-centre")
            live.twin = LiveTwin(model, seed=live.record.seed, start_minutes=live.state.start_minutes)
        return live.twin

    def twin_series(self, drill_id: int, user: User) -> dict:
        live, _a = self._open(drill_id, user)
        self._sync(live)
        state = live.state
        now_s = max(state.drill_time_s, DrillClock.from_state(state, now=self.now).drill_time())
        return self._twin(live).series(state.effect_timeline(), now_s)


def raise_conflict_finished(status: str | None) -> None:
    from ccdrill.errors import ConflictError

    if status == "cancelled":
        raise ConflictError("The drill is cancelled; no more actions can be recorded.")
    raise ConflictError("The drill is ended; no more actions can be recorded.")


def _apply(state: DrillState, event: ev.Event) -> DrillState:
    from ccdrill.domain.fold import apply

    return apply(state, event)


async def get_drills(request: Request) -> DrillService:
    """The app's drill service (async: no thread hop per request)."""
    return request.app.state.drills


Drills = Annotated[DrillService, Depends(get_drills)]
