"""The SQLAlchemy unit of work: one session, one transaction, repositories on it."""

from __future__ import annotations

from types import TracebackType
from typing import Self

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from chatops_commander.adapters.db.chat_repositories import (
    SqlApprovalRepository,
    SqlCommandRepository,
    SqlConfirmationRepository,
    SqlConversationRepository,
    SqlMessageRepository,
)
from chatops_commander.adapters.db.monitoring_repositories import (
    SqlAlertRepository,
    SqlDeliveryRepository,
    SqlSampleRepository,
)
from chatops_commander.adapters.db.repositories import SqlServerRepository


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

    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions
        self._session: AsyncSession | None = None

    @property
    def session(self) -> AsyncSession:
        if self._session is None:
            raise RuntimeError("unit of work used outside `async with`")
        return self._session

    async def __aenter__(self) -> Self:
        self._session = self._sessions()
        self.servers = SqlServerRepository(self._session)
        self.samples = SqlSampleRepository(self._session)
        self.alerts = SqlAlertRepository(self._session)
        self.deliveries = SqlDeliveryRepository(self._session)
        self.conversations = SqlConversationRepository(self._session)
        self.messages = SqlMessageRepository(self._session)
        self.commands = SqlCommandRepository(self._session)
        self.confirmations = SqlConfirmationRepository(self._session)
        self.approvals = SqlApprovalRepository(self._session)
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

    async def rollback(self) -> None:
        await self.session.rollback()


class SqlUnitOfWorkFactory:
    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions

    def __call__(self) -> SqlUnitOfWork:
        return SqlUnitOfWork(self._sessions)


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
