"""What every `CardStore` does (the memory one here, the SQL one on SQLite and PostgreSQL in tests/e2e/platforms)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from chatops_commander.services.platforms.contract import (
    Button,
    ButtonStyle,
    Card,
    CardKind,
    ChatUser,
    Place,
    Platform,
)
from chatops_commander.services.platforms.ports import CardStore
from chatops_commander.services.platforms.records import CARD_GRACE, CARD_WITHOUT_EXPIRY, PostedCard

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
CONFIRM_EXPIRES = NOW + timedelta(minutes=5)
ALICE = ChatUser(Platform.MATRIX, "@alice:example.org", "Alice")
ROOM = Place(Platform.MATRIX, "example.org", "!room:example.org", thread_id="$root")
CONFIRM = PostedCard("$confirm", Card(
    CardKind.CONFIRM, "Restart nginx on web-01?", (("Hosts", "web-01"), ("Risk", "high")),
    (Button("Confirm", "eyJwIjoiY29uZmlybSJ9.c2ln", ButtonStyle.DANGER), Button("Cancel", "eyJwIjoiY2FuY2VsIn0.c2ln")),
    CONFIRM_EXPIRES), ROOM, ALICE, NOW)
APPROVAL = PostedCard("$approve", Card(
    CardKind.APPROVE, "Déployer v2.5.0 en production", (("Demandeur", "alice"),),
    (Button("Approuver", "yes.sig", ButtonStyle.PRIMARY), Button("Rejeter", "no.sig", ButtonStyle.DANGER)),
    NOW + timedelta(hours=1)), Place(Platform.MATRIX, "example.org", "!dm:example.org", direct=True), None, NOW)
NO_EXPIRY = PostedCard("$choose", Card(CardKind.CHOOSE, "Which fix?", (), (Button("1. Restart", "f1"),)), ROOM,
                       ALICE, NOW)


async def check_card_store(store: CardStore) -> None:
    for posted in (CONFIRM, APPROVAL, NO_EXPIRY):
        await store.keep_card(posted, NOW)
    assert await store.posted_card(Platform.MATRIX, "$confirm", NOW) == CONFIRM
    assert await store.posted_card(Platform.MATRIX, "$approve", NOW) == APPROVAL
    assert await store.posted_card(Platform.MATRIX, "$choose", NOW) == NO_EXPIRY
    assert await store.posted_card(Platform.SLACK, "$confirm", NOW) is None  # keyed by (platform, message id)
    assert await store.posted_card(Platform.MATRIX, "$unknown", NOW) is None

    renamed = replace(CONFIRM, card=replace(CONFIRM.card, title="Redémarrer nginx sur web-01 ?"))
    await store.keep_card(renamed, NOW)  # the same message again: replaced
    assert await store.posted_card(Platform.MATRIX, "$confirm", NOW) == renamed

    expired = CONFIRM_EXPIRES + CARD_GRACE + timedelta(seconds=1)
    assert await store.posted_card(Platform.MATRIX, "$confirm", expired - timedelta(seconds=2)) == renamed  # grace
    assert await store.posted_card(Platform.MATRIX, "$confirm", expired) is None
    assert await store.posted_card(Platform.MATRIX, "$approve", expired) == APPROVAL  # not expired yet

    later = PostedCard("$later", replace(CONFIRM.card, expires_at=expired + timedelta(minutes=5)), ROOM, ALICE, expired)
    await store.keep_card(later, expired)  # each write forgets the cards past their time
    assert await store.posted_card(Platform.MATRIX, "$confirm", NOW) is None
    assert await store.posted_card(Platform.MATRIX, "$approve", NOW) == APPROVAL
    assert await store.posted_card(Platform.MATRIX, "$later", expired) == later
    assert await store.posted_card(Platform.MATRIX, "$choose", NOW + CARD_WITHOUT_EXPIRY) == NO_EXPIRY
    assert await store.posted_card(Platform.MATRIX, "$choose", NOW + CARD_WITHOUT_EXPIRY + timedelta(seconds=1)) is None
