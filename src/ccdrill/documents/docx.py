"""Render a :class:`Document` as a Word file laid out like a Chinese official document (公文).

GB/T 9704 conventions: A4, margins top 37 mm / bottom 35 mm / left 28 mm / right 26 mm;
title in 小标宋 (方正小标宋简体, falling back to 宋体) 二号 22 pt; first-level headings
``一、`` in 黑体 三号; second-level ``（一）`` in 楷体 三号; body 仿宋 三号 16 pt with a fixed
28 pt line pitch and a two-character first-line indent; page numbers "— 1 —" centred in
the footer.  East-Asian fonts are written into ``w:rFonts/@w:eastAsia`` (python-docx only
sets the Latin ones) on the document defaults, on every style and on every run, and the
theme-font attributes that would override them are removed.
"""

from __future__ import annotations

import io
from collections.abc import Iterable

from docx import Document as new_docx
from docx.enum.section import WD_ORIENT
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

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
    heading_text,
    item_text,
)

# East-Asian font names as a Chinese Word writes them.
TITLE_FONT = "方正小标宋简体"
TITLE_FONT_FALLBACK = "宋体"
HEI = "黑体"
KAI = "楷体"
FANG = "仿宋"
SONG = "宋体"

_THEME_ATTRS = ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme")


class _Fonts:
    """Fonts and sizes for one language."""

    def __init__(self, lang: str) -> None:
        self.zh = lang == "zh"
        if self.zh:
            self.latin_body = self.latin_head = "Times New Roman"
            self.body_pt, self.line_pt = 16, 28
            self.h1_pt = self.h2_pt = 16
            self.table_pt = 10.5
        else:
            self.latin_body, self.latin_head = "Times New Roman", "Arial"
            self.body_pt, self.line_pt = 12, 20
            self.h1_pt, self.h2_pt = 14, 12
            self.table_pt = 10
        self.title_pt = 22


def _set_fonts(rpr_owner, latin: str, east_asia: str) -> None:
    """Set ascii/hAnsi/cs and eastAsia fonts on a style's or run's ``w:rPr``; drop theme fonts."""
    rpr = rpr_owner.get_or_add_rPr()
    rfonts = rpr.find(qn("w:rFonts"))
    if rfonts is None:
        rfonts = OxmlElement("w:rFonts")
        rpr.insert(0, rfonts)
    for attr in _THEME_ATTRS:
        if rfonts.get(qn(attr)) is not None:
            del rfonts.attrib[qn(attr)]
    rfonts.set(qn("w:ascii"), latin)
    rfonts.set(qn("w:hAnsi"), latin)
    rfonts.set(qn("w:cs"), latin)
    rfonts.set(qn("w:eastAsia"), east_asia)


def _font(run, latin: str, east_asia: str, size: float | None = None, bold: bool | None = None) -> None:
    run.font.name = latin
    _set_fonts(run._element, latin, east_asia)
    if size is not None:
        run.font.size = Pt(size)
    if bold is not None:
        run.font.bold = bold


def _style_fonts(style, latin: str, east_asia: str, size: float, bold: bool = False) -> None:
    style.font.name = latin
    _set_fonts(style.element, latin, east_asia)
    style.font.size = Pt(size)
    style.font.bold = bold
    style.font.italic = False
    style.font.color.rgb = RGBColor(0, 0, 0)


def _first_line_chars(pf_owner_paragraph_format, chars: int, size_pt: float) -> None:
    """Two-character first-line indent."""
    pf = pf_owner_paragraph_format
    # An absolute indent (2 × the font size) rather than w:firstLineChars: LibreOffice and
    # WPS drop the chars form when the grid has no character pitch.
    pf.first_line_indent = Pt(chars * size_pt)


def _fixed_lines(pf, line_pt: float) -> None:
    pf.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    pf.line_spacing = Pt(line_pt)
    pf.space_before = Pt(0)
    pf.space_after = Pt(0)


