"""The store's commands, driven in-process: import, list, show, diff; bad input writes nothing."""

from __future__ import annotations

import copy

import pytest
import yaml
from typer.testing import CliRunner

from ccdrill.cli import build_app
from ccdrill.store.db import make_engine, session_factory
from ccdrill.store.documents import list_plans, plan_versions


@pytest.fixture
def run(db_url):
    runner = CliRunner()

    def invoke(*args: str, lang: str = "en"):
        return runner.invoke(build_app(lang), [*args, "--db", db_url, "--lang", lang])

    return invoke


def _write(path, data) -> str:
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return str(path)


def _stored(db_url):
    engine = make_engine(db_url)
    try:
        with session_factory(engine)() as session:
            return [(r.id, r.version) for r in list_plans(session)], [
                v.version for v in plan_versions(session, "net-down")
            ]
    finally:
        engine.dispose()


def test_db_upgrade_reports_the_revision(run):
    result = run("db", "upgrade")
    assert result.exit_code == 0, result.output
    from ccdrill.store.db import head_revision

    assert f"is at revision {head_revision()}" in result.output


def test_import_list_show_and_diff_plans(run, tmp_path, plan_data, db_url):
    p1 = _write(tmp_path / "p1.yaml", plan_data)
    result = run("plan", "import", p1)
    assert result.exit_code == 0, result.output
    assert "stored net-down@1 (new version)" in result.output
    assert "net-down@1 unchanged" in run("plan", "import", p1).output

    new = copy.deepcopy(plan_data)
    new["steps"].insert(1, {"id": "notify", "title": {"zh": "通知", "en": "Notify"}, "role": "commander", "target_minutes": 3})
    new["steps"][0]["target_minutes"] = 7
    assert run("plan", "import", _write(tmp_path / "p2.yaml", new), "--note", "add notify").exit_code == 0
    assert _stored(db_url) == ([("net-down", 2)], [1, 2])

    listing = run("plan", "list")
    assert listing.exit_code == 0 and "net-down@2" in listing.output and "Network failure plan" in listing.output

    shown = run("plan", "show", "net-down@1", "--yaml")
    assert shown.exit_code == 0
    assert yaml.safe_load(shown.output)["version"] == 1
    assert "step notify: Notify (commander, 3 min)" in run("plan", "show", "net-down").output

    result = run("plan", "diff", "net-down@1", "net-down@2")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "net-down@1 → net-down@2: 2 change(s)"
    assert "~ changed steps[report].target_minutes: 5.0 → 7.0" in lines
    assert "+ added steps[notify]: notify Notify" in lines

    zh = run("plan", "diff", "net-down@1", "2", lang="zh")
    assert zh.exit_code == 0
    assert "+ 新增 steps[notify]：notify 通知" in zh.output.splitlines()


def test_a_missing_version_is_a_translated_message_and_exit_2(run, tmp_path, plan_data):
    run("plan", "import", _write(tmp_path / "p.yaml", plan_data))
    result = run("plan", "show", "net-down@4", lang="zh")
    assert result.exit_code == 2
    assert result.stderr.strip() == "预案 net-down 没有第 4 版；已存版本：net-down@1。"
    assert "Traceback" not in result.output
    assert run("plan", "diff", "net-down@1", "nope@1").exit_code == 2
    assert run("plan", "show", "Not A Ref").exit_code == 2


def test_a_multi_file_import_with_one_bad_file_writes_nothing(run, tmp_path, plan_data, db_url):
    good = _write(tmp_path / "good.yaml", plan_data)
    other = _write(tmp_path / "other.yaml", {**plan_data, "id": "other"})
    bad = tmp_path / "bad.yaml"
    bad.write_text("kind: plan\nid: broken\ntitle: [unclosed\n", encoding="utf-8")
    result = run("plan", "import", good, other, str(bad))
    assert result.exit_code == 2
    assert "bad.yaml:" in result.stderr and "Nothing was stored." in result.stderr
    assert _stored(db_url) == ([], [])


def test_a_conflicting_version_in_a_batch_rolls_the_whole_batch_back(run, tmp_path, plan_data, db_url):
    assert run("plan", "import", _write(tmp_path / "p.yaml", plan_data)).exit_code == 0
    other = _write(tmp_path / "other.yaml", {**plan_data, "id": "other"})
    clash = _write(tmp_path / "clash.yaml", {**plan_data, "version": 1, "scenario_type": "custom"})
    result = run("plan", "import", other, clash)
    assert result.exit_code == 2
    assert "Version 1 of net-down is already stored with different content" in result.stderr
    assert _stored(db_url) == ([("net-down", 1)], [1])


def test_a_programme_file_is_not_imported_as_a_plan(run, tmp_path, programme_data):
    result = run("plan", "import", _write(tmp_path / "g.yaml", programme_data))
    assert result.exit_code == 2
    assert "programme" in result.stderr


def test_programmes_import_against_the_stored_plans(run, tmp_path, plan_data, programme_data):
    g = _write(tmp_path / "g.yaml", programme_data)
    missing = run("programme", "import", g)
    assert missing.exit_code == 2  # its plan net-down@1 is not stored yet
    assert run("plan", "import", _write(tmp_path / "p.yaml", plan_data)).exit_code == 0
    result = run("programme", "import", g)
    assert result.exit_code == 0, result.output
    changed = {**programme_data, "location": {"zh": "二楼", "en": "2nd floor"}}
    assert run("programme", "import", _write(tmp_path / "g2.yaml", changed)).exit_code == 0
    listing = run("programme", "list")
    assert "net-drill@2" in listing.output
    diff = run("programme", "diff", "net-drill@1", "net-drill@2")
    assert diff.exit_code == 0
    assert "location.zh" in diff.output and "location.en" in diff.output
    assert "inject 2: Complaints" in run("programme", "show", "net-drill@2").output


def test_an_empty_database_lists_nothing(run):
    assert run("plan", "list").output.strip() == "No plan is stored yet."
    assert run("programme", "list", lang="zh").output.strip() == "尚未存储任何演练方案。"
