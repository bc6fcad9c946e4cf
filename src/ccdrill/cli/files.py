"""File commands: ``schema``, ``validate``, ``render`` and ``library``."""


import json
import os
import sys
import unicodedata
from pathlib import Path
from typing import Annotated, Any

import typer

from ccdrill.cli.common import LangOption, fail, resolve_lang
from ccdrill.errors import CcdrillError, InvalidInput
from ccdrill.i18n import t


def _plan_sources(extra_files: dict[str, dict[str, Any]], db: str | None) -> Any:
    """A plan resolver over: the files being validated, the database (if any), the built-in library."""
    from ccdrill.library import catalog

    library: dict[str, dict[str, Any]] = {}
    for entry in catalog.list_entries():
        if entry.kind == "plan":
            import yaml

            library[entry.id] = yaml.safe_load(catalog.read_text(entry.id))

    session = None
    if db:
        try:
            from ccdrill.store.db import make_engine, session_factory

            session = session_factory(make_engine(db))()
        except Exception:  # a missing or broken database only narrows where plans are looked up
            session = None

    def resolve(plan_id: str, version: int | None) -> dict[str, Any] | None:
        for source in (extra_files, library):
            data = source.get(plan_id)
            if data is not None and (version is None or data.get("version") in (None, version)):
                return data
        if session is not None:
            try:
                from ccdrill.store.documents import get_plan

                return get_plan(session, plan_id, version).model_dump(mode="json", by_alias=True)
            except Exception:
                return None
        return None

    return resolve


def _default_db() -> str | None:
    if os.environ.get("CCDRILL_DATABASE_URL"):
        return os.environ["CCDRILL_DATABASE_URL"]
    return f"sqlite:///{Path.cwd() / 'ccdrill.db'}" if (Path.cwd() / "ccdrill.db").exists() else None


