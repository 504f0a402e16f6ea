"""A metrics source reading node_exporter figures from a Prometheus server's HTTP API (`/api/v1/query`).

Used instead of SSH where Prometheus already scrapes the hosts (CHATOPS_METRICS_SOURCE=prometheus, or per
server with CHATOPS_METRICS_SOURCES="db-01=prometheus"). One instant query per host and interval.
"""

from __future__ import annotations

import httpx

from chatops_commander.domain.execution import HostOutcome
from chatops_commander.domain.monitoring.prometheus import host_query, is_down, metrics_from_vector, vector_of
from chatops_commander.domain.servers import Server
from chatops_commander.services.ports_monitoring import Fetched


class PrometheusSource:
    name = "prometheus"

    def __init__(self, base_url: str, *, timeout_s: float = 10.0, headers: dict[str, str] | None = None) -> None:
        self.base_url = base_url.rstrip("/")
        self._client = httpx.AsyncClient(timeout=timeout_s, headers=headers, follow_redirects=False)

    async def fetch(self, server: Server, *, timeout_s: float) -> Fetched:
        names = [server.hostname, server.ip_address, server.name]
        query = host_query([n for n in names if n], server.services)
        try:
            resp = await self._client.get(f"{self.base_url}/api/v1/query", params={"query": query},
                                          timeout=timeout_s)
            body = resp.json()
        except httpx.TimeoutException as exc:
            return Fetched(HostOutcome.TIMED_OUT, None, f"Prometheus at {self.base_url} timed out: {exc}")
        except (httpx.HTTPError, ValueError) as exc:
            return Fetched(HostOutcome.ERROR, None, f"Prometheus at {self.base_url}: {type(exc).__name__}: {exc}")
        if resp.status_code != 200 or not isinstance(body, dict) or body.get("status") != "success":
            error = body.get("error") if isinstance(body, dict) else None
            return Fetched(HostOutcome.ERROR, None,
                           f"Prometheus at {self.base_url} answered HTTP {resp.status_code}: {error or 'no data'}")
        data = body.get("data")
        series = vector_of(data.get("result") if isinstance(data, dict) else None)
        if not series:
            return Fetched(HostOutcome.UNREACHABLE, None,
                           f"Prometheus has no node_exporter series for instance {server.hostname}")
        if is_down(series):
            return Fetched(HostOutcome.UNREACHABLE, None, f"Prometheus cannot scrape {server.hostname} (up == 0)")
        return Fetched(HostOutcome.OK, metrics_from_vector(series, server.services))

    async def close(self) -> None:
        await self._client.aclose()
