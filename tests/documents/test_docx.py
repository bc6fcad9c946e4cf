"""The Word document read back with python-docx: headings, numbering, fonts, footer, title page, MSEL."""

from __future__ import annotations

import io

import pytest
from docx import Document as open_docx
from docx.oxml.ns import qn
from docx.shared import Mm

from ccdrill.documents import render_plan, render_programme
from ccdrill.i18n import t

ZH_HEADINGS = [
    "一、演练目的", "二、演练背景", "三、演练时间", "四、演练地点", "五、演练组织机构",
    "六、演练内容", "七、演练评估", "八、演练总结", "九、附则",
]
EN_HEADINGS = [
    "1. Drill objectives", "2. Drill background", "3. Drill time", "4. Drill venue", "5. Drill organisation",
    "6. Drill content", "7. Drill evaluation", "8. Drill summary", "9. Supplementary provisions",
]


def _read(data: bytes):
    assert data[:2] == b"PK"
    return open_docx(io.BytesIO(data))


def _east_asia(element) -> str | None:
    rpr = element.find(qn("w:rPr"))
    if rpr is None:
        return None
    rfonts = rpr.find(qn("w:rFonts"))
    return None if rfonts is None else rfonts.get(qn("w:eastAsia"))


def _headings(doc, level: int) -> list[str]:
    return [p.text for p in doc.paragraphs if p.style.name == f"Heading {level}"]


@pytest.fixture
def zh_doc(programme, plans):
    return _read(render_programme(programme, plans, "docx", "zh"))


@pytest.fixture
def en_doc(programme, plans):
    return _read(render_programme(programme, plans, "docx", "en"))


def test_nine_headings_in_order_zh(zh_doc) -> None:
    assert _headings(zh_doc, 1) == ZH_HEADINGS


def test_nine_headings_in_order_en(en_doc) -> None:
    assert _headings(en_doc, 1) == EN_HEADINGS


def test_headings_come_from_the_catalogue(zh_doc) -> None:
    assert _headings(zh_doc, 1)[0] == "一、" + t("Drill objectives", "zh")
    assert _headings(zh_doc, 1)[-1] == "九、" + t("Supplementary provisions", "zh")


def test_second_level_headings(zh_doc, en_doc) -> None:
    assert _headings(zh_doc, 2) == ["（一）演练形式", "（二）演练场景与处置", "（三）演练流程", "（四）演练情景事件清单"]
    assert _headings(en_doc, 2)[0] == "6.1 Drill type"


def _texts(doc) -> list[str]:
    return [p.text for p in doc.paragraphs]


def test_numbering_zh(zh_doc) -> None:
    texts = _texts(zh_doc)
    # objectives 1. 2. 3. after the preface, in section 一
    i = texts.index("一、演练目的")
    assert texts[i + 1] == "客服中心是企业对外服务的重要窗口。"
    assert texts[i + 2 : i + 5] == ["1.提高客服团队对突发事件的应对能力。", "2.检验应急预案的可行性和有效性。", "3.增强安全意识。"]
    # the scenario: 1.<plan title> (1)演练场景 (2)演练目的 (3)演练步骤 a. b. c.
    j = texts.index("1.客服中心网络故障应急预案")
    assert texts[j + 1].startswith("（1）演练场景：客服中心突然断网")
    assert texts[j + 2].startswith("（2）演练目的：")
    assert texts[j + 3] == "（3）演练步骤："
    assert texts[j + 4] == "a.发现异常并报告客服主管（负责：客服人员；时限：5分钟）；"
    assert texts[j + 5].startswith("b.启动应急预案（负责：副指挥长")
    assert texts[j + 6].endswith("。") and texts[j + 6].startswith("c.排查故障原因并修复")
    # phases 1. with (1) activities
    k = texts.index("1.演练准备阶段（09:00—09:10）")
    assert texts[k + 1 : k + 3] == ["（1）宣布演练开始。", "（2）参演人员到位。"]
    # evaluation criteria a. b. c. d. under 1.
    e = texts.index("七、演练评估")
    assert texts[e + 1].startswith("1.演练结束后") and texts[e + 1].endswith("包括：")
    assert [x[:2] for x in texts[e + 2 : e + 6]] == ["a.", "b.", "c.", "d."]
    assert texts[e + 6] == "2.根据评估结果修订应急预案。"


