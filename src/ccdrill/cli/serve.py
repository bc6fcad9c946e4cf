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
        address = f"http://{host}:{port}/"
        bar = "=" * 60
        typer.echo(bar)
        typer.echo(f"  ccdrill 演示已启动，请在浏览器中打开：  {address}")
        typer.echo(f"  ccdrill demo is running — open in your browser: {address}")
        typer.echo("  账号功能将在后续版本提供，目前无需登录。")
        typer.echo("  Accounts come in a later version; no login is needed yet.")
        typer.echo(bar)
        _serve(url, host, port, lang)
