"""The pages a centre manager opens: in Chinese by default, in English on request, never a traceback."""

from __future__ import annotations

import pytest

LIBRARY_PLANS = ("system-failure", "staff-loss", "natural-disaster", "network-failure")


def test_home_is_in_chinese_by_default(client):
    r = client.get("/")
    assert r.status_code == 200
    assert '<html lang="zh-CN">' in r.text
    assert "客服中心应急演练" in r.text
    assert "预案库" in r.text and "演练方案" in r.text


def test_home_in_english_with_lang_parameter(client):
    r = client.get("/?lang=en")
    assert r.status_code == 200
    assert "Emergency drills for your contact centre" in r.text
    assert "Plan library" in r.text


def test_language_choice_sticks_in_a_cookie(client):
    client.get("/plans?lang=en")
    assert client.cookies.get("ccdrill_lang") == "en"
    r = client.get("/plans")
    assert "<h1>Plan library</h1>" in r.text
    client.get("/plans?lang=zh")
    assert "<h1>预案库</h1>" in client.get("/plans").text


def test_browser_language_is_used_when_nothing_chosen(client):
    r = client.get("/plans", headers={"Accept-Language": "en-GB,en;q=0.9,zh;q=0.5"})
    assert "<h1>Plan library</h1>" in r.text


def test_language_switch_keeps_the_current_page(client):
    r = client.get("/plans/network-failure")
    assert 'href="/plans/network-failure?lang=en"' in r.text


def test_plans_list_shows_the_four_library_plans(client):
    r = client.get("/plans")
    assert r.status_code == 200
    for plan_id in LIBRARY_PLANS:
        assert f'href="/plans/{plan_id}"' in r.text
    assert "网络故障" in r.text  # scenario type badge in Chinese


def test_plan_page_shows_its_steps_roles_and_targets(client):
    r = client.get("/plans/network-failure")
    assert r.status_code == 200
    assert "处置步骤" in r.text
    assert "发现异常并报告客服主管" in r.text  # a step title
    assert "启动应急预案" in r.text
    assert "副指挥长" in r.text  # responsible role
    assert "5 分钟" in r.text  # a target duration
    en = client.get("/plans/network-failure?lang=en")
    assert "Response steps" in en.text and "Spot the fault and report it to the supervisor" in en.text


def test_plan_page_explains_twin_effects_in_plain_words(client):
    r = client.get("/plans/network-failure?lang=en")
    assert "The online chat channel works again" in r.text
    assert "50% of new phone contacts go to online chat instead" in r.text


def test_a_specific_version_has_its_own_address(client):
    r = client.get("/plans/network-failure/v/1")
    assert r.status_code == 200
    assert "第 1 版" in r.text


def test_programme_page_shows_phases_scenarios_and_injects(client):
    r = client.get("/programmes/network-failure-2023-10-25")
    assert r.status_code == 200
    for heading in ("演练目的", "演练背景", "演练组织机构", "演练阶段", "演练脚本（注入事件）", "演练评估", "附则"):
        assert heading in r.text, heading
    assert 'class="timeline wide"' in r.text
    assert 'href="/plans/network-failure/v/' in r.text  # the scenario links to its plan
    assert "09:00" in r.text and "11:30" in r.text
    en = client.get("/programmes/network-failure-2023-10-25?lang=en")
    assert "Master scenario events list (injects)" in en.text


def test_programmes_list_and_every_library_page_render(client):
    r = client.get("/programmes")
    assert r.status_code == 200
    assert 'href="/programmes/network-failure-2023-10-25"' in r.text
    for path in ("/programmes/three-scenarios", "/drills", "/guide", "/upload"):
        for lang in ("zh", "en"):
            assert client.get(f"{path}?lang={lang}").status_code == 200, path


@pytest.mark.parametrize(
    "path",
    [
        "/plans/no-such-plan",
        "/plans/network-failure/v/99",
        "/plans/network-failure/v/abc",
        "/plans/network-failure/v/-1",
        "/plans/NETWORK%00FAILURE",
        "/plans/%3Cscript%3E",
        "/plans/" + "a" * 500,
        "/plans/network-failure/v/1/document.exe",
        "/plans/network-failure/diff?from=x&to=1",
        "/programmes/nope/versions",
        "/no/such/page",
    ],
)
def test_unknown_or_hostile_addresses_get_a_localized_404(client, path):
    r = client.get(path)
    assert r.status_code == 404
    assert "页面不存在" in r.text or "未找到" in r.text
    assert "Traceback" not in r.text
    en = client.get(path + ("&" if "?" in path else "?") + "lang=en")
    assert en.status_code == 404
    assert "Page not found" in en.text


def test_wrong_method_gets_a_localized_405(client):
    r = client.delete("/plans")
    assert r.status_code == 405
    assert "不支持该请求方式" in r.text


def test_responses_carry_security_headers(client):
    r = client.get("/")
    assert r.headers["x-content-type-options"] == "nosniff"
    csp = r.headers["content-security-policy"]
    assert "default-src 'self'" in csp and "script-src 'self'" in csp
    assert "http" not in csp  # nothing from another origin


def test_pages_load_nothing_from_the_internet(client):
    for path in ("/", "/plans/network-failure", "/programmes/network-failure-2023-10-25"):
        html = client.get(path).text
        assert "src=\"http" not in html and "href=\"http" not in html
    assert client.get("/static/vendor/htmx/htmx.min.js").status_code == 200
    assert client.get("/static/vendor/echarts/echarts.min.js").status_code == 200


def test_an_unexpected_error_shows_a_localized_500_page_without_a_traceback(app):
    from fastapi.testclient import TestClient

    @app.get("/boom-for-test")
    def boom() -> None:
        raise RuntimeError("secret internals")

    with TestClient(app, raise_server_exceptions=False) as c:
        r = c.get("/boom-for-test")
        assert r.status_code == 500
        assert "出现了问题" in r.text and "未做任何更改" in r.text
        assert "secret internals" not in r.text and "Traceback" not in r.text
        api = c.get("/boom-for-test", headers={"Accept": "application/json"})
        assert api.json()["error"]["code"] == "internal_error"