def _setup_styles(doc, f: _Fonts) -> None:
    styles = doc.styles
    east_body = FANG if f.zh else SONG

    # Document defaults (w:docDefaults/w:rPrDefault) — what any unstyled text falls back to.
    rpr_default = styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault"))
    rpr = rpr_default.find(qn("w:rPr"))
    rfonts = rpr.find(qn("w:rFonts"))
    if rfonts is None:
        rfonts = OxmlElement("w:rFonts")
        rpr.insert(0, rfonts)
    for attr in _THEME_ATTRS:
        if rfonts.get(qn(attr)) is not None:
            del rfonts.attrib[qn(attr)]
    for attr in ("w:ascii", "w:hAnsi", "w:cs"):
        rfonts.set(qn(attr), f.latin_body)
    rfonts.set(qn("w:eastAsia"), east_body)
    lang_el = rpr.find(qn("w:lang"))
    if lang_el is None:
        lang_el = OxmlElement("w:lang")
        rpr.append(lang_el)
    lang_el.set(qn("w:val"), "zh-CN" if f.zh else "en-GB")
    lang_el.set(qn("w:eastAsia"), "zh-CN")

    normal = styles["Normal"]
    _style_fonts(normal, f.latin_body, east_body, f.body_pt)
    _fixed_lines(normal.paragraph_format, f.line_pt)
    normal.paragraph_format.widow_control = True
    if f.zh:
        normal.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY

    h1 = styles["Heading 1"]
    _style_fonts(h1, f.latin_head, HEI, f.h1_pt, bold=not f.zh)
    _fixed_lines(h1.paragraph_format, f.line_pt)
    h1.paragraph_format.keep_with_next = True
    if not f.zh:
        h1.paragraph_format.space_before = Pt(12)
        h1.paragraph_format.space_after = Pt(4)

    h2 = styles["Heading 2"]
    _style_fonts(h2, f.latin_head if not f.zh else f.latin_body, KAI, f.h2_pt, bold=not f.zh)
    _fixed_lines(h2.paragraph_format, f.line_pt)
    h2.paragraph_format.keep_with_next = True
    if not f.zh:
        h2.paragraph_format.space_before = Pt(6)
        h2.paragraph_format.space_after = Pt(2)
    for h in (h1, h2):
        if f.zh:
            _first_line_chars(h.paragraph_format, 2, f.h1_pt)
        h.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.LEFT

    body = styles.add_style("Body Text Indent 2ch", WD_STYLE_TYPE.PARAGRAPH)
    body.base_style = normal
    body.quick_style = True
    if f.zh:
        _first_line_chars(body.paragraph_format, 2, f.body_pt)
    else:
        body.paragraph_format.space_after = Pt(3)

    title = styles.add_style("Document Title", WD_STYLE_TYPE.PARAGRAPH)
    title.base_style = normal
    _style_fonts(title, f.latin_head if not f.zh else f.latin_body, TITLE_FONT if f.zh else SONG, f.title_pt, bold=True)
    title.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    title.paragraph_format.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    title.paragraph_format.line_spacing = Pt(36)

    sub = styles.add_style("Document Subtitle", WD_STYLE_TYPE.PARAGRAPH)
    sub.base_style = normal
    _style_fonts(sub, f.latin_body, KAI, f.body_pt)
    sub.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER

    meta = styles.add_style("Title Page Line", WD_STYLE_TYPE.PARAGRAPH)
    meta.base_style = normal
    _style_fonts(meta, f.latin_body, FANG if f.zh else SONG, f.body_pt)
    meta.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER

    cell = styles.add_style("Table Cell", WD_STYLE_TYPE.PARAGRAPH)
    cell.base_style = normal
    _style_fonts(cell, f.latin_body, SONG, f.table_pt)
    cell.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE
    cell.paragraph_format.first_line_indent = Pt(0)
    cell.paragraph_format.space_before = Pt(1.5)
    cell.paragraph_format.space_after = Pt(1.5)
    snap = OxmlElement("w:snapToGrid")
    snap.set(qn("w:val"), "0")
    cell.element.get_or_add_pPr().insert(0, snap)
    cell.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.LEFT

    foot = styles["Footer"]
    _style_fonts(foot, f.latin_body, SONG, 14 if f.zh else 10)
    foot.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER


