"""Reachability probes run from the ChatOps host, now: a TCP connect, an HTTP GET (used to verify outcomes)."""

from __future__ import annotations

import asyncio
import contextlib
import os
import time

from chatops_commander.domain.verification import ReachCheck


class NetworkProbe:
    async def tcp(self, host: str, port: int, *, timeout_s: float) -> ReachCheck:
        target = f"{host}:{port}"
        started = time.monotonic()
        try:
            async with asyncio.timeout(timeout_s):
                _, writer = await asyncio.open_connection(host, port)
        except TimeoutError:
            return ReachCheck(target, False, f"no answer within {timeout_s:g} s")
        except OSError as exc:
            return ReachCheck(target, False, os.strerror(exc.errno) if exc.errno else str(exc) or type(exc).__name__)
        ms = int((time.monotonic() - started) * 1000)
        writer.close()
        with contextlib.suppress(OSError):
            await writer.wait_closed()
        return ReachCheck(target, True, "accepts connections", ms)

    async def http(self, url: str, *, timeout_s: float) -> ReachCheck:
        """GET `url` (redirects not followed): an answer below 400 is OK."""
        import httpx  # imported on use: the CLI starts without it

        started = time.monotonic()
        try:
            async with httpx.AsyncClient(timeout=timeout_s, follow_redirects=False) as client:
                res = await client.get(url)
        except httpx.HTTPError as exc:
            return ReachCheck(url, False, str(exc) or type(exc).__name__)
        ms = int((time.monotonic() - started) * 1000)
        return ReachCheck(url, res.status_code < 400, f"HTTP {res.status_code}", ms)
