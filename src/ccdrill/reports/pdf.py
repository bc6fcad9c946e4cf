"""Render a :class:`~ccdrill.documents.model.Document` as PDF with fpdf2 (pure Python).

Chinese renders on any machine because the fonts travel inside the PDF: the body in Noto Serif
CJK SC (a 宋体-style serif) and headings in 黑体 (SimHei), both shipped by the ``mplfonts``
package and embedded as subsets.  Layout after the DOCX renderer (公文 style): A4, margins
37/35/28/26 mm, a title page without a number, first-level headings in 黑体, second-level in
楷体 style (the serif here), bordered tables with a grey header row repeated on each page, figures
centred with their caption, and page numbers "— 1 —" centred in the footer.
"""

from __future__ import annotations

import io
from functools import lru_cache
from pathlib import Path

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

BODY = "cjkserif"
HEAD = "cjkhei"

_MM = 1.0  # fpdf unit is mm


@lru_cache(maxsize=1)
def font_files() -> dict[str, Path]:
    """The font files the PDF embeds: ``{"body": …, "head": …}`` (from ``mplfonts``)."""
    import mplfonts

    folder = Path(mplfonts.__file__).parent / "fonts"
    body = next((folder / n for n in ("NotoSerifCJKsc-Regular.otf", "SourceHanSerifSC-Regular.otf",
                                      "NotoSansCJKsc-Regular.otf") if (folder / n).is_file()), None)
    head = next((folder / n for n in ("SimHei.ttf", "NotoSansCJKsc-Regular.otf") if (folder / n).is_file()), body)
    if body is None or head is None:  # pragma: no cover - mplfonts ships them
        raise RuntimeError("no CJK font found in the mplfonts package")
    return {"body": body, "head": head}


def _pdf_class():
    from fpdf import FPDF

    class _Pdf(FPDF):
        numbered_from = 2  # the title page has no number; the body starts at "— 1 —"

        def footer(self) -> None:
            if self.page_no() < self.numbered_from:
                return
            self.set_y(-20)
            self.set_font(BODY, size=12)
            self.set_text_color(0, 0, 0)
            self.cell(0, 8, f"— {self.page_no() - self.numbered_from + 1} —", align="C")

    return _Pdf


