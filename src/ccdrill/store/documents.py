"""The document repository: every query on plans, programmes and centre models.

Functions take a :class:`~sqlalchemy.orm.Session` and keyword arguments; they
flush but never commit — the caller's unit of work commits once.  A stored
version is immutable: saving changed content makes a new version, saving the
same content again returns the version already stored.

All three kinds share one implementation (:class:`_Kind` says which table, which
model and which messages); the public functions are thin, typed wrappers.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, TypeVar

from pydantic import BaseModel
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ccdrill.domain.common import Ref
from ccdrill.domain.plan import Plan
from ccdrill.domain.programme import Programme
from ccdrill.errors import ConflictError, NotFoundError
from ccdrill.i18n import N_
from ccdrill.store.tables import CentreVersion, PlanVersion, ProgrammeVersion, VersionedDocument

M = TypeVar("M")


@dataclass(frozen=True)
class SavedVersion:
    """What ``save_*`` did: the row id, the version number, and whether it is new."""

    id: int
    version: int
    created: bool


@dataclass(frozen=True)
class VersionSummary:
    """One stored version, without its content (for lists and version pages)."""

    id: str  # the document id, e.g. "network-failure"
    version: int
    title_zh: str
    title_en: str | None
    content_hash: str
    created_at: datetime
    author: str
    note: str
    versions: int  # how many versions of this document are stored

    @property
    def ref(self) -> str:
        return f"{self.id}@{self.version}"

    def title(self, lang: str) -> str:
        return self.title_en if lang == "en" and self.title_en else self.title_zh


def canonical_json(content: dict[str, Any]) -> str:
    """The canonical text of a content: sorted keys, no spaces, UTF-8 kept."""
    return json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def content_hash(content: dict[str, Any]) -> str:
    """SHA-256 of the canonical JSON, ``version`` left out (it is assigned by the store)."""
    body = {k: v for k, v in content.items() if k != "version"}
    return hashlib.sha256(canonical_json(body).encode("utf-8")).hexdigest()


def canonical_content(model: BaseModel) -> dict[str, Any]:
    return model.model_dump(mode="json", by_alias=True, exclude_none=True)


@dataclass(frozen=True)
class _Kind(Generic[M]):
    table: type[VersionedDocument]
    load: Callable[[dict[str, Any]], M]
    msg_missing: str
    msg_missing_version: str
    msg_conflict: str = N_(
        "Version {version} of {id} is already stored with different content; remove the version line or raise it."
    )
    msg_older: str = N_(
        "Version {version} of {id} is older than the latest stored version {latest}; remove the version line or raise it."
    )

    @property
    def key(self):  # noqa: ANN201 - the key column
        return getattr(self.table, self.table.key_column)


_PLANS: _Kind[Plan] = _Kind(
    PlanVersion,
    Plan.model_validate,
    N_("No plan with id {id} is stored; import it first."),
    N_("Plan {id} has no version {version}; stored versions: {available}."),
)
_PROGRAMMES: _Kind[Programme] = _Kind(
    ProgrammeVersion,
    Programme.model_validate,
    N_("No programme with id {id} is stored; import it first."),
    N_("Programme {id} has no version {version}; stored versions: {available}."),
)
_CENTRES: _Kind[dict[str, Any]] = _Kind(
    CentreVersion,
    dict,
    N_("No centre model with id {id} is stored; import it first."),
    N_("Centre model {id} has no version {version}; stored versions: {available}."),
)


def _title(content: dict[str, Any]) -> tuple[str, str | None]:
    title = content.get("title", content.get("name"))
    if isinstance(title, dict):
        return str(title.get("zh") or ""), title.get("en")
    return (str(title), None) if title else ("", None)


def _latest(session: Session, kind: _Kind, doc_id: str) -> VersionedDocument | None:
    t = kind.table
    return session.scalars(select(t).where(kind.key == doc_id).order_by(t.version.desc()).limit(1)).first()


def _save(
    session: Session,
    kind: _Kind,
    doc_id: str,
    content: dict[str, Any],
    *,
    version: int | None,
    author: str,
    note: str,
    links: dict[str, int | None] | None = None,
) -> SavedVersion:
    t = kind.table
    digest = content_hash(content)
    if version is not None:
        same = session.scalars(select(t).where(kind.key == doc_id, t.version == version)).first()
        if same is not None:
            if same.content_hash == digest:
                return SavedVersion(same.id, same.version, False)
            raise ConflictError(kind.msg_conflict, id=doc_id, version=version)
    latest = _latest(session, kind, doc_id)
    if latest is not None and latest.content_hash == digest:
        return SavedVersion(latest.id, latest.version, False)
    if version is None:
        version = latest.version + 1 if latest is not None else 1
    elif latest is not None and version < latest.version:
        raise ConflictError(kind.msg_older, id=doc_id, version=version, latest=latest.version)
    # The stored content names its version, right after the id.
    stored: dict[str, Any] = {}
    for k, v in content.items():
        if k == "version":
            continue
        stored[k] = v
        if k == "id":
            stored["version"] = version
    if "version" not in stored:
        stored["version"] = version
    title_zh, title_en = _title(stored)
    row = t(
        version=version,
        title_zh=title_zh,
        title_en=title_en,
        content=stored,
        content_hash=digest,
        author=author,
        note=note,
        **{t.key_column: doc_id},
        **(links or {}),
    )
    try:
        with session.begin_nested():  # a savepoint: a lost race leaves the session usable
            session.add(row)
    except IntegrityError:  # another writer stored the same version meanwhile
        raise ConflictError(kind.msg_conflict, id=doc_id, version=version) from None
    return SavedVersion(row.id, row.version, True)


def _versions_of(session: Session, kind: _Kind, doc_id: str) -> list[int]:
    t = kind.table
    return list(session.scalars(select(t.version).where(kind.key == doc_id).order_by(t.version)))


def _get_row(session: Session, kind: _Kind, doc_id: str, version: int | None) -> VersionedDocument:
    t = kind.table
    if version is None:
        row = _latest(session, kind, doc_id)
    else:
        row = session.scalars(select(t).where(kind.key == doc_id, t.version == version)).first()
    if row is not None:
        return row
    available = _versions_of(session, kind, doc_id)
    if not available:
        raise NotFoundError(kind.msg_missing, id=doc_id)
    raise NotFoundError(
        kind.msg_missing_version, id=doc_id, version=version, available=", ".join(f"{doc_id}@{v}" for v in available)
    )


def _summary(row: VersionedDocument, count: int) -> VersionSummary:
    return VersionSummary(
        id=row.key,
        version=row.version,
        title_zh=row.title_zh,
        title_en=row.title_en,
        content_hash=row.content_hash,
        created_at=row.created_at,
        author=row.author,
        note=row.note,
        versions=count,
    )


def _list_latest(session: Session, kind: _Kind) -> list[VersionSummary]:
    t = kind.table
    latest = (
        select(kind.key.label("doc_id"), func.max(t.version).label("latest"), func.count().label("n"))
        .group_by(kind.key)
        .subquery()
    )
    rows = session.execute(
        select(t, latest.c.n)
        .join(latest, (kind.key == latest.c.doc_id) & (t.version == latest.c.latest))
        .order_by(kind.key)
    ).all()
    return [_summary(row, n) for row, n in rows]


def _list_versions(session: Session, kind: _Kind, doc_id: str) -> list[VersionSummary]:
    t = kind.table
    rows = list(session.scalars(select(t).where(kind.key == doc_id).order_by(t.version)))
    return [_summary(r, len(rows)) for r in rows]


# --- plans -------------------------------------------------------------------------


def save_plan(
    session: Session,
    plan: Plan,
    *,
    author: str = "",
    note: str = "",
    source_drill_id: int | None = None,
    source_finding_id: int | None = None,
) -> SavedVersion:
    """Store ``plan`` as a new version unless the latest stored version has the same content."""
    links = {"source_drill_id": source_drill_id, "source_finding_id": source_finding_id}
    return _save(
        session, _PLANS, plan.id, canonical_content(plan), version=plan.version, author=author, note=note, links=links
    )


def get_plan(session: Session, plan_id: str, version: int | None = None) -> Plan:
    """A stored plan (the latest version when ``version`` is None); ``NotFoundError`` lists what exists."""
    return Plan.model_validate(_get_row(session, _PLANS, plan_id, version).content)


def list_plans(session: Session) -> list[VersionSummary]:
    """The latest version of every stored plan, by id."""
    return _list_latest(session, _PLANS)


def plan_versions(session: Session, plan_id: str) -> list[VersionSummary]:
    """Every stored version of one plan, oldest first (empty if none)."""
    return _list_versions(session, _PLANS, plan_id)


def resolve_plan_ref(session: Session, ref: Ref | str) -> Plan:
    """The plan a programme's ``plan: id@version`` names (latest when no version)."""
    ref = ref if isinstance(ref, Ref) else Ref.model_validate(ref)
    return get_plan(session, ref.id, ref.version)


