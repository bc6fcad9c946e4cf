"""The web application, built by a factory: nothing is created at import time.

``create_app(settings)`` opens the database engine, sets up templates, routes,
the error handler and security headers.  It does not migrate: ``ccdrill serve``
and ``ccdrill demo`` do that before serving.
"""

from __future__ import annotations

import os
import secrets
from contextlib import asynccontextmanager
from importlib import resources
from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from jinja2 import Environment, FileSystemLoader, select_autoescape
from sqlalchemy.engine import make_url

from ccdrill import __version__
from ccdrill.config import Settings

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'none'"
)
SECURITY_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"content-security-policy", CSP.encode()),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"same-origin"),
]


def secret_key_for(settings: Settings) -> str:
    """``CCDRILL_SECRET_KEY``; else a key kept beside a SQLite file; else one for this process."""
    if settings.secret_key:
        return settings.secret_key
    from ccdrill.store.db import is_sqlite, normalize_url

    url = normalize_url(settings.database_url)
    if is_sqlite(url):
        database = make_url(url).database
        if database and database != ":memory:" and not database.startswith("file:"):
            path = Path(database).with_name(Path(database).name + ".secret")
            try:
                if path.exists():
                    key = path.read_text(encoding="utf-8").strip()
                    if key:
                        return key
                key = secrets.token_urlsafe(32)
                path.parent.mkdir(parents=True, exist_ok=True)
                fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
                with os.fdopen(fd, "w", encoding="utf-8") as fh:
                    fh.write(key)
                return key
            except OSError:
                pass
    return secrets.token_urlsafe(32)


def _templates() -> Environment:
    folder = resources.files("ccdrill.web") / "templates"
    env = Environment(
        loader=FileSystemLoader(str(folder)),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals["version"] = __version__
    return env


class SecurityHeaders:
    """Pure ASGI middleware adding the security headers to every response."""

    def __init__(self, app) -> None:  # noqa: ANN001
        self.app = app

    async def __call__(self, scope, receive, send) -> None:  # noqa: ANN001
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message) -> None:  # noqa: ANN001
            if message["type"] == "http.response.start":
                names = {k.lower() for k, _ in message.get("headers", [])}
                headers = list(message.get("headers", []))
                headers += [(k, v) for k, v in SECURITY_HEADERS if k not in names]
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)


def create_app(settings: Settings | None = None, *, service_options: dict | None = None) -> FastAPI:
    """``service_options`` go to :class:`~ccdrill.live.service.DrillService` (tests: a fake ``now``)."""
    from ccdrill.live.service import DrillService
    from ccdrill.store.db import make_engine, session_factory
    from ccdrill.web import api, api_drills, auth, errors, pages
    from ccdrill.web.deps import Renderer

    settings = settings or Settings.from_env()
    engine = make_engine(settings.database_url)
    drills = DrillService(engine, **(service_options or {}))

    @asynccontextmanager
    async def lifespan(app: FastAPI):  # noqa: ANN202
        # Every running drill is rebuilt by replaying its log and its inject runner restarted.
        await drills.start()
        try:
            yield
        finally:
            await drills.stop()
            engine.dispose()

    app = FastAPI(
        title="ccdrill",
        version=__version__,
        description=("Contact-centre emergency drills (客服应急预案演练): plans and programmes (read-only), and live "
                     "drills — bearer tokens from POST /api/v1/auth/token."),
        docs_url=None,  # Swagger UI would load from a CDN; the document itself is at /openapi.json
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.engine = engine
    app.state.session_factory = session_factory(engine)
    app.state.secret_key = secret_key_for(settings)
    app.state.templates = _templates()
    app.state.page_renderer = Renderer
    app.state.drills = drills

    app.add_middleware(SecurityHeaders)
    errors.install(app)
    auth.install(app)
    app.mount("/static", StaticFiles(packages=[("ccdrill.web", "static")]), name="static")
    app.include_router(api.router)
    app.include_router(api_drills.v1)
    app.include_router(auth.router)
    app.include_router(pages.router)
    from ccdrill.web import drill_pages  # the live drill pages (list, create, console, participant view)
    app.include_router(drill_pages.router)
    from ccdrill.web import evaluation_pages  # scorecards, results, reports, actions, revisions, history
    app.include_router(evaluation_pages.router)
    return app
