"""整改措施 — corrective actions: an area for improvement turned into work with an owner, a due
date and a priority, tracked open → in progress → done → verified.

Pure: the store keeps the actions; this module decides what may happen to them.  Nothing reads
the wall clock — ``today`` (and optionally ``at``) come from the caller.

Rules:

* **Creating** an action needs a due date of today or later (:class:`InvalidInput` otherwise) and,
  when made from a finding, an area for improvement (not a strength).
* **Moves** ``open → in_progress → done`` and the reopening ``done → in_progress`` are made by the
  action's owner or by a planner (role ``planner``).
* **Verifying** ``done → verified`` is for the command post only (role ``commander`` or
  ``deputy_commander`` of the drill; see :func:`command_post_roles`).
* ``verified`` is final; any other move is illegal (:class:`ConflictError`).  Moving to ``done``
  needs an evidence note saying what was done.
* Checks run in this order: the target status exists, the action is not verified, the move is
  legal, the actor may make it, the evidence is there — so a wrong person asking for an illegal
  move hears that the move is illegal.
* The board and :func:`overdue`: an action is overdue when it is ``open`` or ``in_progress`` and its
  due date is before ``today``; a ``done`` action waits for verification and is not overdue.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from datetime import date, datetime
from typing import Literal

from pydantic import Field

from ccdrill.domain.common import Strict, Text
from ccdrill.domain.programme import Programme
from ccdrill.errors import ConflictError, InvalidInput, PermissionDenied, Problem
from ccdrill.evaluation.findings import Finding
from ccdrill.i18n import N_

ActionStatus = Literal["open", "in_progress", "done", "verified"]
Priority = Literal["high", "medium", "low"]

STATUSES: tuple[ActionStatus, ...] = ("open", "in_progress", "done", "verified")
PRIORITIES: tuple[Priority, ...] = ("high", "medium", "low")
STATUS_LABELS = {"open": N_("Not started"), "in_progress": N_("In progress"), "done": N_("Done, awaiting verification"),
                 "verified": N_("Verified")}
PRIORITY_LABELS = {"high": N_("High priority"), "medium": N_("Medium priority"), "low": N_("Low priority")}

PLANNER = "planner"
COMMAND_POST_ROLES = frozenset({"commander", "deputy_commander"})

# (from, to) → who may make the move
MOVES: dict[tuple[str, str], Literal["owner_or_planner", "command_post"]] = {
    ("open", "in_progress"): "owner_or_planner",
    ("in_progress", "done"): "owner_or_planner",
    ("done", "in_progress"): "owner_or_planner",
    ("done", "verified"): "command_post",
}

Username = str


class EvidenceNote(Strict):
    """What was done, and by whom — written when an action moves (required for ``done``)."""

    text: str = Field(min_length=1, max_length=4000)
    by: Username
    on: date
    photo: str | None = Field(None, max_length=500)


class StatusChange(Strict):
    """One entry of an action's history."""

    from_status: ActionStatus | None  # None: created
    to_status: ActionStatus
    actor: Username
    on: date
    at: datetime | None = None


class CorrectiveAction(Strict):
    id: str = Field(min_length=1, max_length=64)
    finding_id: str | None = Field(None, max_length=200)
    drill_id: str | None = Field(None, max_length=64, description="the drill the finding came from")
    title: Text
    owner: Username = Field(min_length=1, max_length=64)
    due: date
    priority: Priority = "medium"
    status: ActionStatus = "open"
    evidence: tuple[EvidenceNote, ...] = ()
    history: tuple[StatusChange, ...] = ()

    def is_overdue(self, today: date) -> bool:
        return self.status in ("open", "in_progress") and self.due < today

    def days_overdue(self, today: date) -> int:
        return (today - self.due).days if self.is_overdue(today) else 0


def command_post_roles(programme: Programme | None = None) -> frozenset[str]:
    """The drill roles that make up the command post: the programme's commander and deputies
    (``commander`` and ``deputy_commander`` when no programme is given)."""
    if programme is None:
        return COMMAND_POST_ROLES
    cp = programme.organisation.command_post
    return frozenset({cp.commander, *cp.deputies})


def is_command_post(actor_roles: Collection[str], command_roles: Collection[str] = COMMAND_POST_ROLES) -> bool:
    return any(r in command_roles for r in actor_roles)