# --- programmes --------------------------------------------------------------------


def save_programme(
    session: Session,
    programme: Programme,
    *,
    author: str = "",
    note: str = "",
    source_drill_id: int | None = None,
    source_finding_id: int | None = None,
) -> SavedVersion:
    links = {"source_drill_id": source_drill_id, "source_finding_id": source_finding_id}
    return _save(
        session,
        _PROGRAMMES,
        programme.id,
        canonical_content(programme),
        version=programme.version,
        author=author,
        note=note,
        links=links,
    )


def get_programme(session: Session, programme_id: str, version: int | None = None) -> Programme:
    return Programme.model_validate(_get_row(session, _PROGRAMMES, programme_id, version).content)


def list_programmes(session: Session) -> list[VersionSummary]:
    return _list_latest(session, _PROGRAMMES)


def programme_versions(session: Session, programme_id: str) -> list[VersionSummary]:
    return _list_versions(session, _PROGRAMMES, programme_id)


# --- centre models -----------------------------------------------------------------


def save_centre(
    session: Session,
    centre_id: str,
    content: dict[str, Any],
    *,
    version: int | None = None,
    author: str = "",
    note: str = "",
) -> SavedVersion:
    """Store a centre model's canonical JSON content (validated by the caller)."""
    if version is None and isinstance(content.get("version"), int):
        version = content["version"]
    return _save(session, _CENTRES, centre_id, dict(content), version=version, author=author, note=note)


