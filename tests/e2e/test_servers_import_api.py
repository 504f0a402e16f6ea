"""`POST /api/v1/servers/import` and `POST /api/v1/servers/{id}/test` through the API."""

from __future__ import annotations

import httpx

from tests.fleet.fleet import free_ports

INI = """\
[web]
web-01 ansible_host=10.0.0.11 ansible_user=deploy ansible_become=yes services=nginx
web-02 ansible_host=10.0.0.12

[production:children]
web
"""


async def test_an_inventory_is_imported_all_or_nothing_and_again_updates(api: httpx.AsyncClient) -> None:
    first = await api.post("/api/v1/servers/import", json={"inventory": INI})
    assert first.status_code == 200, first.text
    assert first.json() == {"created": ["web-01", "web-02"], "updated": []}
    listed = {s["name"]: s for s in (await api.get("/api/v1/servers", params={"tag": "production"})).json()["items"]}
    assert set(listed) == {"web-01", "web-02"}
    assert listed["web-01"]["become"] is True and listed["web-01"]["services"] == ["nginx"]
    again = await api.post("/api/v1/servers/import", json={"inventory": INI.replace("10.0.0.12", "10.0.0.22")})
    assert again.json() == {"created": [], "updated": ["web-01", "web-02"]}

    broken = await api.post("/api/v1/servers/import", json={"inventory": "[web]\nweb-03 ansible_port=99999\n",
                                                            "format": "ini"})
    assert broken.status_code == 422 and broken.headers["content-type"].startswith("application/problem+json")
    assert any("inventory:2" in e["field"] for e in broken.json()["errors"]), broken.json()
    assert "web-03" not in {s["name"] for s in (await api.get("/api/v1/servers")).json()["items"]}


async def test_a_connection_test_says_whether_the_host_answers(api: httpx.AsyncClient) -> None:
    made = await api.post("/api/v1/servers", json={"name": "nowhere-01", "hostname": "127.0.0.1",
                                                   "ip_address": "127.0.0.1", "port": free_ports(1)[0],
                                                   "ssh_user": "nobody"})
    assert made.status_code == 201, made.text
    down = await api.post(f"/api/v1/servers/{made.json()['id']}/test", headers={"Accept-Language": "fr"})
    assert down.status_code == 200
    body = down.json()
    assert body["outcome"] == "unreachable"
    assert body["ok"] is False and body["error"] and body["message"].startswith("Je n'arrive pas à joindre nowhere-01")
