"""One handler turns every error into a response: a localized page, or JSON for ``/api``.

``CcdrillError`` (the root of user-caused errors) keeps its status and message;
Starlette's 404/405, request validation (422) and anything unexpected (500) are
translated too.  A traceback never reaches the user; a 500 is logged.
"""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import JSONResponse, Response

from ccdrill.errors import (
    CcdrillError,
    ConflictError,
    InvalidInput,
    NotFoundError,
    PermissionDenied,
    TooLargeError,
)
from ccdrill.i18n import N_, t
from ccdrill.web.deps import get_lang

log = logging.getLogger("ccdrill.web")

TITLES = {
    400: N_("The request cannot be handled"),
    403: N_("Not allowed"),
    404: N_("Page not found"),
    405: N_("Method not allowed"),
    409: N_("Conflict"),
    413: N_("Too large"),
    422: N_("Invalid input"),
    500: N_("Something went wrong"),
}
MESSAGES = {
    400: N_("The request cannot be handled."),
    403: N_("You are not allowed to do this."),
    404: N_("There is nothing at this address. It may have been mistyped, or the item does not exist."),
    405: N_("This address does not accept that kind of request."),
    413: N_("The request is too large."),
    422: N_("Some of the request's parameters are not valid."),
    500: N_("ccdrill hit an unexpected problem. Nothing was changed. Please try again; if it keeps happening, tell your administrator."),
}
CODES = {
    400: "bad_request",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    422: "invalid_input",
    500: "internal_error",
}


def error_code(exc: CcdrillError) -> str:
    for cls, code in (
        (InvalidInput, "invalid_input"),
        (NotFoundError, "not_found"),
        (PermissionDenied, "forbidden"),
        (ConflictError, "conflict"),
        (TooLargeError, "too_large"),
    ):
        if isinstance(exc, cls):
            return code
    return CODES.get(exc.http_status, "error")


def wants_json(request: Request) -> bool:
    path = request.url.path
    if path.startswith("/api/") or path == "/healthz" or path.startswith("/static/"):
        return True
    accept = request.headers.get("accept", "")
    return "application/json" in accept and "text/html" not in accept


def respond(request: Request, status: int, code: str, message: str, *, problems: list[str] | None = None) -> Response:
    lang = get_lang(request)
    headers = {"Cache-Control": "no-store"}
    if wants_json(request):
        body: dict = {"error": {"code": code, "message": message}}
        if problems:
            body["error"]["problems"] = problems
        return JSONResponse(body, status_code=status, headers=headers)
    renderer = request.app.state.page_renderer(request)
    title = t(TITLES.get(status, TITLES[400 if status < 500 else 500]), lang)
    response = renderer("error.html", status_code=status, title=title, status=status, message=message,
                        problems=problems or [])
    response.headers.update(headers)
    return response


def install(app: FastAPI) -> None:
    @app.exception_handler(CcdrillError)
    async def _ccdrill(request: Request, exc: CcdrillError) -> Response:
        lang = get_lang(request)
        problems = [p.format(lang) for p in exc.problems] if isinstance(exc, InvalidInput) else None
        message = t(N_("The input has problems:"), lang) if problems else exc.message(lang)
        return respond(request, exc.http_status, error_code(exc), message, problems=problems)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        lang = get_lang(request)
        status = exc.status_code
        msgid = MESSAGES.get(status, MESSAGES[400] if status < 500 else MESSAGES[500])
        response = respond(request, status, CODES.get(status, "error"), t(msgid, lang))
        if exc.headers:
            response.headers.update(exc.headers)
        return response

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> Response:
        lang = get_lang(request)
        errs = exc.errors()
        if errs and all(e.get("loc", ("",))[0] == "path" for e in errs):
            # A malformed id or version in the address: there is nothing there.
            return respond(request, 404, "not_found", t(MESSAGES[404], lang))
        problems = []
        for err in errs[:20]:
            where = ".".join(str(p) for p in err.get("loc", ()))
            problems.append(f"{where}: {err.get('msg', '')}"[:300])
        return respond(request, 422, "invalid_input", t(MESSAGES[422], lang), problems=problems)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> Response:
        log.exception("unexpected error on %s %s", request.method, request.url.path)
        return respond(request, 500, "internal_error", t(MESSAGES[500], get_lang(request)))
