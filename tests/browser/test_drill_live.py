"""The live drill in real browsers: the command post and an agent on a phone, side by side.

A commander signs in, starts the seed network-failure drill and fires the incident inject; an
agent in a second browser context sees it arrive without a reload, reports and completes a step;
the console's step list and the twin panel update without a reload.  Screenshots go to
``test-artifacts/``.
"""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.browser.conftest import login, new_context

INCIDENT = 3  # "网络中断，系统无法登录" — starts the network-failure incident
STEP = "network-failure.report"  # the agent's first step: report to the supervisor
PHONE = {"width": 360, "height": 740}


def _shot(page, path) -> None:
    page.evaluate("window.scrollTo(0, 0)")
    page.wait_for_timeout(150)
    page.screenshot(path=str(path), full_page=True)


def _no_horizontal_scroll(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the page is {width}px wide on a {PHONE['width']}px phone"


def test_command_post_and_agent_run_the_incident(browser, server, artifacts):
    base = f"{server.url}/drills/{server.drill_id}"
    cmd_ctx = new_context(browser)
    agent_ctx = new_context(browser, viewport=PHONE, is_mobile=True, has_touch=True, device_scale_factor=2)
    try:
        problems: list[str] = []
        for ctx in (cmd_ctx, agent_ctx):  # a CSP violation or a script error is a failure
            ctx.on("page", lambda p: (p.on("pageerror", lambda e: problems.append(str(e))),
                                      p.on("console", lambda m: problems.append(m.text)
                                           if m.type == "error" and "/api/v1/" not in m.text else None)))
        console = login(cmd_ctx, server, "cmd", next_path=f"/drills/{server.drill_id}")
        expect(console).to_have_url(base)
        expect(console.locator("[data-live].on")).to_have_count(1)  # the event stream is open
        console.evaluate("window.__sameDocument = true")

        agent = login(agent_ctx, server, "agent", next_path=f"/drills/{server.drill_id}/me")
        expect(agent).to_have_url(base + "/me")
        expect(agent.locator(".mecard.waiting")).to_be_visible()
        expect(agent.locator("[data-live].on")).to_have_count(1)
        agent.evaluate("window.__sameDocument = true")

        # The command post starts the drill: the clock runs (×60) without a reload.
        console.get_by_role("button", name="开始").click()
        expect(console.locator("[data-status-badge]")).to_have_text("进行中")
        first = console.locator("[data-tplus]").inner_text()
        console.wait_for_timeout(1500)
        assert console.locator("[data-tplus]").inner_text() != first, "the drill clock ticks"

        # … and fires the incident now.
        row = console.locator(f'[data-inject="{INCIDENT}"]')
        row.get_by_role("button", name="立即下达").click()
        expect(row.locator(".tag.inj-fired")).to_be_visible()
        expect(console.locator(f'[data-step="{STEP}"] .tag.step-ready')).to_be_visible()

        # The agent's phone shows the incident without a reload.
        card = agent.locator(f'[data-inject-card="{INCIDENT}"]')
        expect(card).to_be_visible(timeout=10_000)
        expect(card).to_contain_text("网络中断")
        _no_horizontal_scroll(agent)
        _shot(agent, str(artifacts / server.shot_name("participant-incident")))

        # The agent reports, with a note, then completes the step: one tap each.
        card.locator("summary").click()
        card.locator("textarea").fill("多人同时无法登录，09:10 开始，电话和在线均受影响")
        card.get_by_role("button", name="上报").click()
        expect(console.locator(".loglist")).to_contain_text("多人同时无法登录", timeout=10_000)
        task = agent.locator(f'[data-task="{STEP}"]')
        task.get_by_role("button", name="完成").click()
        expect(agent.locator(f'[data-task="{STEP}"]')).to_have_count(0, timeout=10_000)

        # The console's step list follows, without a reload; the next step is ready.
        expect(console.locator(f'[data-step="{STEP}"] .tag.step-done')).to_be_visible(timeout=10_000)
        expect(console.locator('[data-step="network-failure.activate"] .tag.step-ready')).to_be_visible()
        expect(console.locator(".loglist")).to_contain_text("agent")

        # The twin panel was redrawn after the events, and fills in as drill time passes.
        updates = int(console.locator("#drill").get_attribute("data-twin-updates") or 0)
        assert updates >= 2, "the twin panel is redrawn on events"
        expect(console.locator("#drill")).to_have_attribute("data-twin-points", re.compile(r"^([2-9]|\d\d+)$"),
                                                            timeout=40_000)
        assert console.locator("#twin-chart canvas").count() >= 1

        console.locator("#twin-chart canvas").first.hover()  # the tooltip draws without inline styles
        console.wait_for_timeout(300)
        assert not problems, problems
        assert console.evaluate("window.__sameDocument === true"), "the console never reloaded"
        assert agent.evaluate("window.__sameDocument === true"), "the phone never reloaded"
        _shot(console, str(artifacts / server.shot_name("console")))
        _shot(agent, str(artifacts / server.shot_name("participant-after")))
    finally:
        cmd_ctx.close()
        agent_ctx.close()


def test_pause_freezes_the_clock_and_resume_continues(browser, server):
    ctx = new_context(browser)
    try:
        page = login(ctx, server, "cmd", next_path=f"/drills/{server.drill_id}")
        page.get_by_role("button", name="开始").click()
        expect(page.locator("[data-status-badge]")).to_have_text("进行中")
        page.wait_for_timeout(1200)
        page.get_by_role("button", name="暂停").click()
        expect(page.locator("[data-status-badge]")).to_have_text("已暂停")
        frozen = page.locator("[data-tplus]").inner_text()
        page.wait_for_timeout(1500)
        assert page.locator("[data-tplus]").inner_text() == frozen, "a paused clock stands still"
        server_time = page.evaluate(
            "fetch(location.pathname.replace('/drills/', '/api/v1/drills/')).then(r => r.json())")
        shown = sum(int(x) * f for x, f in zip(frozen[2:].split(":"), (3600, 60, 1), strict=True))
        assert abs(server_time["drill_time_s"] - shown) <= 1.5, (server_time["drill_time_s"], frozen)
        page.get_by_role("button", name="继续").click()
        expect(page.locator("[data-status-badge]")).to_have_text("进行中")
        page.wait_for_timeout(1200)
        assert page.locator("[data-tplus]").inner_text() > frozen, "the clock continues from where it stood"
    finally:
        ctx.close()


def test_observer_sees_the_console_without_controls(browser, server, artifacts):
    ctx = new_context(browser)
    try:
        page = login(ctx, server, "observer", next_path=f"/drills/{server.drill_id}")
        expect(page).to_have_url(re.compile(rf"/drills/{server.drill_id}$"))
        expect(page.locator("[data-readonly]")).to_be_visible()
        expect(page.locator("[data-panel=injects] .inj")).not_to_have_count(0)
        assert page.locator("form[data-act]").count() == 0, "an observer has no buttons that act"
        assert page.locator("[data-controls], .inj-acts, .step-acts").count() == 0
    finally:
        ctx.close()


def test_participant_view_fits_a_360px_phone(browser, server, artifacts):
    ctx = new_context(browser, viewport=PHONE, is_mobile=True, has_touch=True, device_scale_factor=2)
    try:
        page = login(ctx, server, "tech", next_path=f"/drills/{server.drill_id}/me")
        expect(page.locator("[data-panel=mehead]")).to_be_visible()
        _no_horizontal_scroll(page)
        _shot(page, str(artifacts / server.shot_name("participant-waiting")))
    finally:
        ctx.close()


def test_a_tap_without_network_is_sent_once_the_network_is_back(browser, server):
    cmd_ctx = new_context(browser)
    agent_ctx = new_context(browser, viewport=PHONE, is_mobile=True, has_touch=True)
    try:
        console = login(cmd_ctx, server, "cmd", next_path=f"/drills/{server.drill_id}")
        console.get_by_role("button", name="开始").click()
        expect(console.locator("[data-status-badge]")).to_have_text("进行中")
        console.locator(f'[data-inject="{INCIDENT}"]').get_by_role("button", name="立即下达").click()
        agent = login(agent_ctx, server, "agent", next_path=f"/drills/{server.drill_id}/me")
        card = agent.locator(f'[data-inject-card="{INCIDENT}"]')
        expect(card).to_be_visible()

        agent_ctx.set_offline(True)
        card.get_by_role("button", name="上报").click()
        card.get_by_role("button", name="上报").click(force=True)  # an impatient second tap
        expect(agent.locator("[data-toast]")).to_contain_text("正在重试")
        agent.wait_for_timeout(1500)
        agent_ctx.set_offline(False)

        def reports() -> int:
            events = console.evaluate(
                "fetch(location.pathname.replace('/drills/', '/api/v1/drills/') + '/events?after=0')"
                ".then(r => r.json())")
            items = events["events"] if isinstance(events, dict) else events
            return sum(1 for e in items if e["kind"] == "report")

        expect(console.locator(".loglist .k-report")).to_have_count(1, timeout=15_000)
        console.wait_for_timeout(1500)
        assert reports() == 1, "the tap is recorded once, after the network came back"
    finally:
        cmd_ctx.close()
        agent_ctx.close()
