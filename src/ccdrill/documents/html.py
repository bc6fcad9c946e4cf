"""Render a :class:`Document` as one self-contained, print-friendly HTML page.

No external assets: the CSS is inline and the fonts are the ones a Chinese office
has (仿宋 for the body, 黑体 for headings, 楷体 for second-level headings).  Every
piece of text goes through :func:`html.escape`, so a hostile string stays inert.
"""

from __future__ import annotations

import base64
from html import escape

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

_CSS_ZH = """
:root{--body:"FangSong","仿宋","仿宋_GB2312","STFangsong","Noto Serif CJK SC","Songti SC",serif;
--hei:"SimHei","黑体","Heiti SC","Noto Sans CJK SC","Microsoft YaHei",sans-serif;
--kai:"KaiTi","楷体","楷体_GB2312","STKaiti","Noto Serif CJK SC",serif;
--song:"SimSun","宋体","Songti SC","Noto Serif CJK SC",serif;
--title:"方正小标宋简体","FZXiaoBiaoSong-B05S","SimSun","宋体","Songti SC","Noto Serif CJK SC",serif}
body{font-family:var(--body);font-size:16pt;line-height:28pt}
.item,.p,.kv{text-indent:2em}
h2{font-family:var(--hei);font-weight:normal;text-indent:2em}
h3{font-family:var(--kai);font-weight:normal;text-indent:2em}
"""

_CSS_EN = """
:root{--body:"Times New Roman",Times,"Noto Serif",serif;--hei:Arial,"Helvetica Neue",Helvetica,sans-serif;
--kai:Arial,"Helvetica Neue",Helvetica,sans-serif;--song:"Times New Roman",Times,serif;
--title:"Times New Roman",Times,serif}
body{font-family:var(--body);font-size:12pt;line-height:1.6}
.p{text-indent:0}
h2{font-family:var(--hei);font-size:14pt}
h3{font-family:var(--kai);font-size:12pt}
.l2{margin-left:1.5em}.l3{margin-left:3em}
"""

_CSS_COMMON = """
*{box-sizing:border-box}
html{background:#f3f3f3}
body{margin:0;color:#000}
.page{background:#fff;max-width:210mm;margin:12px auto;padding:37mm 26mm 35mm 28mm;box-shadow:0 1px 4px rgba(0,0,0,.15)}
.cover{min-height:150mm;display:flex;flex-direction:column;justify-content:space-between;text-align:center;margin-bottom:14mm;padding-bottom:10mm;border-bottom:1px solid #ccc}
.cover h1{font-family:var(--title);font-size:22pt;line-height:1.6;margin:30mm 0 0}
.cover .subtitle{font-family:var(--kai);margin-top:8mm}
.cover .meta p{margin:0}
h2,h3{font-size:16pt;margin:0}
p{margin:0}
.note{font-style:normal}
table{border-collapse:collapse;width:100%;margin:6pt 0 10pt;font-family:var(--song);font-size:10.5pt;line-height:1.45;text-indent:0}
th,td{border:1px solid #000;padding:3pt 5pt;vertical-align:top;text-align:left}
th{background:#e7e6e6;font-family:var(--hei);font-weight:normal;text-align:center}
tr.hl td{background:#fff2cc}
caption{caption-side:bottom;font-size:10.5pt}
figure{margin:8pt 0 12pt;text-align:center;text-indent:0;page-break-inside:avoid;break-inside:avoid}
figure img{display:block;margin:0 auto;height:auto}
figcaption{font-size:10.5pt;line-height:1.5;margin-top:3pt}
@media (max-width:700px){.page{padding:16px}.cover{min-height:auto}.cover h1{margin-top:24px}table{font-size:9pt}}
@page{size:A4;margin:37mm 26mm 35mm 28mm}
@media print{html{background:#fff}.page{box-shadow:none;margin:0;padding:0;max-width:none}
.cover{min-height:220mm;margin:0;padding:0;border:0;page-break-after:always;break-after:page}
h2,h3{page-break-after:avoid;break-after:avoid}tr{page-break-inside:avoid}thead{display:table-header-group}}
"""


