"""SSH secrets for a burst of connections: every server's sealed secret read in one query, decrypted on use.

A cold fan-out over N servers opens N connections within seconds; asking the database once per connection
serialised N sessions on SQLite (about 2 s at N = 200). The sealed values are kept `ttl_s` seconds (a change
of a server's secret is seen by connections opened after that), decrypted only for the server asked.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable
from uuid import UUID

from chatops_commander.services.kit import SecurityKit, server_secret_aad
from chatops_commander.services.ports import UnitOfWorkFactory

DEFAULT_TTL_S = 5.0


class ServerSecretCache:
    def __init__(self, uow: UnitOfWorkFactory, kit: SecurityKit, *, ttl_s: float = DEFAULT_TTL_S,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.uow, self.kit, self.ttl_s, self.clock = uow, kit, ttl_s, clock
        self._sealed: dict[UUID, str] | None = None
        self._loaded_at = 0.0
        self._lock = asyncio.Lock()
        self.loads = 0  # database reads (for tests)

    async def get(self, server_id: UUID) -> tuple[str, str] | None:
        """(kind, value) of the server's secret ("private_key" or "password"), or None."""
        sealed = (await self._all()).get(server_id)
        if sealed is None:
            return None
        data = json.loads(self.kit.secrets.decrypt_text(sealed, associated_data=server_secret_aad(server_id)))
        return str(data["kind"]), str(data["value"])

    async def _all(self) -> dict[UUID, str]:
        async with self._lock:  # concurrent connections share one read
            if self._sealed is None or self.clock() - self._loaded_at > self.ttl_s:
                async with self.uow() as uow:
                    self._sealed = dict(await uow.servers.list_secrets())
                self._loaded_at = self.clock()
                self.loads += 1
            return self._sealed
