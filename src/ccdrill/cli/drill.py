"""``ccdrill drill autoplay`` (a whole drill, headless) and ``ccdrill drill list``."""


import asyncio
from typing import Annotated

import typer

from ccdrill.errors import CcdrillError
from ccdrill.i18n import N_, t

AUTOPLAY_ACTOR = "autoplay"


def _run(make_coro):  # noqa: ANN001, ANN202
    """``asyncio.run`` — in a worker thread when this thread already runs an event loop."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(make_coro())
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(1) as pool:
        return pool.submit(lambda: asyncio.run(make_coro())).result()


def run_autoplay(url: str, programme: str, *, speed: float = 60.0, seed: int = 0,
                 assignments: dict[str, list[str]] | None = None) -> int:
    """Migrate ``url``, make sure the library is stored, run a drill of ``programme`` to its end."""
    from ccdrill.auth.permissions import User
    from ccdrill.errors import NotFoundError
    from ccdrill.live.autoplay import autoplay
    from ccdrill.live.service import DrillService, parse_programme_ref
    from ccdrill.store import documents
    from ccdrill.store.db import make_engine, session_factory, unit_of_work, upgrade

    engine = make_engine(url)
    try:
        upgrade(engine)
        pid, version = parse_programme_ref(programme)
        with session_factory(engine)() as s:
            try:
                documents.get_programme(s, pid, version)
                found = True
            except NotFoundError:
                found = False
        if not found:
            with unit_of_work(engine) as s:
                documents.load_library(s)
        service = DrillService(engine, run_schedule=False, listen=False)
        actor = User(AUTOPLAY_ACTOR, display_name="autoplay", is_admin=True)
        return _run(lambda: autoplay(service, programme=programme, actor=actor, speed=speed, seed=seed,
                                     assignments=assignments))
    finally:
        engine.dispose()


def register(app: typer.Typer, lang: str) -> None:
    drills = typer.Typer(help=t(N_("Drills: run one headless, list them."), lang), no_args_is_help=True)
    app.add_typer(drills, name="drill")
    db_help = t(N_("Database URL or SQLite file (default: CCDRILL_DATABASE_URL or ./ccdrill.db)."), lang)

    @drills.command("autoplay", help=t(N_("Run a whole drill headless with simulated participants; prints the "
                                          "drill id as the last line."), lang))
    def autoplay_cmd(
        programme: Annotated[str, typer.Argument(help=t(N_('Programme "ID" or "ID@VERSION".'), lang))],
        speed: Annotated[float, typer.Option("--speed", min=1, max=60, help=t(N_("Drill speed, ×1–×60."), lang))] = 60.0,
        seed: Annotated[int, typer.Option("--seed", min=0, help=t(N_("Seed of the participants' delays and the twin."), lang))] = 0,
        db: Annotated[str | None, typer.Option("--db", help=db_help)] = None,
        lang_opt: Annotated[str | None, typer.Option("--lang", help=t(N_("Language of messages: zh or en."), lang))] = None,
    ) -> None:
        from ccdrill.config import Settings

        url = db or Settings.from_env().database_url
        try:
            drill_id = run_autoplay(url, programme, speed=speed, seed=seed)
        except CcdrillError as exc:
            typer.echo(exc.message(lang), err=True)
            raise typer.Exit(2) from None
        typer.echo(t(N_("Drill {drill} played to its end."), lang, drill=drill_id))
        typer.echo(str(drill_id))

    @drills.command("list", help=t(N_("List the drills with their status."), lang))
    def list_cmd(
        db: Annotated[str | None, typer.Option("--db", help=db_help)] = None,
        lang_opt: Annotated[str | None, typer.Option("--lang", help=t(N_("Language of messages: zh or en."), lang))] = None,
    ) -> None:
        from ccdrill.store import drills as repo
        from ccdrill.store.db import make_engine, session_factory, upgrade

        engine = make_engine(db)
        try:
            upgrade(engine)
            with session_factory(engine)() as s:
                rows = repo.list_drills(s)
        finally:
            engine.dispose()
        typer.echo(f"{'id':>5}  {t(N_('Status'), lang):<10} {t(N_('Programme'), lang):<36} {t(N_('Speed'), lang)}")
        for d in rows:
            typer.echo(f"{d.id:>5}  {d.status:<10} {d.programme_ref:<36} ×{d.speed:g}")
