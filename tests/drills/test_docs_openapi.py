"""The automation API is in the OpenAPI document with bearer tokens; the docs name every drill and user
command option, in both languages."""

from __future__ import annotations

from pathlib import Path

import pytest
import typer

from ccdrill.cli import build_app

DOCS = Path(__file__).resolve().parents[2] / "docs"


def test_the_drill_api_is_in_the_openapi_document_with_bearer_tokens(client):
    doc = client.get("/openapi.json").json()
    paths = doc["paths"]
    for path in ("/api/v1/auth/token", "/api/v1/drills", "/api/v1/drills/{drill_id}",
                 "/api/v1/drills/{drill_id}/start", "/api/v1/drills/{drill_id}/pause",
                 "/api/v1/drills/{drill_id}/resume", "/api/v1/drills/{drill_id}/end",
                 "/api/v1/drills/{drill_id}/events", "/api/v1/drills/{drill_id}/stream",
                 "/api/v1/drills/{drill_id}/photos"):
        assert path in paths, path
    assert doc["components"]["securitySchemes"]["HTTPBearer"]["scheme"] == "bearer"
    post = paths["/api/v1/drills/{drill_id}/events"]["post"]
    assert any(p["name"] == "Idempotency-Key" for p in post["parameters"])
    assert "multipart/form-data" in paths["/api/v1/drills/{drill_id}/photos"]["post"]["requestBody"]["content"]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_user_and_drill_command_option_is_documented(lang):
    text = (DOCS / lang / "drills.md").read_text(encoding="utf-8")
    root = typer.main.get_command(build_app("en"))
    for group in ("user", "drill"):
        for name, command in root.commands[group].commands.items():
            assert f"ccdrill {group} {name}" in text
            for param in command.params:
                for opt in param.opts:
                    if opt.startswith("--") and opt != "--help":
                        assert opt in text, f"{group} {name} {opt}"


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_api_doc_names_every_drill_route(lang, app):
    text = (DOCS / lang / "api.md").read_text(encoding="utf-8")
    for route in app.routes:
        path = getattr(route, "path", "")
        if path.startswith("/api/v1/") and ("drills" in path or "auth" in path or path == "/api/v1/me"):
            short = path.replace("{drill_id}", "{id}")
            tail = short.rsplit("/", 1)[-1]
            assert short in text or f"`{tail}`" in text, path
