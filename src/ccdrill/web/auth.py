"""Signing in and out, and who is asking: ``CurrentUser`` / ``OptionalUser`` dependencies.

A request is authenticated by ``Authorization: Bearer <token>`` (the automation API) or by the
signed session cookie (pages).  A cookie-authenticated request that changes state must carry the
CSRF token (form field or ``X-CSRF-Token`` header: the double-submit check of ``web.deps``);
bearer requests need none, since browsers never send a bearer token by themselves.
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Depends, Form, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.responses import RedirectResponse, Response

from ccdrill.auth import sessions, tokens
from ccdrill.auth.permissions import User
from ccdrill.auth.throttle import LoginThrottle, TooManyAttempts
from ccdrill.errors import CcdrillError
from ccdrill.i18n import N_, t
from ccdrill.live.service import Drills, get_drills  # noqa: F401 - re-exported for pages
from ccdrill.store import users as user_repo
from ccdrill.web.deps import Lang, Page, check_csrf, finish, set_flash

router = APIRouter(include_in_schema=False)

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class NotSignedIn(CcdrillError):
    http_status = 401

    def __init__(self) -> None:
        super().__init__(N_("Please sign in."))


def throttle(request: Request) -> LoginThrottle:
    th = getattr(request.app.state, "login_throttle", None)
    if th is None:
        th = request.app.state.login_throttle = LoginThrottle()
    return th


def client_address(request: Request) -> str:
    return request.client.host if request.client else "?"


AUTH_CACHE_S = 10.0  # a revoked token or changed password takes effect within this many seconds


def _auth_cache(request: Request) -> dict[str, tuple[float, User | None]]:
    cache = getattr(request.app.state, "auth_cache", None)
    if cache is None:
        cache = request.app.state.auth_cache = {}
    return cache


def _lookup(request: Request, token: str | None, cookie: str | None) -> User | None:
    factory = request.app.state.session_factory
    if token:
        with factory() as s:
            return user_repo.user_for_token(s, token)
    found = sessions.read_session(request.app.state.secret_key, cookie)
    if not found:
        return None
    with factory() as s:
        row = user_repo.user_row(s, found[0])
        if row is not None and sessions.fingerprint(row.password_hash) == found[1]:
            return user_repo.to_user(row)
    return None


def _credentials(request: Request) -> tuple[str | None, str | None, str]:
    token = tokens.bearer(request.headers.get("authorization"))
    cookie = None if token else request.cookies.get(sessions.COOKIE)
    key = ("t:" + tokens.token_hash(token)) if token else ("c:" + cookie if cookie else "")
    return token, cookie, key


def forget_credentials(request: Request) -> None:
    """Drop this request's credentials from the authentication cache (logout, token revoked)."""
    _token, _cookie, key = _credentials(request)
    _auth_cache(request).pop(key, None)


def _remember(request: Request, user: User | None, token: str | None) -> User | None:
    request.state.user = user
    request.state.auth_via = ("token" if token else "cookie") if user else None
    return user


def _user_from_request(request: Request) -> User | None:
    cached = getattr(request.state, "user", False)
    if cached is not False:
        return cached
    token, cookie, key = _credentials(request)
    if not key:
        return _remember(request, None, token)
    import time

    cache = _auth_cache(request)
    hit = cache.get(key)
    now = time.monotonic()
    if hit is not None and hit[0] > now:
        return _remember(request, hit[1], token)
    user = _lookup(request, token, cookie)
    if user is not None:
        if len(cache) > 10_000:
            cache.clear()
        cache[key] = (now + AUTH_CACHE_S, user)
    return _remember(request, user, token)


async def _user_async(request: Request) -> User | None:
    """Like :func:`_user_from_request`, without a thread hop when the answer is cached."""
    cached = getattr(request.state, "user", False)
    if cached is not False:
        return cached
    token, _cookie, key = _credentials(request)
    import time

    hit = _auth_cache(request).get(key) if key else None
    if hit is not None and hit[0] > time.monotonic():
        return _remember(request, hit[1], token)
    if not key:
        return _remember(request, None, token)
    import asyncio

    return await asyncio.to_thread(_user_from_request, request)


async def optional_user(request: Request) -> User | None:
    return await _user_async(request)


