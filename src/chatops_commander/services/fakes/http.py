"""The HTTP probe of the chat (`HttpProbe`) over a `FakeFleet`: a URL answers 200 while the service behind it
runs on its host, and gives no answer while it is stopped, so a diagnosis and the health after a restart see
the site go down and come back as on real hosts."""

from __future__ import annotations

from dataclasses import dataclass, field

from chatops_commander.domain.chat.diagnosis import HttpCheck
from chatops_commander.services.fakes.executor import FakeFleet


@dataclass
class FakeSite:
    host: str
    service: str
    latency_ms: int = 12


@dataclass
class FakeHttp:
    fleet: FakeFleet
    sites: dict[str, FakeSite] = field(default_factory=dict)  # URL → what answers it
    asked: list[str] = field(default_factory=list)

    def serve(self, url: str, host: str, service: str) -> str:
        self.sites[url] = FakeSite(host, service)
        return url

    async def check(self, url: str, *, timeout_s: float = 5.0) -> HttpCheck:
        self.asked.append(url)
        site = self.sites.get(url)
        host = self.fleet.hosts.get(site.host) if site else None
        if site is None or host is None or not host.reachable or not host.services.get(site.service):
            return HttpCheck(url, None, False, error="connection refused")
        return HttpCheck(url, 200, True, site.latency_ms)
