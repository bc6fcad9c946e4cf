"""The language of a web request, and the translation helpers templates use.

Order: ``?lang=`` (remembered in the ``ccdrill_lang`` cookie), then the cookie,
then the browser's ``Accept-Language``, else Chinese — the product's default.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime

from starlette.requests import Request

from ccdrill.i18n import DEFAULT_LANG, LANGS, t

LANG_COOKIE = "ccdrill_lang"
LANG_COOKIE_MAX_AGE = 365 * 24 * 3600


def _known(value: str | None) -> str | None:
    if not value:
        return None
    v = value.strip().lower().replace("_", "-")[:16]
    for lang in LANGS:
        if v == lang or v.startswith(lang + "-"):
            return lang
    return None


def lang_from_accept(header: str | None) -> str | None:
    """The first language of ``Accept-Language`` that we speak, by quality."""
    if not header:
        return None
    ranked: list[tuple[float, int, str]] = []
    for i, part in enumerate(header[:512].split(",")):
        bits = part.strip().split(";")
        q = 1.0
        for b in bits[1:]:
            b = b.strip()
            if b.startswith("q="):
                try:
                    q = float(b[2:])
                except ValueError:
                    q = 0.0
        lang = _known(bits[0])
        if lang and q > 0:
            ranked.append((-q, i, lang))
    return min(ranked)[2] if ranked else None


def query_lang(request: Request) -> str | None:
    """The language asked for explicitly in the URL, if it is one we speak."""
    return _known(request.query_params.get("lang"))


def request_lang(request: Request) -> str:
    return (
        query_lang(request)
        or _known(request.cookies.get(LANG_COOKIE))
        or lang_from_accept(request.headers.get("accept-language"))
        or DEFAULT_LANG
    )


def translator(lang: str) -> Callable[..., str]:
    """``_`` for templates: ``_("Plans")``, ``_("Saved as version {n}", n=3)``."""

    def _(msgid: str, /, **params: object) -> str:
        return t(msgid, lang, **params)

    return _


def format_date(value: date | datetime | str | None, lang: str) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            return value
    if isinstance(value, datetime):
        if lang == "zh":
            return f"{value.year}年{value.month}月{value.day}日 {value.hour:02d}:{value.minute:02d}"
        return value.strftime("%Y-%m-%d %H:%M")
    if lang == "zh":
        return f"{value.year}年{value.month}月{value.day}日"
    return value.strftime("%d %b %Y").lstrip("0")


def url_with_lang(request: Request, lang: str) -> str:
    """The current page in another language (keeps path and other query parameters)."""
    params = [(k, v) for k, v in request.query_params.multi_items() if k != "lang"]
    params.append(("lang", lang))
    from urllib.parse import urlencode

    return f"{request.url.path}?{urlencode(params)}"
