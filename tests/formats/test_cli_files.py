"""The file commands: what a planner types, what they see, what the exit code says."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from ccdrill.cli import build_app

from .test_validate import PLAN, PROGRAMME

runner = CliRunner()


def run(*args: str, lang: str = "en"):
    return runner.invoke(build_app(lang), list(args))


def test_validate_clean_files_exits_zero(tmp_path):
    (tmp_path / "p.yaml").write_text(PLAN, encoding="utf-8")
    (tmp_path / "g.yaml").write_text(PROGRAMME, encoding="utf-8")
    res = run("validate", str(tmp_path / "p.yaml"), str(tmp_path / "g.yaml"))
    assert res.exit_code == 0, res.output
    assert res.output.count("OK") == 2


def test_validate_reports_every_problem_of_every_file_and_exits_two(tmp_path):
    bad_plan = tmp_path / "p.yaml"
    bad_plan.write_text(PLAN.replace("role: commander", "role: boss") + "colour: red\n", encoding="utf-8")
    bad_prog = tmp_path / "g.yaml"
    bad_prog.write_text(PROGRAMME.replace("to: [agent]", "to: [agnet]"), encoding="utf-8")
    res = run("validate", str(bad_plan), str(bad_prog), "--lang", "zh")
    assert res.exit_code == 2
    lines = [ln for ln in res.stdout.splitlines() if ln]
    assert any(ln.startswith(f"{bad_plan}:14:39: steps.1.role: 角色 boss") for ln in lines)
    assert any(ln.startswith(f"{bad_plan}:15:1: colour: 未知的键") for ln in lines)
    assert any(ln.startswith(f"{bad_prog}:") and "injects.0.to.0" in ln and "agnet" in ln for ln in lines)
    assert "Traceback" not in res.output


def test_validate_missing_file_is_a_message_not_a_traceback(tmp_path):
    res = run("validate", str(tmp_path / "nope.yaml"))
    assert res.exit_code == 2 and "File not found" in res.output and "Traceback" not in res.output


def test_schema_prints_json_schema_for_each_kind():
    for kind in ("plan", "programme"):
        res = run("schema", kind)
        assert res.exit_code == 0, res.output
        schema = json.loads(res.stdout)
        assert "steps" in schema["properties"] or "injects" in schema["properties"]
    assert run("schema", "rocket").exit_code == 2
