"""docs/{zh,en}/cli-store.md name every store command and option."""

from __future__ import annotations

from pathlib import Path

import pytest
import typer

from ccdrill.cli import build_app

DOCS = Path(__file__).resolve().parents[2] / "docs"


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_store_command_and_option_is_documented(lang):
    text = (DOCS / lang / "cli-store.md").read_text(encoding="utf-8")
    root = typer.main.get_command(build_app("en"))
    for group in ("db", "plan", "programme"):
        for name, command in root.commands[group].commands.items():
            assert f"{name}" in text, f"{group} {name}"
            if group != "programme":
                assert f"ccdrill {group} {name}" in text, f"ccdrill {group} {name}"
            for param in command.params:
                for opt in param.opts:
                    if opt.startswith("--") and opt != "--help":
                        assert opt in text, f"{group} {name} {opt}"
