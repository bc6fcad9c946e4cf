"""The summary report read back: sections in order, numbers equal to those computed from the log and the twin."""

from __future__ import annotations

import io
from html.parser import HTMLParser

import pytest

from ccdrill.i18n import t
from ccdrill.reports.build import SECTION_HEADINGS, section_titles

from .conftest import FIRST_REPORT_S, LATE_STEP, MISSED_STEP, P, known_events, library, scorecards

LANGS = ("zh", "en")


# ---- what the report must say, computed without the report code ---------------------------------
@pytest.fixture(scope="module")
def expected():
    from ccdrill.domain.fold import fold
    from ccdrill.domain.scoring import combine
    from ccdrill.library import catalog
    from ccdrill.twin.kpis import compare_with_baseline

    programme, plans = library()
    state = fold(programme, plans, known_events())
    model = catalog.load("demo-centre", "centre")
    offset = (9 * 60 - model.horizon.start_min) * 60.0
    twin = compare_with_baseline(model, [(s + offset, e) for s, e in state.effect_timeline()], seed=0)
    rubric, cards = scorecards()
    result = combine(rubric, cards)
    plan = plans[P]
    return {
        "first_report_clock": "09:14", "first_report_after": "04:00",
        "activation_clock": "09:19", "activation_after": "09:00",
        "late_title": {lang: plan.step("backup-network").title.get(lang) for lang in LANGS},
        "missed_title": {lang: plan.step("remote-agents").title.get(lang) for lang in LANGS},
        "customers_affected": twin["customers_affected"]["total"],
        "overall": f"{result.overall:.1f}".rstrip("0").rstrip("."),
        "grade": {lang: result.grade.label.get(lang) for lang in LANGS},
    }


def test_data_matches_the_log(report_data, expected):
    sc = report_data.timings[0]
    assert sc.incident_at == 600.0
    assert sc.first_report_at == FIRST_REPORT_S and sc.first_report_s == 240.0
    assert sc.activation_s == 540.0
    assert sc.late == (LATE_STEP,) and sc.missed == (MISSED_STEP,)
    assert sc.step("backup-network").late_by_s == 180.0
    assert report_data.impact.customers_affected == expected["customers_affected"] > 0
    assert report_data.clock(FIRST_REPORT_S) == expected["first_report_clock"]


# ---- readers -----------------------------------------------------------------------------------
def docx_read(data: bytes) -> tuple[list[str], list[list[list[str]]], str]:
    from docx import Document

    d = Document(io.BytesIO(data))
    headings = [p.text for p in d.paragraphs if p.style.name == "Heading 1"]
    tables = [[[c.text for c in row.cells] for row in tb.rows] for tb in d.tables]
    text = "\n".join(p.text for p in d.paragraphs)
    return headings, tables, text


