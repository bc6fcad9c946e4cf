"""``ccdrill report`` — the drill summary report (演练总结报告) as DOCX, HTML, PDF or Markdown.

Two sources:

* ``ccdrill report DRILL [--db URL]`` — a drill in the store: its programme and plan versions, its
  event log, its centre model and seed;
* ``ccdrill report --events FILE.jsonl --programme ID`` — a drill exported as a log (one event per
  line); the programme and its plans come from the store when ``--db`` is given, else the library.

A drill that never started is refused with a message in the user's language (exit code 2).
"""


import json
from datetime import date
from pathlib import Path
from typing import Annotated, Any

import typer

from ccdrill.cli.common import LangOption, fail, resolve_lang
from ccdrill.errors import CcdrillError, InvalidInput, NotFoundError, Problem
from ccdrill.i18n import N_, t


def read_events_file(path: Path) -> list[Any]:
    """Events from a JSON-lines export (one event object per line; blank lines ignored)."""
    from pydantic import ValidationError

    from ccdrill.domain.events import Event

    out = []
    problems: list[Problem] = []
    with path.open(encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                out.append(Event.model_validate(json.loads(line)))
            except (ValueError, ValidationError) as exc:
                problems.append(Problem(N_("Not an event: {detail}"), {"detail": str(exc).splitlines()[0]},
                                        file=str(path), line=n))
    if problems:
        raise InvalidInput(problems)
    return out


def _library_inputs(programme_id: str) -> tuple[Any, dict[str, Any]]:
    from ccdrill.library import catalog

    try:
        programme = catalog.load(programme_id, "programme")
    except Exception:  # noqa: BLE001 - unknown id
        raise NotFoundError(N_("No programme {programme} in the library."), programme=programme_id) from None
    plans = {sc.plan.id: catalog.load(sc.plan.id, "plan") for sc in programme.scenarios}
    return programme, plans


def register(app: typer.Typer, lang: str) -> None:
    @app.command("report", help=t("Write the drill summary report (演练总结报告) as DOCX, HTML, PDF or Markdown.", lang))
    def report(
        drill: Annotated[str | None, typer.Argument(metavar="DRILL", help=t("Drill number in the store.", lang),
                                                    show_default=False)] = None,
        fmt: Annotated[str, typer.Option("--format", "-f", help="docx | html | pdf | md")] = "docx",
        out: Annotated[Path | None, typer.Option("--output", "-o", help=t("Output file.", lang),
                                                 show_default=False)] = None,
        db: Annotated[str | None, typer.Option("--db", help=t(
            "Database URL (default: CCDRILL_DATABASE_URL, else ./ccdrill.db).", lang), show_default=False)] = None,
        events_file: Annotated[Path | None, typer.Option("--events", help=t(
            "A drill exported as JSON lines (instead of DRILL).", lang), show_default=False)] = None,
        programme_id: Annotated[str | None, typer.Option("--programme", help=t(
            "Programme of the exported drill (id or id@version).", lang), show_default=False)] = None,
        lang_opt: LangOption = None,
    ) -> None:
        lg = resolve_lang(lang_opt, lang)
        from sqlalchemy.exc import SQLAlchemyError

        from ccdrill.reports import EXTENSIONS, FORMATS, build_report_data, render_report

        fmt_ = "md" if fmt == "markdown" else fmt.lower()
        if fmt_ not in FORMATS:
            fail(t("Unknown format {fmt}; expected one of: {formats}.", lg, fmt=fmt, formats=", ".join(FORMATS)))
        if (drill is None) == (events_file is None):
            fail(t("Give a drill number, or --events FILE with --programme ID.", lg))
        try:
            if events_file is not None:
                if not programme_id:
                    fail(t("--events needs --programme ID.", lg))
                events = read_events_file(events_file)
                label = events_file.stem
                centre, seed, hidden = None, 0, frozenset()
                if db:
                    from ccdrill.store import documents as docs
                    from ccdrill.store.db import make_engine, unit_of_work

                    pid, _, ver = programme_id.partition("@")
                    engine = make_engine(db)
                    try:
                        with unit_of_work(engine) as session:
                            programme = docs.get_programme(session, pid, int(ver) if ver else None)
                            plans = {sc.plan.id: docs.resolve_plan_ref(session, sc.plan) for sc in programme.scenarios}
                    finally:
                        engine.dispose()
                else:
                    programme, plans = _library_inputs(programme_id.partition("@")[0])
            else:
                from ccdrill.reports.gather import gather
                from ccdrill.store.db import make_engine, unit_of_work, upgrade

                try:
                    drill_no = int(drill)
                except ValueError:
                    raise NotFoundError(N_("No drill {drill}."), drill=drill) from None
                engine = make_engine(db)
                try:
                    upgrade(engine)
                    with unit_of_work(engine) as session:
                        # The same data as the web download: scores, actions, confirmed commendations.
                        data = gather(session, drill_no, today=date.today(), with_confirmed=True)["data"]
                finally:
                    engine.dispose()
                label = str(drill)
            if events_file is not None:
                data = build_report_data(programme, plans, events, drill_id=label, centre=centre, seed=seed,
                                         generated_on=date.today(), hidden_seqs=hidden)
            body = render_report(data, fmt_, lg)
        except CcdrillError as exc:
            fail(exc.message(lg), exc.exit_code)
        except SQLAlchemyError as exc:
            fail(t("Database error: {error}", lg, error=str(getattr(exc, "orig", None) or exc).strip()))
        except OSError as exc:
            fail(t("Cannot read {path}: {error}", lg, path=str(events_file), error=exc.strerror or str(exc)))
        target = out or Path(f"report-{label}-{lg}{EXTENSIONS[fmt_]}")
        try:
            target.write_bytes(body)
        except OSError as exc:
            fail(t("Cannot write {path}: {error}", lg, path=str(target), error=exc.strerror or str(exc)))
        typer.echo(t("Report written to {path}.", lg, path=str(target)))
