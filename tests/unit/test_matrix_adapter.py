"""The Matrix adapter's pure parts: rendering, card answers by reaction or reply, mentions, backoff, settings."""

from __future__ import annotations

import re
import subprocess
import sys
from datetime import UTC, datetime

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from chatops_commander.adapters.platforms.matrix import cards, events, render
from chatops_commander.adapters.platforms.matrix.bot import Backoff
from chatops_commander.services.platforms.contract import (
    Button,
    ButtonStyle,
    Card,
    CardKind,
    ChatUser,
    HostOutput,
    Outbound,
    Place,
    Platform,
)

PLACE = Place(Platform.MATRIX, "example.org", "!room:example.org")
ALICE = ChatUser(Platform.MATRIX, "@alice:example.org", "Alice")
BOB = ChatUser(Platform.MATRIX, "@bob:example.org", "Bob")
BOT = events.BotIdentity("@chatops:example.org", "ChatOps")
HIGH_RISK = Card(CardKind.CONFIRM, "Reboot db-01?", buttons=(Button("Confirm", "yes", ButtonStyle.DANGER),
                                                            Button("Cancel", "no")))
APPROVAL = Card(CardKind.APPROVE, "Deploy?", buttons=(Button("Approve", "ok", ButtonStyle.PRIMARY),
                                                      Button("Reject", "ko", ButtonStyle.DANGER)))
CHOICE = Card(CardKind.CHOOSE, "Which?", buttons=tuple(Button(f"fix {i}", f"f{i}") for i in range(1, 4)))


def test_a_high_risk_confirmation_drawn_as_danger_is_still_confirmed_by_thumbs_up_and_cancelled_by_thumbs_down(
) -> None:
    assert cards.button_for_reaction(HIGH_RISK, "👍").payload == "yes"  # type: ignore[union-attr]
    assert cards.button_for_reaction(HIGH_RISK, "✅").payload == "yes"  # type: ignore[union-attr]
    assert cards.button_for_reaction(HIGH_RISK, "👎🏿").payload == "no"  # type: ignore[union-attr]
    assert cards.button_for_reaction(HIGH_RISK, "❌").payload == "no"  # type: ignore[union-attr]
    assert cards.button_for_reaction(HIGH_RISK, "🎉") is None


def test_a_choice_card_answers_only_to_its_numbers() -> None:
    assert cards.button_for_reaction(CHOICE, "2️⃣").payload == "f2"  # type: ignore[union-attr]
    assert cards.button_for_reaction(CHOICE, "2\u20e3").payload == "f2"  # type: ignore[union-attr]
    assert cards.button_for_reaction(CHOICE, "4️⃣") is None
    assert cards.button_for_reaction(CHOICE, "👍") is None
    assert cards.button_for_reply(CHOICE, "3").payload == "f3"  # type: ignore[union-attr]
    assert cards.button_for_reply(CHOICE, "fix 1").payload == "f1"  # type: ignore[union-attr]
    assert cards.button_for_reply(CHOICE, "oui") is None


@pytest.mark.parametrize(("reply", "payload"), [("yes", "ok"), ("Oui !", "ok"), ("approuver", "ok"), ("1", "ok"),
                                                ("no", "ko"), ("Non.", "ko"), ("rejeter", "ko"), ("2", "ko"),
                                                ("👎", "ko")])
def test_a_reply_to_an_approval_card_in_english_or_french(reply: str, payload: str) -> None:
    button = cards.button_for_reply(APPROVAL, reply)
    assert button is not None and button.payload == payload


@example("²")
@given(st.text(max_size=40))
def test_any_reply_maps_to_one_of_the_cards_buttons_or_to_nothing(reply: str) -> None:
    for card in (HIGH_RISK, APPROVAL, CHOICE):
        button = cards.button_for_reply(card, reply)
        assert button is None or button in card.buttons


def test_a_card_is_answerable_only_on_its_message_and_a_confirmation_only_by_its_owner() -> None:
    posted = cards.PostedCards(keep=2)
    posted.remember(cards.PostedCard("$confirm", HIGH_RISK, PLACE, ALICE))
    posted.remember(cards.PostedCard("$approve", APPROVAL, PLACE, None))
    assert posted.answerable_by("$confirm", ALICE.user_id) is not None
    assert posted.answerable_by("$confirm", BOB.user_id) is None
    assert posted.answerable_by("$other", ALICE.user_id) is None
    assert posted.answerable_by("$approve", BOB.user_id) is not None
    posted.remember(cards.PostedCard("$third", CHOICE, PLACE, ALICE))
    assert posted.get("$confirm") is None  # the oldest is forgotten past `keep`


