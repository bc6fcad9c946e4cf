"""HTML (parsed with the stdlib parser) and Markdown renderings; hostile strings stay inert."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

from ccdrill.documents import render_plan, render_programme

from .conftest import PROGRAMME, make_programme
from .test_docx import EN_HEADINGS, ZH_HEADINGS

HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)>'


class _Collect(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.attrs: dict[str, dict[str, str | None]] = {}
        self.text: dict[str, list[str]] = {"h1": [], "h2": [], "h3": [], "td": [], "p": [], "title": []}
        self._stack: list[str] = []
        self.all_text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attrs.setdefault(tag, dict(attrs))
        if tag in self.text:
            self.text[tag].append("")
            self._stack.append(tag)

    def handle_endtag(self, tag):
        if self._stack and self._stack[-1] == tag:
            self._stack.pop()

    def handle_data(self, data):
        self.all_text.append(data)
        if self._stack:
            tag = self._stack[-1]
            self.text[tag][-1] += data


def _parse(data: bytes) -> _Collect:
    p = _Collect()
    p.feed(data.decode("utf-8"))
    p.close()
    return p


@pytest.mark.parametrize(("lang", "headings"), [("zh", ZH_HEADINGS), ("en", EN_HEADINGS)])
def test_html_headings(programme, plans, lang, headings) -> None:
    page = _parse(render_programme(programme, plans, "html", lang))
    assert page.text["h2"] == headings
    assert page.text["h1"] == [programme.title.get(lang)]
    assert page.attrs["html"]["lang"] == ("zh-CN" if lang == "zh" else "en")
    # self-contained: no external stylesheet, script or image
    assert "link" not in page.tags and "script" not in page.tags and "img" not in page.tags
    assert "style" in page.tags


def test_html_numbering_and_table(programme, plans) -> None:
    page = _parse(render_programme(programme, plans, "html", "zh"))
    paras = page.text["p"]
    assert "1.提高客服团队对突发事件的应对能力。" in paras
    assert any(p.startswith("（1）演练场景：") for p in paras)
    assert any(p.startswith("a.发现异常并报告客服主管") for p in paras)
    assert page.text["h3"][0] == "（一）演练形式"
    assert "【备用】备用网络也故障" in page.text["td"]


def _hostile_programme():
    data = {
        "title": {"zh": "方案" + HOSTILE, "en": "Programme" + HOSTILE},
        "background": {"zh": HOSTILE, "en": HOSTILE},
        "location": {"zh": "地点 | # * _ [x](javascript:alert(1))", "en": "venue"},
    }
    injects = [dict(i) for i in PROGRAMME["injects"]]
    injects[0] = {**injects[0], "title": {"zh": HOSTILE, "en": HOSTILE}, "expected_action": {"zh": "a|b", "en": "a|b"}}
    return make_programme(**data, injects=injects)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_html_escapes_hostile_strings(plans, lang) -> None:
    out = render_programme(_hostile_programme(), plans, "html", lang)
    text = out.decode("utf-8")
    assert "<script" not in text and "<img" not in text
    assert "&lt;script&gt;" in text
    page = _parse(out)
    assert "script" not in page.tags and "img" not in page.tags
    # the hostile text survives as text
    assert any(HOSTILE in x for x in page.text["td"])
    assert page.text["title"][0].endswith(HOSTILE)


@pytest.mark.parametrize(("lang", "headings"), [("zh", ZH_HEADINGS), ("en", EN_HEADINGS)])
def test_markdown_headings(programme, plans, lang, headings) -> None:
    md = render_programme(programme, plans, "md", lang).decode("utf-8")
    lines = md.splitlines()
    assert [ln[3:] for ln in lines if ln.startswith("## ")] == headings
    assert lines[0] == "# " + programme.title.get(lang)
    assert [ln for ln in lines if ln.startswith("### ")][0] == ("### （一）演练形式" if lang == "zh" else "### 6.1 Drill type")
    if lang == "zh":
        assert "1.提高客服团队对突发事件的应对能力。" in lines
        assert "| 序号 | 时间 | 注入事件 | 发送方→接收方 | 方式 | 预期行动 |" in lines
        assert sum(1 for ln in lines if ln.startswith("| ")) == (1 + len(programme.injects)) + (1 + 1)  # MSEL + roles table (headers + rows)


def test_markdown_escapes(plans) -> None:
    md = render_programme(_hostile_programme(), plans, "md", "zh").decode("utf-8")
    assert "<script" not in md and "<img" not in md
    assert "&lt;script&gt;" in md
    assert "地点 \\| # \\* \\_ \\[x\\](javascript:alert(1))" in md
    # a pipe in a cell cannot break the table
    row = next(ln for ln in md.splitlines() if ln.startswith("| 1 |"))
    assert "a\\|b" in row and row.count(" | ") == 5


def test_plan_html_and_markdown(plan) -> None:
    page = _parse(render_plan(plan, "html", "zh"))
    assert page.text["h2"][0] == "一、适用范围与场景"
    md = render_plan(plan, "md", "en").decode("utf-8")
    assert "## 1. Scope and scenario" in md.splitlines()