def get_centre(session: Session, centre_id: str, version: int | None = None) -> dict[str, Any]:
    return dict(_get_row(session, _CENTRES, centre_id, version).content)


def list_centres(session: Session) -> list[VersionSummary]:
    return _list_latest(session, _CENTRES)


def centre_versions(session: Session, centre_id: str) -> list[VersionSummary]:
    return _list_versions(session, _CENTRES, centre_id)


# --- raw content (for diffs) -------------------------------------------------------


def plan_content(session: Session, plan_id: str, version: int | None = None) -> dict[str, Any]:
    """The stored canonical JSON of a plan version (what ``diff`` compares)."""
    return dict(_get_row(session, _PLANS, plan_id, version).content)


def programme_content(session: Session, programme_id: str, version: int | None = None) -> dict[str, Any]:
    return dict(_get_row(session, _PROGRAMMES, programme_id, version).content)


# --- the built-in library ----------------------------------------------------------


def load_library(session: Session, *, author: str = "library") -> list[tuple[str, str, SavedVersion]]:
    """Store every plan, programme and centre model of the built-in library.

    Idempotent: an entry already stored with the same content is left as it is;
    returns ``(kind, id, saved)`` for each entry, in the catalogue's order (plans
    first, so programmes can refer to them).  What-if effects files are not stored.
    """
    from ccdrill.library import catalog

    out: list[tuple[str, str, SavedVersion]] = []
    for entry in catalog.list_entries():
        document = catalog.load(entry.id, entry.kind)
        if entry.kind in ("plan", "programme"):
            save = save_plan if entry.kind == "plan" else save_programme
            try:
                with session.begin_nested():
                    saved = save(session, document, author=author)
            except ConflictError:
                # The library entry changed since this database was made (a newer ccdrill):
                # keep what is stored and add the new text as the next version.
                saved = save(session, document.model_copy(update={"version": None}), author=author,
                             note="Updated from the built-in library")
        elif entry.kind == "centre":
            content = canonical_content(document) if isinstance(document, BaseModel) else dict(document)
            saved = save_centre(session, str(content.get("id") or entry.id), content, author=author)
        else:
            continue
        out.append((entry.kind, entry.id, saved))
    return out
