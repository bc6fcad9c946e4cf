"""Commands on stored documents: ``db upgrade``; ``plan`` and ``programme`` import, list, versions, show, diff.

Every command takes ``--db URL`` (default ``CCDRILL_DATABASE_URL``, else ``./ccdrill.db``)
and migrates that database to the newest revision before it reads or writes, as
``serve`` does.  Errors become one translated message on stderr and exit code 2;
an import of several files is one transaction — all files are stored, or none.
"""


import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

import typer

from ccdrill.errors import CcdrillError, InvalidInput, Problem
from ccdrill.i18n import N_, normalize_lang, t


def _options(lang: str) -> tuple[Any, Any]:
    """The ``--db`` and ``--lang`` options, with help in ``lang``."""
    db = Annotated[
        str | None,
        typer.Option(
            "--db", help=t("Database URL (default: CCDRILL_DATABASE_URL, else ./ccdrill.db).", lang), show_default=False
        ),
    ]
    lang_opt = Annotated[str | None, typer.Option("--lang", help=t("Language of messages: zh or en.", lang), show_default=False)]
    return db, lang_opt


@dataclass(frozen=True)
class _DocKind:
    name: str  # "plan" / "programme"
    label_msgid: str  # translated noun
    model: Any
    save: Callable[..., Any]
    get: Callable[..., Any]
    content: Callable[..., dict[str, Any]]
    list_latest: Callable[..., Any]
    versions: Callable[..., Any]


def _kinds() -> dict[str, _DocKind]:
    from ccdrill.domain.plan import Plan
    from ccdrill.domain.programme import Programme
    from ccdrill.store import documents as d

    return {
        "plan": _DocKind(
            "plan", N_("plan"), Plan, d.save_plan, d.get_plan, d.plan_content, d.list_plans, d.plan_versions
        ),
        "programme": _DocKind(
            "programme",
            N_("programme"),
            Programme,
            d.save_programme,
            d.get_programme,
            d.programme_content,
            d.list_programmes,
            d.programme_versions,
        ),
    }


# --- reading files ---------------------------------------------------------------------


def _load_file(path: Path, kind: str, lang: str, resolve_plan: Callable[[str, int | None], dict[str, Any] | None] | None = None) -> Any:
    """Read and validate one plan or programme file; ``InvalidInput`` with every located problem.

    The one place the store's commands read files: ``ccdrill.formats.load_document``
    (safe YAML, size and alias-bomb limits, types, cross-checks).  ``resolve_plan``
    lets a programme's ``plan: id@version`` be checked against the database.
    """
    from ccdrill.formats import load_document

    return load_document(path, lang=lang, expected_kind=kind, resolve_plan=resolve_plan)


def _plan_resolver(session: Any) -> Callable[[str, int | None], dict[str, Any] | None]:
    from ccdrill.errors import NotFoundError
    from ccdrill.store.documents import plan_content

    def resolve(plan_id: str, version: int | None) -> dict[str, Any] | None:
        try:
            return plan_content(session, plan_id, version)
        except NotFoundError:
            return None

    return resolve


# --- helpers ---------------------------------------------------------------------------


@contextmanager
def _errors(lang: str) -> Iterator[None]:
    """A user's error becomes a translated message and exit 2 — never a traceback."""
    from alembic.util.exc import CommandError
    from sqlalchemy.exc import SQLAlchemyError

    try:
        yield
    except CcdrillError as exc:
        typer.echo(exc.message(lang), err=True)
        raise typer.Exit(exc.exit_code) from None
    except ModuleNotFoundError as exc:
        if exc.name not in ("psycopg", "psycopg_binary"):
            raise
        typer.echo(t("PostgreSQL needs the pg extra: pip install 'ccdrill[pg]'", lang), err=True)
        raise typer.Exit(2) from None
    except CommandError as exc:  # e.g. a database migrated by a newer ccdrill
        typer.echo(t("Database error: {error}", lang, error=str(exc)), err=True)
        raise typer.Exit(2) from None
    except SQLAlchemyError as exc:
        typer.echo(t("Database error: {error}", lang, error=str(getattr(exc, "orig", None) or exc).strip()), err=True)
        raise typer.Exit(2) from None


def _engine(db: str | None):  # noqa: ANN202
    from ccdrill.store.db import make_engine, upgrade

    engine = make_engine(db)
    upgrade(engine)
    return engine


def _parse_ref(value: str, default_id: str | None = None) -> tuple[str, int | None]:
    """``id``, ``id@3``, or (for the second side of a diff) ``@3`` / ``3`` meaning the same id."""
    from pydantic import ValidationError

    from ccdrill.domain.common import Ref

    v = value.strip()
    if default_id and (v.isdigit() or (v.startswith("@") and v[1:].isdigit())):
        return default_id, int(v.lstrip("@"))
    try:
        ref = Ref.model_validate(v)
    except ValidationError:
        raise InvalidInput([Problem(N_('"{value}" is not a reference such as "network-failure@2".'), {"value": value})]) from None
    return ref.id, ref.version


