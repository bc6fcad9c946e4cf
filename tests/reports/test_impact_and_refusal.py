"""Customer impact (determinism, window figures) and refusals."""

from __future__ import annotations

import pytest

from ccdrill.errors import CcdrillError
from ccdrill.i18n import t
from ccdrill.reports import DrillNeverRan, build_report_data, render_report
from ccdrill.reports.impact import compute_impact

from .conftest import PROGRAMME, known_events, library, opening


def test_customer_impact_is_deterministic(report_data):
    programme, plans = library()
    again = build_report_data(programme, plans, known_events())
    assert again.impact == report_data.impact
    assert again.impact.intervals == report_data.impact.intervals


def test_impact_window_against_the_baseline(report_data):
    from ccdrill.domain.fold import fold
    from ccdrill.library import catalog
    from ccdrill.twin.kpis import compare_with_baseline

    im = report_data.impact
    assert (im.incident_start_s, im.incident_end_s, im.incident_end_source) == (600.0, 3000.0, "restoration")
    assert im.offset_s == 3600.0  # 09:00 drill start, 08:00 horizon start
    programme, plans = library()
    model = catalog.load("demo-centre", "centre")
    state = fold(programme, plans, known_events())
    direct = compare_with_baseline(model, [(s + 3600.0, e) for s, e in state.effect_timeline()], seed=0)
    L = 900.0
    rows = [r for r in direct["incident"]["intervals"] if r["start_s"] + L > 4200 and r["start_s"] < 6600]
    assert im.window_incident.offered == sum(r["offered"] for r in rows)
    assert im.window_incident.blocked == sum(r["blocked"] for r in rows) > 0
    assert im.window_incident.service_level < im.target <= im.window_baseline.service_level
    assert im.service_held is False
    assert im.time_to_recover_s is not None and im.time_to_recover_s >= 0
    assert [p.incident_sl for p in im.intervals] == [r["service_level"] for r in direct["incident"]["intervals"]]
    assert [p.baseline_sl for p in im.intervals] == [r["service_level"] for r in direct["baseline"]["intervals"]]


def test_a_channel_never_restored_is_named():
    from ccdrill.domain.fold import fold
    from ccdrill.library import catalog

    programme, plans = library()
    events = [e for e in known_events() if e.seq <= 12]  # up to switch-channels; the phone never comes back
    state = fold(programme, plans, events)
    im = compute_impact(state, catalog.load("demo-centre", "centre"))
    assert im.channels_still_down == ("phone",)
    assert im.incident_end_source == "drill_end"


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_drill_that_never_ran_is_refused(lang):
    programme, plans = library()
    created = opening().events
    with pytest.raises(DrillNeverRan) as exc:
        build_report_data(programme, plans, created, drill_id="12")
    msg = exc.value.message(lang)
    assert "12" in msg
    assert msg == t("The drill {drill} has never been started, so there is nothing to report yet.", lang, drill="12")
    if lang == "zh":
        assert "尚未开始" in msg
    with pytest.raises(CcdrillError):
        build_report_data(programme, plans, [], drill_id="12")


def test_without_a_centre_model_the_report_says_so():
    programme, plans = library()
    programme = programme.model_copy(update={"centre": None})
    data = build_report_data(programme, plans, known_events())
    assert data.impact is None
    html = render_report(data, "html", "zh").decode("utf-8")
    assert "未关联客服中心模型" in html


def test_given_actions_and_commendations_are_used():
    from datetime import date

    programme, plans = library()
    data = build_report_data(
        programme, plans, known_events(),
        actions=[{"id": "a1", "title": "备用路由器每月检查电量", "owner": "carol", "due": "2023-11-30",
                  "priority": "high", "status": "open"}],
        commendations=[{"suggestion_id": "fastest-report", "kind": "person", "person": "alice",
                        "reason": "首报最快", "confirmed_by": "erin"}],
        generated_on=date(2023, 10, 26))
    html = render_report(data, "html", "zh").decode("utf-8")
    assert "备用路由器每月检查电量" in html and "2023年11月30日" in html and "已确认（erin）" in html
    assert "2023年10月26日" in html


def test_cli_writes_a_report_and_refuses_a_drill_that_never_ran(tmp_path):
    from typer.testing import CliRunner

    from ccdrill.cli import build_app

    log = tmp_path / "drill.jsonl"
    log.write_text("".join(e.model_dump_json() + "\n" for e in known_events()), encoding="utf-8")
    never = tmp_path / "never.jsonl"
    never.write_text("".join(e.model_dump_json() + "\n" for e in opening().events), encoding="utf-8")
    out = tmp_path / "r.docx"
    runner = CliRunner()
    app = build_app("zh")
    res = runner.invoke(app, ["report", "--events", str(log), "--programme", PROGRAMME, "-o", str(out)])
    assert res.exit_code == 0, res.output
    assert out.read_bytes()[:2] == b"PK"
    res = runner.invoke(app, ["report", "--events", str(never), "--programme", PROGRAMME, "-o", str(out),
                              "--lang", "zh"])
    assert res.exit_code == 2
    assert "尚未开始" in res.output
    res = build_app("en")
    res = runner.invoke(res, ["report", "--events", str(never), "--programme", PROGRAMME, "--lang", "en"])
    assert res.exit_code == 2 and "never been started" in res.output
