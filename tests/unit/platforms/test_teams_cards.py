"""Teams rendering: the door's messages as Teams activities (markdown, one block per host, an Adaptive Card whose
buttons are Action.Execute carrying the signed payload), mentions removed from what users wrote."""

from __future__ import annotations

from datetime import UTC, datetime

from hypothesis import given
from hypothesis import strategies as st

from chatops_commander.adapters.platforms.teams.bot import clean, split_thread
from chatops_commander.adapters.platforms.teams.cards import (
    OUTPUT_MAX,
    TEXT_MAX,
    VERB,
    card_payload,
    markdown,
    to_activity,
)
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
from chatops_commander.services.platforms.wording import cut

PLACE = Place(Platform.TEAMS, "tenant", "19:ops@thread.tacv2", "17")


def test_a_confirmation_becomes_an_adaptive_card_with_execute_buttons_carrying_the_payload() -> None:
    card = Card(CardKind.CONFIRM, "Confirmer cette action ?", (("Action", "service.restart"), ("Serveurs", "web-01")),
                (Button("Confirmer", "p-yes", ButtonStyle.PRIMARY), Button("Annuler", "p-no", ButtonStyle.DANGER)),
                expires_at=datetime(2026, 11, 30, 21, 5, tzinfo=UTC))
    activity = to_activity(Outbound(PLACE, "Redémarrer nginx sur web-01 ?", lang="fr", card=card))
    body = activity.model_dump(by_alias=True, exclude_none=True)
    [attachment] = body["attachments"]
    content = attachment["content"]
    assert attachment["contentType"] == "application/vnd.microsoft.card.adaptive" and content["version"] == "1.5"
    assert [(a["type"], a["title"], a["verb"], a["data"][VERB], a["style"]) for a in content["actions"]] == [
        ("Action.Execute", "Confirmer", VERB, "p-yes", "positive"),
        ("Action.Execute", "Annuler", VERB, "p-no", "destructive")]
    assert {"title": "Serveurs", "value": "web-01"} in content["body"][1]["facts"]
    assert content["body"][2]["text"] == "Expire le 2026-11-30 21:05 UTC"
    assert body["text"] == "Redémarrer nginx sur web-01 ?" and body["textFormat"] == "markdown"
    assert card_payload(content["actions"][0]["data"]) == "p-yes" and card_payload({"other": 1}) == ""


def test_outputs_are_code_blocks_cut_with_a_note_in_the_conversation_language() -> None:
    message = Outbound(PLACE, "Résultat", lang="fr", outputs=(HostOutput("web-01", "x" * 5000, ok=False),
                                                              HostOutput("web-02", "fine ``` done")))
    text = markdown(message)
    assert "❌ **web-01**\n```\n" in text and "… (coupé)" in text and "'''" in text  # no fence broken by output
    assert text.count("```") == 4 and len(text) < 2 * OUTPUT_MAX


def test_a_known_account_is_mentioned_and_an_unknown_one_named() -> None:
    from microsoft_teams.api.models.account import Account

    user = ChatUser(Platform.TEAMS, "aad-op", "Op")
    mentioned = to_activity(Outbound(PLACE, "Step 1/3", mention=user), Account(id="29:op", name="Op"))
    dumped = mentioned.model_dump(by_alias=True, exclude_none=True)
    assert dumped["text"].startswith("<at>Op</at> ") and dumped["entities"][0]["mentioned"]["id"] == "29:op"
    named = to_activity(Outbound(PLACE, "Step 1/3", mention=user)).model_dump(by_alias=True, exclude_none=True)
    assert named["text"] == "@Op Step 1/3" and "entities" not in named


def test_the_bots_mention_and_teams_html_are_removed_from_what_the_user_wrote() -> None:
    assert clean("<at>ChatOps</at> restart nginx on web-01") == "restart nginx on web-01"
    assert clean("<p><at>ChatOps Bot</at>&nbsp;deploy v2.5.0 &amp; smoke</p>") == "deploy v2.5.0 & smoke"
    assert clean(None) == ""
    assert split_thread("19:ops@thread.tacv2;messageid=17") == ("19:ops@thread.tacv2", "17")
    assert split_thread("a:direct") == ("a:direct", None)


@given(st.text(max_size=30_000), st.integers(min_value=20, max_value=TEXT_MAX), st.sampled_from(["en", "fr"]))
def test_cut_never_exceeds_its_limit_and_keeps_short_text_whole(text: str, limit: int, lang: str) -> None:
    out = cut(text, limit, lang)
    assert len(out) <= limit
    assert out == text if len(text) <= limit else out.endswith("(cut)" if lang == "en" else "(coupé)")


@given(st.text(alphabet=st.characters(blacklist_characters="<>&"), max_size=200))
def test_text_without_markup_is_kept_as_written(text: str) -> None:
    assert clean(f"<at>ChatOps</at> {text}") == text.strip()
