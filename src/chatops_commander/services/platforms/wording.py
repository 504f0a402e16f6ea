"""What the platform door says by itself (never a turn's reply), in English and French."""

from __future__ import annotations

import re

_FRENCH = re.compile(r"[éèêàçùôî]|\b(le|la|les|mon|ma|mes|est|sur|redémarre|lier|bonjour|salut|aide|oui|non)\b",
                     re.IGNORECASE)
LINK_WORDS = re.compile(r"^\s*(link( my account)?|connect( my account)?|lier( mon compte)?|relier( mon compte)?)"
                        r"\s*[.!]?\s*$", re.IGNORECASE)

HELP_WORDS = re.compile(r"\b(help|aide|commands?|commandes?|que (sais|peux)-tu|what can you)\b|^\s*\?\s*$",
                        re.IGNORECASE)


def guess_lang(text: str, default: str = "en") -> str:
    """For people we do not know yet (no account, so no language setting)."""
    return "fr" if _FRENCH.search(text or "") else default


def unlinked(lang: str) -> str:
    if lang == "fr":
        return ("Bonjour ! Je ne sais pas encore quel compte ChatOps Commander est le vôtre, donc je n'exécute "
                "rien pour vous. Écrivez-moi « lier mon compte » : je vous enverrai un lien à usage unique à "
                "ouvrir dans l'interface web où vous êtes connecté. Un administrateur peut aussi vous associer "
                "(`chatops bots link import`).")
    return ("Hi! I don't know which ChatOps Commander account is yours yet, so I run nothing for you. Send me "
            "\"link my account\": I will answer with a one-time link to open in the web UI while you are logged "
            "in. An administrator can also map you (`chatops bots link import`).")


def account_disabled(lang: str) -> str:
    return ("Le compte associé à votre identité de chat est désactivé : je n'exécute rien. Voyez un administrateur."
            if lang == "fr" else
            "The account linked to your chat identity is disabled: I run nothing. Please see an administrator.")


def link_offer(url: str, minutes: int, lang: str) -> str:
    if lang == "fr":
        return (f"Ouvrez ce lien dans l'interface web, en étant connecté, et confirmez : {url}\n"
                f"Il ne sert qu'une fois et expire dans {minutes} min. Ne le partagez pas.")
    return (f"Open this link in the web UI while logged in, and confirm: {url}\n"
            f"It works once and expires in {minutes} min. Do not share it.")


def already_linked(email: str, lang: str) -> str:
    return (f"Votre identité de chat est déjà associée à {email}. Pour en changer, un administrateur retire le lien "
            "(`chatops bots link remove`)." if lang == "fr" else
            f"Your chat identity is already linked to {email}. To change it, an administrator removes the link "
            "(`chatops bots link remove`).")


def slow_down(wait: int, lang: str) -> str:
    return (f"Ralentissez : trop de messages. Réessayez dans {wait} s." if lang == "fr"
            else f"Slow down: too many messages. Try again in {wait} s.")


def button_refused(code: str, lang: str) -> str:
    fr = lang == "fr"
    texts = {
        "forged": ("Ce bouton n'a pas été émis par moi ; je le refuse.",
                   "This button was not issued by me; I refuse it."),
        "malformed": ("Ce bouton n'a pas été émis par moi ; je le refuse.",
                      "This button was not issued by me; I refuse it."),
        "expired": ("Ce bouton a expiré : redemandez l'action.",
                    "This button has expired: ask for the action again."),
        "stale": ("Ce choix n'est plus d'actualité : la conversation a avancé depuis. Redemandez si besoin.",
                  "This choice is no longer current: the conversation has moved on since. Ask again if needed."),
        "replayed": ("Ce bouton a déjà servi : il ne sert qu'une fois.",
                     "This button was used already: it works once."),
        "not_yours": ("Ce bouton est destiné à la personne qui a demandé l'action, pas à vous.",
                      "This button is for the person who asked for the action, not for you."),
        "own_request": ("Vous ne pouvez pas approuver votre propre demande : une autre personne doit le faire.",
                        "You cannot approve your own request: another person must."),
    }
    fr_text, en_text = texts.get(code, texts["forged"])
    return fr_text if fr else en_text


def decided_here(approve: bool, what: str, by: str, lang: str) -> str:
    if lang == "fr":
        return f"{'✅ Approuvé' if approve else '❌ Rejeté'} par {by} : {what}."
    return f"{'✅ Approved' if approve else '❌ Rejected'} by {by}: {what}."


def help_for(lines: list[str], restricted: bool, lang: str) -> str:
    fr = lang == "fr"
    if not lines:
        return ("Rien ici : ni votre rôle ni ce canal ne permettent d'action." if fr
                else "Nothing here: neither your role nor this channel allows an action.")
    if fr:
        head = "Voici ce que vous pouvez me demander ici" + (" (ce canal est restreint)" if restricted else "") + " :"
    else:
        head = "Here is what you may ask me here" + (" (this channel is restricted)" if restricted else "") + ":"
    return head + "\n" + "\n".join(lines)


LABELS = {
    "confirm": ("Confirmer", "Confirm"), "cancel": ("Annuler", "Cancel"), "approve": ("Approuver", "Approve"),
    "reject": ("Rejeter", "Reject"), "action": ("Action", "Action"), "hosts": ("Serveurs", "Hosts"),
    "risk": ("Risque", "Risk"), "impact": ("Impact", "Impact"), "requester": ("Demandé par", "Requested by"),
    "confirm_title": ("Confirmer cette action ?", "Confirm this action?"),
    "approve_title": ("Approbation demandée (4 yeux)", "Approval requested (4-eyes)"),
    "choose_title": ("Que voulez-vous faire ?", "What would you like to do?"),
}


def label(key: str, lang: str) -> str:
    fr_text, en_text = LABELS[key]
    return fr_text if lang == "fr" else en_text


def direct_message_sent(lang: str) -> str:
    """Said in a channel when the answer was for one person only and went to their direct chat with the bot."""
    return "Je vous ai envoyé un message direct." if lang == "fr" else "I sent you a direct message."


def press_received(lang: str) -> str:
    """What a platform shows right away on a button press, while the door answers in the conversation."""
    return "Reçu : la réponse suit dans la conversation." if lang == "fr" else \
        "Received: the answer follows in the conversation."


def cut(text: str, limit: int, lang: str) -> str:
    """`text` within a platform's `limit` of characters, saying it was cut (in the conversation's language)."""
    if len(text) <= limit:
        return text
    note = " … (coupé)" if lang == "fr" else " … (cut)"
    return text[: limit - len(note)] + note