def _add_title_font_fallback(doc) -> None:
    """Tell Word that 方正小标宋简体 is a GB2312 serif like 宋体, so it substitutes 宋体 when absent."""
    font_table = None
    for rel in doc.part.rels.values():
        if rel.reltype.endswith("/fontTable"):
            font_table = rel.target_part
    if font_table is None:
        return
    from lxml import etree

    root = etree.fromstring(font_table.blob)
    w = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
    font = etree.SubElement(root, f"{{{w}}}font", {f"{{{w}}}name": TITLE_FONT})
    etree.SubElement(font, f"{{{w}}}altName", {f"{{{w}}}val": TITLE_FONT_FALLBACK})
    etree.SubElement(font, f"{{{w}}}panose1", {f"{{{w}}}val": "02010600030101010101"})  # 宋体's panose
    etree.SubElement(font, f"{{{w}}}charset", {f"{{{w}}}val": "86"})  # GB2312
    etree.SubElement(font, f"{{{w}}}family", {f"{{{w}}}val": "roman"})
    etree.SubElement(font, f"{{{w}}}pitch", {f"{{{w}}}val": "variable"})
    font_table._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _page_field(paragraph) -> None:
    """Append a PAGE field to the paragraph."""
    run = paragraph.add_run()
    begin = OxmlElement("w:fldChar")
    begin.set(qn("w:fldCharType"), "begin")
    run._element.append(begin)
    run = paragraph.add_run()
    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = " PAGE "
    run._element.append(instr)
    run = paragraph.add_run()
    sep = OxmlElement("w:fldChar")
    sep.set(qn("w:fldCharType"), "separate")
    run._element.append(sep)
    paragraph.add_run("1")
    run = paragraph.add_run()
    end = OxmlElement("w:fldChar")
    end.set(qn("w:fldCharType"), "end")
    run._element.append(end)


def _setup_page(doc, f: _Fonts) -> None:
    sec = doc.sections[0]
    sec.orientation = WD_ORIENT.PORTRAIT
    sec.page_width, sec.page_height = Mm(210), Mm(297)
    sec.top_margin, sec.bottom_margin = Mm(37), Mm(35)
    sec.left_margin, sec.right_margin = Mm(28), Mm(26)
    sec.header_distance, sec.footer_distance = Mm(15), Mm(20)
    # The title page has no number; counting starts at 0 there so the body begins at "— 1 —".
    sec.different_first_page_header_footer = True
    pg = OxmlElement("w:pgNumType")
    pg.set(qn("w:start"), "0")
    sec._sectPr.append(pg)
    # Chinese documents: 28 characters × 22 lines grid.
    if f.zh:
        grid = sec._sectPr.find(qn("w:docGrid"))
        if grid is None:
            grid = OxmlElement("w:docGrid")
            sec._sectPr.append(grid)
        grid.set(qn("w:type"), "lines")
        grid.set(qn("w:linePitch"), "560")

    footer = sec.footer
    p = footer.paragraphs[0] if footer.paragraphs else footer.add_paragraph()
    p.style = doc.styles["Footer"]
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    p.add_run("— ")
    _page_field(p)
    p.add_run(" —")
    east = SONG
    for r in p.runs:
        _set_fonts(r._element, f.latin_body, east)


