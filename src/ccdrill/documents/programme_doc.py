"""Build the official 演练方案 (drill programme) and 应急预案 (plan) documents as a tree.

The programme document has exactly nine sections, in the order a Chinese organisation
files them: 一、演练目的 二、演练背景 三、演练时间 四、演练地点 五、演练组织机构
六、演练内容 七、演练评估 八、演练总结 九、附则.
"""

from __future__ import annotations

from datetime import date, time

from ccdrill.documents.model import (
    Block,
    Document,
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
from ccdrill.domain.common import Text, clock_str, minutes_of
from ccdrill.domain.plan import Plan
from ccdrill.domain.programme import DrillRole, Inject, Programme
from ccdrill.i18n import N_, normalize_lang, t

# Section headings of the programme, in order (English msgids; Chinese in documents.po).
PROGRAMME_SECTIONS = (
    N_("Drill objectives"),
    N_("Drill background"),
    N_("Drill time"),
    N_("Drill venue"),
    N_("Drill organisation"),
    N_("Drill content"),
    N_("Drill evaluation"),
    N_("Drill summary"),
    N_("Supplementary provisions"),
)

PLAN_SECTIONS = (
    N_("Scope and scenario"),
    N_("Organisation and duties"),
    N_("Activation and response level"),
    N_("Response procedure"),
    N_("Incident scenario"),
    N_("Supplementary provisions"),
)

_WEEKDAYS_ZH = ("星期一", "星期二", "星期三", "星期四", "星期五", "星期六", "星期日")
_WEEKDAYS_EN = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_MONTHS_EN = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)

CHANNELS = {
    "verbal": N_("verbal"),
    "phone": N_("phone"),
    "im": N_("instant message"),
    "system": N_("system"),
    "radio": N_("radio"),
    "paper": N_("paper"),
    "email": N_("e-mail"),
}

SCENARIO_TYPES = {
    "system_failure": N_("System failure"),
    "staff_loss": N_("Staff loss"),
    "natural_disaster": N_("Natural disaster"),
    "network_failure": N_("Network failure"),
}

RESPONSE_LEVELS = {
    "I": N_("Level I response (most severe)"),
    "II": N_("Level II response"),
    "III": N_("Level III response"),
    "IV": N_("Level IV response (least severe)"),
}


# ---------------------------------------------------------------- formatting helpers


def fmt_date(d: date, lang: str, weekday: bool = False) -> str:
    """2023年10月25日（星期三） / Wednesday 25 October 2023."""
    if lang == "zh":
        s = f"{d.year}年{d.month}月{d.day}日"
        return s + f"（{_WEEKDAYS_ZH[d.weekday()]}）" if weekday else s
    s = f"{d.day} {_MONTHS_EN[d.month - 1]} {d.year}"
    return f"{_WEEKDAYS_EN[d.weekday()]} {s}" if weekday else s


def _zh_period(tm: time) -> str:
    m = minutes_of(tm)
    if m < 6 * 60:
        return "凌晨"
    if m < 12 * 60:
        return "上午"
    if m < 13 * 60:
        return "中午"
    if m < 18 * 60:
        return "下午"
    return "晚上"


def fmt_schedule(d: date, start: time, end: time, lang: str) -> str:
    """2023年10月25日（星期三）上午9:00—11:30 / Wednesday 25 October 2023, 09:00–11:30."""
    if lang == "zh":
        day = fmt_date(d, "zh", weekday=True)
        s, e = f"{start.hour}:{start.minute:02d}", f"{end.hour}:{end.minute:02d}"
        ps, pe = _zh_period(start), _zh_period(end)
        if ps == pe:
            return f"{day}{ps}{s}—{e}"
        return f"{day}{ps}{s}—{pe}{e}"
    return f"{fmt_date(d, 'en', weekday=True)}, {clock_str(start)}–{clock_str(end)}"


def fmt_window(start: time, end: time, lang: str) -> str:
    dash = "—" if lang == "zh" else "–"
    return f"{clock_str(start)}{dash}{clock_str(end)}"


