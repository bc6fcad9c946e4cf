"""Uploading a plan or programme: a clean file becomes a version; a bad one is refused with located problems."""

from __future__ import annotations

import re

import pytest
import yaml

from tests.web.conftest import count_versions


def _library_yaml(client, kind: str = "plans", doc: str = "network-failure") -> dict:
    return yaml.safe_load(client.get(f"/{kind}/{doc}/v/1/document.yaml").content)


def _post(client, token, data: bytes, filename: str = "plan.yaml", lang: str | None = None):
    url = "/upload" + (f"?lang={lang}" if lang else "")
    return client.post(url, data={"csrf_token": token}, files={"file": (filename, data, "application/yaml")},
                       follow_redirects=False)


def test_upload_of_a_valid_plan_creates_a_new_version(client, csrf, library_db):
    plan = _library_yaml(client)
    plan["trigger"]["zh"] = "任一系统中断超过 2 分钟。"
    before = count_versions(library_db)
    r = _post(client, csrf, yaml.safe_dump(plan, allow_unicode=True).encode())
    assert r.status_code == 303
    assert r.headers["location"] == "/plans/network-failure/v/2"
    page = client.get(r.headers["location"])
    assert "已保存为第 2 版。" in page.text
    assert "任一系统中断超过 2 分钟。" in page.text
    assert count_versions(library_db) == (before[0] + 1, before[1])
    diff = client.get("/plans/network-failure/diff?from=1&to=2")
    assert "trigger" in diff.text


def test_upload_of_an_unchanged_plan_saves_nothing_and_says_so(client, csrf, library_db):
    before = count_versions(library_db)
    r = _post(client, csrf, client.get("/plans/network-failure/v/1/document.yaml").content)
    assert r.status_code == 303
    assert "未保存新版本" in client.get(r.headers["location"]).text
    assert count_versions(library_db) == before


def test_upload_of_a_programme_is_detected_as_a_programme(client, csrf, library_db):
    prog = _library_yaml(client, "programmes", "network-failure-2023-10-25")
    prog["location"] = {"zh": "客服中心二楼", "en": "Contact centre, 2nd floor"}
    r = _post(client, csrf, yaml.safe_dump(prog, allow_unicode=True).encode(), "programme.yaml")
    assert r.status_code == 303
    assert r.headers["location"] == "/programmes/network-failure-2023-10-25/v/2"


BOMB = b"""a: &a ["x","x","x","x","x","x","x","x","x","x"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e,*e]
"""


def _bad_inputs(client) -> dict[str, bytes]:
    plan = _library_yaml(client)
    wrong_type = dict(plan, steps=[dict(plan["steps"][0], target_minutes="soon")] + plan["steps"][1:])
    unknown_key = dict(plan, colour="red")
    return {
        "syntax": b"kind: plan\nid: x\ntitle: [unclosed\n",
        "wrong_type": yaml.safe_dump(wrong_type, allow_unicode=True).encode(),
        "unknown_key": yaml.safe_dump(unknown_key, allow_unicode=True).encode(),
        "alias_bomb": BOMB,
        "not_utf8": "kind: plan\nid: x\ntitle: 网络故障\n".encode("gb18030"),
        "nul_bytes": b"kind: plan\nid: x\x00\n",
        "python_tag": b"kind: plan\nid: !!python/object/apply:os.system ['true']\n",
    }


@pytest.mark.parametrize("kind", ["syntax", "wrong_type", "unknown_key", "alias_bomb", "not_utf8", "nul_bytes",
                                  "python_tag"])
def test_bad_input_is_refused_with_a_located_message_and_nothing_is_written(client, csrf, library_db, kind):
    data = _bad_inputs(client)[kind]
    before = count_versions(library_db)
    for lang, word in (("zh", "文件未保存"), ("en", "The file was not saved")):
        r = _post(client, csrf, data, f"{kind}.yaml", lang=lang)
        assert r.status_code == 422, (kind, r.text[:500])
        assert word in r.text
        assert f"{kind}.yaml" in r.text  # located: file name, and line:column where known
        assert "Traceback" not in r.text
    if kind in ("syntax", "wrong_type", "unknown_key", "not_utf8"):
        assert re.search(rf"{kind}\.yaml:\d+:\d+", r.text), r.text
    assert count_versions(library_db) == before


