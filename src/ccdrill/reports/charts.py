"""Charts of the summary report as PNG bytes (matplotlib, Agg, no pyplot state).

Chinese labels are drawn with the Noto Sans CJK SC font that the ``mplfonts`` package ships
(a dependency of ccdrill), so the charts look the same on any machine.  The font is registered
with matplotlib's font manager the first time a chart is drawn; rc settings are only changed
inside a ``rc_context`` around each figure, never globally.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

from ccdrill.i18n import t

DPI = 150
# colours that survive a black-and-white print (distinct lightness) and colour-blind readers
C_BASE = "#7f7f7f"
C_DRILL = "#c0392b"
C_ONTIME = "#2e7d32"
C_LATE = "#e69500"
C_MISSED = "#c0392b"
C_TARGET = "#1f4e79"
C_WINDOW = "#fbe3d6"


@lru_cache(maxsize=1)
def cjk_font_path() -> Path | None:
    """The Noto Sans CJK SC font file shipped by ``mplfonts`` (else any CJK font it ships)."""
    try:
        import mplfonts
    except ImportError:  # pragma: no cover - a declared dependency
        return None
    folder = Path(mplfonts.__file__).parent / "fonts"
    for name in ("NotoSansCJKsc-Regular.otf", "SourceHanSansSC-Regular.otf", "SimHei.ttf"):
        if (folder / name).is_file():
            return folder / name
    found = sorted(folder.glob("*.[ot]tf"))
    return found[0] if found else None


@lru_cache(maxsize=1)
def _font_family() -> list[str]:
    from matplotlib import font_manager

    path = cjk_font_path()
    if path is None:  # pragma: no cover
        return ["DejaVu Sans"]
    font_manager.fontManager.addfont(str(path))
    name = font_manager.FontProperties(fname=str(path)).get_name()
    return [name, "DejaVu Sans"]


def _rc() -> dict:
    return {"font.family": "sans-serif", "font.sans-serif": _font_family(), "axes.unicode_minus": False,
            "font.size": 10, "axes.titlesize": 11, "axes.labelsize": 10, "legend.fontsize": 9,
            "xtick.labelsize": 9, "ytick.labelsize": 9, "svg.fonttype": "none"}


def _figure(width_in: float, height_in: float):
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width_in, height_in), dpi=DPI, layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def _png(fig) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=DPI, metadata={"Software": None}, bbox_inches="tight", pad_inches=0.08)
    return buf.getvalue()


def _clock(start_minutes: int, drill_s: float) -> str:
    m = int(round(start_minutes + drill_s / 60.0))
    return f"{(m // 60) % 24:02d}:{m % 60:02d}"


def _time_axis(ax, start_minutes: int, lo: float, hi: float, step_s: float | None = None) -> None:
    span = max(hi - lo, 60.0)
    if step_s is None:
        step_s = next(s for s in (300, 600, 900, 1800, 3600, 7200, 14400) if span / s <= 10)
    first = (lo // step_s) * step_s
    ticks = []
    x = first
    while x <= hi + 1e-6:
        if x >= lo - 1e-6:
            ticks.append(x)
        x += step_s
    ax.set_xticks(ticks)
    ax.set_xticklabels([_clock(start_minutes, x) for x in ticks])
    ax.set_xlim(lo, hi)


# ---- timeline (Gantt) ----------------------------------------------------------------------------
def timeline_chart(data, lang: str) -> bytes:
    """Every step of every scenario: target window (outline) against when it was really done (bar);
    incident, first report, activation and restoration as vertical lines."""
    import matplotlib
    from matplotlib.patches import Patch, Rectangle

    start_min = data.start_minutes
    rows: list[tuple[str, object, object]] = []  # label, step timing, scenario timings
    for sc in data.timings:
        for st in sc.steps:
            rows.append((st.title.get(lang), st, sc))
    n = len(rows)
    end = max(data.end_s, 60.0)
    times = [0.0, end]
    for _, st, _sc in rows:
        for v in (st.ready_at, st.completed_at, st.started_at):
            if v is not None:
                times.append(v)
        if st.ready_at is not None:
            times.append(st.ready_at + st.target_s)
    lo = 0.0
    hi = max(times)
    with matplotlib.rc_context(_rc()):
        fig = _figure(7.2, 0.36 * n + 1.9)
        ax = fig.add_subplot(111)
        for i, (_label, st, _sc) in enumerate(rows):
            y = n - 1 - i
            if st.ready_at is not None:
                ax.add_patch(Rectangle((st.ready_at, y - 0.32), st.target_s, 0.64, fill=False,
                                       edgecolor=C_TARGET, linewidth=1.0, linestyle="--"))
            begin = st.ready_at if st.ready_at is not None else st.started_at
            if st.completed_at is not None and begin is not None:
                color = C_LATE if st.late else C_ONTIME
                ax.add_patch(Rectangle((begin, y - 0.22), max(st.completed_at - begin, end / 400), 0.44,
                                       facecolor=color, edgecolor="none"))
                if st.late and st.late_by_s is not None:
                    ax.text(st.completed_at + end / 150, y, "+" + _mmss(st.late_by_s), va="center", fontsize=7,
                            color=C_LATE)
            elif st.missed and begin is not None:
                ax.add_patch(Rectangle((begin, y - 0.22), max(data.end_s - begin, 0.0), 0.44, facecolor="white",
                                       edgecolor=C_MISSED, hatch="////", linewidth=1.0))
                ax.text(data.end_s + end / 150, y, t("not done", lang), va="center", fontsize=7, color=C_MISSED)
        ax.set_yticks(range(n))
        ax.set_yticklabels([r[0] for r in reversed(rows)])
        ax.set_ylim(-0.7, n - 0.3)
        marks = []
        for sc in data.timings:
            for at, label, style in ((sc.incident_at, t("Incident injected", lang), "-"),
                                     (sc.first_report_at, t("First report", lang), ":"),
                                     (sc.activated_at, t("Plan activated", lang), "-."),
                                     (sc.restored_at, t("Service restored", lang), "--")):
                if at is not None:
                    marks.append((at, label, style))
        from matplotlib.lines import Line2D

        seen: dict[str, object] = {}
        for at, label, style in marks:
            ax.axvline(at, color="#444444", linestyle=style, linewidth=0.9)
            seen.setdefault(label, Line2D([0], [0], color="#444444", linestyle=style, linewidth=0.9, label=label))
        _time_axis(ax, start_min, lo, hi + (hi - lo) * 0.06)
        ax.grid(axis="x", color="#dddddd", linewidth=0.5)
        ax.set_axisbelow(True)
        ax.set_xlabel(t("Time (clock)", lang))
        handles = [Patch(facecolor=C_ONTIME, label=t("Done on time", lang)),
                   Patch(facecolor=C_LATE, label=t("Done late", lang)),
                   Patch(facecolor="white", edgecolor=C_MISSED, hatch="////", label=t("Not done", lang)),
                   Patch(facecolor="none", edgecolor=C_TARGET, linestyle="--", label=t("Target time", lang)),
                   *seen.values()]
        fig.legend(handles=handles, loc="outside lower center", ncol=4, frameon=False)
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)
        return _png(fig)


def _mmss(seconds: float) -> str:
    total = int(round(abs(seconds)))
    return f"{total // 60:02d}:{total % 60:02d}"


# ---- customer impact -----------------------------------------------------------------------------
def _impact_range(impact, end_s: float) -> tuple[list, float, float]:
    pts = list(impact.intervals)
    if not pts:
        return [], 0.0, 1.0
    L = impact.interval_minutes * 60.0
    lo = min(0.0, impact.incident_start_s or 0.0) - L
    hi = max(end_s, (impact.recovered_at_s or 0.0), (impact.incident_end_s or 0.0)) + 2 * L
    chosen = [p for p in pts if p.drill_s + L > lo and p.drill_s < hi]
    if not chosen:
        chosen = pts
    return chosen, chosen[0].drill_s, chosen[-1].drill_s + L


def _shade_window(ax, impact, lang: str) -> None:
    if impact.incident_start_s is not None and impact.incident_end_s is not None:
        ax.axvspan(impact.incident_start_s, impact.incident_end_s, color=C_WINDOW, zorder=0,
                   label=t("Incident window", lang))


def service_level_chart(impact, start_minutes: int, end_s: float, lang: str) -> bytes:
    """Interval service level, baseline against the drill, with the target line and the incident window."""
    import matplotlib

    pts, lo, hi = _impact_range(impact, end_s)
    L = impact.interval_minutes * 60.0
    with matplotlib.rc_context(_rc()):
        fig = _figure(7.2, 3.4)
        ax = fig.add_subplot(111)
        _shade_window(ax, impact, lang)
        xs = [p.drill_s + L / 2 for p in pts]
        ax.plot(xs, [_pct(p.baseline_sl) for p in pts], color=C_BASE, marker="o", markersize=3, linewidth=1.4,
                label=t("Baseline (no incident)", lang))
        ax.plot(xs, [_pct(p.incident_sl) for p in pts], color=C_DRILL, marker="s", markersize=3, linewidth=1.8,
                label=t("Drill (simulated)", lang))
        ax.axhline(impact.target * 100, color=C_TARGET, linestyle="--", linewidth=1.0,
                   label=t("Target {target}%", lang, target=_num(impact.target * 100)))
        ax.set_ylim(0, 105)
        ax.set_ylabel(t("Service level (%)", lang))
        _time_axis(ax, start_minutes, lo, hi)
        ax.grid(color="#e5e5e5", linewidth=0.5)
        fig.legend(*ax.get_legend_handles_labels(), loc="outside lower center", ncol=4, frameon=False)
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)
        return _png(fig)


def queue_chart(impact, start_minutes: int, end_s: float, lang: str) -> bytes:
    """Contacts not answered per interval (abandoned + not let in), baseline against the drill,
    with the mean queue on a second axis."""
    import matplotlib

    pts, lo, hi = _impact_range(impact, end_s)
    L = impact.interval_minutes * 60.0
    with matplotlib.rc_context(_rc()):
        fig = _figure(7.2, 3.4)
        ax = fig.add_subplot(111)
        _shade_window(ax, impact, lang)
        w = L * 0.38
        xs = [p.drill_s + L / 2 for p in pts]
        ax.bar([x - w / 2 for x in xs], [p.baseline_abandoned + p.baseline_blocked for p in pts], width=w,
               color=C_BASE, label=t("Unanswered, baseline", lang))
        ax.bar([x + w / 2 for x in xs], [p.incident_abandoned + p.incident_blocked for p in pts], width=w,
               color=C_DRILL, label=t("Unanswered, drill", lang))
        ax.set_ylabel(t("Contacts unanswered", lang))
        ax2 = ax.twinx()
        ax2.plot(xs, [p.baseline_queue or 0.0 for p in pts], color=C_BASE, linestyle=":", linewidth=1.2,
                 label=t("Mean queue, baseline", lang))
        ax2.plot(xs, [p.incident_queue or 0.0 for p in pts], color="#5b2c6f", linestyle="-", linewidth=1.4,
                 label=t("Mean queue, drill", lang))
        ax2.set_ylabel(t("Customers waiting (mean)", lang))
        ax2.set_ylim(bottom=0)
        _time_axis(ax, start_minutes, lo, hi)
        ax.grid(axis="y", color="#e5e5e5", linewidth=0.5)
        h1, l1 = ax.get_legend_handles_labels()
        h2, l2 = ax2.get_legend_handles_labels()
        fig.legend(h1 + h2, l1 + l2, loc="outside lower center", ncol=3, frameon=False)
        ax.spines["top"].set_visible(False)
        ax2.spines["top"].set_visible(False)
        return _png(fig)


def scores_chart(areas: Sequence[tuple[str, float | None]], bands: Sequence[tuple[str, float]], lang: str) -> bytes:
    """Horizontal bars: each area's score out of 100, with the grade bands' thresholds."""
    import matplotlib

    with matplotlib.rc_context(_rc()):
        fig = _figure(6.4, 0.45 * len(areas) + 1.0)
        ax = fig.add_subplot(111)
        n = len(areas)
        for i, (_label, score) in enumerate(areas):
            y = n - 1 - i
            if score is not None:
                ax.barh(y, score, color=C_TARGET, height=0.55)
                ax.text(score + 1, y, _num(score), va="center", fontsize=8)
        ax.set_yticks(range(n))
        ax.set_yticklabels([a[0] for a in reversed(areas)])
        for label, lo in bands:
            if 0 < lo < 100:
                ax.axvline(lo, color="#999999", linestyle=":", linewidth=0.8)
                ax.text(lo, n - 0.45, label, fontsize=7, ha="center", va="bottom", color="#666666")
        ax.set_xlim(0, 105)
        ax.set_ylim(-0.6, n - 0.1)
        ax.set_xlabel(t("Score (of 100)", lang))
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)
        return _png(fig)


def _pct(v: float | None) -> float:
    return float("nan") if v is None else v * 100.0


def _num(v: float) -> str:
    return f"{v:.1f}".rstrip("0").rstrip(".")
