"""Build the 演练总结报告 (drill summary report) as a format-neutral :class:`Document`.

Every figure comes from :class:`~ccdrill.reports.model.ReportData`; this module only words and
lays them out.  Sections (Chinese official numbering):

一、演练概况 · 二、总体评价 · 三、演练过程 · 四、各场景处置情况 · 五、客户影响 · 六、评估得分 ·
七、经验与不足 · 八、整改计划 · 九、表彰建议 · 十、预案修订建议 · 附件1 参演人员名单 · 附件2 演练事件记录
"""

from __future__ import annotations

from typing import Any

from ccdrill.documents.model import (
    Block,
    Document,
    Image,
    KeyValue,
    NumberedItem,
    Paragraph,
    Section,
    Subsection,
    Table,
    item_label,
    section_label,
    subsection_label,
)
from ccdrill.domain import events as ev
from ccdrill.domain.common import Text
from ccdrill.domain.roles import role_text
from ccdrill.i18n import N_, t
from ccdrill.reports.model import ReportData

# Section headings, in order (also what the tests look for).
SECTION_HEADINGS = (
    N_("Overview"),
    N_("Executive summary"),
    N_("Course of the drill"),
    N_("Results by scenario"),
    N_("Customer impact"),
    N_("Evaluation scores"),
    N_("Strengths and problems"),
    N_("Improvement plan"),
    N_("Commendations"),
    N_("Plan revision recommendations"),
)
APPENDIX_HEADINGS = (N_("List of participants"), N_("Drill event log"))


def section_titles(lang: str) -> list[str]:
    """The full headings as the report prints them (``一、演练概况`` …, ``附件1 参演人员名单`` …)."""
    from ccdrill.documents.model import heading_text

    out = [heading_text(section_label(i, lang), t(h, lang)) for i, h in enumerate(SECTION_HEADINGS, 1)]
    out += [heading_text(appendix_label(i, lang), t(h, lang)) for i, h in enumerate(APPENDIX_HEADINGS, 1)]
    return out


def appendix_label(n: int, lang: str) -> str:
    return f"附件{n}" if lang == "zh" else f"Appendix {n}"


# ---- small formatting helpers ---------------------------------------------------------------------
def pct(v: float | None) -> str:
    """0.3591 → "35.9%"; None → "—"."""
    return "—" if v is None else f"{v * 100:.1f}%"


def num(v: float | None, digits: int = 1) -> str:
    if v is None:
        return "—"
    s = f"{v:.{digits}f}"
    return s.rstrip("0").rstrip(".") if "." in s else s


def mmss(seconds: float | None) -> str:
    from ccdrill.evaluation.timings import mmss as _mmss

    return _mmss(seconds)


def duration(seconds: float | None, lang: str) -> str:
    """Human length: "4分钟" / "4 min", "3分30秒" / "3 min 30 s", "1小时5分钟" / "1 h 5 min"."""
    if seconds is None:
        return "—"
    total = int(round(abs(seconds)))
    h, rest = divmod(total, 3600)
    m, s = divmod(rest, 60)
    if lang == "zh":
        parts = ([f"{h}小时"] if h else []) + ([f"{m}分钟" if not s else f"{m}分"] if m else []) + (
            [f"{s}秒"] if s else [])
        return "".join(parts) or "0分钟"
    parts = ([f"{h} h"] if h else []) + ([f"{m} min"] if m else []) + ([f"{s} s"] if s else [])
    return " ".join(parts) or "0 min"


def date_text(d, lang: str) -> str:
    if d is None:
        return "—"
    return f"{d.year}年{d.month}月{d.day}日" if lang == "zh" else f"{d.day} {d.strftime('%B %Y')}"


def report_title(data: ReportData, lang: str) -> str:
    title = data.programme.title.get(lang)
    if lang == "zh":
        for suffix in ("演练方案", "方案"):
            if title.endswith(suffix):
                return title[: -len(suffix)] + ("演练总结报告" if suffix == "演练方案" else "总结报告")
        return title + "总结报告"
    for suffix in (" programme", " program", " plan"):
        if title.lower().endswith(suffix):
            title = title[: -len(suffix)]
            break
    return f"{title}: summary report"


def _text(value: Any, lang: str) -> str:
    if value is None:
        return ""
    if isinstance(value, Text):
        return value.get(lang)
    if isinstance(value, dict):
        return str(value.get(lang) or value.get("zh") or "")
    return str(value)


def _role_name(data: ReportData, role_id: str, lang: str) -> str:
    return role_text(data.programme, data.plans, role_id).get(lang)


def _list_sep(lang: str) -> str:
    return "、" if lang == "zh" else ", "


def _end(lang: str) -> str:
    return "。" if lang == "zh" else "."