def test_numbering_en(en_doc) -> None:
    texts = _texts(en_doc)
    assert "1. Improve the team's response to incidents." in texts
    j = texts.index("1. Contact-centre network failure plan")
    assert texts[j + 1].startswith("(1) Scenario: ")
    assert texts[j + 3] == "(3) Steps:"
    assert texts[j + 4] == "a. Spot the fault and report it (responsible: Agents; target: 5 min)"


def test_time_venue_organisation_provisions_zh(zh_doc) -> None:
    texts = _texts(zh_doc)
    assert texts[texts.index("三、演练时间") + 1] == "2023年10月25日（星期三）上午9:00—11:30"
    assert texts[texts.index("四、演练地点") + 1] == "公司客服中心"
    o = texts.index("五、演练组织机构")
    assert texts[o + 1 : o + 5] == ["1.演练领导小组", "组长：总经理", "副组长：副总经理", "成员：各部门负责人"]
    assert "2.演练指挥部" in texts
    assert "指挥长：客服中心经理" in texts
    assert "副指挥长：客服主管" in texts
    assert "成员：客服人员、技术支持人员" in texts
    assert "参演人员：客服人员、技术支持人员" in texts
    assert "观摩人员：公司其他部门员工" in texts
    assert "评估人员：评估人员" in texts
    p = texts.index("九、附则")
    assert texts[p + 1 : p + 4] == [
        "1.本演练方案由客服中心负责制定和实施。",
        "2.本演练方案的解释权归演练指挥部所有。",
        "3.本演练方案自发布之日起实施。",
    ]
    assert texts[p + 4] == "注：本方案仅供参考。"


def test_east_asian_fonts(zh_doc) -> None:
    styles = zh_doc.styles
    assert _east_asia(styles["Heading 1"].element) == "黑体"
    assert _east_asia(styles["Heading 2"].element) == "楷体"
    assert _east_asia(styles["Normal"].element) == "仿宋"
    assert styles["Normal"].font.size.pt == 16
    assert styles["Heading 1"].font.size.pt == 16
    # no theme font may override the explicit ones
    rfonts = styles["Heading 1"].element.find(qn("w:rPr")).find(qn("w:rFonts"))
    assert rfonts.get(qn("w:eastAsiaTheme")) is None and rfonts.get(qn("w:asciiTheme")) is None
    # document defaults
    defaults = styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault"))
    assert _east_asia(defaults) == "仿宋"
    # runs carry the east-Asian font too
    for p in zh_doc.paragraphs:
        if p.style.name == "Heading 1":
            assert all(_east_asia(r._element) == "黑体" for r in p.runs)
        if p.text.startswith("1.提高"):
            assert all(_east_asia(r._element) == "仿宋" for r in p.runs)
            assert p.style.paragraph_format.first_line_indent.pt == 32  # two characters
    # body line pitch 28 pt
    assert styles["Normal"].paragraph_format.line_spacing.pt == 28


def test_page_setup_and_footer(zh_doc) -> None:
    sec = zh_doc.sections[0]
    assert (round(sec.page_width.mm), round(sec.page_height.mm)) == (210, 297)
    assert abs(sec.top_margin - Mm(37)) < Mm(0.1) and abs(sec.bottom_margin - Mm(35)) < Mm(0.1)
    assert abs(sec.left_margin - Mm(28)) < Mm(0.1) and abs(sec.right_margin - Mm(26)) < Mm(0.1)
    footer = sec.footer
    xml = footer._element.xml
    assert "PAGE" in "".join(x.text or "" for x in footer._element.iter(qn("w:instrText")))
    assert 'w:fldCharType="begin"' in xml and 'w:fldCharType="end"' in xml
    assert footer.paragraphs[0].text.startswith("— ") and footer.paragraphs[0].text.endswith(" —")
    assert sec.different_first_page_header_footer  # no number on the title page


