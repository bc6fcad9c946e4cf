"""``/api/v1`` — read-only JSON for plans and programmes (the automation API grows here), and ``/healthz``."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Path
from pydantic import BaseModel

from ccdrill import __version__
from ccdrill.domain.plan import Plan
from ccdrill.domain.programme import Programme
from ccdrill.store import documents as store
from ccdrill.store.db import ping
from ccdrill.web.deps import Session

router = APIRouter()
v1 = APIRouter(prefix="/api/v1", tags=["plans and programmes"])



def _doc_id():  # noqa: ANN202 - a fresh Path() per parameter (FastAPI binds it to the parameter's name)
    return Path(pattern=r"^[a-z0-9][a-z0-9_-]{0,63}$", description="document id, e.g. network-failure")


def _version_no():  # noqa: ANN202
    return Path(ge=1, le=999_999, description="version number")


class Title(BaseModel):
    zh: str
    en: str | None = None


class VersionInfo(BaseModel):
    id: str
    version: int
    title: Title
    created_at: datetime
    author: str
    note: str
    versions: int


class ErrorBody(BaseModel):
    code: str
    message: str


class ErrorResponse(BaseModel):
    error: ErrorBody


ERRORS = {404: {"model": ErrorResponse, "description": "not found"}}


def _info(s: store.VersionSummary) -> VersionInfo:
    return VersionInfo(
        id=s.id,
        version=s.version,
        title=Title(zh=s.title_zh, en=s.title_en),
        created_at=s.created_at,
        author=s.author,
        note=s.note,
        versions=s.versions,
    )


@v1.get("/plans", response_model=list[VersionInfo], summary="Stored plans (latest version of each)")
def list_plans(session: Session) -> list[VersionInfo]:
    return [_info(s) for s in store.list_plans(session)]


@v1.get("/plans/{plan_id}", response_model=Plan, responses=ERRORS, summary="A plan, latest version")
def get_plan(session: Session, plan_id: str = _doc_id()) -> Plan:
    return store.get_plan(session, plan_id)


@v1.get("/plans/{plan_id}/versions", response_model=list[VersionInfo], responses=ERRORS,
        summary="Every stored version of a plan, oldest first")
def plan_versions(session: Session, plan_id: str = _doc_id()) -> list[VersionInfo]:
    store.get_plan(session, plan_id)  # 404 when unknown
    return [_info(s) for s in store.plan_versions(session, plan_id)]


@v1.get("/plans/{plan_id}/versions/{version}", response_model=Plan, responses=ERRORS,
        summary="One version of a plan")
def plan_version(session: Session, plan_id: str = _doc_id(), version: int = _version_no()) -> Plan:
    return store.get_plan(session, plan_id, version)


@v1.get("/programmes", response_model=list[VersionInfo], summary="Stored drill programmes (latest version of each)")
def list_programmes(session: Session) -> list[VersionInfo]:
    return [_info(s) for s in store.list_programmes(session)]


@v1.get("/programmes/{programme_id}", response_model=Programme, responses=ERRORS,
        summary="A drill programme, latest version")
def get_programme(session: Session, programme_id: str = _doc_id()) -> Programme:
    return store.get_programme(session, programme_id)


@v1.get("/programmes/{programme_id}/versions", response_model=list[VersionInfo], responses=ERRORS,
        summary="Every stored version of a programme, oldest first")
def programme_versions(session: Session, programme_id: str = _doc_id()) -> list[VersionInfo]:
    store.get_programme(session, programme_id)
    return [_info(s) for s in store.programme_versions(session, programme_id)]


@v1.get("/programmes/{programme_id}/versions/{version}", response_model=Programme, responses=ERRORS,
        summary="One version of a programme")
def programme_version(session: Session, programme_id: str = _doc_id(), version: int = _version_no()) -> Programme:
    return store.get_programme(session, programme_id, version)


class Health(BaseModel):
    status: str
    version: str
    database: str


@router.get("/healthz", response_model=Health, tags=["health"], summary="Liveness and database check")
def healthz(session: Session) -> Health:
    ping(session)
    return Health(status="ok", version=__version__, database="ok")


router.include_router(v1)
