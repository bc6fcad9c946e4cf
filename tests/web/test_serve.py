"""``ccdrill demo`` and ``ccdrill serve``: migrate, load the library, tell the user where to go."""

from __future__ import annotations

from typer.testing import CliRunner


def _run(monkeypatch, args, lang="zh"):
    from ccdrill.cli import build_app
    from ccdrill.cli import serve as serve_cli

    served = []
    monkeypatch.setattr(serve_cli, "_serve", lambda url, host, port, lang: served.append((url, host, port)))
    result = CliRunner().invoke(build_app(lang), args)
    return result, served


def test_demo_migrates_loads_the_library_and_prints_the_url_in_both_languages(monkeypatch, tmp_path):
    db = tmp_path / "demo.db"
    result, served = _run(monkeypatch, ["demo", "--db", str(db), "--port", "8765"])
    assert result.exit_code == 0, result.output
    assert "http://127.0.0.1:8765/" in result.output
    assert "请在浏览器中打开" in result.output and "open in your browser" in result.output
    assert "commander" in result.output and "demo1234" in result.output  # the demo accounts
    assert served and served[0][2] == 8765
    assert db.exists()


def test_demo_is_idempotent(monkeypatch, tmp_path):
    db = tmp_path / "demo.db"
    _run(monkeypatch, ["demo", "--db", str(db)])
    result, _ = _run(monkeypatch, ["demo", "--db", str(db)], lang="en")
    assert result.exit_code == 0, result.output
    assert "(0 new)" in result.output


def test_serve_migrates_the_database_it_is_given(monkeypatch, tmp_path):
    from ccdrill.store.db import current_revision, head_revision, make_engine

    db = tmp_path / "serve.db"
    result, served = _run(monkeypatch, ["serve", "--db", f"sqlite:///{db}", "--port", "8001"])
    assert result.exit_code == 0, result.output
    engine = make_engine(f"sqlite:///{db}")
    assert current_revision(engine) == head_revision()
    engine.dispose()
    assert served[0][1:] == ("127.0.0.1", 8001)


def test_serve_with_an_unreachable_database_says_so_without_a_traceback(monkeypatch, tmp_path):
    result, served = _run(monkeypatch, ["serve", "--db", "postgresql://nobody@127.0.0.1:1/none"], lang="en")
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    assert not served
