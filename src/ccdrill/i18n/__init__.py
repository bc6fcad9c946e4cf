"""Translations: English msgids, Simplified Chinese catalogues read with Babel.

Every user-facing string goes through :func:`t` (or a template's ``_``).  The
catalogues are the ``.po`` files under ``locale/zh_CN/LC_MESSAGES/`` — one file
per area of the product (``files.po``, ``twin.po``, ``web.po`` …); they are
merged into one catalogue per language the first time a language is asked for.
Chinese is the default language of the product.
"""

from __future__ import annotations

import os
from functools import cache
from importlib import resources

LANGS = ("zh", "en")
DEFAULT_LANG = "zh"

# Language code → catalogue folder.
_LOCALE_DIRS = {"zh": "zh_CN"}


def normalize_lang(value: str | None) -> str:
    """Map anything a user or a browser says (``zh-CN``, ``en_US.UTF-8`` …) to ``zh`` or ``en``."""
    if not value:
        return DEFAULT_LANG
    v = value.strip().lower().replace("_", "-")
    if v.startswith("en"):
        return "en"
    return "zh" if v.startswith("zh") else DEFAULT_LANG


def lang_from_env(environ: dict[str, str] | None = None) -> str:
    """The language a CLI user expects: ``CCDRILL_LANG``, then the POSIX locale, else Chinese."""
    env = os.environ if environ is None else environ
    for key in ("CCDRILL_LANG", "LC_ALL", "LC_MESSAGES", "LANG"):
        val = env.get(key)
        if val and val not in ("C", "POSIX", "C.UTF-8"):
            return normalize_lang(val)
    return DEFAULT_LANG


@cache
def catalogue(lang: str) -> dict[str, str]:
    """msgid → translation for one language (English needs none)."""
    folder = _LOCALE_DIRS.get(lang)
    if folder is None:
        return {}
    from babel.messages.pofile import read_po

    merged: dict[str, str] = {}
    base = resources.files("ccdrill.i18n").joinpath("locale", folder, "LC_MESSAGES")
    for entry in sorted(base.iterdir(), key=lambda p: p.name):
        if not entry.name.endswith(".po"):
            continue
        with entry.open("rb") as fh:
            cat = read_po(fh, locale=folder)
        for msg in cat:
            if msg.id and msg.string and not msg.fuzzy:
                merged[str(msg.id)] = str(msg.string)
    return merged


def gettext(msgid: str, lang: str) -> str:
    return catalogue(normalize_lang(lang)).get(msgid, msgid)


def t(msgid: str, lang: str, /, **params: object) -> str:
    """Translate ``msgid`` into ``lang`` and fill ``{named}`` placeholders."""
    text = gettext(msgid, lang)
    if not params:
        return text
    try:
        return text.format(**params)
    except (KeyError, IndexError, ValueError):
        return text + " " + ", ".join(f"{k}={v}" for k, v in params.items())


def N_(msgid: str) -> str:
    """Mark a string for extraction without translating it now."""
    return msgid
