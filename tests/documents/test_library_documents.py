"""Render the built-in library's programmes and plans (when they exist) in every format and language."""

from __future__ import annotations

import io
from importlib import resources

import pytest
import yaml
from docx import Document as open_docx

from ccdrill.documents import render_plan, render_programme
from ccdrill.domain.plan import Plan
from ccdrill.domain.programme import Programme

from .test_docx import EN_HEADINGS, ZH_HEADINGS


def _load(folder: str) -> list[dict]:
    base = resources.files("ccdrill.library").joinpath(folder)
    if not base.is_dir():
        return []
    return [yaml.safe_load(f.read_text("utf-8")) for f in sorted(base.iterdir(), key=lambda p: p.name)
            if f.name.endswith(".yaml")]


PLANS = {d["id"]: Plan.model_validate(d) for d in _load("plans")}
PROGRAMMES = [Programme.model_validate(d) for d in _load("programmes")]


@pytest.mark.skipif(not PROGRAMMES, reason="the library has no programmes yet")
@pytest.mark.parametrize("programme", PROGRAMMES, ids=lambda p: p.id)
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_library_programme_renders(programme: Programme, lang: str) -> None:
    doc = open_docx(io.BytesIO(render_programme(programme, PLANS, "docx", lang)))
    heads = [p.text for p in doc.paragraphs if p.style.name == "Heading 1"]
    assert heads == (ZH_HEADINGS if lang == "zh" else EN_HEADINGS)
    texts = [p.text for p in doc.paragraphs]
    for sc in programme.scenarios:
        plan = PLANS.get(sc.plan.id)
        assert plan is not None, f"{programme.id}: plan {sc.plan} not in the library"
        assert any(x.endswith(plan.title.get(lang)) for x in texts)
    if programme.injects:
        msel = [tb for tb in doc.tables if len(tb.columns) == 6]
        assert len(msel) == 1 and len(msel[0].rows) == len(programme.injects) + 1
    for fmt in ("html", "md"):
        out = render_programme(programme, PLANS, fmt, lang).decode("utf-8")
        assert all(h in out for h in (ZH_HEADINGS if lang == "zh" else EN_HEADINGS))


@pytest.mark.skipif(not PLANS, reason="the library has no plans yet")
@pytest.mark.parametrize("plan", list(PLANS.values()), ids=lambda p: p.id)
@pytest.mark.parametrize("fmt", ["docx", "html", "md"])
def test_library_plan_renders(plan: Plan, fmt: str) -> None:
    for lang in ("zh", "en"):
        assert render_plan(plan, fmt, lang)
