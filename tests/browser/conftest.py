"""A real `chatops serve` on a free port with a temporary data dir, and Chromium driven by Playwright.

The database is prepared and seeded in this process first (an admin, a server whose stored name carries
a `<script>` — written below the service's validation, as a legacy or tampered row would be — and,
when the sshd test fleet is available, its hosts), then the server process starts on it.
"""

from __future__ import annotations

import asyncio
import dataclasses
import shutil
import subprocess
from collections.abc import Awaitable, Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import pytest

from chatops_commander import bootstrap
from chatops_commander.config import Settings
from chatops_commander.domain.roles import Role
from chatops_commander.domain.security.authorization import ServerPermission
from chatops_commander.domain.servers import Connection, HostKeyPolicy, Server
from chatops_commander.services import users as user_service
from chatops_commander.services.principal import Principal
from tests.live_server import serve

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
ADMIN_EMAIL = "admin@example.com"
OPERATOR_EMAIL = "ops@example.com"
PASSWORD = "Violet-Tram-42-Harbour"
XSS_NAME = "<script>window.__xss=1</script>"
ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "artifacts" / "screenshots"
T = TypeVar("T")
# The `shop` application's runbook: production is localhost (the `runbook_server` fixture).
RUNBOOK = """\
application: shop
environments:
  production: [localhost]
steps:
  - name: {en: Pre-checks, fr: Pré-vérifications}
    kind: precheck
    commands: [["true"]]
  - name: {en: Database backup, fr: Sauvegarde de la base}
    kind: backup
    run_on: first
    commands: [["true"]]
  - name: {en: Pull the release, fr: Récupération de la version}
    kind: pull
    commands: [["echo", "{version}"]]
  - name: {en: Smoke tests, fr: Tests de fumée}
    kind: smoke
    run_on: first
    commands: [["true"]]
"""




@dataclass
class LiveServer:
    base: str
    proc: subprocess.Popen[bytes]
    data_dir: Path
    fleet_hosts: list[str] = field(default_factory=list)


def _settings(data_dir: Path, extra: dict[str, Any]) -> Settings:
    return Settings(_env_file=None, data_dir=data_dir, password_time_cost=1, password_memory_kib=8192,  # type: ignore[call-arg]
                    password_parallelism=1, **extra)


async def _seed(settings: Settings, fleet_servers: list[Server], *, plant: bool) -> None:
    container = await bootstrap.build(settings)
    try:
        await user_service.create_user(container.uow, container.security, Principal.cli("pytest"), email=ADMIN_EMAIL,
                                       name="Ada Admin", role=Role.ADMIN, password=PASSWORD)
        await user_service.create_user(container.uow, container.security, Principal.cli("pytest"),
                                       email=OPERATOR_EMAIL, name="Otto Operator", role=Role.OPERATOR,
                                       password=PASSWORD)
        async with container.uow() as uow:
            if plant:
                await uow.servers.add(Server(name=XSS_NAME, hostname="xss.invalid", ip_address="192.0.2.66", port=22,
                                             ssh_user="root", connection=Connection.SSH,
                                             host_key_policy=HostKeyPolicy.KNOWN_HOSTS, tags=("legacy",)))
            for server in fleet_servers:
                await uow.servers.add(server)
            await uow.commit()
    finally:
        await container.aclose()


def _require_browser() -> None:
    if not CHROMIUM.exists():
        pytest.skip(f"Chromium is not installed at {CHROMIUM} (apt-get install chromium)")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        pytest.skip("the playwright Python package is not installed (pip install -e '.[dev]')")


@contextmanager
def _serve(tmp: Path, fleet: Any | None, env: dict[str, str] | None = None) -> Iterator[LiveServer]:
    data_dir = tmp / "var"
    env_extra = {"CHATOPS_RATE_LIMIT_API": "100000/minute", "CHATOPS_RATE_LIMIT_COMMANDS": "1000/minute",
                 "CHATOPS_RATE_LIMIT_LOGIN_IP": "1000/minute",  # every test logs in from 127.0.0.1
                 **(env or {})}
    extra: dict[str, Any] = {}
    fleet_servers: list[Server] = []
    if fleet is not None:
        env_extra["CHATOPS_SSH_KNOWN_HOSTS"] = str(fleet.known_hosts)
        extra["ssh_known_hosts"] = fleet.known_hosts
        fleet_servers = [dataclasses.replace(s) for s in fleet.servers()]
    def prepare() -> None:  # in its own thread: Playwright's sync API keeps an event loop running in this one
        settings = bootstrap.prepare_database(_settings(data_dir, extra))
        asyncio.run(_seed(settings, fleet_servers, plant=fleet is None))

    with ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(prepare).result()
    env = {**env_extra, "CHATOPS_DATA_DIR": str(data_dir), "CHATOPS_PASSWORD_TIME_COST": "1",
           "CHATOPS_PASSWORD_MEMORY_KIB": "8192", "CHATOPS_PASSWORD_PARALLELISM": "1"}
    with (tmp / "serve.log").open("wb") as log, serve(tmp, env, stdout=log) as (base, proc):
        yield LiveServer(base, proc, data_dir, [s.name for s in fleet_servers])


