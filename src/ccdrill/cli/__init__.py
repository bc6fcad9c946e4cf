"""The ``ccdrill`` command line: one Typer app, each area registering its own commands.

Help texts and messages follow ``--lang``/``CCDRILL_LANG``/the locale (Chinese by default).
A :class:`~ccdrill.errors.CcdrillError` becomes a translated message and exit code 2 —
never a traceback.
"""

from __future__ import annotations

import importlib
import sys

import typer

from ccdrill.errors import CcdrillError
from ccdrill.i18n import lang_from_env, t

# Each module exposes ``register(app: typer.Typer, lang: str) -> None``.
COMMAND_MODULES = (
    "ccdrill.cli.files",  # schema, validate, render, library
    "ccdrill.cli.store",  # db upgrade, plan/programme import, list, diff
    "ccdrill.cli.serve",  # serve, demo
    "ccdrill.cli.twin",  # simulate, erlang
    "ccdrill.cli.report",  # report
    "ccdrill.cli.accounts",  # user create, user list
    "ccdrill.cli.drill",  # drill autoplay, drill list
)


def build_app(lang: str | None = None) -> typer.Typer:
    lang = lang or lang_from_env()
    app = typer.Typer(
        name="ccdrill",
        help=t("ccdrill — plan, run, evaluate and improve contact-centre emergency drills.", lang),
        no_args_is_help=True,
        add_completion=False,
        pretty_exceptions_enable=False,
    )
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(app, lang)
    return app


def _lang_from_argv(argv: list[str]) -> str | None:
    for i, arg in enumerate(argv):
        if arg == "--lang" and i + 1 < len(argv):
            return argv[i + 1]
        if arg.startswith("--lang="):
            return arg.split("=", 1)[1]
    return None


def main(argv: list[str] | None = None) -> None:
    from ccdrill.i18n import normalize_lang

    argv = sys.argv[1:] if argv is None else argv
    given = _lang_from_argv(argv)
    lang = normalize_lang(given) if given else lang_from_env()
    app = build_app(lang)
    try:
        app(args=argv, prog_name="ccdrill", standalone_mode=True)
    except CcdrillError as exc:  # pragma: no cover - commands catch their own; last resort
        typer.echo(exc.message(lang), err=True)
        raise SystemExit(exc.exit_code) from None
