"""Pieces every command shares: the ``--lang`` option and failing with a message."""

from __future__ import annotations

from typing import Annotated, NoReturn

import typer

from ccdrill.i18n import normalize_lang

LangOption = Annotated[str | None, typer.Option("--lang", help="zh | en")]


def resolve_lang(given: str | None, default: str) -> str:
    return normalize_lang(given) if given else default


def fail(message: str, code: int = 2) -> NoReturn:
    typer.echo(message, err=True)
    raise typer.Exit(code)