class _HtmlReader(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.h2: list[str] = []
        self.tables: list[list[list[str]]] = []
        self.imgs: list[str] = []
        self.external: list[str] = []
        self.text: list[str] = []
        self._cur: list[str] | None = None
        self._cell: list[str] | None = None
        self._in_h2 = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "h2":
            self._in_h2 = True
            self.h2.append("")
        elif tag == "table":
            self.tables.append([])
        elif tag == "tr":
            self._cur = []
            self.tables[-1].append(self._cur)
        elif tag in ("td", "th"):
            self._cell = []
        elif tag == "img":
            self.imgs.append(a.get("src", ""))
        for key in ("src", "href"):
            v = a.get(key)
            if v and not v.startswith(("data:", "#")):
                self.external.append(v)
        if tag in ("link", "script") and (a.get("href") or a.get("src")):
            self.external.append(tag)

    def handle_endtag(self, tag):
        if tag == "h2":
            self._in_h2 = False
        elif tag in ("td", "th") and self._cell is not None and self._cur is not None:
            self._cur.append("".join(self._cell))
            self._cell = None

    def handle_data(self, data):
        if self._in_h2:
            self.h2[-1] += data
        if self._cell is not None:
            self._cell.append(data)
        self.text.append(data)


def html_read(data: bytes) -> _HtmlReader:
    r = _HtmlReader()
    r.feed(data.decode("utf-8"))
    return r


def row_starting(tables, first: str) -> list[str]:
    for tb in tables:
        for row in tb:
            if row and row[0].strip() == first:
                return row
    raise AssertionError(f"no table row starts with {first!r}")


def row_with(tables, cell: str) -> list[str]:
    for tb in tables:
        for row in tb:
            if cell in [c.strip() for c in row]:
                return row
    raise AssertionError(f"no table row has a cell {cell!r}")


def check_numbers(tables, text: str, expected, lang: str) -> None:
    first = row_starting(tables, t("First report", lang))
    assert first[1:3] == [expected["first_report_clock"], expected["first_report_after"]]
    act = row_starting(tables, t("Plan activated", lang))
    assert act[1:3] == [expected["activation_clock"], expected["activation_after"]]
    late = row_with(tables, expected["late_title"][lang])
    assert late[-1] == t("late by {by}", lang, by="03:00")
    missed = row_with(tables, expected["missed_title"][lang])
    assert missed[-1] == t("not done", lang)
    total = row_starting(tables, t("Total", lang))
    assert total[1] == str(expected["customers_affected"])
    overall = row_starting(tables, t("Overall", lang))
    assert overall[3] == expected["overall"] and overall[-1] == expected["grade"][lang]
    # the executive summary says the same
    assert str(expected["customers_affected"]) in text
    assert expected["grade"][lang] in text
    assert expected["first_report_clock"] in text


# ---- DOCX --------------------------------------------------------------------------------------
@pytest.mark.parametrize("lang", LANGS)
def test_docx_sections_and_numbers(rendered, expected, lang):
    headings, tables, text = docx_read(rendered[("docx", lang)])
    assert headings == section_titles(lang)
    assert len(headings) == len(SECTION_HEADINGS) + 2
    if lang == "zh":
        assert headings[:3] == ["一、演练概况", "二、总体评价", "三、演练过程"]
        assert headings[-2].startswith("附件1")
    check_numbers(tables, text, expected, lang)


def test_docx_has_the_charts_and_official_fonts(rendered):
    from docx import Document
    from docx.oxml.ns import qn

    d = Document(io.BytesIO(rendered[("docx", "zh")]))
    assert len(d.inline_shapes) >= 4  # timeline, service level, queue, scores
    h1 = d.styles["Heading 1"].element.find(qn("w:rPr")).find(qn("w:rFonts"))
    assert h1.get(qn("w:eastAsia")) == "黑体"
    normal = d.styles["Normal"].element.find(qn("w:rPr")).find(qn("w:rFonts"))
    assert normal.get(qn("w:eastAsia")) == "仿宋"
    assert "PAGE" in d.sections[0].footer._element.xml


# ---- HTML --------------------------------------------------------------------------------------
@pytest.mark.parametrize("lang", LANGS)
def test_html_sections_numbers_and_self_contained(rendered, expected, lang):
    r = html_read(rendered[("html", lang)])
    assert r.h2 == section_titles(lang)
    check_numbers(r.tables, "".join(r.text), expected, lang)
    assert len(r.imgs) >= 4
    assert all(src.startswith("data:image/png;base64,") for src in r.imgs)
    assert r.external == []


# ---- PDF ---------------------------------------------------------------------------------------
def _render_page(pdf: bytes, index: int):
    pdfium = pytest.importorskip("pypdfium2")
    doc = pdfium.PdfDocument(pdf)
    try:
        page = doc[index]
        image = page.render(scale=60 / 72).to_pil().convert("L")
        text = page.get_textpage().get_text_range()
        return image, text, len(doc)
    finally:
        doc.close()


def _dark_share(image) -> float:
    hist = image.histogram()
    return sum(hist[:128]) / max(1, sum(hist))


@pytest.mark.parametrize("lang", LANGS)
def test_pdf_pages_are_not_blank(rendered, lang):
    pdf = rendered[("pdf", lang)]
    assert pdf.startswith(b"%PDF")
    image, text, pages = _render_page(pdf, 0)
    assert pages >= 6
    assert _dark_share(image) > 0.002  # the title page has its title and lines
    body, body_text, _ = _render_page(pdf, 1)
    assert _dark_share(body) > 0.01
    assert section_titles(lang)[0] in body_text.replace("\r", "").replace("\n", "")


def test_pdf_chinese_is_drawn_with_an_embedded_font(rendered):
    pdf = rendered[("pdf", "zh")]
    assert b"/FontFile" in pdf  # embedded (FontFile2 for TrueType, FontFile3 for CFF)
    assert b"NotoSerifCJK" in pdf or b"SimHei" in pdf
    _image, text, _ = _render_page(pdf, 1)
    assert "演练概况" in text and "客服中心" in text


# ---- Markdown ----------------------------------------------------------------------------------
def test_markdown_has_every_section(report_data):
    from ccdrill.reports import render_report

    md = render_report(report_data, "md", "zh").decode("utf-8")
    for heading in section_titles("zh"):
        assert f"## {heading}" in md
    assert "data:image/png;base64," in md