def fmt_minutes(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else f"{x:g}"


def _tx(text: Text | None, lang: str) -> str:
    return text.get(lang) if text is not None else ""


def _join(items: list[str], lang: str) -> str:
    return ("、" if lang == "zh" else ", ").join(i for i in items if i)


def _strip_end(s: str) -> str:
    return s.rstrip().rstrip("。；;.，,：:")


def _sentence(s: str, lang: str) -> str:
    """End a sentence with 。 or . unless it already ends with punctuation."""
    s = s.rstrip()
    if not s or s[-1] in "。！？!?.；;：:）)”\"":
        return s
    return s + ("。" if lang == "zh" else ".")


def _paragraphs(text: str) -> list[Paragraph]:
    parts = [p.strip() for p in text.replace("\r\n", "\n").split("\n")]
    return [Paragraph(p) for p in parts if p]


def _items(texts: list[str], lang: str, level: int = 1, start: int = 1) -> list[NumberedItem]:
    return [NumberedItem(level, item_label(level, i, lang), x) for i, x in enumerate(texts, start) if x]


def _seq_punct(texts: list[str], lang: str) -> list[str]:
    """Chinese list punctuation: every item ends with ；, the last with 。."""
    if lang != "zh":
        return [_sentence(x, lang) for x in texts]
    out = [_strip_end(x) + "；" for x in texts]
    if out:
        out[-1] = out[-1][:-1] + "。"
    return out


def role_display(role: DrillRole | None, role_id: str, lang: str, seat_label: str | None = None) -> str:
    """指挥长 held by 客服中心经理 → ``客服中心经理`` under the 指挥长 label, else ``客服主管（张三）``."""
    if role is None:
        return role_id
    name = role.name.get(lang)
    holder = _tx(role.holder, lang)
    if not holder or holder == name:
        return name
    if seat_label is not None and name == seat_label:
        return holder
    return f"{name}（{holder}）" if lang == "zh" else f"{name} ({holder})"


# ---------------------------------------------------------------- programme


def build_programme_document(programme: Programme, plans: dict[str, Plan], lang: str) -> Document:
    """The 演练方案 as a document tree. ``plans`` maps plan id → Plan; a missing plan is noted."""
    lang = normalize_lang(lang)
    p = programme
    sections: list[Section] = []

    def add(blocks: list[Block]) -> None:
        n = len(sections) + 1
        sections.append(Section(section_label(n, lang), t(PROGRAMME_SECTIONS[n - 1], lang), tuple(blocks)))

    # 一、演练目的
    blocks: list[Block] = []
    if p.preface is not None:
        blocks += _paragraphs(p.preface.get(lang))
    blocks += _items([_sentence(o.get(lang), lang) for o in p.objectives], lang)
    add(blocks)

    # 二、演练背景
    add(list(_paragraphs(p.background.get(lang))))

    # 三、演练时间
    add([Paragraph(fmt_schedule(p.schedule.date, p.schedule.start, p.schedule.end, lang))])

    # 四、演练地点
    add(list(_paragraphs(p.location.get(lang))))

    # 五、演练组织机构
    add(_organisation(p, lang))

    # 六、演练内容
    add(_content(p, plans, lang))

    # 七、演练评估
    add(_evaluation(p, lang))

    # 八、演练总结
    summary = [x.get(lang) for x in p.summary.items] or [
        t("After the drill, a debrief meeting reviews the drill, analyses the problems found and agrees improvement measures.", lang)
    ]
    add(list(_items([_sentence(x, lang) for x in summary], lang)))

    # 九、附则
    add(_provisions(p, lang))

    meta = [KeyValue(t("Prepared by", lang), p.provisions.owner.get(lang))]
    meta.append(KeyValue(t("Drill date", lang), fmt_date(p.schedule.date, lang)))
    if p.version is not None:
        meta.append(KeyValue(t("Version", lang), f"V{p.version}"))
    subtitle = t("Drill programme", lang) + " · " + _drill_type(p, lang)
    return Document(
        title=p.title.get(lang), lang=lang, sections=tuple(sections), subtitle=subtitle, meta=tuple(meta), kind="programme"
    )


def _drill_type(p: Programme, lang: str) -> str:
    form = t("live drill", lang) if p.drill_type.form == "live" else t("tabletop exercise", lang)
    scope = t("single-scenario drill", lang) if p.drill_type.scope == "single" else t("comprehensive drill", lang)
    return f"{form}（{scope}）" if lang == "zh" else f"{form} ({scope})"


def _organisation(p: Programme, lang: str) -> list[Block]:
    org = p.organisation
    lg = org.leadership_group
    n = 0
    out: list[Block] = []

    def seats_by_title(seats) -> list[KeyValue]:
        grouped: dict[str, list[str]] = {}
        for s in seats:
            grouped.setdefault(s.title.get(lang), []).append(s.holder.get(lang))
        return [KeyValue(k, _join(v, lang)) for k, v in grouped.items()]

    if lg is not None:
        kv: list[Block] = seats_by_title([lg.leader]) + seats_by_title(lg.deputies)
        if lg.members:
            kv.append(KeyValue(t("Members", lang), _join([m.get(lang) for m in lg.members], lang)))
        if lg.duties is not None:
            kv.append(KeyValue(t("Duties", lang), lg.duties.get(lang)))
        n += 1
        out.append(NumberedItem(1, item_label(1, n, lang), t("Drill leadership group", lang), tuple(kv)))

    cp = org.command_post
    lab_cmd, lab_dep = t("Commander", lang), t("Deputy commander", lang)
    kv = [KeyValue(lab_cmd, role_display(p.role(cp.commander), cp.commander, lang, lab_cmd))]
    if cp.deputies:
        kv.append(KeyValue(lab_dep, _join([role_display(p.role(r), r, lang, lab_dep) for r in cp.deputies], lang)))
    if cp.members:
        kv.append(KeyValue(t("Members", lang), _join([role_display(p.role(r), r, lang) for r in cp.members], lang)))
    if cp.duties is not None:
        kv.append(KeyValue(t("Duties", lang), cp.duties.get(lang)))
    n += 1
    out.append(NumberedItem(1, item_label(1, n, lang), t("Drill command post", lang), tuple(kv)))

    kv = []
    for kind, label in (
        ("participant", N_("Participants")),
        ("observer", N_("Observers")),
        ("evaluator", N_("Evaluators")),
    ):
        names = [role_display(r, r.id, lang, t(label, lang)) for r in p.roles if r.kind == kind]
        if names:
            kv.append(KeyValue(t(label, lang), _join(names, lang)))
    if kv:
        n += 1
        out.append(NumberedItem(1, item_label(1, n, lang), t("Participants, observers and evaluators", lang), tuple(kv)))

    with_duties = [r for r in p.roles if r.duties is not None]
    if with_duties:
        n += 1
        table = Table(
            headers=(t("Role", lang), t("Held by", lang), t("Duties", lang)),
            rows=tuple((r.name.get(lang), _tx(r.holder, lang), r.duties.get(lang)) for r in with_duties),  # type: ignore[union-attr]
            widths=(2, 2.5, 7),
        )
        out.append(NumberedItem(1, item_label(1, n, lang), t("Roles and duties", lang), (table,)))
    return out


def _role_name(p: Programme, plan: Plan | None, role_id: str, lang: str) -> str:
    r = p.role(role_id)
    if r is not None:
        return r.name.get(lang)
    if plan is not None and (pr := plan.role(role_id)) is not None:
        return pr.name.get(lang)
    return role_id


def _content(p: Programme, plans: dict[str, Plan], lang: str) -> list[Block]:
    subs: list[Block] = []

    def sub(heading: str, blocks: list[Block]) -> None:
        subs.append(Subsection(subsection_label(len(subs) + 1, lang, 6), heading, tuple(blocks)))

    # （一）演练形式
    sub(t("Drill type", lang), [Paragraph(t("This drill is a {type}.", lang, type=_drill_type(p, lang)))])

    # （二）演练场景与处置
    items: list[Block] = []
    for i, sc in enumerate(p.scenarios, 1):
        plan = plans.get(sc.plan.id)
        if plan is None:
            note = Paragraph(
                t("Plan {ref} was not found in the library; the scenario is listed by its reference only.", lang, ref=str(sc.plan)),
                note=True,
            )
            items.append(NumberedItem(1, item_label(1, i, lang), str(sc.plan), (note,)))
            continue
        children: list[Block] = []
        if sc.plan.version is not None and plan.version is not None and plan.version != sc.plan.version:
            children.append(
                Paragraph(t("The programme refers to {ref}; version {version} of the plan is shown.", lang,
                            ref=str(sc.plan), version=plan.version), note=True)
            )
        colon = "：" if lang == "zh" else ": "
        children.append(NumberedItem(2, item_label(2, 1, lang), t("Scenario", lang) + colon + _sentence(plan.scenario.get(lang), lang)))
        children.append(NumberedItem(2, item_label(2, 2, lang), t("Purpose", lang) + colon + _sentence(plan.objective.get(lang), lang)))
        steps = [
            t("{step} (responsible: {role}; target: {minutes} min)", lang,
              step=_strip_end(s.title.get(lang)), role=_role_name(p, plan, s.role, lang), minutes=fmt_minutes(s.target_minutes))
            for s in plan.steps
        ]
        step_items = _items(_seq_punct(steps, lang), lang, level=3)
        children.append(NumberedItem(2, item_label(2, 3, lang), t("Steps", lang) + colon.rstrip(), tuple(step_items)))
        items.append(NumberedItem(1, item_label(1, i, lang), plan.title.get(lang), tuple(children)))
    sub(t("Scenarios and response", lang), items)

    # （三）演练流程
    if p.phases:
        phase_items: list[Block] = []
        for i, ph in enumerate(p.phases, 1):
            window = fmt_window(ph.start, ph.end, lang)
            head = f"{ph.title.get(lang)}（{window}）" if lang == "zh" else f"{ph.title.get(lang)} ({window})"
            acts = _items([_sentence(a.get(lang), lang) for a in ph.activities], lang, level=2)
            phase_items.append(NumberedItem(1, item_label(1, i, lang), head, tuple(acts)))
        sub(t("Drill procedure", lang), phase_items)

    # （四）演练情景事件清单 (MSEL)
    sub(t("Master scenario events list", lang), _msel(p, plans, lang))
    return subs


def inject_rows(p: Programme, plans: dict[str, Plan], lang: str) -> tuple[list[tuple[str, ...]], set[int]]:
    """One row per inject (ordered by sequence) and the indexes of contingency rows."""
    rows: list[tuple[str, ...]] = []
    contingency: set[int] = set()
    start = p.schedule.start
    for idx, inj in enumerate(sorted(p.injects, key=lambda x: x.seq)):
        plan = plans.get(inj.scenario) if inj.scenario else None
        when = inj.time.label()
        if inj.time.offset_minutes is not None:
            m = minutes_of(start) + inj.time.offset_minutes
            if m < 24 * 60:
                when += f"\n({m // 60:02d}:{m % 60:02d})"
        title = inj.title.get(lang)
        if inj.contingency:
            title = t("[Contingency]", lang) + ("" if lang == "zh" else " ") + title
            contingency.add(idx)
        if inj.description is not None:
            title += "\n" + inj.description.get(lang)
        rows.append((str(inj.seq), when, title, _route(p, plan, inj, lang), t(CHANNELS.get(inj.channel, inj.channel), lang),
                     _tx(inj.expected_action, lang)))
    return rows, contingency


def _route(p: Programme, plan: Plan | None, inj: Inject, lang: str) -> str:
    src = _role_name(p, plan, inj.from_role, lang) if inj.from_role else t("Drill control", lang)
    dst = _join([_role_name(p, plan, r, lang) for r in inj.to], lang) or t("All participants", lang)
    return f"{src} → {dst}"


def _msel(p: Programme, plans: dict[str, Plan], lang: str) -> list[Block]:
    if not p.injects:
        return [Paragraph(t("No injects are defined.", lang))]
    rows, contingency = inject_rows(p, plans, lang)
    table = Table(
        headers=(t("No.", lang), t("Time", lang), t("Inject", lang), t("From → To", lang), t("Channel", lang),
                 t("Expected action", lang)),
        rows=tuple(rows),
        widths=(1.2, 1.8, 4.0, 3.2, 1.8, 4.0),
        highlight=frozenset(contingency),
    )
    out: list[Block] = [table]
    if contingency:
        out.append(Paragraph(t("Injects marked [Contingency] are held back and released by the command post only if needed.", lang), note=True))
    return out


def _evaluation(p: Programme, lang: str) -> list[Block]:
    ev = p.evaluation
    rubric = t("the standard drill scorecard", lang) if ev.rubric == "default" else ev.rubric
    criteria = [x.get(lang) for x in ev.criteria]
    if criteria:
        head = t("After the drill, the evaluators assess it with {rubric}, covering:", lang, rubric=rubric)
    else:
        head = t("After the drill, the evaluators assess it with {rubric}.", lang, rubric=rubric)
    first = NumberedItem(1, item_label(1, 1, lang), head, tuple(_items(_seq_punct(criteria, lang), lang, level=3)))
    rest = _items([_sentence(x.get(lang), lang) for x in ev.after], lang, start=2)
    return [first, *rest]


def _provisions(p: Programme, lang: str) -> list[Block]:
    pv = p.provisions
    lines = [
        t("This programme is drawn up and carried out by {owner}.", lang, owner=_strip_end(pv.owner.get(lang))),
        t("This programme is interpreted by {who}.", lang, who=_strip_end(pv.interpretation.get(lang))),
    ]
    if pv.effective is not None:
        lines.append(t("This programme takes effect {effective}.", lang, effective=_strip_end(pv.effective.get(lang))))
    elif pv.effective_date is not None:
        lines.append(t("This programme takes effect on {date}.", lang, date=fmt_date(pv.effective_date, lang)))
    else:
        lines.append(t("This programme takes effect on the date of issue.", lang))
    out: list[Block] = list(_items(lines, lang))
    if pv.note is not None:
        out.append(Paragraph(t("Note: {note}", lang, note=_sentence(pv.note.get(lang), lang)), note=True))
    return out


# ---------------------------------------------------------------- plan


def build_plan_document(plan: Plan, lang: str) -> Document:
    """The 应急预案 alone: scope and scenario, roles, activation, procedure, incident, provisions."""
    lang = normalize_lang(lang)
    colon = "：" if lang == "zh" else ": "
    sections: list[Section] = []

    def add(heading: str, blocks: list[Block]) -> None:
        n = len(sections) + 1
        sections.append(Section(section_label(n, lang), t(heading, lang), tuple(blocks)))

    stype = t(SCENARIO_TYPES[plan.scenario_type], lang) if plan.scenario_type in SCENARIO_TYPES else plan.scenario_type
    add(PLAN_SECTIONS[0], [
        KeyValue(t("Scenario type", lang), stype),
        NumberedItem(1, item_label(1, 1, lang), t("Scenario description", lang) + colon + _sentence(plan.scenario.get(lang), lang)),
        NumberedItem(1, item_label(1, 2, lang), t("Plan objective", lang) + colon + _sentence(plan.objective.get(lang), lang)),
    ])

    role_items = [
        NumberedItem(1, item_label(1, i, lang), r.name.get(lang),
                     tuple(_paragraphs(r.duties.get(lang))) if r.duties is not None else ())
        for i, r in enumerate(plan.roles, 1)
    ]
    add(PLAN_SECTIONS[1], list(role_items))

    add(PLAN_SECTIONS[2], [
        NumberedItem(1, item_label(1, 1, lang), t("Activation", lang) + colon + _sentence(plan.trigger.get(lang), lang)),
        NumberedItem(1, item_label(1, 2, lang), t("Response level", lang) + colon
                     + t(RESPONSE_LEVELS[plan.response_level.value], lang) + ("。" if lang == "zh" else ".")),
    ])

    order = {s.id: i for i, s in enumerate(plan.steps, 1)}
    rows = []
    for i, s in enumerate(plan.steps, 1):
        text = s.title.get(lang) + ("\n" + s.detail.get(lang) if s.detail is not None else "")
        role = plan.role(s.role)
        after = _join([str(order.get(a, a)) for a in s.after], lang) or "—"
        rows.append((str(i), text, role.name.get(lang) if role else s.role, after, fmt_minutes(s.target_minutes)))
    add(PLAN_SECTIONS[3], [
        Table(
            headers=(t("No.", lang), t("Step", lang), t("Responsible", lang), t("After step", lang), t("Target (min)", lang)),
            rows=tuple(rows),
            widths=(1.3, 7.0, 2.6, 2.2, 2.4),
        )
    ])

    if plan.incident is not None:
        add(PLAN_SECTIONS[4], list(_paragraphs(plan.incident.description.get(lang))))

    prov: list[str] = [t("This plan is drawn up and maintained by {owner}.", lang, owner=_strip_end(plan.owner.get(lang)))]
    if plan.effective_date is not None:
        prov.append(t("This plan takes effect on {date}.", lang, date=fmt_date(plan.effective_date, lang)))
    # the provisions heading is always the last one
    n = len(sections) + 1
    sections.append(Section(section_label(n, lang), t(PLAN_SECTIONS[5], lang), tuple(_items(prov, lang))))

    meta = [KeyValue(t("Prepared by", lang), plan.owner.get(lang))]
    if plan.effective_date is not None:
        meta.append(KeyValue(t("Effective date", lang), fmt_date(plan.effective_date, lang)))
    if plan.version is not None:
        meta.append(KeyValue(t("Version", lang), f"V{plan.version}"))
    return Document(title=plan.title.get(lang), lang=lang, sections=tuple(sections),
                    subtitle=t("Emergency plan", lang), meta=tuple(meta), kind="plan")
