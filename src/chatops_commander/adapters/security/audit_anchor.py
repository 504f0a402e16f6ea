"""What anchors the audit chain outside the database: the audit keys (HMAC keys derived from the
encryption keyring, so `chatops keys rotate` rotates them too and old rows keep verifying), and the
signed checkpoints written after each commit to a file and, optionally, to syslog and a webhook."""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import logging
import logging.handlers
import os
import queue
import threading
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol
from urllib.parse import urlsplit

import structlog

from chatops_commander.domain.security import audit_checkpoint
from chatops_commander.domain.security.audit_chain import ChainKey
from chatops_commander.domain.security.audit_checkpoint import Checkpoint
from chatops_commander.domain.security.audit_events import AuditEvent

log = structlog.get_logger("chatops.audit")
PURPOSE = b"chatops-commander/audit-chain/1"


class _HasKeyring(Protocol):
    @property
    def keyring(self) -> _Keyring: ...


class _Keyring(Protocol):
    @property
    def keys(self) -> Mapping[str, bytes]: ...
    @property
    def current_kid(self) -> str: ...


class AuditKeys:
    """kid → audit key, following the secret box's keyring (rotation included)."""

    def __init__(self, box: _HasKeyring) -> None:
        self._box = box

    @staticmethod
    def _derive(raw: bytes) -> bytes:
        return hmac.new(raw, PURPOSE, hashlib.sha256).digest()

    def current(self) -> ChainKey:
        keyring = self._box.keyring
        return ChainKey(keyring.current_kid, self._derive(keyring.keys[keyring.current_kid]))

    def all(self) -> dict[str, bytes]:
        return {kid: self._derive(raw) for kid, raw in self._box.keyring.keys.items()}


class CheckpointSink(Protocol):
    def emit(self, line: str) -> None: ...


class SyslogSink:
    """`udp://host:514`, `tcp://host:514` or a socket path such as `/dev/log`."""

    def __init__(self, target: str) -> None:
        parts = urlsplit(target)
        if parts.scheme in ("udp", "tcp"):
            import socket

            kind = socket.SOCK_DGRAM if parts.scheme == "udp" else socket.SOCK_STREAM
            handler = logging.handlers.SysLogHandler(address=(parts.hostname or "localhost", parts.port or 514),
                                                     socktype=kind)
        else:
            handler = logging.handlers.SysLogHandler(address=target)
        handler.ident = "chatops-audit: "
        self._logger = logging.Logger("chatops.audit.checkpoints")
        self._logger.addHandler(handler)
        self._logger.propagate = False

    def emit(self, line: str) -> None:
        self._logger.info(line)


class WebhookSink:
    """POSTs each checkpoint (JSON) from a background thread: a slow webhook never delays a commit."""

    def __init__(self, url: str, *, timeout_s: float = 5.0) -> None:
        self.url, self.timeout_s = url, timeout_s
        self._queue: queue.Queue[str] = queue.Queue(maxsize=1000)
        threading.Thread(target=self._run, name="audit-checkpoint-webhook", daemon=True).start()

    def emit(self, line: str) -> None:
        with contextlib.suppress(queue.Full):
            self._queue.put_nowait(line)

    def _run(self) -> None:
        import httpx

        while True:
            line = self._queue.get()
            try:
                httpx.post(self.url, content=line, headers={"Content-Type": "application/json"},
                           timeout=self.timeout_s).raise_for_status()
            except Exception as exc:  # the file copy stays; a lost webhook call is logged, never fatal
                log.warning("audit_checkpoint_webhook_failed", error=type(exc).__name__)


class CheckpointWriter:
    """After each commit with audit events: one signed checkpoint of the new head, to every copy."""

    def __init__(self, path: Path, keys: AuditKeys, sinks: Sequence[CheckpointSink] = ()) -> None:
        self.path, self.keys, self.sinks = path, keys, list(sinks)
        self._lock = threading.Lock()

    def __call__(self, events: Sequence[AuditEvent]) -> None:
        head = max(events, key=lambda e: e.seq)
        checkpoint = audit_checkpoint.sign(head.seq, head.hash, datetime.now(UTC).isoformat(), self.keys.current())
        line = checkpoint.line()
        with self._lock:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
            with os.fdopen(fd, "a", encoding="utf-8") as fh:
                fh.write(line + "\n")
        for sink in self.sinks:
            try:
                sink.emit(line)
            except Exception as exc:
                log.warning("audit_checkpoint_sink_failed", sink=type(sink).__name__, error=type(exc).__name__)


def read_checkpoints(path: Path) -> list[Checkpoint]:
    """Every checkpoint line of a file (the local copy, or lines saved from syslog or a webhook)."""
    if not path.exists():
        return []
    with path.open(encoding="utf-8", errors="replace") as fh:
        return [found for line in fh if (found := audit_checkpoint.parse(line)) is not None]
