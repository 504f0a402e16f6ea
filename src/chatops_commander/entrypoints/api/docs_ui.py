"""The API explorer at /api/docs: Swagger UI from the `swagger-ui-bundle` package, no CDN, no inline script."""

from __future__ import annotations

from fastapi import APIRouter, FastAPI
from fastapi.responses import HTMLResponse, PlainTextResponse
from fastapi.staticfiles import StaticFiles
from swagger_ui_bundle import swagger_ui_path

_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>ChatOps Commander API</title>
<link rel="stylesheet" href="/api/docs/static/swagger-ui.css"></head>
<body><div id="swagger-ui"></div>
<script src="/api/docs/static/swagger-ui-bundle.js"></script>
<script src="/api/docs/init.js"></script></body></html>"""

_INIT = """window.ui = SwaggerUIBundle({url: "/api/openapi.json", dom_id: "#swagger-ui", deepLinking: true});"""


def install(app: FastAPI) -> None:
    router = APIRouter(include_in_schema=False)

    @router.get("/api/docs")
    async def docs_page() -> HTMLResponse:
        return HTMLResponse(_PAGE)

    @router.get("/api/docs/init.js")
    async def docs_init() -> PlainTextResponse:
        return PlainTextResponse(_INIT, media_type="text/javascript")

    app.include_router(router)
    app.mount("/api/docs/static", StaticFiles(directory=swagger_ui_path), name="swagger-ui")
