"""Official documents: the 演练方案 (drill programme) and the 应急预案 (plan) as DOCX, HTML or Markdown.

>>> render_programme(programme, {"network-failure": plan}, "docx", "zh")  # doctest: +SKIP

Builders make a format-neutral :class:`~ccdrill.documents.model.Document` tree;
renderers turn it into bytes.  The same tree and renderers serve later documents
(the drill summary report).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from ccdrill.documents.model import Document

if TYPE_CHECKING:
    from ccdrill.domain.plan import Plan
    from ccdrill.domain.programme import Programme

Format = Literal["docx", "html", "md"]
FORMATS: tuple[str, ...] = ("docx", "html", "md")
MEDIA_TYPES = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "html": "text/html; charset=utf-8",
    "md": "text/markdown; charset=utf-8",
}
EXTENSIONS = {"docx": ".docx", "html": ".html", "md": ".md"}


def render_document(doc: Document, fmt: str, lang: str | None = None) -> bytes:
    """Render any document tree in ``fmt`` (docx, html or md)."""
    if fmt == "docx":
        from ccdrill.documents.docx import render_docx

        return render_docx(doc, lang)
    if fmt == "html":
        from ccdrill.documents.html import render_html

        return render_html(doc, lang)
    if fmt in ("md", "markdown"):
        from ccdrill.documents.markdown import render_markdown

        return render_markdown(doc, lang)
    raise ValueError(f"unknown document format {fmt!r}; expected one of {', '.join(FORMATS)}")


def render_programme(programme: Programme, plans: dict[str, Plan], fmt: str, lang: str) -> bytes:
    """The 演练方案 in ``fmt``; ``plans`` maps plan id → Plan (missing plans are noted, not fatal)."""
    from ccdrill.documents.programme_doc import build_programme_document
    from ccdrill.i18n import normalize_lang

    lang = normalize_lang(lang)
    return render_document(build_programme_document(programme, plans, lang), fmt, lang)


def render_plan(plan: Plan, fmt: str, lang: str) -> bytes:
    """The 应急预案 alone in ``fmt``."""
    from ccdrill.documents.programme_doc import build_plan_document
    from ccdrill.i18n import normalize_lang

    lang = normalize_lang(lang)
    return render_document(build_plan_document(plan, lang), fmt, lang)


__all__ = ["Document", "EXTENSIONS", "FORMATS", "MEDIA_TYPES", "render_document", "render_plan", "render_programme"]
