"""Who may see, control and act on a drill — pure rules, no web and no database.

* Admins and planners see and control every drill.  Global evaluators see every drill and may
  write notes (private by default) but control nothing.
* Everyone else sees only the drills they are assigned to.  Their seats decide the rest:
  - a *command* seat (kind ``command``, or the command post's commander or deputies) controls the
    clock and the injects and may record any participant action;
  - a *participant* seat acknowledges, starts and completes its own role's steps, acknowledges the
    injects addressed to its role (or to everyone), reports up and writes notes;
  - an *evaluator* seat writes notes only (private until the drill ends, unless ``private: false``);
  - an *observer* seat reads only.
* A drill a user may not see does not exist for them (404, never 403), so ids reveal nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from ccdrill.domain import events as ev
from ccdrill.domain.fold import DrillState
from ccdrill.domain.programme import Programme
from ccdrill.errors import NotFoundError, PermissionDenied
from ccdrill.i18n import N_

CONTROL_KINDS = frozenset({
    ev.DRILL_SCHEDULED, ev.DRILL_STARTED, ev.DRILL_PAUSED, ev.DRILL_RESUMED, ev.DRILL_ENDED, ev.DRILL_CANCELLED,
    ev.SPEED_CHANGED, ev.INJECT_FIRED, ev.INJECT_SKIPPED, ev.INJECT_ADDED, ev.CONTINGENCY_RELEASED,
    ev.EFFECT_APPLIED,
})
SYSTEM_ONLY = frozenset({ev.DRILL_CREATED})


@dataclass(frozen=True)
class User:
    """A signed-in person (what the web and the service need of an account)."""

    username: str
    display_name: str = ""
    is_admin: bool = False
    is_planner: bool = False
    is_evaluator: bool = False

    @property
    def label(self) -> str:
        return self.display_name or self.username

    @property
    def sees_all(self) -> bool:
        return self.is_admin or self.is_planner or self.is_evaluator

    @property
    def may_create_drills(self) -> bool:
        return self.is_admin or self.is_planner


def command_roles(programme: Programme) -> frozenset[str]:
    cp = programme.organisation.command_post
    return frozenset({r.id for r in programme.roles if r.kind == "command"} | {cp.commander, *cp.deputies})


@dataclass(frozen=True)
class Access:
    """What one user may do in one drill."""

    user: User
    roles: tuple[str, ...]  # the user's seats in this drill
    can_see: bool
    can_control: bool
    is_observer: bool  # reads only
    is_evaluator: bool
    is_participant: bool  # holds a participant or command seat

    def require_see(self) -> None:
        if not self.can_see:
            raise NotFoundError(N_("No drill {drill}."), drill="?")


def access(user: User, programme: Programme, assignments: Mapping[str, Iterable[str]]) -> Access:
    roles = tuple(sorted(r for r, names in assignments.items() if user.username in set(names)))
    kinds = {r.id: r.kind for r in programme.roles}
    command = command_roles(programme)
    my_command = any(r in command for r in roles)
    participant = my_command or any(kinds.get(r, "participant") == "participant" for r in roles)
    evaluator = user.is_evaluator or any(kinds.get(r) == "evaluator" for r in roles)
    control = user.is_admin or user.is_planner or my_command
    observer = not control and not participant and not evaluator
    return Access(user=user, roles=roles, can_see=bool(roles) or user.sees_all, can_control=control,
                  is_observer=observer, is_evaluator=evaluator, is_participant=participant)


def _denied(msgid: str, **params: object) -> PermissionDenied:
    return PermissionDenied(msgid, **params)


def check_action(a: Access, state: DrillState, kind: str, payload: Mapping[str, object]) -> None:
    """Raise :class:`PermissionDenied` (or :class:`NotFoundError` for a step or inject that does not
    exist) unless ``a`` may record an event of ``kind`` with ``payload`` now."""
    a.require_see()
    if kind in SYSTEM_ONLY:
        raise _denied(N_("Only ccdrill itself records this."))
    if a.can_control:
        return
    if kind in CONTROL_KINDS:
        raise _denied(N_("Only the command post or a planner controls the drill clock and the injects."))
    if a.is_observer:
        raise _denied(N_("Observers follow the drill but do not act in it."))
    if kind == ev.NOTE:
        return  # participants and evaluators write notes
    if not a.is_participant:
        raise _denied(N_("Evaluators write notes; the participants act."))
    step = payload.get("step")
    inject = payload.get("inject")
    if isinstance(step, str):
        st = state.step(step)  # 404 for a step that does not exist
        if kind != ev.REPORT and st.step.role not in a.roles:
            raise _denied(N_("Step {step} belongs to another role."), step=step)
    if isinstance(inject, int) and not isinstance(inject, bool):
        inj = state.inject(inject).inject
        if kind == ev.ACKNOWLEDGE and inj.to and not set(inj.to) & set(a.roles):
            raise _denied(N_("Inject {inject} is addressed to another role."), inject=inject)


def may_read_private(a: Access, status: str | None) -> bool:
    """Evaluators' private notes: visible to evaluators, planners and admins; to everyone once ended."""
    return status in ("ended", "cancelled") or a.is_evaluator or a.user.is_admin or a.user.is_planner
