"""The SQLAlchemy unit of work: one session, one transaction, repositories on it.

Audit events appended in the transaction are mirrored (JSON lines to `<data_dir>/audit.log`)
only after the commit succeeded, so the file never holds an event the database rolled back.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from types import TracebackType
from typing import Self

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from chatops_commander.adapters.db.chat_repositories import (
    SqlApprovalRepository,
    SqlCommandRepository,
    SqlConfirmationRepository,
    SqlConversationRepository,
    SqlDeploymentRepository,
    SqlMessageRepository,
)
from chatops_commander.adapters.db.monitoring_repositories import (
    SqlAlertRepository,
    SqlDeliveryRepository,
    SqlSampleRepository,
)
from chatops_commander.adapters.db.repositories import SqlServerRepository
from chatops_commander.adapters.db.security_repositories import (
    SqlApiTokenRepository,
    SqlAuditRepository,
    SqlPermissionRepository,
    SqlRefreshSessionRepository,
    SqlSettingsRepository,
    SqlUserRepository,
)
from chatops_commander.domain.security.audit_chain import ChainKey
from chatops_commander.domain.security.audit_events import AuditEvent

AuditMirror = Callable[[Sequence[AuditEvent]], None]
ChainKeySource = Callable[[], ChainKey]


class SqlUnitOfWork:
    servers: SqlServerRepository
    samples: SqlSampleRepository
    alerts: SqlAlertRepository
    deliveries: SqlDeliveryRepository
    conversations: SqlConversationRepository
    messages: SqlMessageRepository
    commands: SqlCommandRepository
    confirmations: SqlConfirmationRepository
    approvals: SqlApprovalRepository
    deployments: SqlDeploymentRepository
    users: SqlUserRepository
    permissions: SqlPermissionRepository
    refresh_sessions: SqlRefreshSessionRepository
    api_tokens: SqlApiTokenRepository
    audit: SqlAuditRepository
    app_settings: SqlSettingsRepository

    def __init__(self, sessions: async_sessionmaker[AsyncSession], mirror: AuditMirror | None = None,
                 chain_key: ChainKeySource | None = None) -> None:
        self._sessions = sessions
        self._session: AsyncSession | None = None
        self._mirror = mirror
        self._chain_key = chain_key

    @property
    def session(self) -> AsyncSession:
        if self._session is None:
            raise RuntimeError("unit of work used outside `async with`")
        return self._session

    async def __aenter__(self) -> Self:
        self._session = session = self._sessions()
        self.servers = SqlServerRepository(session)
        self.samples = SqlSampleRepository(session)
        self.alerts = SqlAlertRepository(session)
        self.deliveries = SqlDeliveryRepository(session)
        self.conversations = SqlConversationRepository(session)
        self.messages = SqlMessageRepository(session)
        self.commands = SqlCommandRepository(session)
        self.confirmations = SqlConfirmationRepository(session)
        self.approvals = SqlApprovalRepository(session)
        self.deployments = SqlDeploymentRepository(session)
        self.users = SqlUserRepository(session)
        self.permissions = SqlPermissionRepository(session)
        self.refresh_sessions = SqlRefreshSessionRepository(session)
        self.api_tokens = SqlApiTokenRepository(session)
        self.audit = SqlAuditRepository(session, self._chain_key)
        self.app_settings = SqlSettingsRepository(session)
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None,
    ) -> None:
        try:
            await self.session.rollback()
        finally:
            await self.session.close()
            self._session = None

    async def commit(self) -> None:
        await self.session.commit()
        events, self.audit.pending = self.audit.pending, []
        if events and self._mirror is not None:
            self._mirror(events)

    async def rollback(self) -> None:
        await self.session.rollback()
        self.audit.pending = []


class SqlUnitOfWorkFactory:
    """`chain_key`: the audit key that seals new audit rows (HMAC); None seals them unkeyed (legacy)."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession], mirror: AuditMirror | None = None,
                 chain_key: ChainKeySource | None = None) -> None:
        self._sessions = sessions
        self._mirror = mirror
        self._chain_key = chain_key

    def __call__(self) -> SqlUnitOfWork:
        return SqlUnitOfWork(self._sessions, self._mirror, self._chain_key)


class SqlDatabaseProbe:
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def ping(self) -> bool:
        try:
            async with self._engine.connect() as conn:
                await conn.execute(text("SELECT 1"))
        except Exception:
            return False
        return True
