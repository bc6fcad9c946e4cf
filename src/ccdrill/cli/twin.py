"""``ccdrill simulate`` and ``ccdrill erlang``: the contact-centre twin from the command line."""


import json
import math
import sys
from pathlib import Path
from typing import Annotated

import typer

from ccdrill.i18n import t


class TwinInputError(Exception):
    """A model or effects file that cannot be used; ``lines`` are the translated messages."""

    def __init__(self, lines: list[str]) -> None:
        super().__init__("\n".join(lines))
        self.lines = lines


def _validate(kind: str, path: Path, lang: str):
    """The shared located loader: every problem as ``file:line:column: field.path: message``."""
    from ccdrill.errors import InvalidInput
    from ccdrill.formats import load_document

    try:
        return load_document(path, expected_kind=kind)
    except InvalidInput as exc:
        raise TwinInputError([p.format(lang) for p in exc.problems]) from None


def load_centre(path: Path | str, lang: str = "en"):
    """Read and validate a centre model file (``kind: centre``); raises :class:`TwinInputError`.

    The one place that loads a model, through the shared located loader (``ccdrill.formats``)."""
    return _validate("centre", Path(path), lang)


def load_effects(path: Path | str, lang: str = "en"):
    """Read and validate an effects file (``kind: effects``)."""
    return _validate("effects", Path(path), lang)


# ---- output -------------------------------------------------------------------------------------
def _fmt(x, pct: bool = False, digits: int = 1) -> str:
    if x is None or (isinstance(x, float) and not math.isfinite(x)):
        return "—"
    return f"{100 * x:.{digits}f} %" if pct else f"{x:,.{digits}f}"


def _print_summary(res: dict, model, lang: str, effects_name: str | None) -> None:
    k = res["kpis"]
    name = model.name.text(lang) if model.name else model.id
    typer.echo(t("Centre: {name}", lang, name=name))
    if effects_name:
        typer.echo(t("Effects: {name}", lang, name=effects_name))
    typer.echo(t("Replications: {n}", lang, n=res["replications"]))
    rows = [
        (t("Service level", lang), k["service_level"], True),
        (t("Abandon rate", lang), k["abandon_rate"], True),
        (t("ASA (s)", lang), k["asa_s"], False),
        (t("Offered", lang), k["offered"], False),
        (t("Answered", lang), k["answered"], False),
        (t("Abandoned", lang), k["abandoned"], False),
        (t("Blocked", lang), k["blocked"], False),
        (t("Max queue", lang), k["max_queue"], False),
        (t("Occupancy", lang), k["occupancy"], True),
    ]
    if effects_name:
        rows.append((t("Customers affected", lang), k["customers_affected"], False))
        rows.append((t("Time to recover (min)", lang),
                     {kk: (v / 60 if isinstance(v, float) else v) for kk, v in k["time_to_recover_s"].items()},
                     False))
    for label, s, pct in rows:
        if res["replications"] > 1:
            typer.echo(f"  {label}: {_fmt(s['mean'], pct)}  "
                       + t("(95% CI {low} – {high})", lang, low=_fmt(s["ci95_low"], pct),
                           high=_fmt(s["ci95_high"], pct)))
        else:
            typer.echo(f"  {label}: {_fmt(s['mean'], pct)}")
    typer.echo(t("P(service level ≥ target {target}): {p}", lang, target=_fmt(res["service_level_target"], True, 0),
                 p=_fmt(res["p_service_level_met"], True)))
    for ch, v in res["channels"].items():
        label = model.channels[ch].name.text(lang) if model.channels[ch].name else ch
        typer.echo("  " + t("{channel}: service level {sl}, abandon rate {ab}, offered {off}", lang, channel=label,
                            sl=_fmt(v["service_level"]["mean"], True), ab=_fmt(v["abandon_rate"]["mean"], True),
                            off=_fmt(v["offered"]["mean"], False, 0)))


