"""The documentation a newcomer reads matches the product: schemas current, every command described."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer

from ccdrill.cli import build_app
from ccdrill.formats import KINDS, model_class

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_published_json_schemas_are_current(kind):
    published = json.loads((ROOT / "docs" / "schemas" / f"{kind}.schema.json").read_text(encoding="utf-8"))
    assert published == model_class(kind).model_json_schema(by_alias=True), (
        f"regenerate with: ccdrill schema {kind} > docs/schemas/{kind}.schema.json"
    )


def _commands(app: typer.Typer, prefix: str = "") -> list[str]:
    names = [f"{prefix}{c.name or c.callback.__name__}" for c in app.registered_commands]
    for group in app.registered_groups:
        names += _commands(group.typer_instance, f"{prefix}{group.name} ")
    return names


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_every_cli_command_is_in_the_cli_reference(lang):
    text = (ROOT / "docs" / lang / "cli.md").read_text(encoding="utf-8")
    missing = [c for c in _commands(build_app(lang)) if f"ccdrill {c}" not in text]
    assert not missing, f"docs/{lang}/cli.md does not describe: {missing}"


def test_readme_opens_with_the_two_commands():
    head = "\n".join((ROOT / "README.md").read_text(encoding="utf-8").splitlines()[:12])
    assert "make demo" in head and "make test" in head
