"""Verifying a state-changing service action on one host (see `domain/verification.py`).

After `service.restart|start|reload` or `container.restart` exits 0, the service manager is sampled
`checks` times, `interval_s` apart (the settle window); then the service's endpoint, when one is configured
(`CHATOPS_SERVICE_CHECKS`: `nginx=tcp:80`, `web-01/api=http://10.0.0.5:8080/healthz`), is tried once from
here. A service that is not really up turns the host's result into `failed`, with the states seen, the
endpoint's answer and the service's last log lines.
"""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from chatops_commander.domain.execution import HostOutcome, RunResult
from chatops_commander.domain.servers import Connection, Server
from chatops_commander.domain.verification import (
    VERIFIED_ACTIONS,
    ReachCheck,
    ServiceSample,
    endpoint_for,
    judge,
)
from chatops_commander.services.ports_execution import Executor
from chatops_commander.skills.platform import Platform
from chatops_commander.skills.verify import last_lines, logs_plan, parse_sample, sample_plan, shared_log, subject


class Reachability(Protocol):
    """Tries an endpoint from the ChatOps host, now (adapters/probes.py)."""

    async def tcp(self, host: str, port: int, *, timeout_s: float) -> ReachCheck: ...

    async def http(self, url: str, *, timeout_s: float) -> ReachCheck: ...


@dataclass(frozen=True)
class VerifyPolicy:
    checks: int = 3  # samples of the service manager's state…
    interval_s: float = 1.0  # …this far apart (the first one too: the settle window is checks × interval)
    probe_timeout_s: float = 3.0
    endpoints: Mapping[str, str] = field(default_factory=dict)  # "service" or "server/service" → tcp:PORT | URL

    @property
    def window_s(self) -> float:
        return self.checks * self.interval_s


class Verifier:
    def __init__(self, policy: VerifyPolicy | None = None, probe: Reachability | None = None) -> None:
        self.policy = policy or VerifyPolicy()
        self.probe = probe

    @staticmethod
    def applies(action_id: str) -> bool:
        return action_id in VERIFIED_ACTIONS

    async def verify(self, executor: Executor, server: Server, platform: Platform, action_id: str, params: Any,
                     res: RunResult) -> RunResult:
        """`res` (an `ok` run of a verified action) kept `ok` with the evidence in `data["verification"]`, or
        turned `failed` with an EN/FR message saying what is wrong."""
        name = subject(action_id, params)
        samples: list[ServiceSample] = []
        unchecked = ""
        for _ in range(self.policy.checks):
            await asyncio.sleep(self.policy.interval_s)  # the settle window: let a crash loop show itself
            look = await executor.run(server, sample_plan(action_id, name, platform))
            if look.outcome not in (HostOutcome.OK, HostOutcome.FAILED):
                unchecked = look.message or look.outcome.value
                break
            samples.append(parse_sample(action_id, look.stdout, look.exit_code))
        reach = await self._reach(server, name) if samples and samples[-1].active else None
        verdict = judge(name, samples, reach, window_s=self.policy.window_s, unchecked=unchecked)
        if not verdict.ok and not unchecked:
            logs = await executor.run(server, logs_plan(action_id, name, platform))
            contains = name if shared_log(action_id, platform) else None
            verdict = verdict.with_logs(last_lines(logs.stdout, logs.stderr, contains=contains))
        explanation = dict(res.data.get("explanation") or {})
        if verdict.ok:
            explanation = {lang: f"{text} {verdict.text(lang)}".strip() for lang, text in explanation.items()}
            return dataclasses.replace(res, data={**res.data, "explanation": explanation,
                                                  "verification": verdict.to_json()})
        explanation = {lang: verdict.localized(lang) for lang in ("en", "fr")}
        return dataclasses.replace(res, outcome=HostOutcome.FAILED, message=verdict.message(),
                                   data={**res.data, "explanation": explanation, "verification": verdict.to_json()})

    async def _reach(self, server: Server, name: str) -> ReachCheck | None:
        endpoint = endpoint_for(self.policy.endpoints, server.name, name)
        if endpoint is None or self.probe is None:
            return None
        if endpoint.url is not None:
            return await self.probe.http(endpoint.url, timeout_s=self.policy.probe_timeout_s)
        host = "127.0.0.1" if server.connection is Connection.LOCAL else server.ip_address
        assert endpoint.port is not None
        return await self.probe.tcp(host, endpoint.port, timeout_s=self.policy.probe_timeout_s)
