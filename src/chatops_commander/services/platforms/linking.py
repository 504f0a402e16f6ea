"""Linking chat users to accounts (the one-time link a user confirms in the web UI; admins' bulk import),
and the channel policies admins set. Every change is audited."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass

from chatops_commander.domain.errors import DomainError, NotFound, PermissionDenied
from chatops_commander.domain.risk import Risk
from chatops_commander.domain.roles import Role
from chatops_commander.domain.security.audit_events import AuditAction
from chatops_commander.domain.users import normalize_email
from chatops_commander.services import audit
from chatops_commander.services.platforms.contract import Platform
from chatops_commander.services.platforms.door import hash_token
from chatops_commander.services.platforms.ports import PlatformStore
from chatops_commander.services.platforms.records import ChannelPolicy, ChatIdentity, LinkRequest
from chatops_commander.services.ports import Clock, UnitOfWorkFactory
from chatops_commander.services.principal import Principal

MAX_IMPORT_ROWS = 10_000


class BadInput(DomainError):
    """What is wrong and what to do, in English and French; nothing was changed."""

    code = "validation_failed"
    status_hint = 422


def platform_of(text: str) -> Platform:
    try:
        return Platform(text.strip().lower())
    except ValueError:
        known = ", ".join(p.value for p in Platform)
        raise BadInput(f"Unknown platform {text!r}: use one of {known}.",
                               message_fr=f"Plateforme inconnue {text!r} : utilisez l'une de {known}.") from None


def _admin(principal: Principal) -> None:
    if principal.role is not Role.ADMIN:
        raise PermissionDenied("Only an admin manages chat identities and channel policies.",
                               message_fr="Seul un admin gère les identités de chat et les règles des canaux.")


@dataclass(frozen=True)
class ImportRow:
    line: int
    platform: Platform
    user_id: str
    email: str


class Linking:
    def __init__(self, uow: UnitOfWorkFactory, store: PlatformStore, *, clock: Clock) -> None:
        self.uow, self.store, self.clock = uow, store, clock

    # ---- the link flow (the user confirms in the web UI)

    async def pending(self, token: str) -> LinkRequest:
        """The link request behind `token`, still usable; NotFound otherwise (used, expired or unknown alike)."""
        req = await self.store.link_request(hash_token(token))
        if req is None or req.used_at is not None or req.expires_at <= self.clock.now():
            raise NotFound("This link is unknown, used already or expired: ask the bot for a new one (\"link\").",
                           message_fr="Ce lien est inconnu, déjà utilisé ou expiré : redemandez-en un au bot "
                                      "(« lier mon compte »).")
        return req

    async def confirm(self, token: str, principal: Principal) -> ChatIdentity:
        req = await self.pending(token)
        if principal.user_id is None:
            raise PermissionDenied("Log in as a user to link a chat identity.",
                                   message_fr="Connectez-vous en tant qu'utilisateur pour lier une identité de chat.")
        if not await self.store.use_link_request(req.token_hash, self.clock.now()):
            raise NotFound("This link was used already: ask the bot for a new one.",
                           message_fr="Ce lien a déjà servi : redemandez-en un au bot.")
        identity = ChatIdentity(req.platform, req.user_id, principal.user_id, req.workspace, req.display_name,
                                linked_by="self", linked_at=self.clock.now())
        await self.store.link(identity)
        await self._audit(principal, AuditAction.CHAT_IDENTITY_LINKED, identity, "self")
        return identity

    async def _audit(self, principal: Principal, action: AuditAction, identity: ChatIdentity, how: str) -> None:
        async with self.uow() as uow:
            await audit.record(uow, principal, action, target=f"{identity.platform.value}:{identity.user_id}",
                               details={"platform": identity.platform.value, "chat_user": identity.user_id,
                                        "account_id": str(identity.account_id), "how": how})
            await uow.commit()

    # ---- admins

    @staticmethod
    def parse_csv(text: str) -> list[ImportRow]:
        """`platform,user_id,email` (a header line is allowed); every problem with its line, nothing kept."""
        rows: list[ImportRow] = []
        problems: list[str] = []
        seen: dict[tuple[Platform, str], int] = {}
        try:
            lines = list(csv.reader(io.StringIO(text, newline="")))
        except csv.Error as exc:
            raise BadInput(f"This is not a CSV file (platform,user_id,email): {exc}.",
                           message_fr=f"Ce n'est pas un fichier CSV (platform,user_id,email) : {exc}.") from None
        for number, fields in enumerate(lines, start=1):
            if not fields or all(not f.strip() for f in fields) or fields[0].lstrip().startswith("#"):
                continue
            if number == 1 and [f.strip().lower() for f in fields] == ["platform", "user_id", "email"]:
                continue
            if len(fields) != 3:
                problems.append(f"line {number}: expected 3 fields platform,user_id,email, found {len(fields)}")
                continue
            name, user_id, email = (f.strip() for f in fields)
            try:
                platform = platform_of(name)
            except BadInput as exc:
                problems.append(f"line {number}: {exc.message}")
                continue
            if not user_id:
                problems.append(f"line {number}: the chat user id is empty")
            elif "@" not in email:
                problems.append(f"line {number}: {email!r} is not an e-mail address")
            elif (platform, user_id) in seen:
                problems.append(f"line {number}: {platform.value} user {user_id} is also on line "
                                f"{seen[(platform, user_id)]}")
            else:
                seen[(platform, user_id)] = number
                rows.append(ImportRow(number, platform, user_id, normalize_email(email)))
            if len(rows) > MAX_IMPORT_ROWS:
                problems.append(f"more than {MAX_IMPORT_ROWS} rows: split the file")
                break
        if problems:
            raise BadInput("; ".join(problems), message_fr="; ".join(p.replace("line", "ligne")
                                                                            for p in problems))
        return rows

    async def import_rows(self, principal: Principal, rows: Sequence[ImportRow]) -> list[ChatIdentity]:
        """All or nothing: every e-mail must be an active account."""
        _admin(principal)
        async with self.uow() as uow:
            users = {u.email: u for u in await uow.users.list()}
        missing = [f"line {r.line}: no account {r.email}" for r in rows
                   if r.email not in users or not users[r.email].is_active]
        if missing:
            raise BadInput("; ".join(missing) + ". Nothing was imported.",
                                   message_fr="; ".join(m.replace("line", "ligne").replace("no account",
                                                                                            "aucun compte")
                                                        for m in missing) + ". Rien n'a été importé.")
        done: list[ChatIdentity] = []
        for r in rows:
            account = users[r.email].id
            assert account is not None
            identity = ChatIdentity(r.platform, r.user_id, account, linked_by=principal.actor,
                                    linked_at=self.clock.now())
            await self.store.link(identity)
            await self._audit(principal, AuditAction.CHAT_IDENTITY_LINKED, identity, "import")
            done.append(identity)
        return done

    async def remove(self, principal: Principal, platform: Platform, user_id: str) -> None:
        _admin(principal)
        identity = await self.store.identity(platform, user_id)
        if identity is None or not await self.store.unlink(platform, user_id):
            raise NotFound(f"No {platform.value} user {user_id} is linked.",
                           message_fr=f"Aucun utilisateur {platform.value} {user_id} n'est lié.")
        await self._audit(principal, AuditAction.CHAT_IDENTITY_UNLINKED, identity, "remove")

    async def set_policy(self, principal: Principal, platform: Platform, channel_id: str, *,
                         actions: Sequence[str] = (), tags: Sequence[str] = (),
                         max_risk: str = "critical") -> ChannelPolicy:
        _admin(principal)
        if not channel_id.strip():
            raise BadInput("The channel id is empty.", message_fr="L'identifiant du canal est vide.")
        try:
            risk = Risk(max_risk.strip().lower())
        except ValueError:
            raise BadInput(f"Unknown risk {max_risk!r}: use low, medium, high or critical.",
                                   message_fr=f"Risque inconnu {max_risk!r} : low, medium, high ou critical.") from None
        policy = ChannelPolicy(platform, channel_id.strip(), tuple(a.strip() for a in actions if a.strip()),
                               tuple(t.strip() for t in tags if t.strip()), risk, principal.actor, self.clock.now())
        await self.store.set_policy(policy)
        async with self.uow() as uow:
            await audit.record(uow, principal, AuditAction.CHANNEL_POLICY_CHANGED,
                               target=f"{platform.value}:{policy.channel_id}",
                               details={"actions": list(policy.actions), "tags": list(policy.tags),
                                        "max_risk": risk.value})
            await uow.commit()
        return policy
