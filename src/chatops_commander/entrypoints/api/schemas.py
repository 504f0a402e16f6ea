"""API schemas (pydantic at the edge): strict, unknown fields refused."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Generic, TypeVar
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, IPvAnyAddress, StringConstraints

from chatops_commander.domain.servers import Connection, HostKeyPolicy, Server, ServerStatus

Name = Annotated[str, StringConstraints(min_length=3, max_length=100, pattern=r"^[a-zA-Z0-9._-]+$")]
Hostname = Annotated[str, StringConstraints(min_length=1, max_length=255, pattern=r"^[a-zA-Z0-9.-]+$")]
SshUser = Annotated[str, StringConstraints(min_length=1, max_length=50, pattern=r"^[a-zA-Z_][a-zA-Z0-9_.-]*\$?$")]
Tag = Annotated[str, StringConstraints(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.:-]+$")]
ServiceName = Annotated[str, StringConstraints(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9@._:-]+$")]
T = TypeVar("T")
KeyPath = Annotated[str, StringConstraints(min_length=1, max_length=255, pattern=r"^[^\x00-\x1f]+$")]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=False)


class ServerCreate(Strict):
    name: Name
    hostname: Hostname
    ip_address: IPvAnyAddress
    port: int = Field(default=22, ge=1, le=65535, strict=True)
    ssh_user: SshUser
    ssh_key_path: KeyPath | None = None
    tags: list[Tag] = Field(default_factory=list, max_length=50)
    services: list[ServiceName] = Field(default_factory=list, max_length=100)
    host_key_policy: HostKeyPolicy = HostKeyPolicy.KNOWN_HOSTS


class ServerUpdate(Strict):
    name: Name | None = None
    hostname: Hostname | None = None
    ip_address: IPvAnyAddress | None = None
    port: int | None = Field(default=None, ge=1, le=65535, strict=True)
    ssh_user: SshUser | None = None
    ssh_key_path: KeyPath | None = None
    tags: list[Tag] | None = Field(default=None, max_length=50)
    services: list[ServiceName] | None = Field(default=None, max_length=100)
    host_key_policy: HostKeyPolicy | None = None


class ServerRead(BaseModel):
    id: UUID
    name: str
    hostname: str
    ip_address: str
    port: int
    ssh_user: str
    ssh_key_path: str | None
    tags: list[str]
    services: list[str]
    connection: Connection
    host_key_policy: HostKeyPolicy
    host_key_fingerprint: str | None
    status: ServerStatus
    last_check: datetime | None
    created_at: datetime | None

    @classmethod
    def of(cls, s: Server) -> ServerRead:
        assert s.id is not None
        return cls(
            id=s.id, name=s.name, hostname=s.hostname, ip_address=s.ip_address, port=s.port,
            ssh_user=s.ssh_user, ssh_key_path=s.ssh_key_path, tags=list(s.tags), services=list(s.services),
            connection=s.connection, host_key_policy=s.host_key_policy,
            host_key_fingerprint=s.host_key_fingerprint, status=s.status, last_check=s.last_check,
            created_at=s.created_at,
        )


class Page(BaseModel, Generic[T]):
    items: list[T]
    total: int
    offset: int
    limit: int


class Health(BaseModel):
    status: str


class Readiness(BaseModel):
    status: str
    database: str
