"""What a host offers (its service managers), detected once per host; free of pydantic so it imports fast."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class ServiceManager(StrEnum):
    SYSTEMD = "systemd"
    SUPERVISOR = "supervisor"
    SYSV = "sysv"
    DOCKER = "docker"
    NONE = "none"


@dataclass(frozen=True)
class Platform:
    """What a host offers, detected once per host (see `detect.py`)."""

    managers: frozenset[ServiceManager] = frozenset()

    @property
    def service_manager(self) -> ServiceManager:
        for m in (ServiceManager.SYSTEMD, ServiceManager.SUPERVISOR, ServiceManager.SYSV):
            if m in self.managers:
                return m
        return ServiceManager.NONE

    @property
    def has_docker(self) -> bool:
        return ServiceManager.DOCKER in self.managers