class _Writer:
    def __init__(self, doc: Document, lang: str) -> None:
        from fpdf.enums import WrapMode

        self.zh = lang == "zh"
        self.lang = lang
        self.doc = doc
        self.wrap = WrapMode.CHAR if self.zh else WrapMode.WORD
        pdf = _pdf_class()(orientation="P", unit="mm", format="A4")
        fonts = font_files()
        pdf.add_font(BODY, fname=str(fonts["body"]))
        pdf.add_font(HEAD, fname=str(fonts["head"]))
        pdf.set_margins(left=28, top=30, right=26)
        pdf.set_auto_page_break(True, margin=30)
        pdf.set_title(doc.title)
        pdf.set_author("ccdrill")
        pdf.set_subject(doc.subtitle or "")
        pdf.set_lang("zh-CN" if self.zh else "en")
        pdf.set_creator("ccdrill")
        self.pdf = pdf
        self.body_pt = 12 if self.zh else 11
        self.line_mm = 7.2 if self.zh else 6.0
        self.h1_pt = 15 if self.zh else 14
        self.h2_pt = 13 if self.zh else 12
        self.table_pt = 9.5 if self.zh else 9

    @property
    def width(self) -> float:
        return self.pdf.w - self.pdf.l_margin - self.pdf.r_margin

    # -- text
    def para(self, text: str, indent_chars: float = 2.0, size: float | None = None, font: str = BODY,
             align: str = "J", left_mm: float = 0.0) -> None:
        pdf = self.pdf
        size = size or self.body_pt
        pdf.set_font(font, size=size)
        pdf.set_x(pdf.l_margin + left_mm)
        if self.zh and indent_chars:
            text = "\u3000" * int(indent_chars) + text
        pdf.multi_cell(self.width - left_mm, self.line_mm * size / self.body_pt, text, align=align,
                       new_x="LMARGIN", new_y="NEXT", wrapmode=self.wrap)

    def heading(self, text: str, level: int) -> None:
        pdf = self.pdf
        size = self.h1_pt if level == 1 else self.h2_pt
        need = 30 if level == 1 else 22
        if pdf.get_y() + need > pdf.h - pdf.b_margin:
            pdf.add_page()
        pdf.ln(3 if level == 1 else 1.5)
        pdf.set_font(HEAD if level == 1 else BODY, size=size)
        pdf.set_x(pdf.l_margin + (2 * size * 0.3528 if self.zh else 0))
        pdf.multi_cell(0, self.line_mm * 1.1, text, new_x="LMARGIN", new_y="NEXT", wrapmode=self.wrap)
        pdf.ln(0.8)

    # -- blocks
    def blocks(self, blocks: tuple[Block, ...], depth: int = 0) -> None:
        for b in blocks:
            left = 0.0 if self.zh else 6.0 * depth
            if isinstance(b, Paragraph):
                if b.note:
                    self.pdf.set_text_color(70, 70, 70)
                    self.para(b.text, size=self.body_pt - 1.5, left_mm=left, indent_chars=2 if self.zh else 0)
                    self.pdf.set_text_color(0, 0, 0)
                else:
                    self.para(b.text, left_mm=left, indent_chars=2 if self.zh else 0)
            elif isinstance(b, KeyValue):
                colon = "：" if self.zh else ": "
                self.para(f"{b.label}{colon}{b.value}", left_mm=left, indent_chars=2 if self.zh else 0, align="L")
            elif isinstance(b, NumberedItem):
                self.para(item_text(b.label, b.text, self.lang), left_mm=left, indent_chars=2 if self.zh else 0,
                          align="L")
                self.blocks(b.children, depth + 1)
            elif isinstance(b, Table):
                self.table(b)
            elif isinstance(b, Image):
                self.image(b)
            elif isinstance(b, Subsection):
                self.heading(heading_text(b.number_label, b.heading), 2)
                self.blocks(b.blocks, depth)

    def table(self, tb: Table) -> None:
        from fpdf.fonts import FontFace

        pdf = self.pdf
        n = len(tb.headers)
        weights = list(tb.widths) if tb.widths and len(tb.widths) == n else [1.0] * n
        pdf.ln(1.5)
        pdf.set_font(BODY, size=self.table_pt)
        head_style = FontFace(family=HEAD, size_pt=self.table_pt, fill_color=(231, 230, 230), emphasis="")
        with pdf.table(col_widths=weights, width=self.width, text_align="LEFT", line_height=self.table_pt * 0.5,
                       headings_style=head_style, repeat_headings=1, wrapmode=self.wrap, padding=1.2,
                       borders_layout="ALL", v_align="TOP") as table:
            head = table.row()
            for h in tb.headers:
                head.cell(h, align="C")
            for i, r in enumerate(tb.rows):
                style = FontFace(fill_color=(255, 242, 204)) if i in tb.highlight else None
                row = table.row(style=style)
                for c in list(r) + [""] * (n - len(r)):
                    row.cell(c)
        if tb.caption:
            pdf.set_font(BODY, size=self.table_pt)
            pdf.multi_cell(0, self.table_pt * 0.5, tb.caption, align="C", new_x="LMARGIN", new_y="NEXT",
                           wrapmode=self.wrap)
        pdf.ln(3)

    def image(self, im: Image) -> None:
        from PIL import Image as PILImage

        pdf = self.pdf
        with PILImage.open(io.BytesIO(im.png)) as pil:
            w_px, h_px = pil.size
        w = min(im.width_mm, self.width)
        h = w * h_px / w_px
        cap_h = 6 if im.caption else 0
        if pdf.get_y() + h + cap_h > pdf.h - pdf.b_margin:
            pdf.add_page()
        x = pdf.l_margin + (self.width - w) / 2
        pdf.ln(1.5)
        pdf.image(io.BytesIO(im.png), x=x, y=pdf.get_y(), w=w, h=h, alt_text=im.alt or im.caption or None)
        pdf.set_y(pdf.get_y() + h + 1)
        if im.caption:
            pdf.set_font(BODY, size=self.table_pt)
            pdf.multi_cell(0, self.table_pt * 0.5, im.caption, align="C", new_x="LMARGIN", new_y="NEXT",
                           wrapmode=self.wrap)
        pdf.ln(3)

    def title_page(self) -> None:
        pdf, d = self.pdf, self.doc
        pdf.add_page()
        pdf.set_y(85)
        pdf.set_font(HEAD, size=22)
        pdf.multi_cell(0, 12, d.title, align="C", new_x="LMARGIN", new_y="NEXT", wrapmode=self.wrap)
        if d.subtitle:
            pdf.ln(6)
            pdf.set_font(BODY, size=14)
            pdf.multi_cell(0, 8, d.subtitle, align="C", new_x="LMARGIN", new_y="NEXT", wrapmode=self.wrap)
        pdf.set_y(185)
        colon = "：" if self.zh else ": "
        pdf.set_font(BODY, size=13)
        for kv in d.meta:
            pdf.multi_cell(0, 9, f"{kv.label}{colon}{kv.value}", align="C", new_x="LMARGIN", new_y="NEXT",
                           wrapmode=self.wrap)

    def render(self) -> bytes:
        self.title_page()
        self.pdf.add_page()
        first = True
        for s in self.doc.sections:
            if not first and s.number_label.startswith(("附件", "Appendix")):
                self.pdf.add_page()
            first = False
            self.heading(heading_text(s.number_label, s.heading), 1)
            self.blocks(s.blocks)
        return bytes(self.pdf.output())


def render_pdf(doc: Document, lang: str | None = None) -> bytes:
    """The document as PDF bytes (``lang`` defaults to the document's language)."""
    return _Writer(doc, lang or doc.lang).render()
