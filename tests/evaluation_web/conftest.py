"""Evaluation-page fixtures: the app on a migrated database (SQLite and PostgreSQL) with the library and
the drill test accounts; drills played headless by autoplay; signed-in people with their own cookies."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from ccdrill.app import create_app
from ccdrill.auth.permissions import User
from ccdrill.config import Settings
from tests.asyncutil import run_async
from tests.drills.conftest import PASSWORD, PROGRAMME, add_people, assignments
from tests.people import As as _As
from tests.people import token_of  # noqa: F401 - used by the tests

PLANNER = User("planner", is_planner=True)


def As(client: TestClient, name: str, lang: str = "zh") -> _As:  # noqa: N802 - reads as a class
    return _As(client, name, PASSWORD, lang)


@pytest.fixture
def library_db(engine):
    from ccdrill.store import documents
    from ccdrill.store.db import unit_of_work

    with unit_of_work(engine) as session:
        documents.load_library(session)
    return engine


@pytest.fixture
def people(library_db):
    return add_people(library_db)


@pytest.fixture
def app(library_db, people):
    url = library_db.url.render_as_string(hide_password=False)
    return create_app(Settings(database_url=url, secret_key="test-secret"),
                      service_options={"run_schedule": False})


@pytest.fixture
def client(app):
    with TestClient(app, raise_server_exceptions=True) as c:
        yield c


@pytest.fixture
def side(library_db):
    """A second drill service on the same database (as another worker would be) to play drills."""
    from ccdrill.live.service import DrillService

    return DrillService(library_db, run_schedule=False, listen=False)


def play(side, seed: int = 3) -> int:
    """A whole drill of the network-failure programme, run headless to its end."""
    from ccdrill.live.autoplay import autoplay

    return run_async(autoplay(side, programme=PROGRAMME, actor=PLANNER, speed=60, seed=seed,
                                assignments=assignments()))


def act(side, drill: int, who: str, kind: str, **payload) -> None:
    run_async(side.act(drill, user=User(who), kind=kind, payload=payload))


@pytest.fixture
def played(side) -> int:
    return play(side)


@pytest.fixture
def who(client):
    cache: dict[tuple[str, str], As] = {}

    def get(name: str, lang: str = "zh") -> _As:
        if (name, lang) not in cache:
            cache[(name, lang)] = As(client, name, lang)
        return cache[(name, lang)]

    return get