def plot(res: dict, out: Path, lang: str, title: str) -> None:
    """Service level and queue over the day, baseline against incident; CJK labels with the bundled font."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib import font_manager

    font = None
    try:
        import mplfonts

        path = Path(mplfonts.__file__).parent / "fonts" / "NotoSansCJKsc-Regular.otf"
        if path.exists():
            font_manager.fontManager.addfont(str(path))
            font = font_manager.FontProperties(fname=str(path)).get_name()
    except ImportError:  # pragma: no cover
        pass
    rc = {"font.family": [font, "DejaVu Sans"] if font else ["DejaVu Sans"], "axes.unicode_minus": False}
    with plt.rc_context(rc):
        ivs = res["intervals"]
        x = list(range(len(ivs)))
        labels = [r["start"] for r in ivs]
        fig, (a1, a2) = plt.subplots(2, 1, figsize=(10, 6.5), sharex=True)

        def series(key):
            return [(r[key]["mean"] if key in r and r[key]["mean"] is not None else float("nan")) for r in ivs]

        has_base = "baseline_service_level" in ivs[0]
        sl = [v * 100 for v in series("service_level")]
        a1.plot(x, sl, color="#c0392b", label=t("Incident", lang) if has_base else t("Simulated", lang))
        if has_base:
            a1.plot(x, [v * 100 for v in series("baseline_service_level")], color="#2c7fb8", ls="--",
                    label=t("Baseline (no incident)", lang))
        a1.axhline(res["service_level_target"] * 100, color="grey", lw=0.8, ls=":", label=t("Target", lang))
        a1.set_ylabel(t("Service level (%)", lang))
        a1.set_ylim(0, 105)
        a1.legend(loc="lower left")
        a1.set_title(title)
        a2.plot(x, series("mean_queue"), color="#c0392b", label=t("Incident", lang) if has_base
                else t("Simulated", lang))
        if has_base:
            a2.plot(x, series("baseline_mean_queue"), color="#2c7fb8", ls="--", label=t("Baseline (no incident)", lang))
        a2.set_ylabel(t("Mean queue (customers)", lang))
        a2.set_xlabel(t("Time of day", lang))
        step = max(1, len(x) // 10)
        a2.set_xticks(x[::step])
        a2.set_xticklabels(labels[::step])
        a2.legend(loc="upper right")
        fig.tight_layout()
        fig.savefig(out, dpi=110)
        plt.close(fig)


def _progress(lang: str, enabled: bool):
    if not enabled:
        return None
    label = t("Simulating", lang)

    def cb(done: int, total: int) -> None:
        width = 30
        fill = int(width * done / total)
        sys.stderr.write(f"\r{label} [{'#' * fill}{'.' * (width - fill)}] {done}/{total}")
        if done >= total:
            sys.stderr.write("\n")
        sys.stderr.flush()

    return cb


def register(app: typer.Typer, lang: str) -> None:
    @app.command("simulate", help=t("Simulate a contact centre model, optionally through an incident's effects.",
                                     lang))
    def simulate(
        model_file: Annotated[Path, typer.Argument(help=t("Centre model YAML file.", lang), metavar="MODEL.yaml")],
        effects: Annotated[Path | None, typer.Option("--effects", help=t("Effects YAML file (an incident).",
                                                                         lang))] = None,
        replications: Annotated[int, typer.Option("--replications", "-n",
                                                  help=t("Number of replications.", lang))] = 1,
        seed: Annotated[int, typer.Option("--seed", help=t("Root random seed.", lang))] = 0,
        engine: Annotated[str, typer.Option("--engine", help=t("Where to run: local or dask.", lang))] = "local",
        dask_address: Annotated[str | None, typer.Option("--dask-address",
                                                         help=t("Dask scheduler address (tcp://…).", lang))] = None,
        workers: Annotated[int | None, typer.Option("--workers", help=t("Local worker processes.", lang))] = None,
        as_json: Annotated[bool, typer.Option("--json", help=t("Print one JSON object.", lang))] = False,
        plot_out: Annotated[Path | None, typer.Option("--plot", help=t("Write a PNG chart of the day.",
                                                                       lang))] = None,
        lang_opt: Annotated[str | None, typer.Option("--lang", help=t("Language: zh or en.", lang))] = None,
    ) -> None:
        from ccdrill.twin.effects import timeline
        from ccdrill.twin.engine import SimulationError
        from ccdrill.twin.montecarlo import run_montecarlo

        try:
            if engine not in ("local", "dask"):
                raise TwinInputError([t("unknown engine {engine}: use local or dask", lang, engine=engine)])
            if engine == "dask" and not dask_address:
                raise TwinInputError([t("--engine dask needs --dask-address", lang)])
            if not (1 <= replications <= 1_000_000):
                raise TwinInputError([t("replications must be between 1 and {limit}", lang, limit=1_000_000)])
            model = load_centre(model_file, lang)
            tl = []
            eff_name = None
            if effects is not None:
                ef = load_effects(effects, lang)
                eff_name = (ef.name or {}).get(lang) or ef.id
                try:
                    tl = timeline(ef, model.horizon.start_min)
                except ValueError:
                    raise TwinInputError([f"{effects}: " + t("an effect is timed before the horizon starts",
                                                             lang)]) from None
                # check the effects against the model once, before spending time
                from ccdrill.twin.engine import Simulation

                probe = Simulation(model, 0)
                for at, e in tl:
                    probe.apply(e, at=at)
            res = run_montecarlo(model, tl, replications=replications, seed=seed, engine=engine,
                                 address=dask_address, workers=workers,
                                 progress=_progress(lang, replications > 1 and sys.stderr.isatty() or replications >= 20))
        except TwinInputError as exc:
            for line in exc.lines:
                typer.echo(line, err=True)
            raise typer.Exit(2) from None
        except SimulationError as exc:
            typer.echo(t(exc.msgid, lang, **exc.params), err=True)
            raise typer.Exit(2) from None
        if plot_out is not None:
            title = (model.name.text(lang) if model.name else model.id) + (f" — {eff_name}" if eff_name else "")
            plot(res, plot_out, lang, title)
        if as_json:
            out = dict(res)
            out["seed"] = seed
            out["model"] = model.id
            out["effects"] = eff_name
            typer.echo(json.dumps(_json_safe(out), ensure_ascii=False, allow_nan=False, default=str))
        else:
            _print_summary(res, model, lang, eff_name)
            if plot_out is not None:
                typer.echo(t("Chart written to {path}", lang, path=plot_out))

    @app.command("erlang", help=t("Erlang C and Erlang A figures and the agents needed for a target.", lang))
    def erlang(
        calls_per_hour: Annotated[float, typer.Option("--calls-per-hour", help=t("Arrivals per hour.", lang))],
        aht_s: Annotated[float, typer.Option("--aht-s", help=t("Average handle time in seconds.", lang))],
        agents: Annotated[int | None, typer.Option("--agents", help=t("Number of agents.", lang))] = None,
        patience_s: Annotated[float | None, typer.Option("--patience-s",
                                                         help=t("Mean patience in seconds (Erlang A).", lang))] = None,
        threshold_s: Annotated[float, typer.Option("--threshold-s",
                                                   help=t("Service-level threshold in seconds.", lang))] = 20.0,
        target: Annotated[float, typer.Option("--target", help=t("Service-level target (0–1).", lang))] = 0.8,
        as_json: Annotated[bool, typer.Option("--json", help=t("Print one JSON object.", lang))] = False,
        lang_opt: Annotated[str | None, typer.Option("--lang", help=t("Language: zh or en.", lang))] = None,
    ) -> None:
        from ccdrill.twin import erlang as er

        try:
            if calls_per_hour < 0 or aht_s <= 0 or (patience_s is not None and patience_s <= 0) \
                    or not (0 < target < 1) or threshold_s < 0 or (agents is not None and agents < 1):
                raise ValueError
            needed_c = er.agents_needed(calls_per_hour, aht_s, target=target, threshold_s=threshold_s)
            needed_a = (er.agents_needed(calls_per_hour, aht_s, target=target, threshold_s=threshold_s,
                                         patience_s=patience_s) if patience_s else None)
            n = agents or needed_c
            c = er.erlang_c_metrics(calls_per_hour, aht_s, n, threshold_s)
            a = er.erlang_a_metrics(calls_per_hour, aht_s, n, patience_s, threshold_s) if patience_s else None
        except ValueError:
            typer.echo(t("invalid figures: calls per hour ≥ 0, handle time and patience > 0, "
                         "0 < target < 1, agents ≥ 1", lang), err=True)
            raise typer.Exit(2) from None
        if as_json:
            out = {"agents": n, "load_erlangs": c.load_erlangs, "erlang_c": _clean(c.as_dict()),
                   "erlang_a": _clean(a.as_dict()) if a else None,
                   "agents_needed": {"erlang_c": needed_c, "erlang_a": needed_a}, "target": target,
                   "threshold_s": threshold_s}
            typer.echo(json.dumps(out, ensure_ascii=False))
            return
        typer.echo(t("Offered load: {a} erlangs, {n} agents", lang, a=_fmt(c.load_erlangs, False, 2), n=n))
        for label, r in ((t("Erlang C (no abandonment)", lang), c), (t("Erlang A (abandonment)", lang), a)):
            if r is None:
                continue
            typer.echo(label)
            if r.model != "A" and c.load_erlangs >= n:
                typer.echo("  " + t("Overloaded: {a} erlangs of work for {n} agents — without abandonment the queue "
                                    "grows without limit and callers wait ever longer.", lang,
                                    a=_fmt(c.load_erlangs, False, 2), n=n))
                continue
            typer.echo("  " + t("Probability of waiting: {p}", lang, p=_fmt(r.p_wait, True, 2)))
            typer.echo("  " + t("Service level ({s} s): {p}", lang, s=_fmt(threshold_s, False, 0),
                                p=_fmt(r.service_level, True, 2)))
            typer.echo("  " + t("ASA: {s} s", lang, s=_fmt(r.asa_s, False, 2)))
            if r.model == "A":
                typer.echo("  " + t("Probability of abandoning: {p}", lang, p=_fmt(r.p_abandon, True, 2)))
            typer.echo("  " + t("Occupancy: {p}", lang, p=_fmt(r.occupancy, True, 1)))
        typer.echo(t("Agents needed (Erlang C) for {target} within {s} s: {n}", lang,
                     target=_fmt(target, True, 0), s=_fmt(threshold_s, False, 0), n=needed_c))
        if needed_a is not None:
            typer.echo(t("Agents needed (Erlang A) for {target} within {s} s: {n}", lang,
                         target=_fmt(target, True, 0), s=_fmt(threshold_s, False, 0), n=needed_a))


def _json_safe(x):
    """Non-finite floats → None, recursively (JSON has no NaN or infinity)."""
    if isinstance(x, float):
        return x if math.isfinite(x) else None
    if isinstance(x, dict):
        return {k: _json_safe(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [_json_safe(v) for v in x]
    return x


def _clean(d: dict) -> dict:
    return {k: (None if isinstance(v, float) and not math.isfinite(v) else v) for k, v in d.items()}
