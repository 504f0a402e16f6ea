"""Web UI benchmark: time to first render of the dashboard, chat and history pages with 200 servers and
10,000 history rows, and the bytes a page loads.

A real `chatops serve` (embedded SQLite, the collector off so that 200 fake hosts are not polled) on a free
loopback port, seeded in-process first; then, for each page:
- server time: the HTML response, measured with httpx (cookie session), p50/p95 over N loads;
- first render: Chromium (Playwright, headless) navigation → first-contentful-paint, p50/p95 over N cold loads
  (a new browser context each time: nothing cached);
- bytes: the encoded (on-the-wire, gzip where served so) body sizes of every response of a cold load
  (Resource Timing: HTML, CSS, JS, fonts, icons, htmx fragments).

Run: .venv/bin/python bench/ui.py [--loads 15] [--record]   (`--record` appends to bench/RESULTS.md)
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "src"))

from bench.results import record  # noqa: E402
from chatops_commander import bootstrap  # noqa: E402
from chatops_commander.config import Settings  # noqa: E402
from chatops_commander.domain.roles import Role  # noqa: E402
from chatops_commander.domain.security.audit_events import AuditAction, AuditOutcome  # noqa: E402
from chatops_commander.domain.servers import Server  # noqa: E402
from chatops_commander.services import audit  # noqa: E402
from chatops_commander.services import users as user_service  # noqa: E402
from chatops_commander.services.principal import Principal  # noqa: E402

EMAIL, PASSWORD = "bench@example.com", "Violet-Tram-42-Harbour"
CHROMIUM = Path("/usr/bin/chromium")
PAGES = ("/dashboard", "/chat", "/history", "/settings")
BLANK = "data:text/html,<!doctype html><title>floor</title><p>floor</p>"  # this browser's floor, no server


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def _seed(settings: Settings, servers: int, rows: int) -> None:
    container = await bootstrap.build(settings)
    cli = Principal.cli("bench")
    try:
        await user_service.create_user(container.uow, container.security, cli, email=EMAIL, name="Bench",
                                       role=Role.ADMIN, password=PASSWORD)
        async with container.uow() as uow:
            for i in range(servers):
                await uow.servers.add(Server(name=f"web-{i:03d}", hostname=f"web-{i:03d}.example.test",
                                             ip_address=f"10.0.{i // 250}.{i % 250 + 1}", tags=("bench",),
                                             services=("nginx",)))
            await uow.commit()
        done = 0
        while done < rows:
            async with container.uow() as uow:
                for j in range(min(500, rows - done)):
                    n = done + j
                    await audit.record(uow, cli, AuditAction.COMMAND_EXECUTED,
                                       AuditOutcome.SUCCESS if n % 7 else AuditOutcome.FAILURE,
                                       actor=f"user{n % 5}@example.com", target=f"web-{n % servers:03d}",
                                       details={"action": "service.status", "server": f"web-{n % servers:03d}",
                                                "command": "systemctl is-active nginx", "exit_code": 0})
                await uow.commit()
            done += 500
    finally:
        await container.aclose()


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def _browser_figures(base: str, loads: int) -> dict[str, dict[str, float]]:
    from playwright.sync_api import sync_playwright

    out: dict[str, dict[str, float]] = {}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=[
            "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
            "--disable-component-update", "--disable-sync"])
        login_ctx = browser.new_context()
        page = login_ctx.new_page()
        page.goto(f"{base}/login")
        page.get_by_label("Email").fill(EMAIL)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Log in").click()
        page.wait_for_url("**/dashboard")
        state = login_ctx.storage_state()
        login_ctx.close()
        for path in (BLANK, *PAGES):
            fcp: list[float] = []
            sizes: list[int] = []
            for _ in range(loads):
                ctx = browser.new_context(storage_state=state, viewport={"width": 1280, "height": 800})
                pg = ctx.new_page()
                pg.goto(path if path.startswith("data:") else f"{base}{path}", wait_until="load")
                pg.wait_for_load_state("networkidle")
                value = pg.evaluate("() => (performance.getEntriesByName('first-contentful-paint')[0] || {}).startTime"
                                    " || performance.getEntriesByType('navigation')[0].domContentLoadedEventEnd")
                fcp.append(float(value))
                sizes.append(int(pg.evaluate(
                    "() => [...performance.getEntriesByType('navigation'), ...performance.getEntriesByType('resource')]"
                    ".reduce((n, e) => n + (e.encodedBodySize || 0), 0)")))
                ctx.close()
            out[path] = {"fcp_p50": statistics.median(fcp), "fcp_p95": _pct(fcp, 0.95),
                         "bytes": statistics.median(sizes)}
        browser.close()
    return out


def _server_figures(base: str, loads: int) -> dict[str, dict[str, float]]:
    out: dict[str, dict[str, float]] = {}
    with httpx.Client(base_url=base, timeout=30) as client:
        r = client.post("/api/v1/auth/login", json={"email": EMAIL, "password": PASSWORD})
        r.raise_for_status()
        for path in PAGES:
            times: list[float] = []
            size = 0
            for _ in range(loads):
                started = time.perf_counter()
                page = client.get(path)
                times.append((time.perf_counter() - started) * 1000)
                page.raise_for_status()
                size = len(page.content)
            out[path] = {"p50": statistics.median(times), "p95": _pct(times, 0.95), "html": size}
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--servers", type=int, default=200)
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--loads", type=int, default=15)
    parser.add_argument("--record", action="store_true")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="chatops-bench-ui-"))
    data_dir = tmp / "var"
    settings = bootstrap.prepare_database(Settings(_env_file=None, data_dir=data_dir))  # type: ignore[call-arg]
    started = time.perf_counter()
    asyncio.run(_seed(settings, args.servers, args.rows))
    print(f"seeded {args.servers} servers and {args.rows} audit rows in {time.perf_counter() - started:.1f} s")
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("CHATOPS_")}
    env.update(CHATOPS_DATA_DIR=str(data_dir), CHATOPS_MONITORING_ENABLED="false",
               CHATOPS_RATE_LIMIT_API="1000000/minute")
    proc = subprocess.Popen([str(Path(sys.executable).parent / "chatops"), "serve", "--port", str(port)], cwd=tmp,
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline or proc.poll() is not None:
                raise SystemExit("the server did not start")
            time.sleep(0.1)  # readiness poll, bounded by the deadline
        server = _server_figures(base, args.loads)
        browser = _browser_figures(base, args.loads) if CHROMIUM.exists() else {}
    finally:
        proc.terminate()
        proc.wait(timeout=15)
    lines = ["| page | server p50 | server p95 | HTML | first render p50 | first render p95 | bytes loaded (cold) |",
             "| --- | --- | --- | --- | --- | --- | --- |"]
    for path in PAGES:
        s, b = server[path], browser.get(path, {})
        lines.append(f"| {path} | {s['p50']:.1f} ms | {s['p95']:.1f} ms | {s['html'] / 1024:.1f} KiB | "
                     + (f"{b['fcp_p50']:.0f} ms | {b['fcp_p95']:.0f} ms | {b['bytes'] / 1024:.0f} KiB |" if b
                        else "n/a | n/a | n/a |"))
    if BLANK in browser:
        b = browser[BLANK]
        lines.append(f"| (floor: one-line data: page) | | | | {b['fcp_p50']:.0f} ms | {b['fcp_p95']:.0f} ms | |")
    table = "\n".join(lines)
    print(table)
    if args.record:
        load = os.getloadavg()[0]
        text = f"""
## Web UI (bench/ui.py) — 2026-11-23

Machine: 2 cores (shared; 1-minute load average at the end: {load:.1f}), Python 3.11, embedded SQLite (WAL),
`chatops serve` on loopback with the collector off, {args.servers} servers and {args.rows:,} audit rows
(`command.executed` events), an admin session. Command: `.venv/bin/python bench/ui.py --record`.
Server = the page's HTML over HTTP (httpx, {args.loads} loads); first render = Chromium's
first-contentful-paint of a cold load (new context, empty cache, {args.loads} loads); bytes = every response
of one cold load (HTML, CSS, JS, fonts, icon sprite, htmx fragments such as the dashboard's visible sparklines).
Target: first render < 500 ms.

{table}
"""
        record(text)


if __name__ == "__main__":
    main()
