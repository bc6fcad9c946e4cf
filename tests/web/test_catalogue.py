"""Every text a user sees on a page is translated: template msgids all have Chinese in the catalogue."""

from __future__ import annotations

import re
from importlib import resources
from pathlib import Path

from babel.messages.extract import extract_from_dir

WEB = Path(str(resources.files("ccdrill.web")))
KEYWORDS = {"_": None, "N_": None, "t": None}


def _msgids(method_map, options_map=None) -> set[str]:
    found = set()
    for _file, _line, msg, _comments, _ctx in extract_from_dir(
        str(WEB), method_map, options_map or {}, keywords=KEYWORDS
    ):
        if isinstance(msg, tuple):
            msg = msg[0]
        if msg:
            found.add(msg)
    return found


def test_every_template_msgid_has_a_chinese_translation():
    from ccdrill.i18n import catalogue

    ids = _msgids([("templates/**.html", "jinja2")])
    assert len(ids) > 100
    missing = sorted(i for i in ids if not catalogue("zh").get(i))
    assert not missing, f"add these to web.po: {missing}"


def test_every_web_message_in_code_has_a_chinese_translation():
    from ccdrill.i18n import catalogue

    ids = _msgids([("**.py", "python")])
    ids |= {m for m in _msgids_from_file(Path(str(resources.files("ccdrill.cli"))) / "serve.py")}
    missing = sorted(i for i in ids if not catalogue("zh").get(i))
    assert not missing, f"add these to web.po: {missing}"


def _msgids_from_file(path: Path) -> set[str]:
    from babel.messages.extract import extract_python

    with path.open("rb") as fh:
        return {m[2] for m in extract_python(fh, KEYWORDS.keys(), [], {}) if isinstance(m[2], str)}


def test_templates_have_no_hard_coded_chinese():
    for path in (WEB / "templates").glob("*.html"):
        text = path.read_text(encoding="utf-8")
        outside = re.sub(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", "", text, flags=re.S)
        assert not re.search(r"[\u4e00-\u9fff]", outside), path.name


def test_templates_have_no_hard_coded_english_sentences():
    """Text between tags is a template expression or punctuation, never a bare English phrase."""
    for path in (WEB / "templates").glob("*.html"):
        text = path.read_text(encoding="utf-8")
        text = re.sub(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", "", text, flags=re.S)
        text = re.sub(r"<(script|style|svg)\b.*?</\1>", "", text, flags=re.S)
        text = re.sub(r'<ul class="mono small cmds">.*?</ul>', "", text, flags=re.S)  # commands are code
        for chunk in re.findall(r">([^<]+)<", text):
            if chunk.strip().startswith("/"):  # an address, e.g. /api/v1/plans
                continue
            words = re.findall(r"[A-Za-z]{3,}", chunk)
            words = [w for w in words if w not in {"ccdrill", "API", "nbsp"}]
            assert not words, f"{path.name}: {chunk.strip()!r}"
