"""What a view needs, as ``Annotated`` dependencies: settings, a DB session, the language, rendering, CSRF.

Views stay thin: they take ``Session``, ``Lang`` and ``Page`` and call the store.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Iterator
from typing import Annotated, Any

from fastapi import Depends, Request
from itsdangerous import BadSignature, URLSafeSerializer
from jinja2 import Environment
from sqlalchemy.orm import Session as OrmSession
from starlette.responses import HTMLResponse, Response

from ccdrill.config import Settings
from ccdrill.errors import PermissionDenied
from ccdrill.i18n import N_, t
from ccdrill.web import i18n as web_i18n
from ccdrill.web import present

CSRF_COOKIE = "ccdrill_csrf"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
FLASH_COOKIE = "ccdrill_flash"


class CsrfRejected(PermissionDenied):
    """A state-changing request without a matching token: forged, or the page is stale."""

    def __init__(self) -> None:
        super().__init__(N_("This form has expired or did not come from ccdrill. Reload the page and try again."))


def get_settings(request: Request) -> Settings:
    return request.app.state.settings


def get_lang(request: Request) -> str:
    lang = getattr(request.state, "lang", None)
    if lang is None:
        lang = request.state.lang = web_i18n.request_lang(request)
    return lang


def get_session(request: Request) -> Iterator[OrmSession]:
    """A read session for one request (writes go through ``unit_of_work``)."""
    session = request.app.state.session_factory()
    try:
        yield session
    finally:
        session.close()


def _signer(request: Request, salt: str) -> URLSafeSerializer:
    return URLSafeSerializer(request.app.state.secret_key, salt=salt)


# ---- CSRF: a signed random token, in a cookie and echoed in every form (double submit) ----


def csrf_token(request: Request) -> str:
    cached = getattr(request.state, "csrf_token", None)
    if cached:
        return cached
    cookie = request.cookies.get(CSRF_COOKIE, "")
    token = cookie if cookie and _valid_csrf(request, cookie) else ""
    if not token:
        token = _signer(request, "csrf").dumps(secrets.token_hex(16))
        request.state.csrf_new = True
    request.state.csrf_token = token
    return token


def _valid_csrf(request: Request, token: str) -> bool:
    try:
        _signer(request, "csrf").loads(token)
    except BadSignature:
        return False
    return True


def check_csrf(request: Request, submitted: str | None) -> None:
    """Raise :class:`CsrfRejected` unless ``submitted`` equals the signed cookie token."""
    cookie = request.cookies.get(CSRF_COOKIE, "")
    submitted = submitted or request.headers.get(CSRF_HEADER, "")
    if not cookie or not submitted or not _valid_csrf(request, cookie):
        raise CsrfRejected()
    if not secrets.compare_digest(cookie.encode(), str(submitted).encode()):
        raise CsrfRejected()


# ---- flash messages: one signed cookie, shown once ----


def set_flash(request: Request, response: Response, msgid: str, **params: Any) -> None:
    value = _signer(request, "flash").dumps({"msgid": msgid, "params": params})
    response.set_cookie(FLASH_COOKIE, value, httponly=True, samesite="lax", max_age=120, path="/")


def _pop_flash(request: Request) -> dict[str, Any] | None:
    raw = request.cookies.get(FLASH_COOKIE)
    if not raw:
        return None
    try:
        data = _signer(request, "flash").loads(raw)
    except BadSignature:
        return None
    return data if isinstance(data, dict) and isinstance(data.get("msgid"), str) else None


# ---- rendering ----


class Renderer:
    """Renders a template in the request's language, setting the cookies the page needs."""

    def __init__(self, request: Request) -> None:
        self.request = request
        self.lang = get_lang(request)

    def context(self, extra: dict[str, Any]) -> dict[str, Any]:
        request, lang = self.request, self.lang
        flash = _pop_flash(request)
        self._had_flash = bool(request.cookies.get(FLASH_COOKIE))
        ctx: dict[str, Any] = {
            "request": request,
            "lang": lang,
            "_": web_i18n.translator(lang),
            "csrf_token": lambda: csrf_token(request),
            "csrf_field": CSRF_FIELD,
            "flash": t(flash["msgid"], lang, **(flash.get("params") or {})) if flash else None,
            "url_lang": lambda code: web_i18n.url_with_lang(request, code),
            "fmt_date": lambda v: web_i18n.format_date(v, lang),
            "tx": lambda text: text.get(lang) if text is not None else "",
            "sep": "、" if lang == "zh" else ", ",
            "txs": lambda texts: ("、" if lang == "zh" else ", ").join(x.get(lang) for x in texts),
            "effect": lambda e: present.describe_effect(e, lang),
            "minutes": lambda v: present.minutes(v, lang),
            "scenario_type": lambda code: present.label(present.SCENARIO_TYPES, code, lang),
            "label": lambda table, code: present.label(getattr(present, table), code, lang),
            "diff_value": lambda v: present.diff_value(v, lang),
            "nav": extra.pop("nav", ""),
            # Language names are written in their own language, never translated.
            "languages": (("zh", "中文"), ("en", "English")),
        }
        ctx.update(extra)
        return ctx

    def __call__(self, name: str, status_code: int = 200, **extra: Any) -> HTMLResponse:
        env: Environment = self.request.app.state.templates
        html = env.get_template(name).render(self.context(extra))
        response = HTMLResponse(html, status_code=status_code)
        finish(self.request, response, drop_flash=self._had_flash)
        return response


def finish(request: Request, response: Response, *, drop_flash: bool = False) -> None:
    """Cookies every page response carries: the chosen language, a fresh CSRF token, a consumed flash."""
    lang = web_i18n.query_lang(request)
    if lang and request.cookies.get(web_i18n.LANG_COOKIE) != lang:
        response.set_cookie(
            web_i18n.LANG_COOKIE, lang, max_age=web_i18n.LANG_COOKIE_MAX_AGE, samesite="lax", path="/"
        )
    if getattr(request.state, "csrf_new", False):
        response.set_cookie(CSRF_COOKIE, request.state.csrf_token, httponly=True, samesite="strict", path="/")
    if drop_flash:
        response.delete_cookie(FLASH_COOKIE, path="/")


def get_renderer(request: Request) -> Renderer:
    return Renderer(request)


def dumps_json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


Lang = Annotated[str, Depends(get_lang)]
Session = Annotated[OrmSession, Depends(get_session)]
Page = Annotated[Renderer, Depends(get_renderer)]
AppSettings = Annotated[Settings, Depends(get_settings)]
