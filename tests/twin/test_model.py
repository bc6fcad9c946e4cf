"""The centre model file: the demo, the JSON Schema, and bad models refused with clear messages."""

import ast
import inspect

import pytest
import yaml
from pydantic import ValidationError
from twin_models import DEMO, NETWORK, demo, network_failure

from ccdrill.i18n import catalogue
from ccdrill.twin import model as model_mod
from ccdrill.twin.effects import EffectsFile
from ccdrill.twin.engine import Simulation, SimulationError
from ccdrill.twin.model import CentreModel


def _base(**over):
    d = {"kind": "centre", "id": "t", "horizon": {"start": "08:00", "end": "16:00"},
         "channels": {"phone": {"arrivals_per_hour": 100, "handle_time": {"mean_s": 180}}},
         "agents": [{"group": "a", "count": 5, "channels": ["phone"]}]}
    d.update(over)
    return d


def _messages(data) -> list[str]:
    with pytest.raises(ValidationError) as exc:
        CentreModel.model_validate(data)
    return [e["msg"] for e in exc.value.errors()]


def test_demo_centre_and_network_failure_validate():
    m = demo()
    assert set(m.channels) == {"phone", "chat", "email"}
    assert len(m.agents) == 3 and any(len(a.channels) > 1 for a in m.agents)
    assert m.channels["phone"].name.zh == "电话"
    tl = network_failure(m)
    assert tl[0][0] == 2 * 3600  # 10:00 is two hours after 08:00
    types = {e.type for _, e in tl}
    assert {"channel_down", "channel_up", "redirect", "agents_join"} <= types
    assert DEMO.exists() and NETWORK.exists()


def test_json_schema_is_exported():
    schema = CentreModel.model_json_schema()
    assert schema["additionalProperties"] is False
    assert {"channels", "agents", "horizon", "service_level"} <= set(schema["properties"])
    assert EffectsFile.model_json_schema()["properties"]["effects"]


def test_default_shape_is_weinberg_brown_stroud():
    assert sum(model_mod.DEFAULT_SHAPE_PERCENT) == pytest.approx(99.9)
    m = CentreModel.model_validate(_base(channels={"phone": {"daily_volume": 1000, "shape": "default",
                                                             "handle_time": {"mean_s": 60}}}))
    seg, rates = m.rates("phone")
    assert seg == 3600 and rates[:2] == pytest.approx([59.0, 99.0])  # 08:00 5.9 %, 09:00 9.9 %


def test_unknown_channel_refused():
    msgs = _messages(_base(agents=[{"group": "a", "count": 5, "channels": ["phon"]}]))
    assert msgs == ["agent group a serves unknown channel phon"]


def test_extra_fields_refused():
    d = _base()
    d["agents"][0]["skill"] = 3
    assert any("Extra inputs" in m for m in _messages(d))


def test_profile_length_checked():
    d = _base(channels={"phone": {"profile": {"interval_minutes": 60, "rates": [10, 20]},
                                  "handle_time": {"mean_s": 60}}})
    assert _messages(d) == ["channel phone: the profile has 2 rates, the horizon needs 8"]


def test_shift_outside_the_horizon_refused():
    d = _base(agents=[{"group": "a", "count": 5, "channels": ["phone"], "shift": {"start": "17:00", "end": "20:00"}}])
    assert _messages(d) == ["the shift of agent group a lies outside the horizon"]
    d = _base(agents=[{"group": "a", "count": 5, "channels": ["phone"], "shift": {"start": "12:00", "end": "10:00"}}])
    assert _messages(d) == ["the shift of agent group a ends before it starts"]


@pytest.mark.parametrize("over, fragment", [
    ({"agents": [{"group": "a", "count": 10**9, "channels": ["phone"]}]}, "beyond the limit"),
    ({"horizon": {"start": "00:00", "hours": 1_000_000}}, "longer than the limit"),
    ({"channels": {"phone": {"arrivals_per_hour": 100, "handle_time": {"mean_s": 0}}}}, "mean_s must be between"),
    ({"channels": {"phone": {"arrivals_per_hour": 9_000_000, "handle_time": {"mean_s": 60}}},
      "horizon": {"start": "00:00", "hours": 24}}, "customers a day is beyond the limit"),
])
def test_absurd_sizes_refused_before_any_memory(over, fragment):
    msgs = _messages(_base(**over))
    assert any(fragment in m for m in msgs), msgs


def test_simulation_refuses_unvalidated_absurd_models():
    good = CentreModel.model_validate(_base())
    bad = good.model_copy(update={"agents": [good.agents[0].model_copy(update={"count": 10**9})]})
    with pytest.raises(SimulationError, match="beyond the limit"):
        Simulation(bad, 1)


def test_every_model_message_is_translated():
    src = inspect.getsource(model_mod)
    ids = [n.args[1].value for n in ast.walk(ast.parse(src))
           if isinstance(n, ast.Call) and getattr(n.func, "id", "") == "PydanticCustomError" and len(n.args) > 1]
    zh = catalogue("zh")
    missing = [i for i in ids if i not in zh]
    assert ids and not missing, missing


def test_yaml_of_demo_has_bilingual_names():
    data = yaml.safe_load(DEMO.read_text(encoding="utf-8"))
    for ch in data["channels"].values():
        assert set(ch["name"]) == {"zh", "en"}