class _Writer:
    def __init__(self, doc, f: _Fonts) -> None:
        self.doc = doc
        self.f = f
        self.body_east = FANG if f.zh else SONG

    # -- paragraphs
    def para(self, text: str, style: str = "Body Text Indent 2ch", italic: bool = False):
        p = self.doc.add_paragraph(style=style)
        self.runs(p, text, italic=italic)
        return p

    def runs(self, p, text: str, italic: bool = False, bold: bool = False, east: str | None = None,
             latin: str | None = None, size: float | None = None) -> None:
        east = east or self.body_east
        latin = latin or self.f.latin_body
        lines = text.split("\n")
        for i, line in enumerate(lines):
            r = p.add_run(line)
            _set_fonts(r._element, latin, east)
            if italic:
                r.font.italic = True
            if bold:
                r.font.bold = True
            if size is not None:
                r.font.size = Pt(size)
            if i < len(lines) - 1:
                r.add_break(WD_BREAK.LINE)

    def heading(self, text: str, level: int) -> None:
        p = self.doc.add_paragraph(style=f"Heading {level}")
        east = HEI if level == 1 else KAI
        latin = self.f.latin_head if not self.f.zh or level == 1 else self.f.latin_body
        self.runs(p, text, east=east, latin=latin)

    def _indent(self, p, depth: int) -> None:
        # Chinese official documents indent every paragraph by two characters on its first
        # line only; English documents indent nested content from the left instead.
        if not self.f.zh and depth:
            p.paragraph_format.left_indent = Pt(18 * depth)

    def blocks(self, blocks: Iterable[Block], depth: int = 0) -> None:
        for b in blocks:
            if isinstance(b, Paragraph):
                p = self.para(b.text)
                self._indent(p, depth)
                if b.note:
                    p.paragraph_format.keep_together = True
            elif isinstance(b, KeyValue):
                colon = "：" if self.f.zh else ": "
                self._indent(self.para(f"{b.label}{colon}{b.value}"), depth)
            elif isinstance(b, NumberedItem):
                p = self.doc.add_paragraph(style="Body Text Indent 2ch")
                self._indent(p, depth)
                self.runs(p, item_text(b.label, b.text, "zh" if self.f.zh else "en"))
                self.blocks(b.children, depth + 1)
            elif isinstance(b, Table):
                self.table(b)
            elif isinstance(b, Image):
                self.image(b)
            elif isinstance(b, Subsection):
                self.heading(heading_text(b.number_label, b.heading), 2)
                self.blocks(b.blocks, depth)

    # -- figures
    def image(self, im: Image) -> None:
        sec = self.doc.sections[-1]
        usable = sec.page_width - sec.left_margin - sec.right_margin
        width = min(Mm(im.width_mm), usable)
        p = self.doc.add_paragraph(style="Table Cell")
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        p.paragraph_format.keep_with_next = bool(im.caption)
        p.add_run().add_picture(io.BytesIO(im.png), width=width)
        if im.alt:
            for doc_pr in p._p.iter(qn("wp:docPr")):
                doc_pr.set("descr", im.alt)
        if im.caption:
            cap = self.doc.add_paragraph(style="Table Cell")
            cap.alignment = WD_ALIGN_PARAGRAPH.CENTER
            self.runs(cap, im.caption, east=SONG, size=self.f.table_pt)
        spacer = self.doc.add_paragraph(style="Table Cell")
        spacer.paragraph_format.space_after = Pt(4)

    # -- tables
    def table(self, tb: Table) -> None:
        doc = self.doc
        ncols = len(tb.headers)
        table = doc.add_table(rows=1, cols=ncols)
        table.style = doc.styles["Table Grid"]
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        table.autofit = False
        sec = doc.sections[-1]
        usable = sec.page_width - sec.left_margin - sec.right_margin
        weights = list(tb.widths) if tb.widths and len(tb.widths) == ncols else [1.0] * ncols
        total = sum(weights)
        widths = [int(usable * w / total) for w in weights]

        def fill(cell, text: str, width, header: bool = False, shade: str | None = None) -> None:
            cell.width = width
            p = cell.paragraphs[0]
            p.style = doc.styles["Table Cell"]
            if header:
                p.alignment = WD_ALIGN_PARAGRAPH.CENTER
            self.runs(p, text, bold=header, east=HEI if header and self.f.zh else SONG, size=self.f.table_pt)
            if shade:
                tc_pr = cell._tc.get_or_add_tcPr()
                shd = OxmlElement("w:shd")
                shd.set(qn("w:val"), "clear")
                shd.set(qn("w:color"), "auto")
                shd.set(qn("w:fill"), shade)
                tc_pr.append(shd)

        hdr = table.rows[0]
        tr_pr = hdr._tr.get_or_add_trPr()
        th = OxmlElement("w:tblHeader")
        th.set(qn("w:val"), "true")
        tr_pr.append(th)
        for i, h in enumerate(tb.headers):
            fill(hdr.cells[i], h, widths[i], header=True, shade="E7E6E6")
        for ri, row in enumerate(tb.rows):
            cells = table.add_row().cells
            for i in range(ncols):
                fill(cells[i], row[i] if i < len(row) else "", widths[i],
                     shade="FFF2CC" if ri in tb.highlight else None)
            cant = OxmlElement("w:cantSplit")
            cant.set(qn("w:val"), "true")
            table.rows[-1]._tr.get_or_add_trPr().append(cant)
        # fixed column grid so Word and LibreOffice honour the widths
        tbl_pr = table._tbl.tblPr
        layout = OxmlElement("w:tblLayout")
        layout.set(qn("w:type"), "fixed")
        tbl_pr.append(layout)
        for gc, w in zip(table._tbl.tblGrid.findall(qn("w:gridCol")), widths, strict=False):
            gc.set(qn("w:w"), str(int(w / 635)))  # EMU → twentieths of a point
        if tb.caption:
            self.para(tb.caption, style="Table Cell")
        # a little air after the table
        spacer = doc.add_paragraph(style="Table Cell")
        spacer.paragraph_format.space_after = Pt(4)

    # -- title page
    def title_page(self, d: Document) -> None:
        f = self.f
        for _ in range(4 if f.zh else 5):
            self.doc.add_paragraph(style="Normal")
        p = self.doc.add_paragraph(style="Document Title")
        self.runs(p, d.title, bold=True, east=TITLE_FONT if f.zh else SONG,
                  latin=f.latin_body if f.zh else f.latin_head, size=f.title_pt)
        if d.subtitle:
            self.doc.add_paragraph(style="Normal")
            p = self.doc.add_paragraph(style="Document Subtitle")
            self.runs(p, d.subtitle, east=KAI)
        for _ in range(9):
            self.doc.add_paragraph(style="Normal")
        colon = "：" if f.zh else ": "
        for kv in d.meta:
            p = self.doc.add_paragraph(style="Title Page Line")
            self.runs(p, f"{kv.label}{colon}{kv.value}")
        p = self.doc.add_paragraph(style="Normal")
        p.add_run().add_break(WD_BREAK.PAGE)

    def section(self, s: Section) -> None:
        self.heading(heading_text(s.number_label, s.heading), 1)
        self.blocks(s.blocks)


def render_docx(doc: Document, lang: str | None = None) -> bytes:
    """The document as .docx bytes (``lang`` defaults to the document's language)."""
    lang = lang or doc.lang
    f = _Fonts("zh" if lang == "zh" else "en")
    d = new_docx()
    # the template's first empty paragraph
    body = d.element.body
    for p in list(body.findall(qn("w:p"))):
        body.remove(p)
    _setup_styles(d, f)
    _setup_page(d, f)
    if f.zh:
        _add_title_font_fallback(d)
    cp = d.core_properties
    cp.title = doc.title
    cp.subject = doc.subtitle or ""
    cp.language = "zh-CN" if f.zh else "en"
    cp.author = "ccdrill"
    cp.comments = ""
    w = _Writer(d, f)
    w.title_page(doc)
    for s in doc.sections:
        w.section(s)
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()
