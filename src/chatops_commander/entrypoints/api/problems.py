"""RFC 9457 problem details for every error at the HTTP edge; never a stack trace."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import structlog
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from chatops_commander.domain.errors import DomainError, RateLimited, ValidationFailed

PROBLEM_JSON = "application/problem+json"
_TITLES = {
    400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found", 405: "Method Not Allowed",
    409: "Conflict", 413: "Content Too Large", 415: "Unsupported Media Type", 422: "Unprocessable Content",
    429: "Too Many Requests", 500: "Internal Server Error", 502: "Bad Gateway", 503: "Service Unavailable",
}


def request_language(request: Request) -> str:
    header = request.headers.get("accept-language", "")
    return "fr" if header.lower().startswith("fr") else "en"


def problem(
    status: int, detail: str, *, request: Request | None = None, code: str | None = None,
    errors: list[dict[str, Any]] | None = None, headers: dict[str, str] | None = None,
) -> JSONResponse:
    body: dict[str, Any] = {
        "type": f"https://chatops-commander.dev/problems/{code or status}",
        "title": _TITLES.get(status, "Error"),
        "status": status,
        "detail": detail,
    }
    if request is not None:
        body["instance"] = request.url.path
        request_id = getattr(request.state, "request_id", None)
        if request_id:
            body["request_id"] = request_id
    if errors:
        body["errors"] = errors
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def _location(loc: tuple[Any, ...] | list[Any]) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header")]
    return ".".join(parts) or "body"


async def _validation_handler(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = []
    for err in exc.errors():
        field = _location(err.get("loc", ()))
        msg = str(err.get("msg", "invalid value"))
        if err.get("type") == "extra_forbidden":
            msg = "unknown field"
        elif err.get("type") == "json_invalid":
            field, msg = "body", f"malformed JSON: {err.get('ctx', {}).get('error', 'cannot parse')}"
        errors.append({"field": field, "message": msg})
    summary = "; ".join(f"{e['field']}: {e['message']}" for e in errors)
    fr = request_language(request) == "fr"
    detail = (f"Requête invalide — {summary}" if fr else f"Invalid request — {summary}")
    return problem(422, detail, request=request, code="validation", errors=errors)


async def _domain_handler(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, DomainError)
    lang = request_language(request)
    headers = {"Retry-After": str(exc.retry_after)} if isinstance(exc, RateLimited) else None
    errors = ([{"field": f, "message": m} for f, m in exc.problems] if isinstance(exc, ValidationFailed) else None)
    if exc.status_hint == 401:
        headers = (headers or {}) | {"WWW-Authenticate": "Bearer"}
    return problem(exc.status_hint, exc.localized(lang), request=request, code=exc.code, errors=errors,
                   headers=headers)


async def _http_handler(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    detail = exc.detail if isinstance(exc.detail, str) else _TITLES.get(exc.status_code, "Error")
    if exc.status_code == 404 and detail == "Not Found":
        malformed = malformed_ids(request)
        if malformed:
            errors = [{"field": name, "message": "must be a UUID"} for name in malformed]
            fr = request_language(request) == "fr"
            summary = "; ".join(f"{name}: {'doit être un UUID' if fr else 'must be a UUID'}" for name in malformed)
            return problem(422, (f"Requête invalide — {summary}" if fr else f"Invalid request — {summary}"),
                           request=request, code="validation", errors=errors)
        detail = f"No route for {request.method} {request.url.path}. See /api/docs."
    headers = getattr(exc, "headers", None)
    if exc.status_code == 405:
        allowed = allowed_methods(request)
        detail = f"{request.method} is not allowed on {request.url.path}; allowed: {', '.join(allowed)}."
        headers = {**(headers or {}), "Allow": ", ".join(allowed)}
    return problem(exc.status_code, detail, request=request, headers=headers)


_UUID = "[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}"


def _routes(request: Request) -> list[tuple[str, set[str], dict[str, Any]]]:
    """(path template, methods, path convertors) of every HTTP route, routers' prefixes included."""
    from fastapi.routing import iter_route_contexts

    found = []
    for route in iter_route_contexts(request.app.router.routes):
        template, methods = getattr(route, "path_format", None), getattr(route, "methods", None)
        if isinstance(template, str) and methods:
            found.append((template, set(methods), dict(getattr(route, "param_convertors", None) or {})))
    return found


