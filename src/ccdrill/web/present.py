"""Plain words for the codes in plans and programmes (what the twin effect does, a channel's name …).

Every msgid here is marked with :func:`N_` so the catalogue test finds it; ``web.po``
holds the Chinese.
"""

from __future__ import annotations

from typing import Any

from ccdrill.i18n import N_, t

SCENARIO_TYPES = {
    "system_failure": N_("System failure"),
    "staff_loss": N_("Staff loss"),
    "natural_disaster": N_("Natural disaster"),
    "network_failure": N_("Network failure"),
}
CHANNELS = {
    "phone": N_("phone"),
    "chat": N_("online chat"),
    "email": N_("e-mail"),
}
INJECT_CHANNELS = {
    "verbal": N_("In person"),
    "phone": N_("Phone"),
    "im": N_("Instant message"),
    "system": N_("System"),
    "radio": N_("Radio"),
    "paper": N_("Paper"),
    "email": N_("E-mail"),
}
DRILL_FORMS = {"tabletop": N_("Tabletop drill"), "live": N_("Live drill")}
DRILL_SCOPES = {"single": N_("Single-scenario drill"), "comprehensive": N_("Comprehensive drill")}
ROLE_KINDS = {
    "command": N_("Command"),
    "participant": N_("Participant"),
    "observer": N_("Observer"),
    "evaluator": N_("Evaluator"),
}
RESPONSE_LEVELS = {"I": N_("Level I"), "II": N_("Level II"), "III": N_("Level III"), "IV": N_("Level IV")}
CHANGE_KINDS = {"added": N_("added"), "removed": N_("removed"), "changed": N_("changed"), "moved": N_("moved")}


def label(table: dict[str, str], code: str | None, lang: str) -> str:
    if code is None:
        return ""
    msgid = table.get(str(code))
    return t(msgid, lang) if msgid else str(code)


def channel(code: str | None, lang: str) -> str:
    return label(CHANNELS, code, lang)


def _pct(share: float) -> int:
    return round(share * 100)


def describe_effect(effect: Any, lang: str) -> str:
    """One sentence saying what an effect does to the simulated centre."""
    kind = getattr(effect, "type", "")
    g = lambda name, default=None: getattr(effect, name, default)  # noqa: E731
    if kind == "channel_down":
        text = t(N_("The {channel} channel stops taking contacts"), lang, channel=channel(g("channel"), lang))
    elif kind == "channel_up":
        text = t(N_("The {channel} channel works again"), lang, channel=channel(g("channel"), lang))
    elif kind == "agents_lost":
        text = t(N_("{count} agents of group {group} drop out"), lang, count=g("count"), group=g("group"))
    elif kind == "site_lost":
        text = t(N_("Every agent at site {site} drops out"), lang, site=g("site"))
    elif kind == "agents_join":
        text = t(
            N_("{count} agents join group {group}, fully on line after {ramp} min"),
            lang,
            count=g("count"),
            group=g("group"),
            ramp=_num(g("ramp_minutes", 0)),
        )
    elif kind == "redirect":
        if not g("share"):
            text = t(
                N_("{source} contacts are no longer sent to {target}"),
                lang,
                source=channel(g("from_channel"), lang),
                target=channel(g("to_channel"), lang),
            )
        else:
            text = t(
                N_("{pct}% of new {source} contacts go to {target} instead"),
                lang,
                pct=_pct(g("share")),
                source=channel(g("from_channel"), lang),
                target=channel(g("to_channel"), lang),
            )
    elif kind == "callback":
        if not g("share"):
            text = t(N_("Callbacks on {channel} are no longer offered"), lang, channel=channel(g("channel"), lang))
        else:
            text = t(
                N_("{pct}% of waiting {channel} customers leave a number and are called back after {delay} min"),
                lang,
                pct=_pct(g("share")),
                channel=channel(g("channel"), lang),
                delay=_num(g("delay_minutes", 0)),
            )
    elif kind == "surge":
        target = channel(g("channel"), lang) if g("channel") else t(N_("every channel"), lang)
        if g("factor") == 1:
            text = t(N_("Demand on {channel} returns to normal"), lang, channel=target)
        else:
            text = t(N_("Demand on {channel} is multiplied by {factor}"), lang, channel=target, factor=_num(g("factor")))
    elif kind == "overflow":
        msgid = (
            N_("Agents of group {target} also take group {source}'s contacts")
            if g("enabled", True)
            else N_("Agents of group {target} stop taking group {source}'s contacts")
        )
        text = t(msgid, lang, source=g("from_group"), target=g("to_group"))
    else:
        text = str(kind)
    delay = g("after_minutes", 0) or 0
    if delay:
        text = t(N_("{effect}, {minutes} min later"), lang, effect=text, minutes=_num(delay))
    at = g("at")
    if at:
        text = t(N_("{effect}, at {clock}"), lang, effect=text, clock=at)
    return text


def _num(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def minutes(value: float | int | None, lang: str) -> str:
    if value is None:
        return ""
    return t(N_("{n} min"), lang, n=_num(value))


def diff_value(value: Any, lang: str) -> str:
    """A diffed value as short text: bilingual texts in the reader's language, others compact."""
    if value is None:
        return "—"
    if isinstance(value, dict):
        if set(value) <= {"zh", "en"} and "zh" in value:
            return (value.get("en") if lang == "en" and value.get("en") else value["zh"]) or ""
        import json

        return json.dumps(value, ensure_ascii=False)[:400]
    if isinstance(value, list):
        import json

        return json.dumps(value, ensure_ascii=False)[:400]
    if isinstance(value, float):
        return _num(value)
    return str(value)
