"""Fan-out: one catalog action on N servers, bounded concurrency, results streamed as they arrive.

Each host's result is independent (ok / failed / timed out / unreachable / auth failed / host
key mismatch); an overall deadline turns hosts still running into `timed_out`. The service
manager of a host is detected on first use and cached. A state-changing service action that
exits 0 is verified afterwards (`services/verification.py`): not really up means `failed`.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import time
from collections.abc import AsyncIterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from chatops_commander.domain.errors import NotFound
from chatops_commander.domain.execution import CommandPlan, HostOutcome, RunResult
from chatops_commander.domain.servers import Server
from chatops_commander.services.ports_execution import Executor, OnLine
from chatops_commander.services.verification import Verifier
from chatops_commander.skills.base import Params, Platform, Skill, UnsupportedPlatform
from chatops_commander.skills.detect import PROBE, parse_probe
from chatops_commander.skills.registry import Registry

if TYPE_CHECKING:
    from chatops_commander.services.ports_monitoring import MetricsSink

DEFAULT_CONCURRENCY = 100


@dataclasses.dataclass(frozen=True)
class Prepared:
    """A validated request: the skill, its parameters; ready to run on hosts."""

    skill: Skill
    params: Params


class FanOut:
    def __init__(
        self,
        executor: Executor,
        registry: Registry,
        *,
        concurrency: int = DEFAULT_CONCURRENCY,
        lang: str = "en",
        verifier: Verifier | None = None,
    ) -> None:
        self.executor, self.registry, self.concurrency, self.lang = executor, registry, concurrency, lang
        self.verifier = verifier or Verifier()  # state-changing service actions are verified afterwards
        self._platforms: dict[str, Platform] = {}
        self._detecting: dict[str, asyncio.Future[Platform]] = {}

    def prepare(self, action_id: str, raw_params: Mapping[str, Any]) -> Prepared:
        """Raise `NotFound` for an unknown action, `ValidationFailed` for bad parameters."""
        skill = self.registry.get(action_id)
        if skill is None:
            raise NotFound(f"Unknown action {action_id!r}", message_fr=f"Action inconnue : {action_id!r}")
        if not skill.touches_hosts:
            raise NotFound(
                f"{action_id} does not run on servers",
                message_fr=f"{action_id} ne s'exécute pas sur des serveurs",
            )
        return Prepared(skill, skill.validate(raw_params))

    async def platform(self, server: Server) -> Platform:
        """Detected once per server name; concurrent callers share one probe."""
        if server.name in self._platforms:
            return self._platforms[server.name]
        fut = self._detecting.get(server.name)
        if fut is None:
            fut = asyncio.get_running_loop().create_future()
            self._detecting[server.name] = fut
            try:
                res = await self.executor.run(server, PROBE)
                if not res.ok:
                    raise _ProbeFailed(res)
                plat = parse_probe(res.stdout)
                self._platforms[server.name] = plat
                fut.set_result(plat)
            except BaseException as exc:
                fut.set_exception(exc)
                fut.exception()  # mark retrieved
                raise
            finally:
                del self._detecting[server.name]
            return plat
        return await asyncio.shield(fut)

    async def run_one(
        self,
        prepared: Prepared,
        server: Server,
        *,
        on_line: OnLine | None = None,
        timeout_s: float | None = None,
    ) -> RunResult:
        started = time.monotonic()
        skill, params = prepared.skill, prepared.params
        try:
            plat = await self.platform(server) if skill.needs_platform else Platform()
            plan = skill.plan(params, plat)
        except _ProbeFailed as exc:
            return exc.result
        except UnsupportedPlatform as exc:
            return RunResult(server.name, HostOutcome.FAILED, message=f"{exc.en} / {exc.fr}")
        if timeout_s is not None:
            remaining = timeout_s - (time.monotonic() - started)
            plan = dataclasses.replace(plan, timeout_s=max(0.1, min(plan.timeout_s, remaining)))
        res = self._interpret(skill, params, await self.executor.run(server, plan, on_line=on_line))
        if res.ok and self.verifier.applies(skill.id):
            res = await self.verifier.verify(self.executor, server, plat, skill.id, params, res)
        return res

    def _interpret(self, skill: Skill, params: Params, res: RunResult) -> RunResult:
        if res.outcome not in (HostOutcome.OK, HostOutcome.FAILED) or res.stdout_truncated:
            return res
        try:
            data = skill.parse(params, res.stdout, res.exit_code)
            data = {**data, "explanation": {lang: skill.explain(params, data, lang) for lang in ("en", "fr")}}
        except Exception as exc:  # a parser bug must not hide the run's result
            data = {"parse_error": f"{type(exc).__name__}: {exc}"}
        return dataclasses.replace(res, data=data)

    async def stream(
        self,
        action_id: str,
        raw_params: Mapping[str, Any],
        servers: Sequence[Server],
        *,
        deadline_s: float = 300.0,
        on_line: OnLine | None = None,
    ) -> AsyncIterator[RunResult]:
        """Validate first (errors raise before any host is touched), then yield results as they come."""
        prepared = self.prepare(action_id, raw_params)
        async for res in self.stream_prepared(prepared, servers, deadline_s=deadline_s, on_line=on_line):
            yield res

    async def stream_prepared(
        self,
        prepared: Prepared,
        servers: Sequence[Server],
        *,
        deadline_s: float = 300.0,
        on_line: OnLine | None = None,
    ) -> AsyncIterator[RunResult]:
        async for res in self.stream_plan(
            servers,
            lambda s: self.run_one(prepared, s, on_line=on_line, timeout_s=deadline_s),
            deadline_s=deadline_s,
        ):
            yield res

    async def run_plan(
        self,
        plan: CommandPlan,
        servers: Sequence[Server],
        *,
        deadline_s: float = 300.0,
        on_line: OnLine | None = None,
    ) -> AsyncIterator[RunResult]:
        """A ready plan (e.g. `shell.run` already classified and confirmed) on every server."""
        async for res in self.stream_plan(
            servers, lambda s: self.executor.run(s, plan, on_line=on_line), deadline_s=deadline_s
        ):
            yield res

    async def stream_plan(
        self, servers: Sequence[Server], job: Any, *, deadline_s: float
    ) -> AsyncIterator[RunResult]:
        sem = asyncio.Semaphore(self.concurrency)
        queue: asyncio.Queue[RunResult] = asyncio.Queue()
        pending = {s.name for s in servers}

        async def one(server: Server) -> None:
            async with sem:
                try:
                    res = await job(server)
                except Exception as exc:  # an executor bug stays one host's problem
                    res = RunResult(server.name, HostOutcome.ERROR, message=f"{type(exc).__name__}: {exc}")
            await queue.put(res)

        tasks = [asyncio.create_task(one(s)) for s in servers]
        loop = asyncio.get_running_loop()
        end = loop.time() + deadline_s
        try:
            while pending:
                try:  # asyncio.timeout_at, not wait_for: on 3.11 wait_for can swallow a cancellation
                    async with asyncio.timeout_at(end):  # that arrives together with a host's result
                        res = await queue.get()
                except TimeoutError:
                    break
                pending.discard(res.host)
                yield res
            for name in sorted(pending):
                en = f"the overall deadline of {deadline_s:g} s passed"
                fr = f"le délai global de {deadline_s:g} s est dépassé"
                yield RunResult(name, HostOutcome.TIMED_OUT, message=f"{en} / {fr}",
                                data={"explanation": {"en": en, "fr": fr}})
        finally:
            for t in tasks:
                t.cancel()
            with contextlib.suppress(Exception):
                await asyncio.gather(*tasks, return_exceptions=True)

    async def run_all(
        self, action_id: str, raw_params: Mapping[str, Any], servers: Sequence[Server], **kw: Any
    ) -> list[RunResult]:
        return [r async for r in self.stream(action_id, raw_params, servers, **kw)]


class MeasuredFanOut(FanOut):
    """The fan-out, telling a MetricsSink how long each fan-out took (`chatops_fanout_duration_seconds`)."""

    metrics: MetricsSink | None = None

    async def stream_plan(self, servers: Sequence[Server], job: Any, *, deadline_s: float) -> AsyncIterator[RunResult]:
        started = time.monotonic()
        try:
            async for res in super().stream_plan(servers, job, deadline_s=deadline_s):
                yield res
        finally:
            if self.metrics is not None:
                self.metrics.fanout(time.monotonic() - started)


class _ProbeFailed(Exception):
    def __init__(self, result: RunResult) -> None:
        super().__init__(result.message)
        self.result = result
