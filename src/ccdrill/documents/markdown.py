"""Render a :class:`Document` as Markdown (CommonMark + pipe tables).

Text is escaped so that nothing in a field can turn into Markdown structure or raw
HTML: ``\\ ` * _ [ ] < > & |`` and a leading ``#``, ``+``, ``-``, ``>``, ``1.`` are neutralised.
"""

from __future__ import annotations

import base64
import re

from ccdrill.documents.model import (
    Block,
    Document,
    Image,
    KeyValue,
    NumberedItem,
    Paragraph,
    Subsection,
    Table,
    heading_text,
    item_text,
)

_INLINE = re.compile(r"([\\`*_\[\]{}!~|])")
_LEADING = re.compile(r"^(\s*)([#+\->=]|\d+[.)](?=\s|$))")


def escape_md(text: str, table: bool = False, heading: bool = False) -> str:
    """Escape one line or a multi-line text; lines are joined with a hard break."""
    lines = []
    for line in text.replace("\r\n", "\n").split("\n"):
        s = line.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        s = _INLINE.sub(r"\\\1", s)
        if not heading:
            s = _LEADING.sub(lambda m: m.group(1) + m.group(2)[:-1] + "\\" + m.group(2)[-1], s)
        lines.append(s.strip() if table else s)
    return ("<br>" if table else "\\\n").join(lines)


class _Md:
    def __init__(self, lang: str) -> None:
        self.lang = lang
        self.out: list[str] = []

    def blocks(self, blocks: tuple[Block, ...]) -> None:
        for b in blocks:
            if isinstance(b, Paragraph):
                self.out.append(("*" + escape_md(b.text) + "*") if b.note else escape_md(b.text))
            elif isinstance(b, KeyValue):
                colon = "：" if self.lang == "zh" else ": "
                self.out.append(f"**{escape_md(b.label)}**{colon}{escape_md(b.value)}")
            elif isinstance(b, NumberedItem):
                indent = "\u3000\u3000" * (b.level - 1) if self.lang == "zh" else "\u00a0" * 4 * (b.level - 1)
                self.out.append(indent + escape_md(item_text(b.label, b.text, self.lang)))
                self.blocks(b.children)
            elif isinstance(b, Table):
                self.table(b)
            elif isinstance(b, Image):
                data = base64.b64encode(b.png).decode("ascii")
                alt = escape_md(b.alt or b.caption or "", table=True)
                self.out.append(f"![{alt}](data:image/png;base64,{data})")
                if b.caption:
                    self.out.append("*" + escape_md(b.caption) + "*")
            elif isinstance(b, Subsection):
                self.out.append("### " + escape_md(heading_text(b.number_label, b.heading), heading=True))
                self.blocks(b.blocks)

    def table(self, tb: Table) -> None:
        def row(cells) -> str:
            return "| " + " | ".join(escape_md(c, table=True) or " " for c in cells) + " |"

        lines = [row(tb.headers), "|" + "|".join("---" for _ in tb.headers) + "|"]
        n = len(tb.headers)
        lines += [row(list(r) + [""] * (n - len(r))) for r in tb.rows]
        self.out.append("\n".join(lines))
        if tb.caption:
            self.out.append("*" + escape_md(tb.caption) + "*")


def render_markdown(doc: Document, lang: str | None = None) -> bytes:
    lang = lang or doc.lang
    w = _Md(lang)
    w.out.append("# " + escape_md(doc.title, heading=True))
    if doc.subtitle:
        w.out.append("*" + escape_md(doc.subtitle) + "*")
    colon = "：" if lang == "zh" else ": "
    if doc.meta:
        w.out.append("\\\n".join(f"{escape_md(kv.label)}{colon}{escape_md(kv.value)}" for kv in doc.meta))
    w.out.append("---")
    for s in doc.sections:
        w.out.append("## " + escape_md(heading_text(s.number_label, s.heading), heading=True))
        w.blocks(s.blocks)
    return ("\n\n".join(w.out) + "\n").encode("utf-8")
