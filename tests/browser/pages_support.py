"""Shared by the pages' browser tests: a live server with a host in `error` (a real SSH server whose key nobody
trusted yet), a local server that watches a service, and helpers to log in, pick a size and a theme."""

from __future__ import annotations

import asyncio
import os
import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from chatops_commander.domain.servers import Connection, HostKeyPolicy, Server, ServerStatus
from tests.browser.conftest import ADMIN_EMAIL, PASSWORD, LiveServer, _require_browser, _serve

TIMEOUT_MS = 30_000
SIZES = {"desktop": {"width": 1440, "height": 900}, "phone": {"width": 390, "height": 844}}
THEMES = ("dark", "light")
EDGE = "edge-01"  # the real SSH server with an untrusted key
BOX = "box-01"  # a local server watching a service
GALLERY_ENV = "CHATOPS_GALLERY_DIR"


def expect() -> Any:
    from playwright.sync_api import expect as pw_expect

    pw_expect.set_options(timeout=TIMEOUT_MS)
    return pw_expect


class FakeSshHost:
    """A real SSH endpoint (asyncssh) on 127.0.0.1 whose host key is in no known_hosts: `host_key_unknown`."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.acceptor: Any = None
        self.port = 0

    def __enter__(self) -> FakeSshHost:
        import asyncssh

        self.thread.start()

        async def listen() -> Any:
            key = asyncssh.generate_private_key("ssh-ed25519")
            return await asyncssh.listen("127.0.0.1", 0, server_host_keys=[key], login_timeout=10)

        self.acceptor = asyncio.run_coroutine_threadsafe(listen(), self.loop).result(timeout=30)
        self.port = int(self.acceptor.get_port())
        return self

    def __exit__(self, *exc: object) -> None:
        async def close() -> None:
            self.acceptor.close()
            await self.acceptor.wait_closed()

        asyncio.run_coroutine_threadsafe(close(), self.loop).result(timeout=30)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout=10)


@pytest.fixture(scope="module")
def pages_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    _require_browser()
    tmp = tmp_path_factory.mktemp("pages")
    known_hosts = tmp / "known_hosts"
    known_hosts.write_text("")
    with FakeSshHost() as host:
        servers = [
            Server(name=EDGE, hostname="127.0.0.1", ip_address="127.0.0.1", port=host.port, ssh_user="nobody",
                   connection=Connection.SSH, host_key_policy=HostKeyPolicy.KNOWN_HOSTS, status=ServerStatus.ERROR,
                   tags=("edge",)),
            Server(name=BOX, hostname="localhost", ip_address="127.0.0.1", port=22, ssh_user="root",
                   connection=Connection.LOCAL, services=("chatops-none",), tags=("lab",)),
        ]
        fleet = SimpleNamespace(known_hosts=known_hosts, servers=lambda: servers)
        with _serve(tmp, fleet) as server:
            yield server


@dataclass
class Session:
    context: Any
    page: Any


def new_context(browser: Any, base: str, *, size: str = "desktop", theme: str = "dark", lang: str = "en",
                axe: bool = True) -> Any:
    viewport = SIZES[size]
    phone = size == "phone"
    ctx = browser.new_context(viewport=viewport, locale="fr-FR" if lang == "fr" else "en-US", is_mobile=phone,
                              has_touch=phone, bypass_csp=axe)
    host = re.sub(r"^https?://", "", base).split(":")[0]
    ctx.add_cookies([{"name": "cc_theme", "value": theme, "domain": host, "path": "/"},
                     {"name": "cc_lang", "value": lang, "domain": host, "path": "/"}])
    return ctx


def login(page: Any, base: str, email: str = ADMIN_EMAIL, password: str = PASSWORD) -> None:
    page.goto(f"{base}/login")
    page.locator("#email").fill(email)
    page.locator("#password").fill(password)
    page.locator("#password").press("Enter")
    page.wait_for_url(re.compile(r".*/dashboard$"))


def csrf_headers(page: Any) -> dict[str, str]:
    token = next(c["value"] for c in page.context.cookies() if c["name"] == "cc_csrf")
    return {"X-CSRF-Token": token}


def create_user(page: Any, base: str, email: str, role: str, password: str = PASSWORD) -> None:
    """Through the admin API, with the admin's session of `page`."""
    answer = page.request.post(f"{base}/api/v1/users", headers=csrf_headers(page),
                               data={"email": email, "name": email.split("@")[0], "role": role, "password": password})
    assert answer.status == 201, answer.text()


def no_horizontal_scroll(page: Any) -> None:
    width = page.evaluate("() => document.documentElement.scrollWidth")
    viewport = page.viewport_size["width"]
    assert width <= viewport + 1, f"horizontal scroll on {page.url}: {width}px > {viewport}px"


def gallery_dir() -> Path | None:
    value = os.environ.get(GALLERY_ENV)
    return Path(value) if value else None
