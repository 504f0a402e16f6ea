from __future__ import annotations

import uuid

import httpx
import pytest

SERVER = {"name": "web-01", "hostname": "web-01.example.com", "ip_address": "10.0.0.11", "port": 22,
          "ssh_user": "deploy", "tags": ["web"], "services": ["nginx"]}


def assert_problem(response: httpx.Response, status: int, *fragments: str) -> dict[str, object]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body: dict[str, object] = response.json()
    assert body["status"] == status
    for fragment in fragments:
        assert fragment in str(body["detail"]), body
    return body


class TestHealth:
    async def test_healthz_and_readyz_answer(self, api: httpx.AsyncClient) -> None:
        assert (await api.get("/healthz")).json() == {"status": "ok"}
        assert (await api.get("/readyz")).json() == {"status": "ready", "database": "ok", "redis": "not_configured",
                                                      "reason": None}

    async def test_request_id_is_echoed_or_generated(self, api: httpx.AsyncClient) -> None:
        given = await api.get("/healthz", headers={"X-Request-ID": "abc-123"})
        assert given.headers["x-request-id"] == "abc-123"
        generated = await api.get("/healthz", headers={"X-Request-ID": "bad id\nwith newline"})
        assert len(generated.headers["x-request-id"]) == 32

    async def test_security_headers_are_set(self, api: httpx.AsyncClient) -> None:
        headers = (await api.get("/healthz")).headers
        assert headers["x-frame-options"] == "DENY"
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["referrer-policy"] == "no-referrer"
        assert "script-src 'self'" in headers["content-security-policy"]
        assert "strict-transport-security" not in headers  # plain HTTP

    async def test_api_docs_load_without_a_cdn(self, api: httpx.AsyncClient) -> None:
        page = await api.get("/api/docs")
        assert page.status_code == 200 and "/api/docs/static/swagger-ui-bundle.js" in page.text
        assert "<script>" not in page.text  # no inline script: the CSP holds
        assert (await api.get("/api/docs/static/swagger-ui-bundle.js")).status_code == 200
        schema = (await api.get("/api/openapi.json")).json()
        assert "/api/v1/servers" in schema["paths"]

    async def test_large_responses_are_gzipped(self, api: httpx.AsyncClient) -> None:
        response = await api.get("/api/openapi.json", headers={"Accept-Encoding": "gzip"})
        assert response.headers["content-encoding"] == "gzip"


class TestServersApi:
    async def test_create_list_get_update_delete(self, api: httpx.AsyncClient) -> None:
        created = await api.post("/api/v1/servers", json=SERVER)
        assert created.status_code == 201, created.text
        server_id = created.json()["id"]
        listing = (await api.get("/api/v1/servers", params={"tag": "web"})).json()
        assert [s["name"] for s in listing["items"]] == ["web-01"]
        assert created.json()["become"] is False
        patched = await api.patch(f"/api/v1/servers/{server_id}", json={"port": 2222, "become": True})
        assert patched.json()["port"] == 2222 and patched.json()["become"] is True
        assert (await api.get(f"/api/v1/servers/{server_id}")).json()["become"] is True
        assert (await api.delete(f"/api/v1/servers/{server_id}")).status_code == 204
        assert_problem(await api.get(f"/api/v1/servers/{server_id}"), 404, "No server")

    async def test_duplicate_name_is_409(self, api: httpx.AsyncClient) -> None:
        assert (await api.post("/api/v1/servers", json=SERVER)).status_code == 201
        assert_problem(await api.post("/api/v1/servers", json=SERVER), 409, "already exists")

    async def test_error_messages_follow_accept_language(self, api: httpx.AsyncClient) -> None:
        await api.post("/api/v1/servers", json=SERVER)
        again = await api.post("/api/v1/servers", json=SERVER, headers={"Accept-Language": "fr-FR"})
        assert_problem(again, 409, "existe déjà")


