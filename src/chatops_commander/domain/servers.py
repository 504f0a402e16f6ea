"""Servers of the registry and their validation rules (seed "Validation serveur")."""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from uuid import UUID

from chatops_commander.domain.errors import ValidationFailed

HOSTNAME_RE = re.compile(r"^[a-zA-Z0-9.-]+$")
SSH_USER_RE = re.compile(r"^[a-z_][a-z0-9_.-]*\$?$", re.IGNORECASE)
SERVICE_NAME_RE = re.compile(r"^[A-Za-z0-9@._:-]{1,128}$")
TAG_RE = re.compile(r"^[A-Za-z0-9_.:-]{1,64}$")
LOCALHOST = "localhost"


class ServerStatus(StrEnum):
    ONLINE = "online"
    OFFLINE = "offline"
    UNKNOWN = "unknown"
    ERROR = "error"


class Connection(StrEnum):
    LOCAL = "local"  # this machine, no SSH (embedded `localhost`)
    SSH = "ssh"


class HostKeyPolicy(StrEnum):
    KNOWN_HOSTS = "known_hosts"  # verify against known_hosts (default)
    TOFU = "tofu"  # trust on first use, then pin the stored fingerprint


@dataclass(frozen=True)
class Server:
    name: str
    hostname: str
    ip_address: str
    port: int = 22
    ssh_user: str = "root"
    ssh_key_path: str | None = None
    become: bool = False  # run every command through `sudo -n` (Ansible's `ansible_become`)
    tags: tuple[str, ...] = ()
    services: tuple[str, ...] = ()
    connection: Connection = Connection.SSH
    host_key_policy: HostKeyPolicy = HostKeyPolicy.KNOWN_HOSTS
    host_key_fingerprint: str | None = None
    status: ServerStatus = ServerStatus.UNKNOWN
    last_check: datetime | None = None
    id: UUID | None = None
    created_at: datetime | None = None
    created_by: UUID | None = None


def validate_server_fields(
    *, name: str, hostname: str, ip_address: str, port: int, ssh_user: str,
    tags: tuple[str, ...] = (), services: tuple[str, ...] = (),
) -> list[tuple[str, str]]:
    """Return (field, problem) pairs; empty when every field is valid."""
    problems: list[tuple[str, str]] = []
    if not 3 <= len(name) <= 100:
        problems.append(("name", "must be 3 to 100 characters long"))
    elif not HOSTNAME_RE.match(name.replace("_", "-")):
        problems.append(("name", "may contain only letters, digits, '.', '-' and '_'"))
    if not hostname or len(hostname) > 255 or not HOSTNAME_RE.match(hostname):
        problems.append(("hostname", "must match ^[a-zA-Z0-9.-]+$ (at most 255 characters)"))
    try:
        ipaddress.ip_address(ip_address)
    except ValueError:
        problems.append(("ip_address", f"{ip_address!r} is not an IPv4 or IPv6 address"))
    if not 1 <= port <= 65535:
        problems.append(("port", "must be between 1 and 65535"))
    if not 1 <= len(ssh_user) <= 50 or not SSH_USER_RE.match(ssh_user):
        problems.append(("ssh_user", "must be a Unix user name of 1 to 50 characters"))
    problems.extend(("tags", f"invalid tag {t!r}") for t in tags if not TAG_RE.match(t))
    problems.extend(("services", f"invalid service name {s!r}") for s in services if not SERVICE_NAME_RE.match(s))
    return problems


def check_server_fields(**fields: object) -> None:
    """Raise `ValidationFailed` listing every invalid field."""
    problems = validate_server_fields(**fields)  # type: ignore[arg-type]
    if problems:
        raise ValidationFailed(problems)
