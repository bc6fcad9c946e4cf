"""Versions, diffs and the documents a manager files."""

from __future__ import annotations

import io

import yaml


def _save_edited_plan(engine, **changes):
    from ccdrill.store import documents
    from ccdrill.store.db import unit_of_work

    with unit_of_work(engine) as s:
        plan = documents.get_plan(s, "network-failure")
        edited = plan.model_copy(update={"version": None, **changes})
        return documents.save_plan(s, edited, author="tester", note="edited")


def test_diff_page_shows_a_changed_field_after_saving_an_edited_version(client, library_db):
    from ccdrill.domain.plan import ResponseLevel

    saved = _save_edited_plan(library_db, response_level=ResponseLevel.II)
    assert saved.version == 2
    r = client.get("/plans/network-failure/diff?from=1&to=2")
    assert r.status_code == 200
    assert "response_level" in r.text
    assert "<del>III</del>" in r.text and "<ins>II</ins>" in r.text
    assert "修改" in r.text  # the change kind, in Chinese


def test_versions_page_lists_every_version_with_a_diff_picker(client, library_db):
    _save_edited_plan(library_db, trigger={"zh": "新的启动条件", "en": "A new trigger"})
    r = client.get("/plans/network-failure/versions")
    assert r.status_code == 200
    assert 'href="/plans/network-failure/v/1"' in r.text and 'href="/plans/network-failure/v/2"' in r.text
    assert 'action="/plans/network-failure/diff"' in r.text
    latest = client.get("/plans/network-failure")
    assert "第 2 版" in latest.text
    old = client.get("/plans/network-failure/v/1")
    assert "这是旧版本" in old.text


def test_diff_of_identical_versions_says_so(client):
    r = client.get("/plans/network-failure/diff?from=1&to=1&lang=en")
    assert r.status_code == 200
    assert "No differences" in r.text


def test_plan_docx_download_opens_in_word(client):
    import docx

    r = client.get("/plans/network-failure/v/1/document.docx")
    assert r.status_code == 200
    assert r.headers["content-type"] == "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    assert "attachment" in r.headers["content-disposition"]
    document = docx.Document(io.BytesIO(r.content))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "网络故障" in text


def test_programme_docx_download_opens_in_word(client):
    import docx

    r = client.get("/programmes/network-failure-2023-10-25/v/1/document.docx")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("application/vnd.openxmlformats")
    document = docx.Document(io.BytesIO(r.content))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "演练目的" in text


def test_html_and_markdown_downloads_follow_the_language(client):
    html = client.get("/programmes/network-failure-2023-10-25/v/1/document.html?lang=en")
    assert html.status_code == 200 and html.headers["content-type"].startswith("text/html")
    md = client.get("/plans/network-failure/v/1/document.md")
    assert md.status_code == 200 and md.headers["content-type"].startswith("text/markdown")
    assert "网络故障" in md.text


def test_yaml_download_is_a_valid_file_that_can_be_uploaded_again(client):
    from ccdrill.formats import parse_document

    r = client.get("/plans/network-failure/v/1/document.yaml")
    assert r.status_code == 200
    data = yaml.safe_load(r.content)
    assert data["id"] == "network-failure" and data["kind"] == "plan"
    plan = parse_document(r.content, filename="network-failure.yaml", lang="en")
    assert plan.id == "network-failure"
