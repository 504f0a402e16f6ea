"""One Executor for every server: `Connection.LOCAL` goes to the local executor, the rest to SSH."""

from __future__ import annotations

from collections.abc import Sequence

from chatops_commander.domain.execution import CommandPlan, RunResult, for_host
from chatops_commander.domain.servers import Connection, Server
from chatops_commander.services.ports_execution import Executor, OnLine


class RoutingExecutor:
    def __init__(self, local: Executor, ssh: Executor) -> None:
        self.local, self.ssh = local, ssh

    async def run(self, server: Server, plan: CommandPlan, *, on_line: OnLine | None = None) -> RunResult:
        target = self.local if server.connection is Connection.LOCAL else self.ssh
        return await target.run(server, for_host(plan, become=server.become), on_line=on_line)

    async def warm(self, servers: Sequence[Server]) -> None:
        """Start opening the SSH connections that commands to `servers` will need (see `SSHExecutor.warm`)."""
        warm = getattr(self.ssh, "warm", None)
        remote = [s for s in servers if s.connection is not Connection.LOCAL]
        if warm is not None and remote:
            await warm(remote)

    async def close(self) -> None:
        await self.local.close()
        await self.ssh.close()
