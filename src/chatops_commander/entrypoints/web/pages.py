"""The page modules added next to `routes.py`: settings, server diagnosis, the live fleet, and the product's
403/404 pages. `routes.install` calls `install` once."""

from __future__ import annotations

from fastapi import FastAPI

from chatops_commander.entrypoints.web import dashboard_live, errors, servers_pages, settings_pages


def install(app: FastAPI) -> None:
    for module in (settings_pages, servers_pages, dashboard_live):
        app.include_router(module.router)
    errors.install(app)
