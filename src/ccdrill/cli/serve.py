"""``ccdrill serve`` and ``ccdrill demo``: migrate the database, then serve the web UI."""


from typing import Annotated

import typer

from ccdrill.errors import CcdrillError
from ccdrill.i18n import N_, t


def _serve(database_url: str, host: str, port: int, lang: str) -> None:
    import uvicorn

    from ccdrill.app import create_app
    from ccdrill.config import Settings

    settings = Settings.from_env(database_url=database_url, host=host, port=port)
    app = create_app(settings)
    uvicorn.run(app, host=host, port=port, log_level="info", proxy_headers=False)


def _migrate(url: str, lang: str) -> str:
    from ccdrill.store.db import display_url, normalize_url, upgrade

    url = normalize_url(url)
    typer.echo(t(N_("Migrating the database {url} …"), lang, url=display_url(url)))
    upgrade(url)
    return url


def _fail(exc: Exception, lang: str) -> None:
    if isinstance(exc, CcdrillError):
        typer.echo(exc.message(lang), err=True)
    else:
        typer.echo(t(N_("Cannot open the database: {error}"), lang, error=str(exc).splitlines()[0][:300]), err=True)
    raise typer.Exit(2)


DEMO_PASSWORD = "demo1234"
DEMO_PROGRAMME = "network-failure-2023-10-25"
# username → (global roles, seat in the network-failure programme, seat zh, seat en)
DEMO_PEOPLE = (
    ("commander", (), "commander", "指挥长（演练组织者）", "commander (organiser)"),
    ("deputy", (), "deputy_commander", "副指挥长（演练指挥）", "deputy commander (director)"),
    ("agent1", (), "agent", "客服人员", "agent"),
    ("agent2", (), "agent", "客服人员", "agent"),
    ("remote1", (), "remote_agent", "远程客服", "remote agent"),
    ("tech", (), "tech_support", "技术支持", "technical support"),
    ("logistics", (), "logistics", "后勤保障", "logistics"),
    ("observer", (), "observer", "观摩人员", "observer"),
    ("evaluator", ("evaluator",), "evaluator", "评估人员", "evaluator"),
    ("planner", ("planner",), None, "策划（可创建演练）", "planner (creates drills)"),
    ("admin", ("admin",), None, "管理员", "administrator"),
)


def _demo_drills(url: str, lang: str) -> list[tuple[str, str, str]]:
    """Demo accounts (created once), a finished drill played by autoplay, and one scheduled drill to run live."""
    from ccdrill.auth.permissions import User
    from ccdrill.cli.drill import run_autoplay
    from ccdrill.live.service import DrillService
    from ccdrill.store import drills as drill_repo
    from ccdrill.store import users as user_repo
    from ccdrill.store.db import make_engine, session_factory, unit_of_work

    engine = make_engine(url)
    try:
        with unit_of_work(engine) as s:
            for name, flags, _seat, seat_zh, _seat_en in DEMO_PEOPLE:
                if user_repo.get_user(s, name) is None:
                    user_repo.create_user(s, name, DEMO_PASSWORD, display_name=seat_zh.split("（")[0],
                                          admin="admin" in flags, planner="planner" in flags,
                                          evaluator="evaluator" in flags)
        assignments: dict[str, list[str]] = {}
        for name, _flags, seat, *_ in DEMO_PEOPLE:
            if seat:
                assignments.setdefault(seat, []).append(name)
        with session_factory(engine)() as s:
            existing = drill_repo.list_drills(s)
        if not any(d.status == "ended" for d in existing):
            drill_id = run_autoplay(url, DEMO_PROGRAMME, speed=60, seed=1, assignments=assignments)
            typer.echo(t(N_("A finished demo drill was played by autoplay: drill {drill}."), lang, drill=drill_id))
        if not any(d.status in ("draft", "scheduled", "running", "paused") for d in existing):
            import datetime as dt

            service = DrillService(engine, run_schedule=False, listen=False)
            drill_id = service.create_drill(programme=DEMO_PROGRAMME, speed=10, assignments=assignments,
                                            date=dt.date.today(), actor=User("planner", is_planner=True))
            typer.echo(t(N_("A drill to run live is scheduled: drill {drill} (sign in as commander to start it)."),
                         lang, drill=drill_id))
    finally:
        engine.dispose()
    return [(name, seat_zh, seat_en) for name, _f, _s, seat_zh, seat_en in DEMO_PEOPLE]


