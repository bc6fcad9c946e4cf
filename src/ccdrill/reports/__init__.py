"""演练总结报告 — the drill summary report for leadership, in DOCX, HTML, PDF or Markdown.

>>> data = build_report_data(programme, plans, events)      # doctest: +SKIP
>>> render_report(data, "docx", "zh")                        # doctest: +SKIP

:func:`~ccdrill.reports.model.build_report_data` computes every figure once from the drill's event
log (timings, customer impact from the twin, scores, findings, actions, commendations);
:func:`~ccdrill.reports.build.build_report_document` words them as a format-neutral document;
the renderers of :mod:`ccdrill.documents` (and :mod:`ccdrill.reports.pdf`) turn it into bytes.
"""

from __future__ import annotations

from ccdrill.reports.model import DrillNeverRan, ReportData, RevisionRecommendation, build_report_data

FORMATS: tuple[str, ...] = ("docx", "html", "pdf", "md")
MEDIA_TYPES = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "html": "text/html; charset=utf-8",
    "pdf": "application/pdf",
    "md": "text/markdown; charset=utf-8",
}
EXTENSIONS = {"docx": ".docx", "html": ".html", "pdf": ".pdf", "md": ".md"}


def render_report(data: ReportData, fmt: str, lang: str) -> bytes:
    """The summary report in ``fmt`` (docx, html, pdf or md) and ``lang`` (zh or en)."""
    from ccdrill.i18n import normalize_lang
    from ccdrill.reports.build import build_report_document

    lang = normalize_lang(lang)
    fmt = "md" if fmt == "markdown" else fmt
    if fmt not in FORMATS:
        raise ValueError(f"unknown report format {fmt!r}; expected one of {', '.join(FORMATS)}")
    doc = build_report_document(data, lang)
    if fmt == "pdf":
        from ccdrill.reports.pdf import render_pdf

        return render_pdf(doc, lang)
    from ccdrill.documents import render_document

    return render_document(doc, fmt, lang)


__all__ = ["EXTENSIONS", "FORMATS", "MEDIA_TYPES", "DrillNeverRan", "ReportData", "RevisionRecommendation",
           "build_report_data", "render_report"]