def _match(template: str, convertors: dict[str, Any], path: str, *, any_id: bool) -> dict[str, str] | None:
    from starlette.convertors import PathConvertor, UUIDConvertor

    def group(m: re.Match[str]) -> str:
        name = m.group(1)
        conv = convertors.get(name)
        body = ".*" if isinstance(conv, PathConvertor) else (
            _UUID if isinstance(conv, UUIDConvertor) and not any_id else "[^/]+")
        return f"(?P<{name}>{body})"

    found = re.fullmatch(re.sub(r"\\{(\w+)\\}", group, re.escape(template)), path)
    return None if found is None else found.groupdict()


def malformed_ids(request: Request) -> list[str]:
    """The path parameters that kept a request off its route only by not being UUIDs (`{server_id:uuid}`
    routes): a 422 naming them says more than "no route"."""
    from starlette.convertors import UUIDConvertor

    for template, methods, convertors in _routes(request):
        values = _match(template, convertors, request.url.path, any_id=True)
        if values is None or request.method not in methods:
            continue
        bad = [name for name, value in values.items()
               if isinstance(convertors.get(name), UUIDConvertor) and not re.fullmatch(_UUID, value)]
        if bad:
            return bad
    return []


def allowed_methods(request: Request) -> list[str]:
    """Every method some route answers on this path (Starlette's 405 names only the first route's)."""
    methods: set[str] = set()
    for template, route_methods, convertors in _routes(request):
        if _match(template, convertors, request.url.path, any_id=False) is not None:
            methods |= route_methods
    return sorted(methods)


async def _unhandled(request: Request, exc: Exception) -> JSONResponse:
    structlog.get_logger("chatops.api").error("unhandled_error", error_type=type(exc).__name__,
                                              path=request.url.path)
    return problem(500, "Something went wrong on our side; the error was logged with this request's id.",
                   request=request)


def install(app: FastAPI) -> None:
    app.add_exception_handler(RequestValidationError, _validation_handler)
    app.add_exception_handler(DomainError, _domain_handler)
    app.add_exception_handler(StarletteHTTPException, _http_handler)
    app.add_exception_handler(Exception, _unhandled)
    _declare_problems_in_openapi(app)


# --- the OpenAPI document says what errors look like --------------------------------------------------

DECLARED_ERRORS = (400, 401, 403, 404, 405, 409, 413, 415, 422, 429, 503)
PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}
PROBLEM_SCHEMA: dict[str, Any] = {
    "title": "Problem", "type": "object", "description": "RFC 9457 problem details (every error of this API).",
    "required": ["type", "title", "status", "detail"],
    "properties": {
        "type": {"type": "string"}, "title": {"type": "string"}, "status": {"type": "integer"},
        "detail": {"type": "string", "description": "In the request's language (Accept-Language: en or fr)."},
        "instance": {"type": "string"}, "request_id": {"type": "string"},
        "errors": {"type": "array", "items": {"type": "object", "required": ["field", "message"], "properties": {
            "field": {"type": "string"}, "message": {"type": "string"}}}},
    },
}


def _problem_response(status: int) -> dict[str, Any]:
    response: dict[str, Any] = {"description": _TITLES.get(status, "Error"),
                                "content": {PROBLEM_JSON: {"schema": PROBLEM_REF}}}
    if status == 429:
        response["headers"] = {"Retry-After": {"description": "Seconds to wait.", "schema": {"type": "integer"}}}
    if status == 401:
        response["headers"] = {"WWW-Authenticate": {"schema": {"type": "string"}}}
    return response


def _keeps_own_body(response: Mapping[str, Any]) -> bool:
    """A declared error with a model of its own (e.g. `/readyz`'s 503 Readiness) keeps it."""
    for media in response.get("content", {}).values():
        ref = str(media.get("schema", {}).get("$ref", ""))
        if ref and not ref.endswith(("/HTTPValidationError", "/Problem")):
            return True
    return False


def _declare_problems_in_openapi(app: FastAPI) -> None:
    """Every operation declares the errors it can answer (application/problem+json, `Problem`), keeping
    the descriptions routes gave; FastAPI's default 422 body (not what this API sends) is replaced."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        schema = generate()
        schema.setdefault("components", {}).setdefault("schemas", {})["Problem"] = PROBLEM_SCHEMA
        for operations in schema.get("paths", {}).values():
            for operation in operations.values():
                responses = operation.setdefault("responses", {})
                for status in DECLARED_ERRORS:
                    declared = responses.get(str(status))
                    if declared is not None and _keeps_own_body(declared):
                        continue
                    fresh = _problem_response(status)
                    if declared is not None and declared.get("description"):
                        fresh["description"] = declared["description"]
                    responses[str(status)] = fresh
        for unused in ("HTTPValidationError", "ValidationError"):
            schema["components"]["schemas"].pop(unused, None)
        app.openapi_schema = schema
        return schema

    app.openapi = openapi  # type: ignore[method-assign]