class TestBadInput:
    """Each refusal names the field and the problem; nothing is written."""

    async def _count(self, api: httpx.AsyncClient) -> int:
        total: int = (await api.get("/api/v1/servers")).json()["total"]
        return total

    @pytest.mark.parametrize(("body", "field", "message"), [
        (SERVER | {"port": "22"}, "port", "integer"),
        (SERVER | {"port": 0}, "port", "greater than or equal to 1"),
        (SERVER | {"ip_address": "10.0.0.300"}, "ip_address", "IP"),
        (SERVER | {"hostname": "web;rm -rf /"}, "hostname", "pattern"),
        (SERVER | {"name": "ab"}, "name", "at least 3"),
        (SERVER | {"colour": "blue"}, "colour", "unknown field"),
        ({k: v for k, v in SERVER.items() if k != "ssh_user"}, "ssh_user", "required"),
    ])
    async def test_invalid_server_fields_are_named(
        self, api: httpx.AsyncClient, body: dict[str, object], field: str, message: str,
    ) -> None:
        before = await self._count(api)
        problem = assert_problem(await api.post("/api/v1/servers", json=body), 422, field)
        errors = problem["errors"]
        assert isinstance(errors, list) and any(e["field"] == field and message in e["message"] for e in errors)
        assert await self._count(api) == before

    async def test_malformed_json(self, api: httpx.AsyncClient) -> None:
        response = await api.post("/api/v1/servers", content=b'{"name": "web-01",',
                                  headers={"Content-Type": "application/json"})
        assert_problem(response, 422, "malformed JSON")

    async def test_invalid_uuid(self, api: httpx.AsyncClient) -> None:
        assert_problem(await api.get("/api/v1/servers/not-a-uuid"), 422, "server_id")

    async def test_oversized_body_is_413(self, api: httpx.AsyncClient) -> None:
        big = b'{"name": "' + b"x" * (1024 * 1024 + 10) + b'"}'
        assert_problem(await api.post("/api/v1/servers", content=big,
                                      headers={"Content-Type": "application/json"}), 413, "larger than")

    async def test_unknown_route_is_a_problem(self, api: httpx.AsyncClient) -> None:
        assert_problem(await api.get(f"/api/v1/nothing/{uuid.uuid4()}"), 404, "No route")


class TestOpenApiDeclaresErrors:
    ERRORS = ("400", "401", "403", "404", "409", "413", "422", "429", "503")

    async def test_every_operation_declares_its_errors_as_problem_json(self, api: httpx.AsyncClient) -> None:
        document = (await api.get("/api/openapi.json")).json()
        problem = document["components"]["schemas"]["Problem"]
        assert set(problem["required"]) == {"type", "title", "status", "detail"}
        assert "HTTPValidationError" not in document["components"]["schemas"]  # not what this API sends
        undeclared = []
        for path, operations in document["paths"].items():
            for method, operation in operations.items():
                for status in self.ERRORS:
                    content = operation["responses"].get(status, {}).get("content", {})
                    if path == "/readyz" and status == "503":
                        assert "Readiness" in str(content)  # its own body
                    elif content.get("application/problem+json", {}).get("schema") != {
                            "$ref": "#/components/schemas/Problem"}:
                        undeclared.append(f"{method.upper()} {path} {status}")
        assert not undeclared, undeclared
        assert "Retry-After" in document["paths"]["/api/v1/auth/login"]["post"]["responses"]["429"]["headers"]

    async def test_an_actual_error_has_every_field_the_schema_requires(self, api: httpx.AsyncClient) -> None:
        document = (await api.get("/api/openapi.json")).json()
        problem = document["components"]["schemas"]["Problem"]
        for response in (await api.post("/api/v1/servers", json={"name": ""}),
                         await api.get(f"/api/v1/servers/{uuid.uuid4()}")):
            body = response.json()
            assert set(problem["required"]) <= set(body)
            assert all(isinstance(body[k], {"string": str, "integer": int}[problem["properties"][k]["type"]])
                       for k in problem["required"])
