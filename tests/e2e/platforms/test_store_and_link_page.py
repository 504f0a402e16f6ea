"""The platform store on the real database, the `/link/{token}` page (logged in, CSRF-checked, single use)
and the `chatops bots` commands."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from uuid import UUID

import pytest

from chatops_commander import bootstrap, bootstrap_platforms
from chatops_commander.domain.risk import Risk
from chatops_commander.domain.roles import Role
from chatops_commander.services.platforms.contract import Platform
from chatops_commander.services.platforms.door import hash_token
from chatops_commander.services.platforms.records import ChannelPolicy, ChatIdentity, LinkRequest
from tests.e2e.conftest import add_user, client_for, login
from tests.unit.platforms.card_store_contract import check_card_store

HTMX = {"HX-Request": "true"}


async def test_the_sql_store_keeps_links_policies_single_use_requests_and_nonces(
        container: bootstrap.Container) -> None:
    store = bootstrap_platforms.platform_store(container)
    user = await add_user(container, "alice@example.com", Role.OPERATOR)
    assert user.id is not None
    now = datetime.now(UTC)
    await store.link(ChatIdentity(Platform.SLACK, "U1", user.id, "T1", "alice", "self", now))
    await store.link(ChatIdentity(Platform.SLACK, "U1", user.id, "T2", "alice2", "admin", now))  # replaced
    [found] = await store.identities(Platform.SLACK)
    assert found.workspace == "T2" and found.account_id == user.id
    assert await store.unlink(Platform.SLACK, "U1") and not await store.unlink(Platform.SLACK, "U1")
    await store.set_policy(ChannelPolicy(Platform.SLACK, "C1", ("service.*",), ("web",), Risk.MEDIUM, "admin", now))
    policy = await store.policy(Platform.SLACK, "C1")
    assert policy is not None and policy.actions == ("service.*",) and policy.max_risk is Risk.MEDIUM
    await store.add_link_request(LinkRequest(hash_token("tok"), Platform.SLACK, "U9", "T1", "bob",
                                             now + timedelta(minutes=10)))
    assert await store.use_link_request(hash_token("tok"), now)
    assert not await store.use_link_request(hash_token("tok"), now)
    assert await store.use_nonce("n1", now + timedelta(minutes=5), now)
    assert not await store.use_nonce("n1", now + timedelta(minutes=5), now)
    assert await store.use_nonce("n1", now + timedelta(minutes=20), now + timedelta(minutes=6))  # expired: forgotten
    async with container.uow() as uow:
        from chatops_commander.domain.chat.records import Conversation

        conv = await uow.conversations.add(Conversation(user.id, "Slack"))
        await uow.commit()
    assert conv.id is not None
    await store.remember_conversation("slack|T1|C1|-|x", user.id, conv.id)
    assert await store.conversation("slack|T1|C1|-|x") == conv.id
    assert await store.conversation_key_of(conv.id) == "slack|T1|C1|-|x"


async def test_the_sql_store_keeps_posted_cards_by_platform_and_message_and_forgets_them_after_their_expiry(
        container: bootstrap.Container) -> None:
    await check_card_store(bootstrap_platforms.platform_store(container))


async def test_the_link_page_links_the_logged_in_account_once(container: bootstrap.Container) -> None:
    alice = await add_user(container, "alice@example.com", Role.VIEWER)
    store = bootstrap_platforms.platform_store(container)
    await store.add_link_request(LinkRequest(hash_token("the-token"), Platform.SLACK, "U-alice", "T1", "alice",
                                             datetime.now(UTC) + timedelta(minutes=10)))
    async with client_for(container) as browser:
        anonymous = await browser.get("/link/the-token")
        assert anonymous.status_code == 303 and anonymous.headers["location"].startswith("/login?next=")
        await login(browser, alice.email)
        page = await browser.get("/link/the-token")
        assert page.status_code == 200 and "U-alice" not in page.text and "alice" in page.text
        assert "Link my account" in page.text
        assert await store.identity(Platform.SLACK, "U-alice") is None  # GET changes nothing
        no_csrf = await browser.post("/link/the-token", headers=HTMX)
        assert no_csrf.status_code == 403
        csrf = {**HTMX, "X-CSRF-Token": browser.cookies["cc_csrf"]}
        done = await browser.post("/link/the-token", headers=csrf)
        assert done.status_code == 200 and "Linked" in done.text
        again = await browser.post("/link/the-token", headers={**csrf, "Accept-Language": "fr"})
        assert again.status_code == 404
        gone = await browser.get("/link/the-token")
        assert gone.status_code == 404 and "expired" in gone.text
    identity = await store.identity(Platform.SLACK, "U-alice")
    assert identity is not None and identity.account_id == alice.id and identity.linked_by == "self"


async def test_bulk_import_is_all_or_nothing(container: bootstrap.Container, tmp_path: Path) -> None:
    from chatops_commander.services.platforms.linking import BadInput, Linking
    from tests.e2e.conftest import TEST_CLI

    await add_user(container, "alice@example.com", Role.OPERATOR)
    linking = bootstrap_platforms.linking(container)
    rows = Linking.parse_csv("platform,user_id,email\nslack,U1,alice@example.com\nslack,U2,nobody@example.com\n")
    with pytest.raises(BadInput) as refused:
        await linking.import_rows(TEST_CLI, rows)
    assert "line 3: no account nobody@example.com" in refused.value.message
    assert "Nothing was imported" in refused.value.message
    assert await bootstrap_platforms.platform_store(container).identities() == []
    done = await linking.import_rows(TEST_CLI, rows[:1])
    assert [i.user_id for i in done] == ["U1"] and isinstance(done[0].account_id, UUID)