class _Builder:
    def __init__(self, data: ReportData, lang: str) -> None:
        self.d = data
        self.lang = lang
        self.figure_no = 0
        self.table_no = 0

    def _(self, msgid: str, **params: object) -> str:
        return t(msgid, self.lang, **params)

    def fig_caption(self, msgid: str) -> str:
        self.figure_no += 1
        return (f"图{self.figure_no} " if self.lang == "zh" else f"Figure {self.figure_no}. ") + self._(msgid)

    def tab_caption(self, msgid: str) -> str:
        self.table_no += 1
        return (f"表{self.table_no} " if self.lang == "zh" else f"Table {self.table_no}. ") + self._(msgid)

    def chart(self, name: str, draw) -> bytes:  # noqa: ANN001
        """A chart's PNG, drawn once per report data and language (every format reuses it)."""
        cache = self.d.extra.setdefault("_charts", {})
        key = (name, self.lang)
        if key not in cache:
            cache[key] = draw()
        return cache[key]

    def who(self, actor: str | None) -> str:
        if not actor:
            return "—"
        return self._("system") if actor == ev.SYSTEM else actor

    def sub(self, n: int, parent: int, msgid_or_text: str, blocks: list[Block], translate: bool = True) -> Subsection:
        heading = self._(msgid_or_text) if translate else msgid_or_text
        return Subsection(subsection_label(n, self.lang, parent), heading, tuple(blocks))

    # ---- 一、演练概况 ----
    def overview(self) -> list[Block]:
        d, lang, _ = self.d, self.lang, self._
        p = d.programme
        sep = _list_sep(lang)
        form = {"live": _("Live drill"), "tabletop": _("Tabletop drill")}[p.drill_type.form]
        scope = {"single": _("single-scenario"), "comprehensive": _("comprehensive")}[p.drill_type.scope]
        kind = f"{form}（{scope}）" if lang == "zh" else f"{form} ({scope})"
        planned = f"{d.clock(0)}—{p.schedule.end.strftime('%H:%M')}"
        actual_start = next((e.drill_time_s for e in d.events if e.kind == ev.DRILL_STARTED), 0.0)
        actual = f"{d.clock(actual_start)}—{d.clock(d.end_s)}"
        if not d.ended:
            actual = f"{d.clock(actual_start)}—" + _("(not ended)")
        blocks: list[Block] = [
            KeyValue(_("Drill"), p.title.get(lang)),
            KeyValue(_("Drill date"), date_text(d.drill_date, lang)),
            KeyValue(_("Time"), _("{actual} (planned {planned}); drill clock {length}",
                                  actual=actual, planned=planned, length=duration(d.end_s - actual_start, lang))),
            KeyValue(_("Place"), p.location.get(lang)),
            KeyValue(_("Type"), kind),
            KeyValue(_("Scenarios"), sep.join(d.plans[sc.plan.id].title.get(lang) for sc in p.scenarios)),
        ]
        org = p.organisation
        if org.leadership_group is not None:
            lg = org.leadership_group
            parts = [f"{lg.leader.title.get(lang)}：{lg.leader.holder.get(lang)}" if lang == "zh"
                     else f"{lg.leader.title.get(lang)}: {lg.leader.holder.get(lang)}"]
            parts += [f"{s.title.get(lang)}：{s.holder.get(lang)}" if lang == "zh" else
                      f"{s.title.get(lang)}: {s.holder.get(lang)}" for s in lg.deputies]
            if lg.members:
                parts.append(_("members: {members}", members=sep.join(m.get(lang) for m in lg.members)))
            blocks.append(KeyValue(_("Leadership group"), ("；" if lang == "zh" else "; ").join(parts)))
        cp = org.command_post

        def holder(role_id: str) -> str:
            r = p.role(role_id)
            if r is None:
                return role_id
            people = [x.username for x in d.participants if role_id in x.roles]
            who = r.holder.get(lang) if r.holder else ""
            if people:
                who = (who + " " if who else "") + ("（" if lang == "zh" else "(") + sep.join(people) + (
                    "）" if lang == "zh" else ")")
            return f"{r.name.get(lang)}：{who}" if lang == "zh" else f"{r.name.get(lang)}: {who}"

        cmd = [holder(cp.commander)] + [holder(x) for x in cp.deputies]
        blocks.append(KeyValue(_("Command post"), ("；" if lang == "zh" else "; ").join(cmd)))
        roles_used = {r for x in d.participants for r in x.roles}
        blocks.append(KeyValue(_("Participants"), _(
            "{people} people recorded in the log, in {roles} roles (see Appendix 1)",
            people=len(d.participants), roles=len(roles_used))))
        if d.evaluation is not None and d.evaluation.evaluators:
            blocks.append(KeyValue(_("Evaluators"), sep.join(d.evaluation.evaluators)))
        blocks.append(Paragraph(_("Background: {text}", text=p.background.get(lang))))
        objs = [NumberedItem(1, item_label(1, i, lang), o.get(lang)) for i, o in enumerate(p.objectives, 1)]
        blocks.append(Paragraph(_("Objectives of the drill:")))
        blocks.extend(objs)
        return blocks

    # ---- 二、总体评价 ----
    def summary_sentences(self) -> list[str]:
        d, lang, _ = self.d, self.lang, self._
        out: list[str] = []
        steps = d.all_steps
        on_time = [s for s in steps if s.outcome == "on_time"]
        out.append(_("On {date} the centre ran the drill “{title}” from {start} to {end}; {people} people took part.",
                     date=date_text(d.drill_date, lang), title=d.programme.title.get(lang), start=d.clock(
                         next((e.drill_time_s for e in d.events if e.kind == ev.DRILL_STARTED), 0.0)),
                     end=d.clock(d.end_s), people=len(d.participants)))
        for sc in d.timings:
            if sc.incident_at is None:
                out.append(_("The incident of “{scenario}” was never injected.", scenario=sc.title.get(lang)))
                continue
            bits = [_("the incident was injected at {at}", at=d.clock(sc.incident_at))]
            if sc.first_report_s is not None:
                bits.append(_("first reported after {d} ({at})", d=duration(sc.first_report_s, lang),
                              at=d.clock(sc.first_report_at)))
            else:
                bits.append(_("never reported"))
            if sc.activation_s is not None:
                bits.append(_("the plan was activated after {d} ({at})", d=duration(sc.activation_s, lang),
                              at=d.clock(sc.activated_at)))
            if sc.restoration_s is not None:
                bits.append(_("service was restored after {d} ({at})", d=duration(sc.restoration_s, lang),
                              at=d.clock(sc.restored_at)))
            else:
                bits.append(_("service restoration was not recorded"))
            sentence = "，".join(bits) if lang == "zh" else ", ".join(bits)
            prefix = (f"“{sc.title.get(lang)}”" + ("：" if lang == "zh" else ": ")) if len(d.timings) > 1 else ""
            out.append(prefix + sentence[0].upper() + sentence[1:] + _end(lang) if lang == "en"
                       else prefix + sentence + "。")
        late, missed = d.late_steps, d.missed_steps
        if steps and not late and not missed:
            out.append(_("All {n} steps were completed within their targets.", n=len(steps)))
        else:
            parts = [_("{on_time} of {n} steps were completed on time", on_time=len(on_time), n=len(steps))]
            if late:
                parts.append(_("late: {steps}", steps=_list_sep(lang).join(
                    f"“{s.title.get(lang)}”（+{mmss(s.late_by_s)}）" if lang == "zh" else
                    f"“{s.title.get(lang)}” (+{mmss(s.late_by_s)})" for s in late)))
            if missed:
                parts.append(_("not completed: {steps}", steps=_list_sep(lang).join(
                    f"“{s.title.get(lang)}”" for s in missed)))
            out.append(("；" if lang == "zh" else "; ").join(parts) + _end(lang))
        im = d.impact
        if im is not None and im.window_incident is not None:
            held = im.service_held
            key = (N_("In the twin, service held: the service level during the incident ({start}–{end}) was {sl} "
                      "against a target of {target} (normally {base}); {affected} customers were affected.")
                   if held else
                   N_("In the twin, service did not hold: the service level during the incident ({start}–{end}) fell "
                      "to {sl} against a target of {target} (normally {base}); {affected} customers were affected."))
            s = _(key, start=d.clock(im.incident_start_s), end=d.clock(im.incident_end_s),
                  sl=pct(im.window_incident.service_level), target=pct(im.target),
                  base=pct(im.window_baseline.service_level if im.window_baseline else None),
                  affected=im.customers_affected)
            if im.time_to_recover_s is not None:
                s += _(" It was back at target {d} after the incident ended.", d=duration(im.time_to_recover_s, lang))
            elif im.incident_end_s is not None:
                s += _(" It did not get back to target within the simulated day.")
            out.append(s)
        ev_ = d.evaluation
        if ev_ is not None and ev_.overall is not None:
            g = ev_.grade.label.get(lang) if ev_.grade else "—"
            out.append(_("The evaluators' overall score is {score} of 100, grade: {grade}.",
                         score=num(ev_.overall), grade=g))
        else:
            out.append(_("No scorecards had been submitted when this report was made, so there is no grade yet."))
        return out

    # ---- 三、演练过程 ----
    def course(self) -> list[Block]:
        from ccdrill.reports import charts

        d, lang, _ = self.d, self.lang, self._
        blocks: list[Block] = []
        blocks.append(Image(self.chart("timeline", lambda: charts.timeline_chart(d, lang)), self.fig_caption(N_("Timeline of the response")), 160,
                            alt=_("Each step's target time against when it was done")))
        rows: list[tuple[str, ...]] = []
        start = next((e for e in d.events if e.kind == ev.DRILL_STARTED), None)
        rows.append((_("Drill started"), d.clock(start.drill_time_s if start else 0.0), "—", "—", self.who(start.actor)
                     if start else "—"))
        for sc in d.timings:
            pre = f"{sc.title.get(lang)}：" if len(d.timings) > 1 and lang == "zh" else (
                f"{sc.title.get(lang)}: " if len(d.timings) > 1 else "")
            plan = d.plans[sc.plan_id]
            first = plan.steps[0] if plan.steps else None
            act = next((s for s in plan.steps if s.activates_plan), None)
            res = next((s for s in plan.steps if s.restores_service), None)
            inj = d.state.injects.get(sc.incident_inject) if sc.incident_inject else None
            rows.append((pre + _("Incident injected") + (f"（{_('inject {n}', n=inj.seq)}）" if inj and lang == "zh"
                                                         else f" (inject {inj.seq})" if inj else ""),
                         d.clock(sc.incident_at), "00:00" if sc.incident_at is not None else "—", "—",
                         self.who(inj.actor) if inj else "—"))
            rows.append((pre + _("First report"), d.clock(sc.first_report_at), mmss(sc.first_report_s),
                         mmss(first.target_minutes * 60) if first else "—", sc.first_report_by or "—"))
            act_t = sc.step(act.id) if act else None
            rows.append((pre + _("Plan activated"), d.clock(sc.activated_at), mmss(sc.activation_s),
                         mmss(_cum_target(plan, act.id)) if act else "—",
                         (act_t.completed_by or "—") if act_t else "—"))
            res_t = sc.step(res.id) if res else None
            rows.append((pre + _("Service restored"), d.clock(sc.restored_at), mmss(sc.restoration_s),
                         mmss(_cum_target(plan, res.id)) if res else "—",
                         (res_t.completed_by or "—") if res_t else "—"))
            last = max((s for s in sc.steps if s.completed_at is not None), key=lambda s: s.completed_at,
                       default=None)
            rows.append((pre + _("Last step completed"), d.clock(last.completed_at) if last else "—",
                         mmss(sc.actual_total_s), mmss(sc.planned_total_s), (last.completed_by or "—") if last else "—"))
        end = next((e for e in reversed(d.events) if e.kind in (ev.DRILL_ENDED, ev.DRILL_CANCELLED)), None)
        rows.append((_("Drill ended") if end is None or end.kind == ev.DRILL_ENDED else _("Drill cancelled"),
                     d.clock(end.drill_time_s) if end else _("(not ended)"), "—", "—", self.who(end.actor) if end else "—"))
        blocks.append(Paragraph(_("Key times (time after the incident and the planned time in mm:ss; the planned "
                                  "time of a milestone is the sum of the targets on its path):")))
        blocks.append(Table((_("Milestone"), _("Time"), _("After the incident"), _("Planned"), _("Recorded by")),
                            tuple(rows), (34, 12, 14, 12, 14), caption=self.tab_caption(N_("Key times"))))
        inj_rows = []
        status_names = {"fired": _("fired"), "skipped": _("skipped"), "pending": _("not fired"),
                        "held": _("held back (not needed)"), "released": _("released, not fired")}
        for seq in sorted(d.state.injects):
            st = d.state.injects[seq]
            inj_rows.append((str(seq), d.clock(st.time_s), d.clock(st.fired_at) if st.fired_at is not None else "—",
                             st.inject.title.get(lang) + (_(" (ad hoc)") if st.adhoc else "") +
                             (_(" (contingency)") if st.inject.contingency else ""),
                             status_names.get(st.status, st.status)))
        blocks.append(Table((_("No."), _("Planned"), _("Fired"), _("Inject"), _("Status")), tuple(inj_rows),
                            (6, 10, 10, 48, 16), caption=self.tab_caption(N_("Injects"))))
        return blocks

    # ---- 四、各场景处置情况 ----
    def scenarios(self) -> list[Block]:
        d, lang, _ = self.d, self.lang, self._
        blocks: list[Block] = []
        for i, sc in enumerate(d.timings, 1):
            rows = []
            hl = set()
            for j, st in enumerate(sc.steps):
                if st.outcome == "on_time":
                    result = _("on time")
                elif st.outcome == "late":
                    result = _("late by {by}", by=mmss(st.late_by_s))
                    hl.add(j)
                elif st.outcome == "missed":
                    result = _("not done")
                    hl.add(j)
                elif st.outcome == "overdue":
                    result = _("overdue")
                    hl.add(j)
                else:
                    result = _("not yet done")
                if st.out_of_order:
                    result += _(" (out of order)")
                rows.append((str(j + 1), st.title.get(lang), st.role_name.get(lang), mmss(st.target_s),
                             mmss(st.duration_s), d.clock(st.completed_at), st.completed_by or "—", result))
            n = len(sc.steps)
            on = sum(1 for s in sc.steps if s.outcome == "on_time")
            text = _("{n} steps: {on_time} on time, {late} late, {missed} not done. From the incident to the last "
                     "completed step took {actual} against {planned} planned (mm:ss).",
                     n=n, on_time=on, late=len(sc.late), missed=len(sc.missed), actual=mmss(sc.actual_total_s),
                     planned=mmss(sc.planned_total_s))
            titles = {s.ref: s.title.get(lang) for s in sc.steps}
            arrow = " → "
            crit = _("Critical path as it happened: {path} ({length}); as planned: {planned_path} ({planned}).",
                     path=arrow.join(titles[r] for r in sc.critical_path.steps) or "—",
                     length=mmss(sc.critical_path.length_s),
                     planned_path=arrow.join(titles[r] for r in sc.target_critical_path.steps) or "—",
                     planned=mmss(sc.target_critical_path.length_s))
            table = Table((_("No."), _("Step"), _("Responsible role"), _("Target"), _("Took"), _("Done at"), _("Done by"),
                           _("Result")), tuple(rows), (6, 27, 14, 9, 9, 9, 10, 16),
                          caption=self.tab_caption(N_("Steps against their targets (mm:ss, from when each step could "
                                                      "start; highlighted: late or not done)")),
                          highlight=frozenset(hl))
            blocks.append(self.sub(i, 4, sc.title.get(lang), [Paragraph(text), table, Paragraph(crit)],
                                   translate=False))
        return blocks

    # ---- 五、客户影响 ----
    def impact(self) -> list[Block]:
        from ccdrill.reports import charts

        d, lang, _ = self.d, self.lang, self._
        im = d.impact
        if im is None or im.window_incident is None:
            return [Paragraph(_(d.impact_problem or N_("The customer impact was not simulated.")), note=True)]
        wb, wi = im.window_baseline, im.window_incident
        blocks: list[Block] = [Paragraph(_(
            "Method: the digital twin of {centre} replayed the drill's effects as they were recorded (when channels "
            "went down, when steps brought them back, when callers were redirected and remote agents joined) against "
            "the same simulated day without the incident, with the same customers (seed {seed}). The figures are "
            "simulated estimates, not measured traffic.", centre=im.centre_name(lang), seed=im.seed), note=True)]
        end_word = {"restoration": _("service restoration"), "channel_up": _("the last channel back up"),
                    "drill_end": _("the end of the drill"), "none": "—"}[im.incident_end_source]
        blocks.append(Paragraph(_(
            "The incident window runs from {start} to {end} ({end_word}). In it the service level was {sl} against "
            "{base} on a normal day (target {target}); {unanswered} contacts went unanswered against {base_unanswered} "
            "normally. Over the day {affected} customers were affected (blocked, abandoned, cut off or answered late).",
            start=d.clock(im.incident_start_s), end=d.clock(im.incident_end_s), end_word=end_word,
            sl=pct(wi.service_level), base=pct(wb.service_level), target=pct(im.target), unanswered=wi.unanswered,
            base_unanswered=wb.unanswered, affected=im.customers_affected)))
        if im.time_to_recover_s is not None:
            blocks.append(Paragraph(_(
                "Time to recover: the interval service level was back at the target {d} after the incident ended "
                "(the {interval}-minute interval starting {at}).", d=duration(im.time_to_recover_s, lang),
                interval=num(im.interval_minutes, 0), at=d.clock(im.recovered_at_s))))
        else:
            blocks.append(Paragraph(_("Time to recover: the interval service level did not get back to the target "
                                      "within the simulated day.")))
        if im.channels_still_down:
            blocks.append(Paragraph(_("When the drill ended these channels had not been brought back in the log, so "
                                      "the twin keeps them down for the rest of the day: {channels}.",
                                      channels=_list_sep(lang).join(
                                          next((zh if lang == "zh" else en) for c, zh, en, _n in
                                               im.affected_by_channel if c == ch) for ch in im.channels_still_down)
                                      ), note=True))

        def diff_pct(a, b) -> str:
            if a is None or b is None:
                return "—"
            v = (a - b) * 100
            return f"{v:+.1f}" + (_(" pts"))

        rows = [
            (_("Service level"), pct(wb.service_level), pct(wi.service_level), diff_pct(wi.service_level, wb.service_level)),
            (_("Contacts offered (retries included)"), str(wb.offered), str(wi.offered), f"{wi.offered - wb.offered:+d}"),
            (_("Answered within the threshold"), str(wb.answered_within), str(wi.answered_within),
             f"{wi.answered_within - wb.answered_within:+d}"),
            (_("Abandoned while waiting"), str(wb.abandoned), str(wi.abandoned), f"{wi.abandoned - wb.abandoned:+d}"),
            (_("Not let in (channel down)"), str(wb.blocked), str(wi.blocked), f"{wi.blocked - wb.blocked:+d}"),
            (_("Abandonment rate"), pct(wb.abandon_rate), pct(wi.abandon_rate), diff_pct(wi.abandon_rate, wb.abandon_rate)),
            (_("Unanswered rate (abandoned + not let in)"), pct(wb.unanswered_rate), pct(wi.unanswered_rate),
             diff_pct(wi.unanswered_rate, wb.unanswered_rate)),
            (_("Service level, whole day"), pct(im.day_baseline_sl), pct(im.day_incident_sl),
             diff_pct(im.day_incident_sl, im.day_baseline_sl)),
        ]
        blocks.append(Table((_("Indicator (incident window)"), _("Normal day"), _("Drill (simulated)"), _("Difference")),
                            tuple(rows), (40, 18, 18, 18),
                            caption=self.tab_caption(N_("Service during the incident, simulated"))))
        ch_rows = [(zh if lang == "zh" else en, str(n)) for _c, zh, en, n in im.affected_by_channel]
        ch_rows.append((_("Total"), str(im.customers_affected)))
        blocks.append(Table((_("Contact channel"), _("Customers affected")), tuple(ch_rows), (50, 30),
                            caption=self.tab_caption(N_("Customers affected by channel, simulated"))))
        blocks.append(Image(self.chart("service_level", lambda: charts.service_level_chart(im, d.start_minutes, d.end_s, lang)),
                            self.fig_caption(N_("Service level per interval: normal day against the drill")), 160,
                            alt=_("Service level per interval")))
        blocks.append(Image(self.chart("queue", lambda: charts.queue_chart(im, d.start_minutes, d.end_s, lang)),
                            self.fig_caption(N_("Unanswered contacts and queue per interval")), 160,
                            alt=_("Unanswered contacts and queue per interval")))
        return blocks

    # ---- 六、评估得分 ----
    def scores(self) -> list[Block]:
        from ccdrill.reports import charts

        d, lang, _ = self.d, self.lang, self._
        e = d.evaluation
        if e is None or e.overall is None:
            return [Paragraph(_("No scorecards had been submitted when this report was made, so there is no grade "
                                "yet."), note=True)]
        g = e.grade.label.get(lang) if e.grade else "—"
        blocks: list[Block] = [Paragraph(_(
            "{count} evaluators scored the drill against “{rubric}”. Overall score: {score} of 100; grade: {grade}.",
            count=len(e.evaluators), rubric=_text(getattr(d.rubric, "title", None), lang) or e.rubric_id,
            score=num(e.overall), grade=g))]
        rows = []
        hl = set()
        for area in e.areas:
            hl.add(len(rows))
            rows.append((area.title.get(lang), _("(area)"), num(area.weight, 0) + "%", num(area.score), "", ""))
            for ind in area.indicators:
                note = _("evaluators disagree") if ind.disagreement else ""
                rows.append(("", ind.title.get(lang), num(ind.weight, 0) + "%", num(ind.score), str(ind.count), note))
        rows.append((_("Overall"), "", "100%", num(e.overall), str(len(e.evaluators)), g))
        hl.add(len(rows) - 1)
        blocks.append(Table((_("Area"), _("Indicator"), _("Weight"), _("Score"), _("Evaluators"), _("Remark")),
                            tuple(rows), (14, 40, 10, 10, 10, 16),
                            caption=self.tab_caption(N_("Scores by area and indicator (0–100)")),
                            highlight=frozenset(hl)))
        bands = []
        if d.rubric is not None:
            bands = [(b.label.get(lang), b.min_score) for b in d.rubric.grade_bands]
        elif e.grade is not None:
            bands = [(e.grade.label.get(lang), e.grade.min_score)]
        blocks.append(Image(self.chart("scores", lambda: charts.scores_chart([(a.title.get(lang), a.score) for a in e.areas], bands, lang)),
                            self.fig_caption(N_("Score by area")), 130, alt=_("Score by area")))
        if e.disagreements:
            blocks.append(Paragraph(_("Evaluators disagreed on: {items}.", items=_list_sep(lang).join(
                x.title.get(lang) for x in e.disagreements)), note=True))
        if e.missing_indicators:
            blocks.append(Paragraph(_("Not scored by anyone: {items}; the weights of the rest were scaled up.",
                                      items=_list_sep(lang).join(e.missing_indicators)), note=True))
        return blocks

    # ---- 七、经验与不足 ----
    def findings(self) -> list[Block]:
        d, lang, _ = self.d, self.lang, self._
        strengths = [f for f in d.findings if getattr(f, "kind", "") == "strength"]
        problems = [f for f in d.findings if getattr(f, "kind", "") == "improvement"]

        def items(fs) -> list[Block]:
            if not fs:
                return [Paragraph(_("None recorded."))]
            out: list[Block] = []
            for i, f in enumerate(fs, 1):
                text = _text(f.title, lang)
                detail = _text(getattr(f, "detail", None), lang)
                if detail:
                    text += ("。" if lang == "zh" and not text.endswith("。") else ". " if lang == "en" else "") + detail
                out.append(NumberedItem(1, item_label(1, i, lang), text))
            return out

        # Many "high score" strengths read as a list of numbers: say them in one item.
        high = [f for f in strengths if getattr(f, "source", "") == "score" and getattr(f, "indicator", None)]
        if len(high) > 3 and d.evaluation is not None:
            names = []
            for f in high:
                ind = d.evaluation.indicator(f.indicator)
                names.append(f"“{ind.title.get(lang)}”（{num(ind.score)}）" if ind is not None and lang == "zh" else
                             f"“{ind.title.get(lang)}” ({num(ind.score)})" if ind is not None else f.indicator)
            first = strengths.index(high[0])
            rest = [f for f in strengths if f not in high]
            strengths = rest[:first] + [_Line(_("Indicators scored 90 or above: {items}.",
                                                items=_list_sep(lang).join(names)))] + rest[first:]
        blocks: list[Block] = []
        if d.findings_suggested:
            blocks.append(Paragraph(_("Drawn from the event log and the scores; the command post may add to them "
                                      "after the debrief."), note=True))
        blocks.append(self.sub(1, 7, N_("Strengths"), items(strengths)))
        blocks.append(self.sub(2, 7, N_("Problems"), items(problems)))
        if d.debriefs:
            deb = [Paragraph(f"{_text(getattr(x, 'author', ''), lang)}：{_text(getattr(x, 'text', x), lang)}"
                             if lang == "zh" else f"{_text(getattr(x, 'author', ''), lang)}: "
                             f"{_text(getattr(x, 'text', x), lang)}") for x in d.debriefs]
            blocks.append(self.sub(3, 7, N_("Debrief remarks"), deb))
        return blocks

    # ---- 八、整改计划 ----
    def actions(self) -> list[Block]:
        d, lang, _ = self.d, self.lang, self._
        prio = {"high": _("high"), "medium": _("medium"), "low": _("low")}
        status = {"open": _("open"), "in_progress": _("in progress"), "done": _("done"), "verified": _("verified")}
        if d.actions:
            rows = tuple((str(i), _text(a.title, lang), a.owner, date_text(a.due, lang),
                          prio.get(a.priority, a.priority), status.get(a.status, a.status))
                         for i, a in enumerate(d.actions, 1))
            return [Table((_("No."), _("Corrective action"), _("Owner"), _("Due"), _("Priority"), _("Status")), rows,
                          (6, 44, 14, 16, 9, 11), caption=self.tab_caption(N_("Improvement plan")))]
        problems = [f for f in d.findings if getattr(f, "kind", "") == "improvement"]
        if not problems:
            return [Paragraph(_("No problems were found that need a corrective action."))]
        rows = []
        for i, f in enumerate(problems, 1):
            owner = "—"
            step = getattr(f, "step", None)
            if step and step in d.state.steps:
                owner = _role_name(d, d.state.steps[step].role, lang)
            rows.append((str(i), _text(f.title, lang), owner, _("to be set"), _("to be set"), _("proposed")))
        return [Paragraph(_("No corrective actions have been recorded yet. The table proposes one for each problem; "
                            "the command post sets the owner and the due date."), note=True),
                Table((_("No."), _("Corrective action"), _("Owner"), _("Due"), _("Priority"), _("Status")),
                      tuple(rows), (6, 44, 14, 14, 10, 12), caption=self.tab_caption(N_("Improvement plan")))]

    # ---- 九、表彰建议 ----
    def commendations(self) -> list[Block]:
        d, lang, _ = self.d, self.lang, self._
        if not d.commendations:
            return [Paragraph(_("No commendations were proposed for this drill."))]
        rows = []
        for i, c in enumerate(d.commendations, 1):
            who = c.person if c.kind == "person" and c.person else (
                _text(c.team, lang) or (_role_name(d, c.role, lang) if c.role else "—"))
            kind = _("person") if c.kind == "person" else _("team")
            confirmed = getattr(c, "confirmed_by", None)
            st = _("confirmed by {who}", who=confirmed) if confirmed else _("suggested from the log")
            rows.append((str(i), who, kind, _text(c.reason, lang), st))
        blocks: list[Block] = []
        if d.commendations_suggested:
            blocks.append(Paragraph(_("Suggested from the event log; the command post confirms them."), note=True))
        blocks.append(Table((_("No."), _("Who"), _("Kind"), _("Reason"), _("Status")), tuple(rows),
                            (6, 18, 9, 49, 18), caption=self.tab_caption(N_("Commendations"))))
        return blocks

    # ---- 十、预案修订建议 ----
    def revisions(self) -> list[Block]:
        d, lang, _ = self.d, self.lang, self._
        if not d.revisions:
            return [Paragraph(_("The drill showed no need to change the plan."))]
        out: list[Block] = []
        for i, r in enumerate(d.revisions, 1):
            plan = d.plans.get(r.plan_id)
            text = r.text.get(lang)
            if r.reason is not None:
                text += ("（" + r.reason.get(lang).rstrip("。") + "）" if lang == "zh" else f" ({r.reason.get(lang).rstrip('.')})")
            if plan is not None and len(d.plans) > 1:
                text = f"[{plan.title.get(lang)}] " + text
            out.append(NumberedItem(1, item_label(1, i, lang), text))
        out.append(Paragraph(_("Each change is saved as a new version of the plan, linked to this drill."), note=True))
        return out

    # ---- appendices ----
    def participants(self) -> list[Block]:
        d, lang, _ = self.d, self.lang, self._
        rows = []
        for i, p in enumerate(d.participants, 1):
            names = _list_sep(lang).join(_role_name(d, r, lang) for r in p.roles) or "—"
            holders = _list_sep(lang).join(
                (d.programme.role(r).holder.get(lang) if d.programme.role(r) and d.programme.role(r).holder else "—")
                for r in p.roles) or "—"
            rows.append((str(i), p.username, names, holders))
        return [Table((_("No."), _("Person"), _("Drill role"), _("Post")), tuple(rows), (8, 25, 35, 32),
                      caption=self.tab_caption(N_("List of participants")))]

    def event_log(self) -> list[Block]:
        d, _ = self.d, self._
        rows = [(str(e.seq), d.clock(e.drill_time_s), "T+" + mmss(e.drill_time_s),
                 self.who(e.actor), *self.describe(e)) for e in d.events if e.seq not in d.hidden_seqs]
        return [Table((_("No."), _("Time"), _("Drill time"), _("Person"), _("Event"), _("Detail")), tuple(rows),
                      (6, 10, 11, 11, 30, 32), caption=self.tab_caption(N_("Drill event log")))]

    def describe(self, e: ev.Event) -> tuple[str, str]:
        d, lang, _ = self.d, self.lang, self._
        p = e.payload
        names = {
            ev.DRILL_CREATED: N_("Drill created"), ev.DRILL_SCHEDULED: N_("Drill scheduled"),
            ev.DRILL_STARTED: N_("Drill started"), ev.DRILL_PAUSED: N_("Drill paused"),
            ev.DRILL_RESUMED: N_("Drill resumed"), ev.DRILL_ENDED: N_("Drill ended"),
            ev.DRILL_CANCELLED: N_("Drill cancelled"), ev.SPEED_CHANGED: N_("Clock speed changed"),
            ev.INJECT_FIRED: N_("Inject fired"), ev.INJECT_SKIPPED: N_("Inject skipped"),
            ev.INJECT_ADDED: N_("Ad-hoc inject added"), ev.CONTINGENCY_RELEASED: N_("Contingency inject released"),
            ev.ACKNOWLEDGE: N_("Acknowledged"), ev.REPORT: N_("Report"), ev.STEP_START: N_("Step started"),
            ev.STEP_COMPLETE: N_("Step completed"), ev.NOTE: N_("Note"), ev.EFFECT_APPLIED: N_("Twin effect applied"),
        }
        what = _(names.get(e.kind, e.kind))
        bits: list[str] = []
        inj = p.get("inject")
        if isinstance(inj, int) and inj in d.state.injects:
            bits.append(_("inject {n}", n=inj) + " " + d.state.injects[inj].inject.title.get(lang))
        elif isinstance(inj, dict):
            bits.append(_text(inj.get("title"), lang))
        step = p.get("step")
        if step and step in d.state.steps:
            bits.append(d.state.steps[step].step.title.get(lang))
        if e.kind == ev.SPEED_CHANGED:
            bits.append(f"×{num(p.get('speed'))}")
        if e.kind == ev.EFFECT_APPLIED:
            bits.append(str((p.get("effect") or {}).get("type", "")))
        for key in ("note", "reason"):
            if p.get(key):
                bits.append(str(p[key]))
        return what, ("；" if lang == "zh" else "; ").join(b for b in bits if b)