_bearer_scheme = HTTPBearer(auto_error=False, description="a token from POST /api/v1/auth/token")


async def current_user(request: Request,
                       _credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer_scheme)] = None
                       ) -> User:
    """The signed-in user (401 otherwise); state-changing cookie requests must pass the CSRF check."""
    user = await _user_async(request)
    if user is None:
        raise NotSignedIn()
    if request.state.auth_via == "cookie" and request.method not in SAFE_METHODS:
        check_csrf(request, None)
    return user


CurrentUser = Annotated[User, Depends(current_user)]
OptionalUser = Annotated[User | None, Depends(optional_user)]


def _safe_next(value: str | None) -> str:
    if value and value.startswith("/") and not value.startswith("//") and "\\" not in value:
        return value[:500]
    return "/drills"


def is_https(request: Request) -> bool:
    return request.url.scheme == "https"


def login_url(request: Request) -> str:
    return "/login?next=" + quote(request.url.path + (("?" + request.url.query) if request.url.query else ""))


@router.get("/login")
def login_page(request: Request, page: Page, user: OptionalUser, next: str | None = None) -> Response:
    return page("login.html", nav="login", next=_safe_next(next), user=user, error=None, username="")


@router.post("/login")
def login(request: Request, page: Page, lang: Lang, username: Annotated[str, Form(max_length=200)] = "",
          password: Annotated[str, Form(max_length=1024)] = "", csrf_token: Annotated[str, Form()] = "",
          next: Annotated[str, Form(max_length=500)] = "") -> Response:
    check_csrf(request, csrf_token)
    th = throttle(request)
    address = client_address(request)
    username = username.strip()
    try:
        th.check(username, address)
    except TooManyAttempts as exc:
        response = page("login.html", status_code=429, nav="login", next=_safe_next(next), user=None,
                        error=exc.message(lang), username=username)
        response.headers["Retry-After"] = str(exc.retry_after)
        return response
    with request.app.state.session_factory() as s:
        row = user_repo.authenticate(s, username, password)
        s.commit()
    if row is None:
        th.failed(username, address)
        return page("login.html", status_code=401, nav="login", next=_safe_next(next), user=None,
                    error=t(N_("Wrong username or password."), lang), username=username)
    th.succeeded(username, address)
    response = RedirectResponse(_safe_next(next), status_code=303)
    response.set_cookie(sessions.COOKIE, sessions.make_session(request.app.state.secret_key, row.username,
                                                               row.password_hash),
                        **sessions.cookie_options(is_https(request)))
    set_flash(request, response, N_("Signed in as {user}."), user=row.display_name or row.username)
    finish(request, response)
    return response


@router.post("/logout")
def logout(request: Request, csrf_token: Annotated[str, Form()] = "") -> Response:
    check_csrf(request, csrf_token)
    response = RedirectResponse("/", status_code=303)
    _auth_cache(request).pop("c:" + request.cookies.get(sessions.COOKIE, ""), None)
    response.delete_cookie(sessions.COOKIE, path="/")
    set_flash(request, response, N_("Signed out."))
    return response


def signed_in(request: Request) -> User | None:
    """For templates: the user of this request, if signed in (never raises)."""
    try:
        return _user_from_request(request)
    except Exception:  # noqa: BLE001 - a broken session never breaks a page
        return None


def install(app) -> None:  # noqa: ANN001
    """Handlers for "not signed in" (pages: to the login form; API: 401) and throttled logins (429)."""
    from ccdrill.web.deps import get_lang
    from ccdrill.web.errors import respond, wants_json

    @app.exception_handler(NotSignedIn)
    async def _not_signed_in(request: Request, exc: NotSignedIn) -> Response:
        if not wants_json(request) and request.method in SAFE_METHODS:
            return RedirectResponse(login_url(request), status_code=303)
        response = respond(request, 401, "unauthorized", exc.message(get_lang(request)))
        response.headers["WWW-Authenticate"] = "Bearer"
        return response

    @app.exception_handler(TooManyAttempts)
    async def _throttled(request: Request, exc: TooManyAttempts) -> Response:
        response = respond(request, 429, "too_many_requests", exc.message(get_lang(request)))
        response.headers["Retry-After"] = str(exc.retry_after)
        return response

    app.state.templates.globals["signed_in"] = signed_in