def test_problems_are_reported_in_the_users_language(client, csrf):
    plan = _library_yaml(client)
    plan["colour"] = "red"
    data = yaml.safe_dump(plan, allow_unicode=True).encode()
    zh = _post(client, csrf, data, lang="zh").text
    en = _post(client, csrf, data, lang="en").text
    assert "colour" in zh and "colour" in en
    zh_problem = re.search(r"<li><code>(.*?)</code></li>", zh, re.S).group(1)
    en_problem = re.search(r"<li><code>(.*?)</code></li>", en, re.S).group(1)
    assert zh_problem != en_problem
    assert re.search(r"[\u4e00-\u9fff]", zh_problem)


def test_a_hostile_string_is_stored_as_text_and_shown_escaped(client, csrf):
    plan = _library_yaml(client)
    plan["title"]["zh"] = "<script>alert('x')</script>预案"
    r = _post(client, csrf, yaml.safe_dump(plan, allow_unicode=True).encode())
    assert r.status_code == 303
    page = client.get(r.headers["location"])
    assert "<script>alert" not in page.text
    assert "&lt;script&gt;alert(" in page.text


def test_a_huge_file_is_refused_while_reading_and_nothing_is_written(client, csrf, library_db):
    before = count_versions(library_db)
    huge = b"# " + b"x" * (50 * 1024 * 1024) + b"\n"
    r = _post(client, csrf, huge, "huge.yaml")
    assert r.status_code == 413
    assert "文件超过" in r.text
    assert count_versions(library_db) == before


def test_upload_without_a_file_asks_for_one(client, csrf):
    r = client.post("/upload", data={"csrf_token": csrf}, follow_redirects=False)
    assert r.status_code == 422
    assert "请选择要上传的" in r.text


def test_upload_without_csrf_token_is_refused(client, csrf, library_db):
    before = count_versions(library_db)
    data = client.get("/plans/network-failure/v/1/document.yaml").content
    r = client.post("/upload", files={"file": ("p.yaml", data)}, follow_redirects=False)
    assert r.status_code == 403
    assert "此表单已过期或并非来自 ccdrill" in r.text
    r = client.post("/upload?lang=en", files={"file": ("p.yaml", data)}, follow_redirects=False)
    assert r.status_code == 403 and "did not come from ccdrill" in r.text
    assert count_versions(library_db) == before


def test_upload_with_a_forged_csrf_token_is_refused(client, csrf, library_db):
    data = client.get("/plans/network-failure/v/1/document.yaml").content
    forged = csrf[:-4] + ("AAAA" if not csrf.endswith("AAAA") else "BBBB")
    r = client.post("/upload", data={"csrf_token": forged}, files={"file": ("p.yaml", data)}, follow_redirects=False)
    assert r.status_code == 403
    # a token from another site with its own cookie does not pass either
    client.cookies.set("ccdrill_csrf", "attacker.token")
    r = client.post("/upload", data={"csrf_token": "attacker.token"}, files={"file": ("p.yaml", data)},
                    follow_redirects=False)
    assert r.status_code == 403


def test_only_signed_in_planners_may_upload(client, library_db):
    """A visitor is sent to sign in; an agent is refused in their language; nothing is stored."""
    from ccdrill.store import users
    from ccdrill.store.db import unit_of_work
    from tests.web.conftest import sign_in

    before = count_versions(library_db)
    r = client.get("/upload", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/login?next=")
    r = client.post("/upload", files={"file": ("p.yaml", b"kind: plan\n")}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/login")
    with unit_of_work(library_db) as s:
        users.create_user(s, "agent7", "agent-pass-1")
    sign_in(client, "agent7", "agent-pass-1")
    r = client.get("/upload?lang=zh")
    assert r.status_code == 403 and "只有策划人员和管理员可以上传" in r.text
    assert count_versions(library_db) == before