class _Line:
    """A finding-like line made by the report itself (a summary of several findings)."""

    kind = "strength"

    def __init__(self, title: str) -> None:
        self.title = title
        self.detail = None


def _cum_target(plan, step_id: str) -> float:
    """The planned time from the incident to ``step_id``'s completion: the longest chain of targets to it."""
    memo: dict[str, float] = {}

    def total(sid: str) -> float:
        if sid in memo:
            return memo[sid]
        st = plan.step(sid)
        if st is None:
            return 0.0
        memo[sid] = st.target_minutes * 60.0 + max((total(a) for a in st.after), default=0.0)
        return memo[sid]

    return total(step_id)


def build_report_document(data: ReportData, lang: str) -> Document:
    """The summary report as a :class:`Document` in ``lang`` (zh or en)."""
    from ccdrill.i18n import normalize_lang

    lang = normalize_lang(lang)
    b = _Builder(data, lang)
    _ = b._
    bodies = [
        b.overview(),
        [Paragraph(s) for s in b.summary_sentences()],
        b.course(),
        b.scenarios(),
        b.impact(),
        b.scores(),
        b.findings(),
        b.actions(),
        b.commendations(),
        b.revisions(),
    ]
    sections = [Section(section_label(i, lang), _(h), tuple(body))
                for i, (h, body) in enumerate(zip(SECTION_HEADINGS, bodies, strict=True), 1)]
    sections.append(Section(appendix_label(1, lang), _(APPENDIX_HEADINGS[0]), tuple(b.participants())))
    sections.append(Section(appendix_label(2, lang), _(APPENDIX_HEADINGS[1]), tuple(b.event_log())))
    p = data.programme
    meta = [KeyValue(_("Organised by"), p.provisions.owner.get(lang)),
            KeyValue(_("Drill date"), date_text(data.drill_date, lang))]
    if data.drill_id:
        meta.append(KeyValue(_("Drill number"), data.drill_id))
    if data.generated_on is not None:
        meta.append(KeyValue(_("Report date"), date_text(data.generated_on, lang)))
    return Document(title=report_title(data, lang), lang=lang, sections=tuple(sections),
                    subtitle=f"{date_text(data.drill_date, lang)} · {p.location.get(lang)}", meta=tuple(meta),
                    kind="report")
