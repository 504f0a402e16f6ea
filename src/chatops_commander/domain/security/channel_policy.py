"""What a door allows in one place (a chat channel): action patterns, server tags, the highest risk. Pure.

A `ChannelRestriction` only narrows what the account may do (its role and per-server rights still decide
first). The action pipeline checks it on what it really resolved — the action, the risk (the highest of the
sentence's and the action's, raised by the fan-out) and the target servers' tags — before a confirmation
card, an approval request or a run, and again on the confirmed request. The chat platforms keep one per
channel (`services.platforms.records.ChannelPolicy`, stored in `channel_policies`).
"""

from __future__ import annotations

import fnmatch
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum

from chatops_commander.domain.chat.wording import RISK_FR
from chatops_commander.domain.errors import PermissionDenied
from chatops_commander.domain.risk import Risk
from chatops_commander.domain.servers import Server

REASON = "channel_policy"  # the audit events' `reason`


class ChannelPolicyDenied(PermissionDenied):
    """A request the account may run, but not from here (403 like every refusal of rights)."""

    code = REASON


class Outside(StrEnum):
    """What the request asks that the place does not allow."""

    ACTION = "action"
    RISK = "risk"
    SERVERS = "servers"


@dataclass(frozen=True)
class PolicyRefusal:
    outside: Outside
    message_en: str
    message_fr: str
    servers: tuple[str, ...] = ()  # the resolved servers outside the allowed tags

    def localized(self, lang: str) -> str:
        return self.message_fr if lang == "fr" else self.message_en

    def error(self) -> ChannelPolicyDenied:
        return ChannelPolicyDenied(self.message_en, message_fr=self.message_fr)


@dataclass(frozen=True)
class ChannelRestriction:
    """Empty `actions` or `tags`: no restriction of that kind. `door` and `channel` name the place (audit)."""

    door: str
    channel: str
    actions: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    max_risk: Risk = Risk.CRITICAL

    def allows_action(self, action: str) -> bool:
        return not self.actions or any(fnmatch.fnmatchcase(action, pattern) for pattern in self.actions)

    def allows_risk(self, risk: Risk) -> bool:
        return risk.rank <= self.max_risk.rank

    def allows_server(self, tags: Iterable[str]) -> bool:
        return not self.tags or bool(set(self.tags) & set(tags))

    def refusal(self, action: str, risk: Risk, servers: Sequence[Server]) -> PolicyRefusal | None:
        """None when this place allows `action` at `risk` on `servers`; else what it does not allow, worded."""
        if not self.allows_action(action):
            return PolicyRefusal(Outside.ACTION, refused(f"the action `{action}`", "en"),
                                 refused(f"l'action `{action}`", "fr"))
        if not self.allows_risk(risk):
            return PolicyRefusal(
                Outside.RISK, refused(f"{risk.value} risk (at most {self.max_risk.value})", "en"),
                refused(f"un risque {RISK_FR[risk].lower()} (au plus {RISK_FR[self.max_risk].lower()})", "fr"))
        outside = tuple(sorted({s.name for s in servers if not self.allows_server(s.tags)}))
        if outside:
            names, tags = ", ".join(outside), ", ".join(self.tags)
            return PolicyRefusal(Outside.SERVERS, refused(f"{names} (allowed servers: tags {tags})", "en"),
                                 refused(f"{names} (serveurs autorisés : étiquettes {tags})", "fr"), outside)
        return None


def refused(what: str, lang: str) -> str:
    """"This channel does not allow …", and where to ask instead."""
    return (f"Ce canal ne permet pas {what}. Demandez-le dans un canal qui l'autorise, ou en message direct si "
            "votre administrateur l'a prévu (`chatops bots channel show`)." if lang == "fr" else
            f"This channel does not allow {what}. Ask in a channel that does, or in a direct message if your "
            "administrator allows it (`chatops bots channel show`).")