def register(app: typer.Typer, lang: str) -> None:
    @app.command("serve", help=t(N_("Serve the web UI (migrates the database first)."), lang))
    def serve(
        host: Annotated[str, typer.Option(help=t(N_("Address to listen on."), lang))] = "127.0.0.1",
        port: Annotated[int, typer.Option(help=t(N_("Port to listen on."), lang))] = 8000,
        db: Annotated[
            str | None,
            typer.Option("--db", help=t(N_("Database URL or SQLite file (default: CCDRILL_DATABASE_URL or ./ccdrill.db)."), lang)),
        ] = None,
        lang_opt: Annotated[str | None, typer.Option("--lang", help=t(N_("Language of messages: zh or en."), lang))] = None,
    ) -> None:
        from ccdrill.config import Settings

        url = db or Settings.from_env().database_url
        try:
            url = _migrate(url, lang)
        except Exception as exc:  # noqa: BLE001 - shown as one line, never a traceback
            _fail(exc, lang)
        typer.echo(t(N_("ccdrill is running at {url}"), lang, url=f"http://{host}:{port}/"))
        _serve(url, host, port, lang)

    @app.command("demo", help=t(N_("Create the demo database with the built-in library and serve it."), lang))
    def demo(
        port: Annotated[int, typer.Option(help=t(N_("Port to listen on."), lang))] = 8000,
        db: Annotated[str, typer.Option("--db", help=t(N_("SQLite file or database URL for the demo."), lang))] = "./ccdrill.db",
        host: Annotated[str, typer.Option(help=t(N_("Address to listen on."), lang))] = "127.0.0.1",
        lang_opt: Annotated[str | None, typer.Option("--lang", help=t(N_("Language of messages: zh or en."), lang))] = None,
    ) -> None:
        from ccdrill.store import documents
        from ccdrill.store.db import make_engine, unit_of_work

        try:
            url = _migrate(db, lang)
        except Exception as exc:  # noqa: BLE001
            _fail(exc, lang)
        engine = make_engine(url)
        try:
            with unit_of_work(engine) as session:
                saved = documents.load_library(session)
            new = sum(1 for _kind, _id, s in saved if s.created)
            typer.echo(t(N_("Built-in library loaded: {total} documents ({new} new)."), lang, total=len(saved), new=new))
        except CcdrillError as exc:
            # e.g. a library entry changed since this database was made: serve what is stored.
            typer.echo(t(N_("The built-in library was not loaded: {error}"), lang, error=exc.message(lang)), err=True)
            typer.echo(t(N_("Serving what the database already holds; use a new --db file for a fresh demo."), lang),
                       err=True)
        except Exception as exc:  # noqa: BLE001
            _fail(exc, lang)
        finally:
            engine.dispose()
        try:
            people = _demo_drills(url, lang)
        except Exception as exc:  # noqa: BLE001
            _fail(exc, lang)
        address = f"http://{host}:{port}/"
        bar = "=" * 60
        typer.echo(bar)
        typer.echo(f"  ccdrill 演示已启动，请在浏览器中打开：  {address}")
        typer.echo(f"  ccdrill demo is running — open in your browser: {address}")
        typer.echo(f"  演示账号（密码均为 {DEMO_PASSWORD}） / Demo accounts (password {DEMO_PASSWORD} for all):")
        for name, seat_zh, seat_en in people:
            typer.echo(f"    {name:<11} {seat_zh} / {seat_en}")
        typer.echo(bar)
        _serve(url, host, port, lang)
