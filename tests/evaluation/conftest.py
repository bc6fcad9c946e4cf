"""A small rubric whose arithmetic is checked by hand in the tests."""

from __future__ import annotations

import pytest

from ccdrill.domain.rubric import Rubric


def small_rubric_data() -> dict:
    """Area A (60 %): a1 50, a2 30, a3 20; area B (40 %): b1 75, b2 25 on a 0–10 scale."""
    return {
        "kind": "rubric",
        "id": "small",
        "title": {"zh": "小型评估标准", "en": "Small rubric"},
        "areas": [
            {"id": "a", "title": {"zh": "甲", "en": "A"}, "weight": 60, "indicators": [
                {"id": "a1", "title": {"zh": "甲一", "en": "A1"}, "guidance": "看", "weight": 50, "source": "a"},
                {"id": "a2", "title": {"zh": "甲二", "en": "A2"}, "guidance": "看", "weight": 30, "source": "b"},
                {"id": "a3", "title": {"zh": "甲三", "en": "A3"}, "guidance": "看", "weight": 20, "source": "a"},
            ]},
            {"id": "b", "title": {"zh": "乙", "en": "B"}, "weight": 40, "indicators": [
                {"id": "b1", "title": {"zh": "乙一", "en": "B1"}, "guidance": "看", "weight": 75, "source": "c"},
                {"id": "b2", "title": {"zh": "乙二", "en": "B2"}, "guidance": "看", "weight": 25,
                 "scale": {"min": 0, "max": 10, "step": 1}},
            ]},
        ],
    }


@pytest.fixture
def small() -> Rubric:
    return Rubric.model_validate(small_rubric_data())
