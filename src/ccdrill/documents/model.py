"""A format-neutral document tree for official documents (演练方案, 应急预案, 总结报告 …).

Builders (``programme_doc``, later the summary report) produce a :class:`Document`;
renderers (``docx``, ``html``, ``markdown``) turn it into bytes.  The tree holds
display text only — every label is already numbered and translated — so a renderer
never needs to know what a programme is.

Numbering follows the Chinese official-document hierarchy (GB/T 9704):
section ``一、`` → sub-section ``（一）`` → item ``1.`` → ``（1）`` → ``a.``.
In English: ``1.`` → ``6.1`` → ``1.`` → ``(1)`` → ``a.``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

_DIGITS = "零一二三四五六七八九"


def chinese_numeral(n: int) -> str:
    """1 → 一, 10 → 十, 11 → 十一, 20 → 二十, 21 → 二十一, 100 → 一百, 105 → 一百零五."""
    if n < 0:
        raise ValueError("negative numbers have no Chinese section numeral")
    if n < 10:
        return _DIGITS[n]
    if n < 20:
        return "十" + (_DIGITS[n % 10] if n % 10 else "")
    if n < 100:
        tens, ones = divmod(n, 10)
        return _DIGITS[tens] + "十" + (_DIGITS[ones] if ones else "")
    if n < 1000:
        hundreds, rest = divmod(n, 100)
        if rest == 0:
            tail = ""
        elif rest < 10:
            tail = "零" + _DIGITS[rest]
        elif rest < 20:
            tail = "一" + chinese_numeral(rest)  # 一百一十五
        else:
            tail = chinese_numeral(rest)
        return _DIGITS[hundreds] + "百" + tail
    return str(n)


def _letters(n: int) -> str:
    """1 → a, 26 → z, 27 → aa."""
    out = ""
    while n > 0:
        n, r = divmod(n - 1, 26)
        out = chr(ord("a") + r) + out
    return out


def section_label(n: int, lang: str) -> str:
    """``一、`` in Chinese, ``1.`` in English."""
    return f"{chinese_numeral(n)}、" if lang == "zh" else f"{n}."


def subsection_label(n: int, lang: str, parent: int | None = None) -> str:
    """``（一）`` in Chinese, ``6.1`` (or ``(A)`` without a parent number) in English."""
    if lang == "zh":
        return f"（{chinese_numeral(n)}）"
    return f"{parent}.{n}" if parent is not None else f"({chr(ord('A') + n - 1)})"


def item_label(level: int, n: int, lang: str) -> str:
    """Level 1 ``1.``, level 2 ``（1）`` (zh, full-width) / ``(1)`` (en), level 3 ``a.``."""
    if level == 1:
        return f"{n}."
    if level == 2:
        return f"（{n}）" if lang == "zh" else f"({n})"
    if level == 3:
        return f"{_letters(n)}."
    raise ValueError(f"numbered items have levels 1, 2 and 3, not {level}")


@dataclass(frozen=True)
class Paragraph:
    """A body paragraph (first-line indented). ``note`` marks a remark (注：…) or a warning."""

    text: str
    note: bool = False


@dataclass(frozen=True)
class KeyValue:
    """A ``label：value`` line (组长：总经理)."""

    label: str
    value: str


@dataclass(frozen=True)
class NumberedItem:
    """``1.`` / ``（1）`` / ``a.`` item; ``children`` are nested blocks (usually deeper items)."""

    level: Literal[1, 2, 3]
    label: str
    text: str
    children: tuple[Block, ...] = ()


@dataclass(frozen=True)
class Table:
    """A bordered table. Cell text may contain ``\\n`` for line breaks.

    ``widths`` are relative column weights (any unit); ``highlight`` holds row indexes
    to mark (e.g. contingency injects).
    """

    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    widths: tuple[float, ...] | None = None
    caption: str | None = None
    highlight: frozenset[int] = field(default_factory=frozenset)


@dataclass(frozen=True)
class Image:
    """A figure (a chart): PNG bytes, an optional caption below it, ``width_mm`` on the page."""

    png: bytes
    caption: str | None = None
    width_mm: float = 150.0
    alt: str = ""


@dataclass(frozen=True)
class Subsection:
    """A second-level heading (``（一）…``) with its blocks."""

    number_label: str
    heading: str
    blocks: tuple[Block, ...] = ()


Block = Paragraph | KeyValue | NumberedItem | Table | Image | Subsection


@dataclass(frozen=True)
class Section:
    """A first-level section (``一、演练目的``)."""

    number_label: str
    heading: str
    blocks: tuple[Block, ...] = ()

    @property
    def full_heading(self) -> str:
        return heading_text(self.number_label, self.heading)


@dataclass(frozen=True)
class Document:
    """The whole document: a title page (title, subtitle, meta lines) and the sections."""

    title: str
    lang: str
    sections: tuple[Section, ...]
    subtitle: str | None = None
    meta: tuple[KeyValue, ...] = ()  # title-page lines: organisation, date, version …
    kind: str = "document"  # "programme", "plan", "report" — for renderers' metadata only


def heading_text(number_label: str, heading: str) -> str:
    """``一、演练目的`` (no space after 、 or （一）) or ``1. Drill objectives``."""
    if number_label.endswith(("、", "）")):
        return number_label + heading
    return f"{number_label} {heading}"


def item_text(label: str, text: str, lang: str | None = None) -> str:
    """``1.提高…`` / ``（1）演练场景`` in Chinese (label glued to the text, as 公文 write it),
    ``1. Improve…`` / ``(1) Scenario`` in English.  Without ``lang`` the text decides."""
    if label.endswith("）"):
        return label + text
    if lang is None:
        lang = "zh" if any("\u4e00" <= ch <= "\u9fff" for ch in text[:1]) else "en"
    return label + text if lang == "zh" else f"{label} {text}"


def walk(blocks: tuple[Block, ...]):
    """Every block, depth first (items' children and subsections' blocks included)."""
    for b in blocks:
        yield b
        if isinstance(b, NumberedItem):
            yield from walk(b.children)
        elif isinstance(b, Subsection):
            yield from walk(b.blocks)
