"""The building blocks wired the way the services will wire them, with real structlog logging:
login → tokens → refresh reuse → audit chain, and no planted secret in the captured logs."""

from __future__ import annotations

import io
import json
import uuid
from datetime import UTC, datetime, timedelta

import pytest
import structlog

from chatops_commander.adapters.security.common_passwords import load_common_passwords
from chatops_commander.adapters.security.jwt_tokens import JwtCodec
from chatops_commander.adapters.security.keys import decode_key, generate_key
from chatops_commander.adapters.security.opaque_tokens import TokenHasher, generate_refresh_token
from chatops_commander.adapters.security.passwords import Argon2PasswordHasher
from chatops_commander.adapters.security.redaction import SecretRedactor
from chatops_commander.adapters.security.secret_box import Keyring, SecretBox, reencrypt_all
from chatops_commander.domain.roles import Role
from chatops_commander.domain.security.audit_chain import new_event, verify_chain
from chatops_commander.domain.security.audit_events import AuditAction, AuditOutcome
from chatops_commander.domain.security.errors import CredentialRejected
from chatops_commander.domain.security.password_policy import check_password
from chatops_commander.domain.security.refresh_sessions import rotate, start_family

T0 = datetime(2025, 9, 1, 8, 0, tzinfo=UTC)
PASSWORD = "Violet-Tram-42-Harbour-" + uuid.uuid4().hex[:8]
SSH_KEY = "-----BEGIN OPENSSH PRIVATE KEY-----\nAAAAplanted" + uuid.uuid4().hex + "\n-----END OPENSSH PRIVATE KEY-----"


@pytest.fixture
def log_output():
    stream = io.StringIO()
    redactor = SecretRedactor()
    structlog.configure(
        processors=[structlog.processors.add_log_level, structlog.processors.format_exc_info,
                    redactor, structlog.processors.JSONRenderer()],
        logger_factory=structlog.PrintLoggerFactory(stream), cache_logger_on_first_use=False)
    yield stream, redactor
    structlog.reset_defaults()


def test_login_refresh_reuse_and_audit_leave_no_secret_in_the_logs(log_output):
    stream, redactor = log_output
    log = structlog.get_logger()
    jwt_key, pepper = decode_key("jwt", generate_key()), decode_key("pepper", generate_key())
    redactor.add_secret(PASSWORD)
    hasher, tokens = Argon2PasswordHasher(time_cost=1, memory_cost_kib=8192, parallelism=1), TokenHasher(pepper)
    codec = JwtCodec({"k1": jwt_key}, "k1")
    box = SecretBox(Keyring({"k1": decode_key("enc", generate_key())}, "k1"))

    check_password(PASSWORD, email="alice@example.com", common_passwords=load_common_passwords())
    stored = hasher.hash(PASSWORD)
    assert hasher.verify(stored, PASSWORD)
    access = codec.issue(subject="u1", role=Role.OPERATOR, now=T0)
    refresh = generate_refresh_token()
    session = start_family(session_id="s1", user_id="u1", token_hash=tokens.hash(refresh), now=T0)
    log.info("login ok", email="alice@example.com", password=PASSWORD, access_token=access,
             note=f"issued {refresh} with {access}", headers={"Authorization": f"Bearer {access}"})

    first = rotate(session, [session], new_session_id="s2", new_token_hash="h2", now=T0 + timedelta(minutes=5))
    family = [*first.updates, first.raise_if_refused()]
    replay = rotate(first.updates[0], family, new_session_id="s3", new_token_hash="h3",
                    now=T0 + timedelta(minutes=6))
    assert replay.reuse_detected
    with pytest.raises(CredentialRejected) as err:
        replay.raise_if_refused()
    sealed = box.encrypt(SSH_KEY, associated_data=b"server:web-01")
    try:
        raise RuntimeError(f"ssh connect failed with key {SSH_KEY} ({PASSWORD})")
    except RuntimeError:
        log.exception("executor error", server="web-01", ciphertext=sealed)

    rows = []
    for action, outcome in ((AuditAction.LOGIN_SUCCEEDED, AuditOutcome.SUCCESS),
                            (AuditAction.REFRESH_TOKEN_REUSE_DETECTED, AuditOutcome.DENIED)):
        rows.append(new_event(rows[-1] if rows else None, id=str(uuid.uuid4()), occurred_at=T0,
                              actor="alice@example.com", action=action, outcome=outcome,
                              source_ip="10.0.0.1", request_id="r1", details={"reason": err.value.reason}))
    assert verify_chain(rows).ok
    log.info("audit", record=rows[-1].as_record())

    output = stream.getvalue()
    lines = [json.loads(line) for line in output.splitlines()]
    assert len(lines) == 3
    for secret in (PASSWORD, access, refresh, SSH_KEY, "AAAAplanted", sealed):
        assert secret not in output
    assert lines[0]["email"] == "alice@example.com"
    assert reencrypt_all(box, [("web-01", sealed, b"server:web-01")]) == []
