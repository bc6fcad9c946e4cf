"""The account repository: users and API tokens.  Functions flush, the caller's unit of work commits."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from ccdrill.auth import passwords, tokens
from ccdrill.auth.permissions import User
from ccdrill.errors import ConflictError, InvalidInput, NotFoundError, Problem
from ccdrill.i18n import N_
from ccdrill.store import tables

USERNAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")

__all__ = ["User", "create_user", "get_user", "list_users", "authenticate", "issue_token", "user_for_token",
           "set_password", "to_user"]


def to_user(row: tables.User) -> User:
    return User(username=row.username, display_name=row.display_name, is_admin=row.is_admin,
                is_planner=row.is_planner, is_evaluator=row.is_evaluator)


def check_username(name: str) -> str:
    if not USERNAME.match(name or "") or name == "system":
        raise InvalidInput([Problem(N_("A username is 1–64 letters, digits, dots, dashes or underscores "
                                       "(and not “system”)."), path="username")])
    return name


def _row(session: Session, username: str) -> tables.User | None:
    return session.scalars(select(tables.User).where(tables.User.username == username)).first()


def create_user(session: Session, username: str, password: str, *, display_name: str = "", admin: bool = False,
                planner: bool = False, evaluator: bool = False) -> User:
    check_username(username)
    if len(password or "") < passwords.MIN_LENGTH:
        raise InvalidInput([Problem(N_("The password needs at least {n} characters."),
                                    {"n": passwords.MIN_LENGTH}, path="password")])
    if _row(session, username) is not None:
        raise ConflictError(N_("The user {user} already exists."), user=username)
    row = tables.User(username=username, display_name=display_name or "", password_hash=passwords.hash_password(password),
                      is_admin=admin, is_planner=planner, is_evaluator=evaluator, active=True)
    session.add(row)
    session.flush()
    return to_user(row)


def set_password(session: Session, username: str, password: str) -> None:
    row = _row(session, username)
    if row is None:
        raise NotFoundError(N_("No user {user}."), user=username)
    row.password_hash = passwords.hash_password(password)
    session.flush()


def get_user(session: Session, username: str) -> User | None:
    row = _row(session, username)
    return to_user(row) if row is not None and row.active else None


def user_row(session: Session, username: str) -> tables.User | None:
    row = _row(session, username)
    return row if row is not None and row.active else None


def list_users(session: Session) -> list[User]:
    return [to_user(r) for r in session.scalars(select(tables.User).order_by(tables.User.username))]


def existing_usernames(session: Session, names: set[str]) -> set[str]:
    if not names:
        return set()
    return set(session.scalars(select(tables.User.username).where(tables.User.username.in_(names))))


def authenticate(session: Session, username: str, password: str) -> tables.User | None:
    """The active account whose password matches, else ``None`` (constant work either way)."""
    row = _row(session, username) if USERNAME.match(username or "") else None
    if row is None or not row.active:
        passwords.verify_password(passwords.dummy_hash(), password or "x")
        return None
    if not passwords.verify_password(row.password_hash, password):
        return None
    if passwords.needs_rehash(row.password_hash):
        row.password_hash = passwords.hash_password(password)
        session.flush()
    return row


def issue_token(session: Session, username: str, *, now: datetime | None = None) -> tuple[str, datetime]:
    now = now or datetime.now(UTC)
    token = tokens.new_token()
    expires = now + tokens.LIFETIME
    session.add(tables.ApiToken(token_sha256=tokens.token_hash(token), username=username, created=now,
                                expires=expires))
    session.flush()
    return token, expires


def user_for_token(session: Session, token: str, *, now: datetime | None = None) -> User | None:
    now = now or datetime.now(UTC)
    row = session.get(tables.ApiToken, tokens.token_hash(token))
    if row is None:
        return None
    expires = row.expires if row.expires.tzinfo else row.expires.replace(tzinfo=UTC)
    if expires <= now:
        return None
    return get_user(session, row.username)


def revoke_token(session: Session, token: str) -> bool:
    row = session.get(tables.ApiToken, tokens.token_hash(token))
    if row is None:
        return False
    session.delete(row)
    session.flush()
    return True
