"""The format-neutral document tree: numerals, labels, formatting helpers."""

from __future__ import annotations

import re
from datetime import date, time
from pathlib import Path

import pytest

from ccdrill.documents.model import (
    chinese_numeral,
    heading_text,
    item_label,
    item_text,
    section_label,
    subsection_label,
)
from ccdrill.documents.programme_doc import fmt_schedule
from ccdrill.i18n import catalogue


@pytest.mark.parametrize(
    ("n", "expected"),
    [(1, "一"), (2, "二"), (9, "九"), (10, "十"), (11, "十一"), (19, "十九"), (20, "二十"), (21, "二十一"),
     (99, "九十九"), (100, "一百"), (105, "一百零五"), (110, "一百一十"), (115, "一百一十五"), (342, "三百四十二")],
)
def test_chinese_numerals(n: int, expected: str) -> None:
    assert chinese_numeral(n) == expected


def test_labels() -> None:
    assert section_label(1, "zh") == "一、"
    assert section_label(12, "zh") == "十二、"
    assert section_label(3, "en") == "3."
    assert subsection_label(2, "zh") == "（二）"
    assert subsection_label(2, "en", 6) == "6.2"
    assert [item_label(1, 2, lang) for lang in ("zh", "en")] == ["2.", "2."]
    assert item_label(2, 3, "zh") == "（3）"
    assert item_label(2, 3, "en") == "(3)"
    assert item_label(3, 1, "zh") == "a."
    assert item_label(3, 4, "en") == "d."
    assert item_label(3, 27, "en") == "aa."
    with pytest.raises(ValueError):
        item_label(4, 1, "zh")
    assert heading_text("一、", "演练目的") == "一、演练目的"
    assert heading_text("（一）", "演练形式") == "（一）演练形式"
    assert heading_text("1.", "Drill objectives") == "1. Drill objectives"
    assert item_text("1.", "提高能力") == "1.提高能力"
    assert item_text("（1）", "演练场景") == "（1）演练场景"
    assert item_text("(1)", "Scenario") == "(1) Scenario"


def test_schedule_formats() -> None:
    d = date(2023, 10, 25)
    assert fmt_schedule(d, time(9, 0), time(11, 30), "zh") == "2023年10月25日（星期三）上午9:00—11:30"
    assert fmt_schedule(d, time(14, 0), time(16, 30), "zh") == "2023年10月25日（星期三）下午14:00—16:30"
    assert fmt_schedule(d, time(9, 0), time(14, 0), "zh") == "2023年10月25日（星期三）上午9:00—下午14:00"
    assert fmt_schedule(d, time(9, 0), time(11, 30), "en") == "Wednesday 25 October 2023, 09:00–11:30"


def test_every_label_has_a_chinese_translation() -> None:
    src = Path(__file__).resolve().parents[2] / "src" / "ccdrill" / "documents"
    ids: set[str] = set()
    for f in src.glob("*.py"):
        ids |= set(re.findall(r'(?:\bt|N_)\(\s*"([^"]+)"', f.read_text("utf-8")))
    assert len(ids) > 50
    missing = sorted(i for i in ids if i not in catalogue("zh"))
    assert missing == []


def test_programme_without_leadership_group_renders_the_command_post_first():
    """A small single drill may have no 演练领导小组; the document numbers the command post 1."""
    import yaml

    from ccdrill.documents.programme_doc import build_programme_document
    from ccdrill.domain.programme import Programme
    from ccdrill.library import catalog

    data = yaml.safe_load(catalog.read_text("network-failure-2023-10-25"))
    del data["organisation"]["leadership_group"]
    doc = build_programme_document(Programme.model_validate(data), {}, "zh")
    org = doc.sections[4]
    first = org.blocks[0]
    assert first.label == "1." and first.text == "演练指挥部"
