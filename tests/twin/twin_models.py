"""Small models shared by the twin tests."""

from pathlib import Path

import yaml

from ccdrill.twin.effects import EffectsFile, timeline
from ccdrill.twin.model import CentreModel

LIB = Path(__file__).resolve().parents[2] / "src" / "ccdrill" / "library"
DEMO = LIB / "centres" / "demo-centre.yaml"
NETWORK = LIB / "effects" / "network-failure-incident.yaml"


def demo() -> CentreModel:
    return CentreModel.model_validate(yaml.safe_load(DEMO.read_text(encoding="utf-8")))


def network_failure(model: CentreModel):
    ef = EffectsFile.model_validate(yaml.safe_load(NETWORK.read_text(encoding="utf-8")))
    return timeline(ef, model.horizon.start_min)


def single(rate: float, aht: float, agents: int, patience: float | None = None, hours: float = 8,
           warmup: float = 0, handle: str = "exponential", **extra) -> CentreModel:
    ch = {"arrivals_per_hour": rate, "handle_time": {"distribution": handle, "mean_s": aht}}
    if handle in ("lognormal", "gamma"):
        ch["handle_time"]["cv"] = 0.5
    if patience is not None:
        ch["patience"] = {"mean_s": patience}
    ch.update(extra)
    return CentreModel.model_validate({
        "horizon": {"start": "00:00", "hours": hours}, "warmup_minutes": warmup,
        "channels": {"phone": ch}, "agents": [{"group": "a", "count": agents, "channels": ["phone"]}]})
