"""``ccdrill simulate`` and ``ccdrill erlang``."""

import json

from twin_models import DEMO, NETWORK
from typer.testing import CliRunner

from ccdrill.cli import build_app

runner = CliRunner()


def _run(args, lang="en"):
    return runner.invoke(build_app(lang), args)


def test_simulate_json_with_effects(tmp_path):
    png = tmp_path / "day.png"
    r = _run(["simulate", str(DEMO), "--effects", str(NETWORK), "--replications", "2", "--seed", "3",
              "--workers", "1", "--json", "--plot", str(png)])
    assert r.exit_code == 0, r.output
    out = json.loads(r.stdout)
    assert out["replications"] == 2
    for k in ("service_level", "abandon_rate", "asa_s", "offered", "answered", "abandoned", "blocked",
              "max_queue", "customers_affected"):
        assert {"mean", "ci95_low", "ci95_high"} <= set(out["kpis"][k])
    assert set(out["channels"]) == {"phone", "chat", "email"}
    assert len(out["intervals"]) == 40
    assert png.exists() and png.stat().st_size > 10_000


def test_simulate_text_in_chinese():
    r = _run(["simulate", str(DEMO), "--workers", "1"], lang="zh")
    assert r.exit_code == 0, r.output
    assert "服务水平" in r.stdout and "电话" in r.stdout


def test_bad_model_gives_located_messages_and_exit_2(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("kind: centre\nchannels:\n  phone: {arrivals_per_hour: 10, handle_time: {mean_s: 0}}\n"
                   "agents:\n  - {group: a, count: 1000000000, channels: [phone]}\n", encoding="utf-8")
    r = _run(["simulate", str(bad)], lang="zh")
    assert r.exit_code == 2
    assert "Traceback" not in r.output
    assert f"{bad}:5:23: agents.0.count: 单个坐席组 1000000000 人超过上限 100000" in r.output
    assert f"{bad}:3:47: channels.phone.handle_time" in r.output
    broken = tmp_path / "broken.yaml"
    broken.write_text("kind: centre\nchannels: [\n", encoding="utf-8")
    r = _run(["simulate", str(broken)])
    assert r.exit_code == 2 and f"{broken}:3:1: YAML syntax error" in r.output
    r = _run(["simulate", str(tmp_path / "missing.yaml")])
    assert r.exit_code == 2 and "File not found" in r.output


def test_bad_effects_refused(tmp_path):
    eff = tmp_path / "e.yaml"
    eff.write_text("kind: effects\nid: x\neffects:\n  - {at: '10:00', type: channel_down, channel: fax}\n",
                   encoding="utf-8")
    r = _run(["simulate", str(DEMO), "--effects", str(eff)])
    assert r.exit_code == 2 and "unknown channel fax" in r.output


def test_erlang_command():
    r = _run(["erlang", "--calls-per-hour", "200", "--aht-s", "180", "--agents", "14", "--json"])
    assert r.exit_code == 0, r.output
    out = json.loads(r.stdout)
    assert round(out["erlang_c"]["p_wait"], 4) == 0.1741
    assert round(out["erlang_c"]["service_level"], 4) == 0.8884
    assert out["agents_needed"]["erlang_c"] == 14
    r = _run(["erlang", "--calls-per-hour", "1800", "--aht-s", "180", "--patience-s", "120"], lang="zh")
    assert r.exit_code == 0 and "所需坐席" in r.stdout and "Erlang A" in r.stdout
    r = _run(["erlang", "--calls-per-hour", "100", "--aht-s", "0"])
    assert r.exit_code == 2


def test_erlang_says_when_the_centre_is_overloaded():
    """More work than agents: Erlang C has no steady state, so the CLI says so instead of printing 100 %."""
    r = _run(["erlang", "--calls-per-hour", "200", "--aht-s", "180", "--agents", "9"], lang="en")
    assert r.exit_code == 0 and "Overloaded: 10.00 erlangs of work for 9 agents" in r.output
    assert "Agents needed (Erlang C) for 80 % within 20 s: 14" in r.output
