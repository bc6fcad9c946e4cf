"""Chinese first, English complete: every message the code can show has its Chinese translation."""

from __future__ import annotations

from pathlib import Path

from babel.messages.extract import extract_from_dir

import ccdrill
from ccdrill.i18n import catalogue, lang_from_env, normalize_lang, t

SRC = Path(ccdrill.__file__).parent


def _msgids() -> dict[str, str]:
    found: dict[str, str] = {}
    method_map = [("**/static/**", "ignore"), ("**.py", "python"), ("**/templates/**.html", "jinja2")]
    for filename, lineno, message, _comments, _ctx in extract_from_dir(
        str(SRC), method_map=method_map, keywords={"t": (1,), "N_": None, "_": None, "gettext": None},
        options_map={"**/templates/**.html": {"extensions": "jinja2.ext.do"}},
    ):
        if isinstance(message, tuple):
            message = message[0]
        if message:
            found[message] = f"{filename}:{lineno}"
    return found


def test_every_message_in_the_code_has_a_chinese_translation():
    zh = catalogue("zh")
    missing = {m: where for m, where in _msgids().items() if m not in zh}
    assert not missing, "untranslated:\n" + "\n".join(f"{w}: {m}" for m, w in sorted(missing.items()))


def test_translations_keep_their_placeholders():
    import re

    bad = []
    for msgid, text in catalogue("zh").items():
        want = set(re.findall(r"\{(\w+)", msgid))
        have = set(re.findall(r"\{(\w+)", text))
        if want != have:
            bad.append((msgid, text))
    assert not bad, bad


def test_language_is_taken_from_the_environment_chinese_by_default():
    assert lang_from_env({}) == "zh"
    assert lang_from_env({"LANG": "en_US.UTF-8"}) == "en"
    assert lang_from_env({"LANG": "en_US.UTF-8", "CCDRILL_LANG": "zh"}) == "zh"
    assert normalize_lang("zh-CN") == "zh" and normalize_lang("EN") == "en"


def test_messages_fill_their_placeholders():
    assert t("File not found: {file}", "zh", file="a.yaml") == "找不到文件：a.yaml"
    assert t("File not found: {file}", "en", file="a.yaml") == "File not found: a.yaml"
