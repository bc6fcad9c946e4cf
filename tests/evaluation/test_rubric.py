"""Rubric files: weights that add up, unique ids, grade bands that cover every score — or a clear message."""

from __future__ import annotations

import copy
import re
from collections.abc import Iterator
from importlib import resources

import pytest
import yaml
from pydantic import BaseModel, ValidationError

from ccdrill.domain.common import Text
from ccdrill.domain.rubric import SEED_CRITERIA, Rubric, default_rubric
from ccdrill.errors import InvalidInput
from ccdrill.formats import validate
from ccdrill.formats.validate import parse_document

from .conftest import small_rubric_data

CJK = re.compile(r"[\u4e00-\u9fff]")
ASCII_PUNCT_IN_ZH = re.compile(r"[\u4e00-\u9fff][,;:()?!]|[,;:(?!][\u4e00-\u9fff]")
SPACE_IN_ZH = re.compile(r"[\u4e00-\u9fff\u3000-\u303f\uff00-\uffef] +[\u4e00-\u9fff]")


@pytest.fixture
def loader(monkeypatch):
    """The file loader with ``kind: rubric`` registered (as the lead wires it)."""
    monkeypatch.setitem(validate.KINDS, "rubric", ("ccdrill.domain.rubric", "Rubric"))

    def load(data: dict | str) -> Rubric:
        text = data if isinstance(data, str) else yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
        return parse_document(text, filename="r.yaml")  # type: ignore[return-value]

    return load


def _texts(obj: object, path: str = "") -> Iterator[tuple[str, Text]]:
    if isinstance(obj, Text):
        yield path, obj
    elif isinstance(obj, BaseModel):
        for name in type(obj).model_fields:
            yield from _texts(getattr(obj, name), f"{path}.{name}" if path else name)
    elif isinstance(obj, list | tuple):
        for i, item in enumerate(obj):
            yield from _texts(item, f"{path}.{i}")
    elif isinstance(obj, dict):
        for k, v in obj.items():
            yield from _texts(v, f"{path}.{k}")


def _error_message(data: dict, lang: str, loader) -> tuple[str, str]:
    with pytest.raises(InvalidInput) as exc:
        loader(data)
    (p,) = exc.value.problems
    return p.path, p.message(lang)


# ---- the default rubric ---------------------------------------------------------------------------


def test_default_rubric_loads_and_its_weights_add_up(loader):
    r = default_rubric()
    assert [a.id for a in r.areas] == ["plan", "organisation", "people", "mechanisms", "support"]
    assert sum(a.weight for a in r.areas) == pytest.approx(100)
    for a in r.areas:
        assert 3 <= len(a.indicators) <= 5, a.id
        assert sum(i.weight for i in a.indicators) == pytest.approx(100), a.id
    assert (r.scale.min, r.scale.max, r.scale.step) == (0, 5, 1)
    assert [(b.label.zh, b.min_score) for b in r.grade_bands] == [("优秀", 90), ("良好", 80), ("合格", 60),
                                                                  ("不合格", 0)]
    # the packaged file goes through the file loader cleanly too
    text = resources.files("ccdrill.library").joinpath("rubrics", "default.yaml").read_text(encoding="utf-8")
    assert loader(text) == r


def test_default_rubric_serves_every_seed_criterion():
    r = default_rubric()
    sources = [i.source for _, i in r.iter_indicators()]
    assert None not in sources
    assert set(sources) == set(SEED_CRITERIA)


def test_every_text_in_the_default_rubric_has_both_languages():
    texts = list(_texts(default_rubric()))
    assert len(texts) > 50
    for path, t in texts:
        assert t.en, f"{path} has no English"
        assert CJK.search(t.zh), f"{path}.zh is not Chinese: {t.zh!r}"
        assert not CJK.search(t.en), f"{path}.en contains Chinese: {t.en!r}"
        assert not ASCII_PUNCT_IN_ZH.search(t.zh), f"{path}.zh uses ASCII punctuation: {t.zh!r}"
        assert not SPACE_IN_ZH.search(t.zh), f"{path}.zh has a stray space: {t.zh!r}"
    for key, t in SEED_CRITERIA.items():
        assert t.zh and t.en, key


# ---- grade bands ----------------------------------------------------------------------------------


@pytest.mark.parametrize(("score", "zh", "en"), [
    (100, "优秀", "Excellent"), (90, "优秀", "Excellent"), (89.999, "良好", "Good"), (80, "良好", "Good"),
    (79.9999, "合格", "Pass"), (60, "合格", "Pass"), (59.99, "不合格", "Fail"), (0, "不合格", "Fail"),
    (89.99999999999, "优秀", "Excellent"),  # 90 computed with a rounding error is still 90
])
def test_grade_band_edges(score, zh, en):
    band = default_rubric().grade_for(score)
    assert (band.label.get("zh"), band.label.get("en")) == (zh, en)