def create_action(*, id: str, title: Text | str, owner: Username, due: date, today: date,
                  actor: Username, priority: Priority = "medium", finding: Finding | None = None,
                  finding_id: str | None = None, drill_id: str | None = None,
                  at: datetime | None = None) -> CorrectiveAction:
    """A new, open corrective action; refused when its due date is in the past or its finding is a
    strength."""
    problems: list[Problem] = []
    if due < today:
        problems.append(Problem(N_("The due date {due} is in the past; choose today ({today}) or a later date."),
                                {"due": due.isoformat(), "today": today.isoformat()}, path="due"))
    if finding is not None and finding.kind != "improvement":
        problems.append(Problem(N_("Only an area for improvement can become a corrective action, "
                                   "not a strength."), path="finding_id"))
    if priority not in PRIORITIES:
        problems.append(Problem(N_("Unknown priority {priority}; expected one of: {allowed}."),
                                {"priority": priority, "allowed": ", ".join(PRIORITIES)}, path="priority"))
    if not owner.strip():
        problems.append(Problem(N_("Every corrective action needs an owner."), path="owner"))
    if not (title.zh if isinstance(title, Text) else title).strip():
        problems.append(Problem(N_("Every corrective action needs a title."), path="title"))
    if problems:
        raise InvalidInput(problems)
    return CorrectiveAction(
        id=id, finding_id=finding.id if finding is not None else finding_id, drill_id=drill_id,
        title=title if isinstance(title, Text) else Text(zh=title), owner=owner.strip(), due=due,
        priority=priority, history=(StatusChange(from_status=None, to_status="open", actor=actor, on=today, at=at),),
    )


def allowed_moves(action: CorrectiveAction, *, actor: Username, actor_roles: Collection[str],
                  command_roles: Collection[str] = COMMAND_POST_ROLES) -> list[ActionStatus]:
    """The statuses this actor may move the action to now (for the buttons on the board)."""
    out: list[ActionStatus] = []
    for (frm, to), who in MOVES.items():
        if frm == action.status and _may(who, action, actor, actor_roles, command_roles):
            out.append(to)  # type: ignore[arg-type]
    return out


def _may(who: str, action: CorrectiveAction, actor: str, actor_roles: Collection[str],
         command_roles: Collection[str]) -> bool:
    if who == "command_post":
        return is_command_post(actor_roles, command_roles)
    return actor == action.owner or PLANNER in actor_roles


def transition(action: CorrectiveAction, to_status: str, *, actor: Username, actor_roles: Collection[str],
               today: date, evidence: str | None = None, photo: str | None = None, at: datetime | None = None,
               command_roles: Collection[str] = COMMAND_POST_ROLES) -> CorrectiveAction:
    """The action moved to ``to_status``; the argument is left unchanged.

    Raises :class:`ConflictError` for an unknown or illegal move (and for any move of a verified
    action), :class:`PermissionDenied` for the wrong person, :class:`InvalidInput` for ``done``
    without an evidence note."""
    if to_status not in STATUSES:
        raise ConflictError(N_("Unknown status {status}; expected one of: {allowed}."),
                            status=to_status, allowed=", ".join(STATUSES))
    if action.status == "verified":
        raise ConflictError(N_("Corrective action {id} is verified; it cannot change any more."), id=action.id)
    who = MOVES.get((action.status, to_status))
    if who is None:
        raise ConflictError(N_("A corrective action cannot move from {from_status} to {to_status}."),
                            from_status=action.status, to_status=to_status)
    if not _may(who, action, actor, actor_roles, command_roles):
        if who == "command_post":
            raise PermissionDenied(N_("Only the command post (commander or deputy commander) can verify "
                                      "a corrective action."))
        raise PermissionDenied(N_("Only the owner ({owner}) or a planner can move corrective action {id}."),
                               owner=action.owner, id=action.id)
    note = (evidence or "").strip()
    if to_status == "done" and not note:
        raise InvalidInput([Problem(N_("Say what was done: moving a corrective action to done needs an "
                                       "evidence note."), path="evidence")])
    notes = action.evidence
    if note:
        notes = (*notes, EvidenceNote(text=note, by=actor, on=today, photo=photo))
    change = StatusChange(from_status=action.status, to_status=to_status, actor=actor, on=today, at=at)  # type: ignore[arg-type]
    return action.model_copy(update={"status": to_status, "evidence": notes, "history": (*action.history, change)})


def overdue(actions: Iterable[CorrectiveAction], today: date) -> list[CorrectiveAction]:
    """Open or in-progress actions past their due date, the longest overdue first."""
    return sorted((a for a in actions if a.is_overdue(today)), key=lambda a: (a.due, PRIORITIES.index(a.priority), a.id))


class BoardItem(Strict):
    action: CorrectiveAction
    overdue: bool
    days_overdue: int


class Board(Strict):
    """整改看板: actions by status; within a status overdue first, then by priority and due date."""

    today: date
    columns: dict[str, tuple[BoardItem, ...]]

    @property
    def overdue_count(self) -> int:
        return sum(1 for items in self.columns.values() for i in items if i.overdue)

    def counts(self) -> dict[str, int]:
        return {status: len(items) for status, items in self.columns.items()}


def board(actions: Sequence[CorrectiveAction] | Iterable[CorrectiveAction], today: date) -> Board:
    """Every action (of any number of drills) grouped by status, overdue ones flagged and first."""
    cols: dict[str, list[BoardItem]] = {s: [] for s in STATUSES}
    for a in actions:
        cols[a.status].append(BoardItem(action=a, overdue=a.is_overdue(today), days_overdue=a.days_overdue(today)))
    for items in cols.values():
        items.sort(key=lambda i: (not i.overdue, PRIORITIES.index(i.action.priority), i.action.due, i.action.id))
    return Board(today=today, columns={s: tuple(items) for s, items in cols.items()})