def _lang(given: str | None, default: str) -> str:
    return normalize_lang(given) if given else default


def _text(value: Any, lang: str) -> str:
    if isinstance(value, dict) and "zh" in value and set(value) <= {"zh", "en"}:
        return value.get("en") or value["zh"] if lang == "en" else value["zh"]
    return str(value)


def _show_value(value: Any, lang: str) -> str:
    """A value of a diff, short and readable: texts in both languages, objects by id and title."""
    if isinstance(value, dict):
        if "zh" in value and set(value) <= {"zh", "en"}:
            return f"“{value['zh']}”" + (f" / “{value['en']}”" if value.get("en") else "")
        label = value.get("id", value.get("seq"))
        if label is not None and isinstance(value.get("title"), dict):
            return f"{label} {_text(value['title'], lang)}"
    if isinstance(value, str):
        return f"“{value}”"
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 160 else text[:157] + "…"


def format_change(change: Any, lang: str) -> str:
    """One line of ``plan diff`` output."""
    if change.kind == "added":
        return "+ " + t("added {path}: {new}", lang, path=change.path, new=_show_value(change.new, lang))
    if change.kind == "removed":
        return "- " + t("removed {path}: {old}", lang, path=change.path, old=_show_value(change.old, lang))
    if change.kind == "moved":
        return "↕ " + t("moved {path}: position {old} → {new}", lang, path=change.path, old=change.old, new=change.new)
    return "~ " + t(
        "changed {path}: {old} → {new}",
        lang,
        path=change.path,
        old=_show_value(change.old, lang),
        new=_show_value(change.new, lang),
    )


# --- commands --------------------------------------------------------------------------