def _text(s: str) -> str:
    return escape(s).replace("\n", "<br>")


class _Html:
    def __init__(self, lang: str) -> None:
        self.lang = lang
        self.out: list[str] = []

    def blocks(self, blocks: tuple[Block, ...]) -> None:
        for b in blocks:
            if isinstance(b, Paragraph):
                cls = "p note" if b.note else "p"
                self.out.append(f'<p class="{cls}">{_text(b.text)}</p>')
            elif isinstance(b, KeyValue):
                colon = "：" if self.lang == "zh" else ": "
                self.out.append(f'<p class="kv"><span class="k">{_text(b.label)}</span>{colon}{_text(b.value)}</p>')
            elif isinstance(b, NumberedItem):
                self.out.append(f'<p class="item l{b.level}">{_text(item_text(b.label, b.text, self.lang))}</p>')
                if b.children:
                    self.out.append(f'<div class="children l{b.level}">')
                    self.blocks(b.children)
                    self.out.append("</div>")
            elif isinstance(b, Table):
                self.table(b)
            elif isinstance(b, Image):
                data = base64.b64encode(b.png).decode("ascii")
                alt = escape(b.alt or b.caption or "", quote=True)
                self.out.append(f'<figure><img src="data:image/png;base64,{data}" alt="{alt}" '
                                f'style="width:{b.width_mm:.0f}mm;max-width:100%">')
                if b.caption:
                    self.out.append(f"<figcaption>{_text(b.caption)}</figcaption>")
                self.out.append("</figure>")
            elif isinstance(b, Subsection):
                self.out.append(f"<h3>{_text(heading_text(b.number_label, b.heading))}</h3>")
                self.blocks(b.blocks)

    def table(self, tb: Table) -> None:
        o = self.out
        o.append("<table>")
        if tb.caption:
            o.append(f"<caption>{_text(tb.caption)}</caption>")
        if tb.widths and len(tb.widths) == len(tb.headers):
            total = sum(tb.widths)
            o.append("<colgroup>" + "".join(f'<col style="width:{100 * w / total:.1f}%">' for w in tb.widths) + "</colgroup>")
        o.append("<thead><tr>" + "".join(f'<th scope="col">{_text(h)}</th>' for h in tb.headers) + "</tr></thead><tbody>")
        for i, row in enumerate(tb.rows):
            cls = ' class="hl"' if i in tb.highlight else ""
            o.append(f"<tr{cls}>" + "".join(f"<td>{_text(c)}</td>" for c in row) + "</tr>")
        o.append("</tbody></table>")


def render_html(doc: Document, lang: str | None = None) -> bytes:
    lang = lang or doc.lang
    html_lang = "zh-CN" if lang == "zh" else "en"
    w = _Html(lang)
    colon = "：" if lang == "zh" else ": "
    w.out.append('<section class="cover">')
    w.out.append(f"<div><h1>{_text(doc.title)}</h1>")
    if doc.subtitle:
        w.out.append(f'<p class="subtitle">{_text(doc.subtitle)}</p>')
    w.out.append('</div><div class="meta">')
    for kv in doc.meta:
        w.out.append(f"<p>{_text(kv.label)}{colon}{_text(kv.value)}</p>")
    w.out.append("</div></section>")
    for s in doc.sections:
        w.out.append("<section>")
        w.out.append(f"<h2>{_text(heading_text(s.number_label, s.heading))}</h2>")
        w.blocks(s.blocks)
        w.out.append("</section>")
    css = _CSS_COMMON + (_CSS_ZH if lang == "zh" else _CSS_EN)
    page = (
        "<!DOCTYPE html>\n"
        f'<html lang="{html_lang}">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{_text(doc.title)}</title>\n<style>{css}</style>\n</head>\n"
        '<body>\n<article class="page">\n' + "\n".join(w.out) + "\n</article>\n</body>\n</html>\n"
    )
    return page.encode("utf-8")
