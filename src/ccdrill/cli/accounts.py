"""``ccdrill user create`` and ``ccdrill user list``: local accounts (argon2 hashes)."""


from typing import Annotated

import typer

from ccdrill.errors import CcdrillError
from ccdrill.i18n import N_, t


def register(app: typer.Typer, lang: str) -> None:
    users = typer.Typer(help=t(N_("Accounts: create and list users."), lang), no_args_is_help=True)
    app.add_typer(users, name="user")
    db_help = t(N_("Database URL or SQLite file (default: CCDRILL_DATABASE_URL or ./ccdrill.db)."), lang)

    @users.command("create", help=t(N_("Create a user with a password and global roles."), lang))
    def create(
        name: Annotated[str, typer.Argument(help=t(N_("Username (letters, digits, . _ -)."), lang))],
        password: Annotated[str, typer.Option("--password", prompt=True, hide_input=True,
                                              help=t(N_("The password."), lang))],
        admin: Annotated[bool, typer.Option("--admin", help=t(N_("Administrator: sees and controls everything."), lang))] = False,
        planner: Annotated[bool, typer.Option("--planner", help=t(N_("Planner: creates and controls drills."), lang))] = False,
        evaluator: Annotated[bool, typer.Option("--evaluator", help=t(N_("Evaluator: sees every drill and writes private notes."), lang))] = False,
        display_name: Annotated[str, typer.Option("--display-name", help=t(N_("Name shown on screens."), lang))] = "",
        db: Annotated[str | None, typer.Option("--db", help=db_help)] = None,
        lang_opt: Annotated[str | None, typer.Option("--lang", help=t(N_("Language of messages: zh or en."), lang))] = None,
    ) -> None:
        from ccdrill.store import users as repo
        from ccdrill.store.db import make_engine, unit_of_work, upgrade

        try:
            engine = make_engine(db)
            upgrade(engine)
            with unit_of_work(engine) as s:
                user = repo.create_user(s, name, password, display_name=display_name, admin=admin, planner=planner,
                                        evaluator=evaluator)
            engine.dispose()
        except CcdrillError as exc:
            typer.echo(exc.message(lang), err=True)
            raise typer.Exit(2) from None
        typer.echo(t(N_("User {user} created."), lang, user=user.username))

    @users.command("list", help=t(N_("List the users and their global roles."), lang))
    def list_(
        db: Annotated[str | None, typer.Option("--db", help=db_help)] = None,
        lang_opt: Annotated[str | None, typer.Option("--lang", help=t(N_("Language of messages: zh or en."), lang))] = None,
    ) -> None:
        from ccdrill.store import users as repo
        from ccdrill.store.db import make_engine, upgrade

        engine = make_engine(db)
        upgrade(engine)
        with engine.connect():
            pass
        from ccdrill.store.db import session_factory

        with session_factory(engine)() as s:
            rows = repo.list_users(s)
        engine.dispose()
        typer.echo(f"{t(N_('Username'), lang):<16} {t(N_('Name'), lang):<20} {t(N_('Global roles'), lang)}")
        for u in rows:
            roles = [t(m, lang) for flag, m in ((u.is_admin, N_("admin")), (u.is_planner, N_("planner")),
                                                 (u.is_evaluator, N_("evaluator"))) if flag]
            typer.echo(f"{u.username:<16} {u.display_name:<20} {', '.join(roles) or '-'}")