def test_title_page(zh_doc, programme) -> None:
    paras = [p for p in zh_doc.paragraphs if p.text.strip()]
    assert paras[0].text == programme.title.zh
    assert paras[0].style.name == "Document Title"
    assert paras[0].runs[0].font.size.pt == 22 and paras[0].runs[0].font.bold
    assert _east_asia(paras[0].runs[0]._element) == "方正小标宋简体"
    assert "编制单位：客服中心" in [p.text for p in paras]
    assert "演练日期：2023年10月25日" in [p.text for p in paras]
    # a page break before the first section
    first_heading = next(i for i, p in enumerate(zh_doc.paragraphs) if p.style.name == "Heading 1")
    before = zh_doc.paragraphs[first_heading - 1]._element.xml
    assert 'w:type="page"' in before


def _msel(doc, lang):
    for table in doc.tables:
        if table.rows[0].cells[0].text == t("No.", lang) and len(table.columns) == 6:
            return table
    raise AssertionError("no inject table")


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_inject_table_rows_equal_injects(programme, plans, lang) -> None:
    doc = _read(render_programme(programme, plans, "docx", lang))
    table = _msel(doc, lang)
    headers = [c.text for c in table.rows[0].cells]
    expected = [t(h, lang) for h in ("No.", "Time", "Inject", "From → To", "Channel", "Expected action")]
    assert headers == expected
    body = table.rows[1:]
    injects = sorted(programme.injects, key=lambda i: i.seq)
    assert len(body) == len(injects)
    for row, inj in zip(body, injects, strict=True):
        cells = [c.text for c in row.cells]
        assert cells[0] == str(inj.seq)
        assert cells[1].startswith(inj.time.label())
        assert inj.title.get(lang) in cells[2]
        assert (t("[Contingency]", lang) in cells[2]) == inj.contingency
    if lang == "zh":
        assert [c.text for c in body[0].cells][3:6] == ["副指挥长 → 客服人员", "系统", "报告客服主管"]
        assert body[1].cells[1].text == "T+00:20\n(09:20)"
        assert body[2].cells[2].text == "【备用】备用网络也故障"


def test_missing_plan_still_renders(programme) -> None:
    doc = _read(render_programme(programme, {}, "docx", "zh"))
    texts = _texts(doc)
    assert _headings(doc, 1) == ZH_HEADINGS
    assert "1.network-failure@1" in texts
    assert any("未在预案库中找到预案 network-failure@1" in x for x in texts)


def test_plan_document(plan) -> None:
    doc = _read(render_plan(plan, "docx", "zh"))
    heads = _headings(doc, 1)
    assert heads[0] == "一、适用范围与场景"
    assert heads == ["一、适用范围与场景", "二、组织机构与职责", "三、启动条件与响应级别", "四、应急处置程序", "五、突发事件情景", "六、附则"]
    steps = next(tb for tb in doc.tables if tb.rows[0].cells[0].text == "序号")
    assert [r.cells[0].text for r in steps.rows[1:]] == ["1", "2", "3"]
    assert steps.rows[3].cells[1].text == "排查故障原因并修复\n联系运营商。"
    assert steps.rows[2].cells[3].text == "1"
    texts = _texts(doc)
    assert "2.响应级别：Ⅲ级响应（较大）。" in texts
    en = _read(render_plan(plan, "docx", "en"))
    assert _headings(en, 1)[0] == "1. Scope and scenario"
    assert _east_asia(en.styles["Heading 1"].element) == "黑体"


def test_unknown_format(programme, plans) -> None:
    with pytest.raises(ValueError):
        render_programme(programme, plans, "pdf", "zh")