def test_an_outbound_renders_html_and_plain_with_outputs_in_pre_code_and_a_cut_said_in_french() -> None:
    message = Outbound(PLACE, "**nginx** restarted on `web-01`\n- one\n- two", lang="fr", mention=ALICE,
                       outputs=(HostOutput("web-01", "<ok>" * 2000, ok=False),),
                       card=Card(CardKind.CONFIRM, "Go?", (("Risk", "high"),), HIGH_RISK.buttons,
                                 datetime(2026, 1, 1, 12, 30, tzinfo=UTC)))
    out = render.render(message)
    assert out.mentions == (ALICE.user_id,)
    assert '<a href="https://matrix.to/#/@alice:example.org">Alice</a>' in out.html
    assert "<strong>nginx</strong> restarted on <code>web-01</code>" in out.html
    assert "<ul><li>one</li><li>two</li></ul>" in out.html
    assert "<pre><code>&lt;ok&gt;" in out.html and "❌ <strong>web-01</strong>" in out.html
    assert "sortie coupée : 4000 caractères de plus" in out.body
    assert "<ol><li>Confirm</li><li>Cancel</li></ol>" in out.html
    assert "Réagissez 👍 pour confirmer" in out.body and "Expire à 12:30 UTC." in out.body
    assert "**" not in out.body.split("\n")[1]


def test_many_hosts_outputs_stay_under_the_event_size_and_say_how_many_are_not_shown() -> None:
    outputs = tuple(HostOutput(f"web-{i:02d}", "y" * 3000) for i in range(20))
    out = render.render(Outbound(PLACE, "Disk", outputs=outputs))
    assert len(out.body.encode()) + len(out.html.encode()) < 60_000
    assert "more hosts not shown" in out.body


def test_code_spans_are_kept_byte_for_byte_and_never_bolded() -> None:
    out = render.render(Outbound(PLACE, "run `**x** <y>`"))
    assert "<code>**x** &lt;y&gt;</code>" in out.html


@pytest.mark.parametrize(("body", "text"), [
    ("chatops: restart nginx", "restart nginx"),
    ("@chatops:example.org restart nginx", "restart nginx"),
    ("ChatOps, check disk", "check disk"),
    ("please @chatops check disk", "please check disk"),
])
def test_the_bots_mention_is_seen_and_taken_out(body: str, text: str) -> None:
    assert events.mentions_bot({}, body, BOT)
    assert events.without_mention(body, BOT) == text


@pytest.mark.parametrize("body", ["I love chatops", "chatopsy", "@chatops:other.org hi", "hello"])
def test_other_text_is_not_a_mention(body: str) -> None:
    assert not events.mentions_bot({}, body, BOT)


def test_a_mention_pill_or_m_mentions_counts_and_a_reply_fallback_is_dropped() -> None:
    assert events.mentions_bot({"m.mentions": {"user_ids": [BOT.user_id]}}, "hey", BOT)
    assert events.mentions_bot({"formatted_body": f'<a href="https://matrix.to/#/{BOT.user_id}">x</a>'}, "x", BOT)
    content = {"msgtype": "m.text", "body": "> <@chatops:example.org> Card\n> more\n\n2",
               "m.relates_to": {"m.in_reply_to": {"event_id": "$card"}}}
    assert events.reply_to(content) == "$card" and events.message_text(content) == "2"
    assert events.message_text({"msgtype": "m.notice", "body": "x"}) is None
    assert events.message_text({"msgtype": "m.text", "body": "x", "m.relates_to": {"rel_type": "m.replace"}}) is None


def test_the_backoff_doubles_with_jitter_up_to_its_cap_and_resets() -> None:
    backoff = Backoff(first=1.0, cap=8.0)
    delays = [backoff.next_delay() for _ in range(6)]
    assert 0.8 <= delays[0] <= 1.2 and 1.6 <= delays[1] <= 2.4 and all(6.4 <= d <= 9.6 for d in delays[3:])
    backoff.reset()
    assert backoff.next_delay() <= 1.2


def test_importing_the_adapter_does_not_import_the_matrix_library() -> None:
    code = ("import sys, chatops_commander.adapters.platforms.matrix, chatops_commander.adapters.platforms.matrix.bot;"
            "sys.exit('mautrix' in sys.modules)")
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0


_OUR_TAGS = re.compile(r"</?(?:p|br|strong|code|ul|li|pre|ol|em)>|<a href=\"[^\"<>]*\">|</a>")


@given(st.text(max_size=200), st.text(max_size=200), st.text(max_size=30))
def test_any_text_output_or_card_title_is_escaped_in_the_html(text: str, output: str, title: str) -> None:
    message = Outbound(PLACE, text, outputs=(HostOutput("web-01", output),),
                       card=Card(CardKind.CHOOSE, title, ((title, text),), (Button(title, "p"),)))
    out = render.render(message)
    assert "<" not in _OUR_TAGS.sub("", out.html)


@given(st.text(max_size=80))
def test_taking_the_mention_out_never_fails_and_never_adds_text(body: str) -> None:
    assert len(events.without_mention(body, BOT)) <= len(body)
