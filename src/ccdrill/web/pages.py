"""HTML pages: the plan library, programmes, versions and diffs, downloads, upload.

Thin views: read through ``ccdrill.store.documents``, hand plain values to a template.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Any

import yaml
from fastapi import APIRouter, Request
from starlette.requests import Request as StarletteRequest
from starlette.responses import RedirectResponse, Response

from ccdrill.domain.common import minutes_of
from ccdrill.domain.plan import Plan
from ccdrill.domain.programme import Programme
from ccdrill.errors import CcdrillError, InvalidInput, NotFoundError, PermissionDenied, Problem
from ccdrill.i18n import N_, t
from ccdrill.store import documents as store
from ccdrill.web.auth import OptionalUser
from ccdrill.web.deps import CSRF_FIELD, AppSettings, Lang, Page, Session, check_csrf, finish, set_flash

router = APIRouter(include_in_schema=False)

_ID = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
_VERSION = re.compile(r"^[1-9][0-9]{0,5}$")
FORMATS = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "html": "text/html; charset=utf-8",
    "md": "text/markdown; charset=utf-8",
    "yaml": "application/yaml; charset=utf-8",
}
KINDS = {"plan": N_("Plan"), "programme": N_("Programme")}


# ---- small helpers ----


def doc_id(value: str, kind: str) -> str:
    if not _ID.match(value or ""):
        raise NotFoundError(N_("Not found: {what}"), what=value[:64] if value else "?")
    return value


def version_no(value: str | None) -> int:
    if value is None or not _VERSION.match(str(value)):
        raise NotFoundError(N_("Not found: {what}"), what=str(value)[:16])
    return int(value)


def content(model: Plan | Programme) -> dict[str, Any]:
    return model.model_dump(mode="json", by_alias=True, exclude_none=True)


def yaml_text(model: Plan | Programme) -> bytes:
    return yaml.safe_dump(content(model), allow_unicode=True, sort_keys=False, width=100).encode("utf-8")


def title_of(summary: Any, lang: str) -> str:
    if lang == "en" and getattr(summary, "title_en", None):
        return summary.title_en
    return summary.title_zh or summary.id


@dataclass
class Timeline:
    """Phases laid on the drill window for the SVG timeline (x and width in 0–1000)."""

    start: str
    end: str
    items: list[dict[str, Any]]


def timeline(programme: Programme) -> Timeline:
    from ccdrill.domain.common import clock_str

    s = minutes_of(programme.schedule.start)
    e = minutes_of(programme.schedule.end)
    span = max(e - s, 1)
    items = []
    for i, ph in enumerate(programme.phases):
        a = min(max(minutes_of(ph.start) - s, 0), span)
        b = min(max(minutes_of(ph.end) - s, a), span)
        items.append(
            {
                "phase": ph,
                "index": i,
                "x": round(a * 1000 / span, 1),
                "w": max(round((b - a) * 1000 / span, 1), 2),
                "window": f"{clock_str(ph.start)}–{clock_str(ph.end)}",
                "minutes": minutes_of(ph.end) - minutes_of(ph.start),
            }
        )
    return Timeline(clock_str(programme.schedule.start), clock_str(programme.schedule.end), items)


def download_response(data: bytes, fmt: str, filename: str) -> Response:
    from urllib.parse import quote

    disposition = "inline" if fmt in ("html",) else "attachment"
    return Response(
        data,
        media_type=FORMATS[fmt],
        headers={"Content-Disposition": f"{disposition}; filename*=UTF-8''{quote(filename)}"},
    )


def changes(a: Plan | Programme, b: Plan | Programme) -> list[Any]:
    from ccdrill.domain.diff import diff

    ca, cb = content(a), content(b)
    ca.pop("version", None)
    cb.pop("version", None)
    return diff(ca, cb)


# ---- home and static pages ----


@router.get("/")
def home(page: Page, session: Session, lang: Lang) -> Response:
    plans = store.list_plans(session)
    programmes = store.list_programmes(session)
    cards = []
    for s in plans:
        plan = store.get_plan(session, s.id)
        cards.append({"summary": s, "plan": plan, "title": title_of(s, lang)})
    featured = next((p for p in programmes if "network" in p.id), programmes[0] if programmes else None)
    return page(
        "home.html",
        nav="home",
        plans=cards,
        programmes=[{"summary": p, "title": title_of(p, lang)} for p in programmes],
        featured=featured,
        featured_title=title_of(featured, lang) if featured else "",
        counts={
            "plans": len(plans),
            "programmes": len(programmes),
            "versions": sum(s.versions for s in plans) + sum(s.versions for s in programmes),
        },
    )


@router.get("/guide")
def guide(page: Page) -> Response:
    return page("guide.html", nav="guide")


# ---- plans ----


@router.get("/plans")
def plans(page: Page, session: Session, lang: Lang) -> Response:
    rows = []
    for s in store.list_plans(session):
        plan = store.get_plan(session, s.id)
        rows.append({"summary": s, "plan": plan, "title": title_of(s, lang)})
    return page("plans.html", nav="plans", rows=rows)


def _plan_page(page: Page, session: Any, plan_id: str, version: int | None) -> Response:
    plan = store.get_plan(session, plan_id, version)
    versions = store.plan_versions(session, plan_id)
    latest = versions[-1].version if versions else plan.version
    this = next((v for v in versions if v.version == plan.version), None)
    return page(
        "plan.html",
        nav="plans",
        plan=plan,
        versions=versions,
        latest=latest,
        this=this,
        roles={r.id: r for r in plan.roles},
        steps={s.id: s for s in plan.steps},
    )


@router.get("/plans/{plan_id}")
def plan_latest(plan_id: str, page: Page, session: Session) -> Response:
    return _plan_page(page, session, doc_id(plan_id, "plan"), None)


@router.get("/plans/{plan_id}/v/{n}")
def plan_version(plan_id: str, n: str, page: Page, session: Session) -> Response:
    return _plan_page(page, session, doc_id(plan_id, "plan"), version_no(n))


@router.get("/plans/{plan_id}/versions")
def plan_versions(plan_id: str, page: Page, session: Session, lang: Lang) -> Response:
    plan_id = doc_id(plan_id, "plan")
    plan = store.get_plan(session, plan_id)
    versions = store.plan_versions(session, plan_id)
    return page("versions.html", nav="plans", kind="plan", base=f"/plans/{plan_id}", doc=plan,
                versions=list(reversed(versions)))


@router.get("/plans/{plan_id}/diff")
def plan_diff(plan_id: str, request: Request, page: Page, session: Session) -> Response:
    plan_id = doc_id(plan_id, "plan")
    a_no, b_no = _diff_versions(request, [v.version for v in store.plan_versions(session, plan_id)])
    a = store.get_plan(session, plan_id, a_no)
    b = store.get_plan(session, plan_id, b_no)
    return page("diff.html", nav="plans", kind="plan", base=f"/plans/{plan_id}", doc=b, a=a_no, b=b_no,
                changes=changes(a, b), versions=store.plan_versions(session, plan_id))


def _diff_versions(request: Request, available: list[int]) -> tuple[int, int]:
    if not available:
        raise NotFoundError(N_("Not found: {what}"), what=request.url.path[:80])
    q = request.query_params
    b = version_no(q["to"]) if q.get("to") else available[-1]
    if q.get("from"):
        a = version_no(q["from"])
    else:
        older = [v for v in available if v < b]
        a = older[-1] if older else b
    return a, b


@router.get("/plans/{plan_id}/v/{n}/document.{fmt}")
def plan_document(plan_id: str, n: str, fmt: str, session: Session, lang: Lang) -> Response:
    plan = store.get_plan(session, doc_id(plan_id, "plan"), version_no(n))
    if fmt not in FORMATS:
        raise NotFoundError(N_("Not found: {what}"), what=fmt[:16])
    if fmt == "yaml":
        data = yaml_text(plan)
    else:
        from ccdrill.documents import render_plan

        data = render_plan(plan, fmt, lang)
    return download_response(data, fmt, f"{plan.id}-v{plan.version}.{fmt}")


# ---- programmes ----


@router.get("/programmes")
def programmes(page: Page, session: Session, lang: Lang) -> Response:
    rows = []
    for s in store.list_programmes(session):
        prog = store.get_programme(session, s.id)
        rows.append({"summary": s, "programme": prog, "title": title_of(s, lang)})
    return page("programmes.html", nav="programmes", rows=rows)


def _scenario_plans(session: Any, programme: Programme) -> dict[str, Plan | None]:
    found: dict[str, Plan | None] = {}
    for sc in programme.scenarios:
        try:
            found[str(sc.plan)] = store.resolve_plan_ref(session, sc.plan)
        except CcdrillError:
            found[str(sc.plan)] = None
    return found


def _programme_page(page: Page, session: Any, programme_id: str, version: int | None) -> Response:
    programme = store.get_programme(session, programme_id, version)
    versions = store.programme_versions(session, programme_id)
    latest = versions[-1].version if versions else programme.version
    this = next((v for v in versions if v.version == programme.version), None)
    plans = _scenario_plans(session, programme)
    steps = {}
    for plan in plans.values():
        if plan is not None:
            for s in plan.steps:
                steps[f"{plan.id}.{s.id}"] = s
    return page(
        "programme.html",
        nav="programmes",
        prog=programme,
        versions=versions,
        latest=latest,
        this=this,
        roles={r.id: r for r in programme.roles},
        plans=plans,
        steps=steps,
        timeline=timeline(programme),
    )


@router.get("/programmes/{programme_id}")
def programme_latest(programme_id: str, page: Page, session: Session) -> Response:
    return _programme_page(page, session, doc_id(programme_id, "programme"), None)


@router.get("/programmes/{programme_id}/v/{n}")
def programme_version(programme_id: str, n: str, page: Page, session: Session) -> Response:
    return _programme_page(page, session, doc_id(programme_id, "programme"), version_no(n))


@router.get("/programmes/{programme_id}/versions")
def programme_versions(programme_id: str, page: Page, session: Session) -> Response:
    programme_id = doc_id(programme_id, "programme")
    prog = store.get_programme(session, programme_id)
    versions = store.programme_versions(session, programme_id)
    return page("versions.html", nav="programmes", kind="programme", base=f"/programmes/{programme_id}", doc=prog,
                versions=list(reversed(versions)))


@router.get("/programmes/{programme_id}/diff")
def programme_diff(programme_id: str, request: Request, page: Page, session: Session) -> Response:
    programme_id = doc_id(programme_id, "programme")
    versions = store.programme_versions(session, programme_id)
    a_no, b_no = _diff_versions(request, [v.version for v in versions])
    a = store.get_programme(session, programme_id, a_no)
    b = store.get_programme(session, programme_id, b_no)
    return page("diff.html", nav="programmes", kind="programme", base=f"/programmes/{programme_id}", doc=b,
                a=a_no, b=b_no, changes=changes(a, b), versions=versions)


@router.get("/programmes/{programme_id}/v/{n}/document.{fmt}")
def programme_document(programme_id: str, n: str, fmt: str, session: Session, lang: Lang) -> Response:
    programme = store.get_programme(session, doc_id(programme_id, "programme"), version_no(n))
    if fmt not in FORMATS:
        raise NotFoundError(N_("Not found: {what}"), what=fmt[:16])
    if fmt == "yaml":
        data = yaml_text(programme)
    else:
        from ccdrill.documents import render_programme

        plans = {}
        for plan in _scenario_plans(session, programme).values():
            if plan is not None:
                plans[plan.id] = plan
        data = render_programme(programme, plans, fmt, lang)
    return download_response(data, fmt, f"{programme.id}-v{programme.version}.{fmt}")


# ---- upload ----


def upload_limit(settings: Any) -> int:
    try:
        from ccdrill.formats.yamlio import MAX_BYTES
    except ImportError:  # pragma: no cover
        MAX_BYTES = settings.max_upload_bytes
    return min(settings.max_upload_bytes, MAX_BYTES)


def _clean_filename(name: str | None) -> str:
    name = (name or "upload.yaml").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C")
    return name[:120] or "upload.yaml"


def _uploader(request: Request, user: Any) -> Response | None:
    """Only planners and administrators store new versions; others are sent to sign in or refused."""
    if user is None:
        from ccdrill.web.auth import login_url

        return RedirectResponse(login_url(request), status_code=303)
    if not (user.is_planner or user.is_admin):
        raise PermissionDenied(N_("Only planners and administrators can upload plans and programmes."))
    return None


@router.get("/upload")
def upload_form(request: Request, page: Page, settings: AppSettings, user: OptionalUser) -> Response:
    if (gate := _uploader(request, user)) is not None:
        return gate
    return page("upload.html", nav="upload", problems=[], limit_mb=_mb(upload_limit(settings)))


def _mb(n: int) -> str:
    value = n / (1024 * 1024)
    return f"{value:.0f}" if value >= 1 else f"{value:.1f}"


@router.post("/upload")
async def upload(request: Request, page: Page, settings: AppSettings, lang: Lang, user: OptionalUser) -> Response:
    if (gate := _uploader(request, user)) is not None:
        return gate
    limit = upload_limit(settings)
    overhead = 64 * 1024  # multipart boundaries and the other fields

    def refuse(problems: list[str], status: int, message: str | None = None) -> Response:
        return page("upload.html", status_code=status, nav="upload", problems=problems, message=message,
                    limit_mb=_mb(limit))

    too_large = t(N_("The file is larger than the {limit} MB limit; nothing was saved."), lang, limit=_mb(limit))
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit + overhead:
        return refuse([too_large], 413)
    body = bytearray()
    async for chunk in request.stream():  # stop reading as soon as the limit is passed
        body += chunk
        if len(body) > limit + overhead:
            return refuse([too_large], 413)

    async def replay() -> dict[str, Any]:
        return {"type": "http.request", "body": bytes(body), "more_body": False}

    form = await StarletteRequest(request.scope, replay).form(max_files=2, max_fields=20)
    check_csrf(request, str(form.get(CSRF_FIELD) or ""))
    upload_file = form.get("file")
    if upload_file is None or isinstance(upload_file, str) or not getattr(upload_file, "filename", None):
        return refuse([t(N_("Choose a plan or programme file (.yaml) to upload."), lang)], 422)
    filename = _clean_filename(upload_file.filename)
    data = await upload_file.read(limit + 1)
    if len(data) > limit:
        return refuse([too_large], 413)
    try:
        from ccdrill.formats import parse_document

        model = parse_document(data, filename=filename, lang=lang)
    except InvalidInput as exc:
        return refuse([p.format(lang) for p in exc.problems], 422)
    if not isinstance(model, Plan | Programme):
        problem = Problem(N_("Only plans and programmes can be uploaded here."), file=filename)
        return refuse([problem.format(lang)], 422)

    from ccdrill.store.db import unit_of_work

    note = t(N_("Uploaded through the web page ({filename})"), "en", filename=filename)
    model = model.model_copy(update={"version": None})  # the store numbers uploaded versions
    try:
        with unit_of_work(request.app.state.session_factory) as session:
            if isinstance(model, Plan):
                saved = store.save_plan(session, model, author=user.username, note=note)
                target = f"/plans/{model.id}/v/{saved.version}"
            else:
                saved = store.save_programme(session, model, author=user.username, note=note)
                target = f"/programmes/{model.id}/v/{saved.version}"
    except CcdrillError as exc:
        return refuse([exc.message(lang)], exc.http_status)
    response = RedirectResponse(target, status_code=303)
    if saved.created:
        set_flash(request, response, N_("Saved as version {n}."), n=saved.version)
    else:
        set_flash(request, response, N_("No changes: this is the same as version {n}, nothing new was saved."),
                  n=saved.version)
    finish(request, response)
    return response