def register(app: typer.Typer, lang: str) -> None:
    @app.command("schema", help=t("Print the JSON Schema of a file kind: plan, programme, centre, effects or rubric.", lang))
    def schema(
        kind: Annotated[str, typer.Argument(help=t("plan | programme | centre | effects | rubric", lang))],
        lang_: LangOption = None,
    ) -> None:
        from ccdrill.formats import KINDS, model_class

        ln = resolve_lang(lang_, lang)
        if kind not in KINDS:
            fail(t("Unknown kind {kind}; expected one of: {kinds}.", ln, kind=kind, kinds=", ".join(KINDS)))
        typer.echo(json.dumps(model_class(kind).model_json_schema(by_alias=True), ensure_ascii=False, indent=2))

    @app.command("validate", help=t("Check plan, programme and centre files; report every problem with its place.", lang))
    def validate(
        files: Annotated[list[Path], typer.Argument(help=t("YAML files to check", lang))],
        lang_: LangOption = None,
        db: Annotated[str | None, typer.Option("--db", help=t("Database to look up plan references in", lang))] = None,
    ) -> None:
        from ccdrill.formats import load_document
        from ccdrill.formats.validate import peek_plan_data

        ln = resolve_lang(lang_, lang)
        plans_in_files: dict[str, dict[str, Any]] = {}
        for f in files:
            try:
                if f.is_file() and f.stat().st_size < 4 * 1024 * 1024:
                    data = peek_plan_data(f.read_bytes(), str(f))
                    if data and isinstance(data.get("id"), str):
                        plans_in_files[data["id"]] = data
            except OSError:
                pass
        resolve = _plan_sources(plans_in_files, db or _default_db())
        bad = 0
        count = 0
        for f in files:
            try:
                load_document(f, resolve_plan=resolve)
                typer.echo(t("{file}: OK", ln, file=f))
            except InvalidInput as exc:
                bad += 1
                count += len(exc.problems)
                for p in exc.problems:
                    typer.echo(p.format(ln))
        if bad:
            typer.echo(t("{count} problem(s) in {files} file(s).", ln, count=count, files=bad), err=True)
            raise typer.Exit(2)

    @app.command("render", help=t("Render a programme or plan as the official document (DOCX, HTML or Markdown).", lang))
    def render(
        source: Annotated[str, typer.Argument(help=t("A file, or a stored/library id such as network-failure-2023-10-25[@1]", lang))],
        fmt: Annotated[str, typer.Option("--format", "-f", help="docx | html | md")] = "docx",
        out: Annotated[Path | None, typer.Option("--output", "-o", help=t("Output file", lang))] = None,
        lang_: LangOption = None,
        db: Annotated[str | None, typer.Option("--db", help=t("Database to read from", lang))] = None,
    ) -> None:
        from ccdrill.documents import render_plan, render_programme
        from ccdrill.domain.plan import Plan
        from ccdrill.domain.programme import Programme

        ln = resolve_lang(lang_, lang)
        if fmt not in ("docx", "html", "md"):
            fail(t("Unknown format {fmt}; expected one of: {formats}.", ln, fmt=fmt, formats="docx, html, md"))
        try:
            model = _load_source(source, db or _default_db())
            if isinstance(model, Programme):
                resolve = _plan_sources({}, db or _default_db())
                plans = {}
                for sc in model.scenarios:
                    data = resolve(sc.plan.id, sc.plan.version)
                    if data is not None:
                        plans[sc.plan.id] = Plan.model_validate(data)
                content = render_programme(model, plans, fmt, ln)
            elif isinstance(model, Plan):
                content = render_plan(model, fmt, ln)
            else:
                fail(t("Only plans and programmes can be rendered as documents.", ln))
        except CcdrillError as exc:
            fail(exc.message(ln))
        if out is None:
            if fmt == "docx":
                fail(t("A DOCX needs an output file: add -o FILE.docx", ln))
            sys.stdout.write(content.decode("utf-8"))
            return
        try:
            out.write_bytes(content)
        except OSError as exc:
            fail(t("Cannot write {file}: {reason}", ln, file=out, reason=exc.strerror or exc))
        typer.echo(t("Written: {file}", ln, file=out))

    library_app = typer.Typer(help=t("The built-in library of plans, programmes and centre models.", lang),
                              no_args_is_help=True)
    app.add_typer(library_app, name="library")

    @library_app.command("list", help=t("List the built-in library.", lang))
    def library_list(lang_: LangOption = None) -> None:
        from ccdrill.library import catalog

        ln = resolve_lang(lang_, lang)
        kinds = {"plan": t("plan", ln), "programme": t("programme", ln), "centre": t("centre", ln),
                 "effects": t("effects", ln), "rubric": t("rubric", ln)}

        def pad(text: str, width: int) -> str:  # CJK characters take two columns in a terminal
            used = sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)
            return text + " " * max(1, width - used)

        for entry in catalog.list_entries():
            title = entry.title.get(ln) or entry.title.get("zh") or ""
            typer.echo(pad(kinds.get(entry.kind, entry.kind), 12) + pad(entry.id, 30) + title)

    @library_app.command("export", help=t("Copy a library entry's YAML file into a folder, to adapt it.", lang))
    def library_export(
        entry_id: Annotated[str, typer.Argument(help=t("Library id, e.g. network-failure", lang))],
        out: Annotated[Path, typer.Option("--output", "-o", help=t("Folder to write into", lang))] = Path("."),
        lang_: LangOption = None,
    ) -> None:
        from ccdrill.library import catalog

        ln = resolve_lang(lang_, lang)
        ids = [e.id for e in catalog.list_entries()]
        if entry_id not in ids:
            fail(t("No library entry {id}. Available: {ids}", ln, id=entry_id, ids=", ".join(ids)))
        try:
            out.mkdir(parents=True, exist_ok=True)
            target = out / f"{entry_id}.yaml"
            target.write_text(catalog.read_text(entry_id), encoding="utf-8")
        except OSError as exc:
            fail(t("Cannot write {file}: {reason}", ln, file=out, reason=exc.strerror or exc))
        typer.echo(t("Written: {file}", ln, file=target))


def _load_source(source: str, db: str | None) -> Any:
    """A model from a file path, the database, or the library — in that order."""
    from ccdrill.domain.common import Ref
    from ccdrill.errors import NotFoundError
    from ccdrill.formats import load_document, parse_document
    from ccdrill.library import catalog

    path = Path(source)
    if path.suffix.lower() in (".yaml", ".yml") or path.exists():
        return load_document(path)
    try:
        ref = Ref.model_validate(source)
    except Exception:
        raise NotFoundError("Not found: {what}", what=source) from None
    if db:
        try:
            from ccdrill.store import documents
            from ccdrill.store.db import make_engine, session_factory

            with session_factory(make_engine(db))() as session:
                for getter in (documents.get_programme, documents.get_plan):
                    try:
                        return getter(session, ref.id, ref.version)
                    except NotFoundError:
                        continue
        except CcdrillError:
            raise
        except Exception:
            pass
    if ref.id in [e.id for e in catalog.list_entries()]:
        return parse_document(catalog.read_text(ref.id), filename=f"library:{ref.id}")
    raise NotFoundError("Not found: {what}", what=source)
