"""The read-only JSON API and the health check."""

from __future__ import annotations


def test_api_lists_plans_and_programmes(client):
    plans = client.get("/api/v1/plans").json()
    assert {p["id"] for p in plans} >= {"system-failure", "staff-loss", "natural-disaster", "network-failure"}
    assert all(p["version"] >= 1 and p["title"]["zh"] for p in plans)
    progs = client.get("/api/v1/programmes").json()
    assert "network-failure-2023-10-25" in {p["id"] for p in progs}


def test_api_returns_a_plan_and_its_versions(client):
    plan = client.get("/api/v1/plans/network-failure").json()
    assert plan["id"] == "network-failure" and plan["steps"]
    assert client.get("/api/v1/plans/network-failure/versions").json()[0]["version"] == 1
    assert client.get("/api/v1/plans/network-failure/versions/1").json()["version"] == 1
    prog = client.get("/api/v1/programmes/network-failure-2023-10-25/versions/1").json()
    assert prog["schedule"]["date"] == "2023-10-25"


def test_api_errors_are_json_in_the_users_language(client):
    r = client.get("/api/v1/plans/nope")
    assert r.status_code == 404
    assert r.json()["error"]["code"] == "not_found"
    assert "nope" in r.json()["error"]["message"]
    assert client.get("/api/v1/plans/BAD%20ID").status_code == 404
    assert client.get("/api/v1/plans/network-failure/versions/0").status_code == 404
    r = client.get("/api/v1/plans/nope?lang=en")
    assert r.json()["error"]["message"] != client.get("/api/v1/plans/nope?lang=zh").json()["error"]["message"]


def test_api_is_described_in_openapi(client):
    doc = client.get("/openapi.json").json()
    for path in ("/api/v1/plans", "/api/v1/plans/{plan_id}", "/api/v1/plans/{plan_id}/versions/{version}",
                 "/api/v1/programmes", "/api/v1/programmes/{programme_id}", "/healthz"):
        assert path in doc["paths"], path
    assert not any(p.startswith("/plans") for p in doc["paths"])  # pages are not API


def test_healthz(client):
    r = client.get("/healthz")
    assert r.status_code == 200 and r.json()["status"] == "ok"