def test_grade_bands_are_configurable(small):
    data = small_rubric_data()
    data["grade_bands"] = [{"grade": "pass", "label": {"zh": "通过", "en": "Pass"}, "min_score": 70},
                           {"grade": "fail", "label": {"zh": "未通过", "en": "Fail"}, "min_score": 0}]
    r = Rubric.model_validate(data)
    assert r.grade_for(70).label.zh == "通过" and r.grade_for(69.9).label.zh == "未通过"
    assert small.grade_for(85).label.zh == "良好"  # default bands when a file gives none


# ---- refusals, with their messages ----------------------------------------------------------------


def test_area_weights_that_do_not_add_up_are_refused(loader):
    data = small_rubric_data()
    data["areas"][1]["weight"] = 30
    path, en = _error_message(data, "en", loader)
    assert en == "The weights of the areas add up to 90, not 100."
    assert _error_message(data, "zh", loader)[1] == "各评估方面的权重合计为 90，应为 100。"
    with pytest.raises(ValidationError):
        Rubric.model_validate(data)


def test_indicator_weights_that_do_not_add_up_are_refused_and_located(loader):
    data = small_rubric_data()
    data["areas"][0]["indicators"][2]["weight"] = 25.5
    path, zh = _error_message(data, "zh", loader)
    assert path == "areas.0"
    assert zh == "评估方面 a 下各指标的权重合计为 105.5，应为 100。"
    assert _error_message(data, "en", loader)[1] == "The weights of the indicators of area a add up to 105.5, not 100."
    with pytest.raises(InvalidInput) as exc:
        loader(data)
    assert exc.value.problems[0].line is not None  # located in the file


@pytest.mark.parametrize(("weights", "ok"), [
    ((33.333, 33.333, 33.334), True), ((33.3335, 33.333, 33.333), True), ((33.333, 33.333, 33.332), False),
])
def test_weights_add_up_within_a_thousandth(weights, ok):
    data = small_rubric_data()
    for ind, w in zip(data["areas"][0]["indicators"], weights, strict=True):
        ind["weight"] = w
    if ok:
        Rubric.model_validate(data)
    else:
        with pytest.raises(ValidationError):
            Rubric.model_validate(data)


def _mutated(fn) -> dict:
    data = copy.deepcopy(small_rubric_data())
    fn(data)
    return data


@pytest.mark.parametrize(("mutate", "en"), [
    (lambda d: d["areas"][1]["indicators"][0].update(id="a1"),
     "The indicator id a1 is used more than once; ids must be unique in the rubric."),
    (lambda d: d["areas"][1].update(id="a"), "The area id a is used more than once."),
    (lambda d: d.update(scale={"min": 5, "max": 5}), "The scale's min (5) must be below its max (5)."),
    (lambda d: d.update(scale={"min": 0, "max": 5, "step": 2}),
     "The scale's max (5) is not reached from min (0) in steps of 2."),
    (lambda d: d.update(scale={"min": 0, "max": 5, "labels": {7: "七"}}),
     "The label for 7 is not a value of the scale 0–5 (step 1)."),
    (lambda d: d.update(grade_bands=[{"grade": "good", "label": "良", "min_score": 80},
                                     {"grade": "excellent", "label": "优", "min_score": 90},
                                     {"grade": "fail", "label": "差", "min_score": 0}]),
     "Grade bands must be listed from the highest min_score down: 90 after 80."),
    (lambda d: d.update(grade_bands=[{"grade": "pass", "label": "合格", "min_score": 60},
                                     {"grade": "fail", "label": "不合格", "min_score": 10}]),
     "The lowest grade band must start at 0 so that every score has a grade; it starts at 10."),
    (lambda d: d.update(grade_bands=[{"grade": "pass", "label": "合格", "min_score": 60},
                                     {"grade": "pass", "label": "合格", "min_score": 0}]),
     "The grade pass has more than one band."),
])
def test_bad_rubrics_are_refused_with_a_translated_message(loader, mutate, en):
    data = _mutated(mutate)
    assert _error_message(data, "en", loader)[1] == en
    zh = _error_message(data, "zh", loader)[1]
    assert zh != en and CJK.search(zh)


def test_per_indicator_scale_overrides_the_rubric_scale(small):
    assert small.scale_of("b2").max == 10 and small.scale_of("a1").max == 5
    assert small.area_of("b2").id == "b" and small.indicator("zz") is None
    assert small.scale.values() == [0, 1, 2, 3, 4, 5]
