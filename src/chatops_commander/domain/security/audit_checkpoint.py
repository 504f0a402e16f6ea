"""Signed checkpoints of the audit chain, kept outside the database.

After each commit that appends audit events, the writer emits the chain's head — sequence number,
row hash, time — signed with the audit key (HMAC-SHA256 over canonical JSON): to the checkpoint
file beside `audit.log` and, optionally, to syslog or a webhook. Someone who can write the database
but holds neither the key nor those copies cannot make a shortened or re-sealed chain agree with
the latest checkpoint: `chatops audit verify` checks the row at the checkpoint's sequence and that
the chain reaches it. Pure: the key and the storage are the caller's.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from chatops_commander.domain.security.audit_chain import ChainKey

VERSION = "chatops-audit-checkpoint/1"


@dataclass(frozen=True)
class Checkpoint:
    seq: int
    hash: str
    at: str  # ISO-8601 UTC
    kid: str
    sig: str = ""

    def body(self) -> dict[str, Any]:
        return {"v": VERSION, "seq": self.seq, "hash": self.hash, "at": self.at, "kid": self.kid}

    def line(self) -> str:
        return json.dumps({**self.body(), "sig": self.sig}, sort_keys=True, separators=(",", ":"))


def _mac(key: bytes, body: Mapping[str, Any]) -> str:
    message = json.dumps(body, sort_keys=True, separators=(",", ":")).encode("utf-8")
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def sign(seq: int, row_hash: str, at: str, key: ChainKey) -> Checkpoint:
    draft = Checkpoint(seq=seq, hash=row_hash, at=at, kid=key.kid)
    return Checkpoint(seq=seq, hash=row_hash, at=at, kid=key.kid, sig=_mac(key.key, draft.body()))


def parse(line: str) -> Checkpoint | None:
    """One checkpoint from a JSON line (file, syslog message, webhook body); None if it is not one."""
    text = line.strip()
    if "{" in text and "}" in text:  # a syslog line carries a prefix (and maybe a NUL) around the JSON
        text = text[text.index("{"):text.rindex("}") + 1]
    try:
        data = json.loads(text)
        if data.get("v") != VERSION:
            return None
        return Checkpoint(seq=int(data["seq"]), hash=str(data["hash"]), at=str(data["at"]), kid=str(data["kid"]),
                          sig=str(data["sig"]))
    except (ValueError, KeyError, TypeError, AttributeError):
        return None


def is_authentic(checkpoint: Checkpoint, keys: Mapping[str, bytes]) -> bool:
    key = keys.get(checkpoint.kid)
    return key is not None and hmac.compare_digest(_mac(key, checkpoint.body()), checkpoint.sig)


@dataclass(frozen=True)
class CheckpointChoice:
    latest: Checkpoint | None  # the authentic checkpoint with the highest sequence
    forged: int  # lines that look like checkpoints but whose signature does not hold


def latest_authentic(candidates: Iterable[Checkpoint], keys: Mapping[str, bytes]) -> CheckpointChoice:
    best: Checkpoint | None = None
    forged = 0
    for checkpoint in candidates:
        if not is_authentic(checkpoint, keys):
            forged += 1
            continue
        if best is None or checkpoint.seq > best.seq:
            best = checkpoint
    return CheckpointChoice(best, forged)