@pytest.fixture(scope="module")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """localhost and the planted server; no SSH fleet (so these tests never wait for it)."""
    _require_browser()
    with _serve(tmp_path_factory.mktemp("ui"), None) as server:
        yield server


def in_thread(make: Callable[[], Awaitable[T]]) -> T:
    """Run a coroutine on its own loop (Playwright's sync API keeps one running in this thread)."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(lambda: asyncio.run(make())).result()  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def runbook_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """localhost only (the planted unreachable server is removed, so a morning check is about one real host);
    localhost is the `shop` runbook's production (`RUNBOOK`); the operator may run commands on it."""
    _require_browser()
    with _serve(tmp_path_factory.mktemp("runbook"), None) as server:
        runbooks = server.data_dir / "runbooks"  # read at each request
        runbooks.mkdir(exist_ok=True)
        (runbooks / "shop.yaml").write_text(RUNBOOK, encoding="utf-8")

        async def prepare() -> None:
            container = await bootstrap.build(_settings(server.data_dir, {}))
            try:
                async with container.uow() as uow:
                    planted = await uow.servers.get_by_name(XSS_NAME)
                    if planted is not None and planted.id is not None:
                        await uow.servers.remove(planted.id)
                    await uow.commit()
                    op = await uow.users.get_by_email(OPERATOR_EMAIL)
                assert op is not None and op.id is not None
                await user_service.set_permission(container.uow, Principal.cli("pytest"), op.id, "localhost",
                                                  ServerPermission(can_read=True, can_execute=True))
            finally:
                await container.aclose()

        in_thread(prepare)
        yield server


@pytest.fixture(scope="module")
def fleet_server(tmp_path_factory: pytest.TempPathFactory, fleet: Any) -> Iterator[LiveServer]:
    """localhost and the sshd test fleet's hosts, nothing planted (skipped when the fleet is unavailable)."""
    _require_browser()
    with _serve(tmp_path_factory.mktemp("ui-fleet"), fleet) as server:
        yield server


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        try:
            yield b
        finally:
            b.close()


@dataclass
class Watched:
    """A page whose console errors, page errors, failed requests and dialogs are collected."""

    page: Any
    problems: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)

    def assert_clean(self) -> None:
        assert not self.problems, "\n".join(self.problems)
        assert not self.dialogs, f"unexpected dialogs: {self.dialogs}"


def watch(page: Any) -> Watched:
    w = Watched(page)
    page.on("console", lambda m: w.problems.append(f"console.{m.type} on {page.url}: {m.text}")
            if m.type == "error" else None)
    page.on("pageerror", lambda e: w.problems.append(f"pageerror: {e}"))
    page.on("requestfailed", lambda r: w.problems.append(f"requestfailed: {r.method} {r.url} {r.failure}")
            if not _benign_abort(r) else None)
    page.on("response", lambda r: w.problems.append(f"HTTP {r.status}: {r.request.method} {r.url}")
            if r.status >= 400 else None)

    def on_dialog(d: Any) -> None:
        w.dialogs.append(d.message)
        d.dismiss()

    page.on("dialog", on_dialog)
    return w


def _benign_abort(request: Any) -> bool:
    """A navigation cancels the dashboard's in-flight polls, its alert stream, the chat socket and a favicon still
    loading: not a failure."""
    failure = request.failure or ""
    return "ERR_ABORTED" in failure and (request.resource_type in ("xhr", "fetch", "websocket", "eventsource")
                                         or "/dashboard/" in request.url or request.url.endswith("/favicon.svg"))


def shot(page: Any, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=False)
    return path


def copy_readme_shot(path: Path) -> None:
    shutil.copyfile(path, ROOT / "docs" / "screenshot.png")
