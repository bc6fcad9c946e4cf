"""``ccdrill report DRILL --db URL``: a drill stored with its log, read back through the drill store."""

from __future__ import annotations

import io

import pytest

from .conftest import PROGRAMME, P, known_events, opening


def _store_drill(engine, events) -> int:
    from ccdrill.store import documents as docs
    from ccdrill.store import drills
    from ccdrill.store.db import unit_of_work

    with unit_of_work(engine) as session:
        docs.load_library(session)
        drill_id = drills.create_drill(
            session, programme_id=PROGRAMME, programme_version=1, plan_refs={P: f"{P}@1"},
            centre_id="demo-centre", centre_version=None, speed=1.0, seed=0, date=None, created_by="erin",
            assignments={"commander": ["erin"], "agent": ["alice"]})
        for e in events:
            drills.append_event(session, drill_id, e)
    return drill_id


def test_report_of_a_stored_drill(sqlite_engine, sqlite_url, tmp_path):
    pytest.importorskip("ccdrill.store.drills")
    from docx import Document
    from typer.testing import CliRunner

    from ccdrill.cli import build_app
    from ccdrill.reports import build_report_data
    from ccdrill.reports.gather import load_drill_inputs
    from ccdrill.store.db import unit_of_work

    ran = _store_drill(sqlite_engine, known_events())
    never = _store_drill(sqlite_engine, opening().events)
    with unit_of_work(sqlite_engine) as session:
        inputs = load_drill_inputs(session, ran)
    data = build_report_data(inputs.programme, inputs.plans, inputs.events, centre=inputs.centre, seed=inputs.seed)
    assert data.impact is not None and data.impact.customers_affected > 0

    out = tmp_path / "r.docx"
    runner = CliRunner()
    res = runner.invoke(build_app("zh"), ["report", str(ran), "--db", sqlite_url, "-o", str(out)])
    assert res.exit_code == 0, res.output
    text = "\n".join(p.text for p in Document(io.BytesIO(out.read_bytes())).paragraphs)
    assert str(data.impact.customers_affected) in text
    res = runner.invoke(build_app("zh"), ["report", str(never), "--db", sqlite_url, "-o", str(out)])
    assert res.exit_code == 2 and "尚未开始" in res.output
    res = runner.invoke(build_app("en"), ["report", "999", "--db", sqlite_url, "--lang", "en"])
    assert res.exit_code == 2