def _register_kind(parent: typer.Typer, kind: _DocKind, lang: str, help_msgid: str) -> None:
    DbOption, LangOption = _options(lang)  # noqa: N806 - type aliases
    app = typer.Typer(help=t(help_msgid, lang), no_args_is_help=True)
    parent.add_typer(app, name=kind.name)
    noun = kind.label_msgid

    @app.command("import", help=t("Validate files and store each as a new version (all or nothing).", lang))
    def import_(
        files: Annotated[list[Path], typer.Argument(metavar="FILE...", help=t("YAML files.", lang), show_default=False)],
        db: DbOption = None,
        author: Annotated[str, typer.Option("--author", help=t("Who stores these versions.", lang))] = "",
        note: Annotated[str, typer.Option("--note", help=t("Why (kept with each new version).", lang))] = "",
        lang_opt: LangOption = None,
    ) -> None:
        lg = _lang(lang_opt, lang)
        from ccdrill.store.db import unit_of_work

        with _errors(lg):
            engine = _engine(db)
            try:
                with unit_of_work(engine) as session:
                    problems: list[Problem] = []
                    documents = []
                    resolver = _plan_resolver(session)
                    for path in files:
                        try:
                            documents.append((path, _load_file(path, kind.name, lg, resolver)))
                        except InvalidInput as exc:
                            problems.extend(exc.problems)
                    if problems:
                        raise InvalidInput(problems)
                    saved = [(path, doc, kind.save(session, doc, author=author, note=note)) for path, doc in documents]
            except CcdrillError as exc:
                typer.echo(exc.message(lg), err=True)
                typer.echo(t("Nothing was stored.", lg), err=True)
                raise typer.Exit(exc.exit_code) from None
            finally:
                engine.dispose()
        for path, doc, result in saved:
            msgid = N_("{file}: stored {ref} (new version)") if result.created else N_("{file}: {ref} unchanged (already stored)")
            typer.echo(t(msgid, lg, file=path, ref=f"{doc.id}@{result.version}"))

    @app.command("list", help=t("The latest version of every stored document.", lang))
    def list_(db: DbOption = None, lang_opt: LangOption = None) -> None:
        lg = _lang(lang_opt, lang)
        from ccdrill.store.db import unit_of_work

        with _errors(lg):
            engine = _engine(db)
            try:
                with unit_of_work(engine) as session:
                    rows = kind.list_latest(session)
            finally:
                engine.dispose()
        if not rows:
            typer.echo(t("No {noun} is stored yet.", lg, noun=t(noun, lg)))
            return
        for r in rows:
            typer.echo(
                f"{r.ref:<32} {t('{count} version(s)', lg, count=r.versions):<12} {r.created_at:%Y-%m-%d %H:%M}  {r.title(lg)}"
            )

    @app.command("versions", help=t("Every stored version of one document.", lang))
    def versions(
        doc_id: Annotated[str, typer.Argument(metavar="ID", show_default=False)],
        db: DbOption = None,
        lang_opt: LangOption = None,
    ) -> None:
        lg = _lang(lang_opt, lang)
        from ccdrill.store.db import unit_of_work

        with _errors(lg):
            engine = _engine(db)
            try:
                with unit_of_work(engine) as session:
                    kind.get(session, doc_id)  # NotFoundError when there is none
                    rows = kind.versions(session, doc_id)
            finally:
                engine.dispose()
        for r in rows:
            extra = "  ".join(x for x in (r.author, r.note) if x)
            typer.echo(f"{r.ref:<32} {r.created_at:%Y-%m-%d %H:%M}  {r.content_hash[:12]}  {extra}".rstrip())

    @app.command("show", help=t("Show a stored version (ID or ID@VERSION).", lang))
    def show(
        ref: Annotated[str, typer.Argument(metavar="ID[@VERSION]", show_default=False)],
        db: DbOption = None,
        as_yaml: Annotated[bool, typer.Option("--yaml", help=t("Print the stored YAML.", lang))] = False,
        lang_opt: LangOption = None,
    ) -> None:
        lg = _lang(lang_opt, lang)
        from ccdrill.store.db import unit_of_work

        with _errors(lg):
            doc_id, version = _parse_ref(ref)
            engine = _engine(db)
            try:
                with unit_of_work(engine) as session:
                    content = kind.content(session, doc_id, version)
            finally:
                engine.dispose()
        if as_yaml:
            import yaml

            typer.echo(yaml.safe_dump(content, allow_unicode=True, sort_keys=False, width=100), nl=False)
            return
        typer.echo(f"{content['id']}@{content['version']}  {_text(content['title'], lg)}")
        for step in content.get("steps", []):
            typer.echo(
                "  "
                + t(
                    "step {id}: {title} ({role}, {minutes} min)",
                    lg,
                    id=step["id"],
                    title=_text(step["title"], lg),
                    role=step["role"],
                    minutes=f"{step['target_minutes']:g}",
                )
            )
        for phase in content.get("phases", []):
            typer.echo("  " + t("phase {id}: {title} {start}–{end}", lg, id=phase["id"], title=_text(phase["title"], lg), start=phase["start"][:5], end=phase["end"][:5]))
        for inject in content.get("injects", []):
            typer.echo("  " + t("inject {seq}: {title}", lg, seq=inject["seq"], title=_text(inject["title"], lg)))

    @app.command("diff", help=t("What changed between two versions, field by field (ID@1 ID@2).", lang))
    def diff_(
        old: Annotated[str, typer.Argument(metavar="ID@V1", show_default=False)],
        new: Annotated[str, typer.Argument(metavar="ID@V2", show_default=False)],
        db: DbOption = None,
        lang_opt: LangOption = None,
    ) -> None:
        lg = _lang(lang_opt, lang)
        from ccdrill.domain.diff import diff
        from ccdrill.store.db import unit_of_work

        with _errors(lg):
            a_id, a_v = _parse_ref(old)
            b_id, b_v = _parse_ref(new, default_id=a_id)
            engine = _engine(db)
            try:
                with unit_of_work(engine) as session:
                    a = kind.content(session, a_id, a_v)
                    b = kind.content(session, b_id, b_v)
            finally:
                engine.dispose()
        changes = diff(a, b)
        typer.echo(
            t(
                "{old} → {new}: {count} change(s)",
                lg,
                old=f"{a['id']}@{a['version']}",
                new=f"{b['id']}@{b['version']}",
                count=len(changes),
            )
        )
        for change in changes:
            typer.echo(format_change(change, lg))


def register(app: typer.Typer, lang: str) -> None:
    DbOption, LangOption = _options(lang)  # noqa: N806 - type aliases
    db_app = typer.Typer(help=t("The database: create or migrate its tables.", lang), no_args_is_help=True)
    app.add_typer(db_app, name="db")

    @db_app.command("upgrade", help=t("Migrate the database to the newest revision (creates it if needed).", lang))
    def db_upgrade(db: DbOption = None, lang_opt: LangOption = None) -> None:
        lg = _lang(lang_opt, lang)
        from ccdrill.store.db import current_revision, make_engine, upgrade

        with _errors(lg):
            engine = make_engine(db)
            try:
                upgrade(engine)
                revision = current_revision(engine)
            finally:
                engine.dispose()
        typer.echo(t("{url} is at revision {revision}.", lg, url=engine.url.render_as_string(hide_password=True), revision=revision))

    kinds = _kinds()
    _register_kind(app, kinds["plan"], lang, N_("Emergency plans (应急预案): import, list, show, compare versions."))
    _register_kind(app, kinds["programme"], lang, N_("Drill programmes (演练方案): import, list, show, compare versions."))
