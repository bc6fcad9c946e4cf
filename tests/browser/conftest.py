"""Browser tests: Playwright for Python driving Debian's Chromium against ``ccdrill serve``.

The server runs in a subprocess on a free port with a fresh database — SQLite always, and
PostgreSQL too when ``CCDRILL_TEST_PG_URL`` is set (the ``db_url`` fixture of ``tests/conftest.py``).
The database is prepared in this process first: migrated, the built-in library loaded, the
test users created and the seed network-failure drill created from its programme.

Missing Chromium or Playwright skips these tests, unless ``CCDRILL_REQUIRE_BROWSER=1`` (CI), which
fails them.  No browser is ever downloaded.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
PASSWORD = "drill-password-1"
PROGRAMME = "network-failure-2023-10-25"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
PEOPLE = {  # username → (planner?, role in the drill)
    "planner": (True, None),
    "cmd": (False, "commander"),
    "deputy": (False, "deputy_commander"),
    "agent": (False, "agent"),
    "tech": (False, "tech_support"),
    "observer": (False, "observer"),
}


def _missing_browser() -> str | None:
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "Playwright for Python is not installed (pip install playwright; no browser download needed)"
    if not (os.path.exists(CHROMIUM) and os.access(CHROMIUM, os.X_OK)):
        return f"Chromium is not installed at {CHROMIUM} (apt-get install chromium)"
    return None


@pytest.fixture(scope="session")
def browser():
    reason = _missing_browser()
    if reason:
        if os.environ.get("CCDRILL_REQUIRE_BROWSER") == "1":
            pytest.fail(reason + " (CCDRILL_REQUIRE_BROWSER=1)", pytrace=False)
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def artifacts(request) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Server:
    url: str
    drill_id: int
    db_url: str
    backend: str

    def shot_name(self, name: str) -> str:
        return f"{name}-{self.backend}.png"


def _prepare(db_url: str) -> int:
    from ccdrill.auth.permissions import User
    from ccdrill.live.service import DrillService
    from ccdrill.store import documents, users
    from ccdrill.store.db import make_engine, unit_of_work, upgrade

    upgrade(db_url)
    engine = make_engine(db_url)
    try:
        with unit_of_work(engine) as s:
            documents.load_library(s)
            for name, (planner, _role) in PEOPLE.items():
                users.create_user(s, name, PASSWORD, planner=planner)
        service = DrillService(engine, run_schedule=False, listen=False)
        assignments = {role: [name] for name, (_p, role) in PEOPLE.items() if role}
        return service.create_drill(programme=PROGRAMME, speed=60, assignments=assignments,
                                    actor=User("planner", is_planner=True))
    finally:
        engine.dispose()


def _ccdrill() -> list[str]:
    exe = Path(sys.executable).with_name("ccdrill")
    return [str(exe)] if exe.exists() else [shutil.which("ccdrill") or "ccdrill"]


BACKENDS = ["sqlite"] + ([pytest.param("postgresql", marks=pytest.mark.pg)]
                          if os.environ.get("CCDRILL_TEST_PG_URL") else [])


@pytest.fixture(params=BACKENDS)
def browser_db_url(request) -> str:
    """SQLite always; PostgreSQL as well when ``CCDRILL_TEST_PG_URL`` names a server."""
    return request.getfixturevalue("sqlite_url" if request.param == "sqlite" else "pg_url")


@pytest.fixture
def server(browser, browser_db_url, tmp_path):
    db_url = browser_db_url
    drill_id = _prepare(db_url)
    port = _free_port()
    env = dict(os.environ, CCDRILL_SECRET_KEY="browser-test-secret", CCDRILL_LANG="zh")
    log = open(tmp_path / "server.log", "wb")  # noqa: SIM115 - closed below
    proc = subprocess.Popen([*_ccdrill(), "serve", "--db", db_url, "--host", "127.0.0.1", "--port", str(port)],
                            stdout=log, stderr=subprocess.STDOUT, env=env)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(url + "/login", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                log.flush()
                pytest.fail("ccdrill serve did not start:\n" + (tmp_path / "server.log").read_text(errors="replace")[-3000:])
            time.sleep(0.2)
        backend = "postgresql" if db_url.startswith("postgresql") else "sqlite"
        yield Server(url=url, drill_id=drill_id, db_url=db_url, backend=backend)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


def login(context, server: Server, username: str, *, next_path: str = "/drills"):
    """A page of ``context`` signed in as ``username`` through the login form."""
    page = context.new_page()
    page.goto(f"{server.url}/login?next={next_path}")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.locator("form[action^='/login'] [type=submit]").click()
    page.wait_for_url(lambda u: "/login" not in u)
    return page


def new_context(browser, **kwargs):
    kwargs.setdefault("locale", "zh-CN")
    kwargs.setdefault("viewport", {"width": 1440, "height": 1000})
    return browser.new_context(**kwargs)
