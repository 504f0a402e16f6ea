"""Conversation words: cancel, confirm, thanks, help, greeting — including slang and filler.

`classify` reads a short folded utterance made only of conversation words ("whoa, hold on",
"meh drop it", "fine, ship it", "vas-y", "laisse tomber", "thanks mate, all good") and says
which conversation act it is, or None when the text asks for something else. With a card
waiting for confirmation, words that would otherwise be action words ("stop", "ship it", "go")
are conversation words: they answer the card, they never issue or change an action.
"""

from __future__ import annotations

import re

from rapidfuzz.distance import OSA

_FILLER = frozenset(
    "please pls plz plse stp svp mate man dude bro buddy pal bot chatops team folks guys all then now actually "
    "well hmm hm uh um umm oh ah er so just ok okay alright right really maybe uhh erm lol haha sorry asap quick "
    "quickly vite rapidement what huh eh wtf quoi hein ami l'ami mon ami les amis "
    "allez bon ben euh heu ah oh bah hein alors donc du coup finalement en fait tout ca merci beaucoup "
    "vraiment pote mec chef".split()
)
# Cancel words that are also action words: with something to act on in the conversation and no card
# waiting, "stop it" is a request (stop the service just discussed), not a cancellation.
_ACTION_LIKE_CANCEL = frozenset(
    "stop|stop it|stop that|halt|arrete|arretez|arrete tout|stoppe|arrete le|arrete la|stop stop".split("|")
)
_CANCEL = tuple(sorted((
    "no|nope|nah|naw|nay|n|cancel|cancel it|cancel that|abort|abort it|stop|stop it|stop that|wait|hold on|hold up"
    "|hold it|hold|whoa|woah|wo|never mind|nevermind|nvm|forget it|forget that|forget about it|drop it|drop that"
    "|scrap it|scrap that|skip it|skip|not now|not yet|don't|dont|do not|don't do it|dont do it|don't do that"
    "|no way|no thanks|no thank you|meh|belay that|on second thought|second thoughts|actually no|changed my mind"
    "|i changed my mind|let's not|lets not|better not|rather not|not a good idea|undo|leave it|let it be"
    "|no no|no don't|nah forget it|not anymore|halt|negative|call it off|back off|step back"
    "|non|non merci|annule|annuler|annulez|annule ca|annule tout|on annule|laisse tomber|laisse|laissez tomber"
    "|oublie|oublie ca|oubliez|abandonne|abandonner|abandonnez|pas maintenant|pas tout de suite|surtout pas"
    "|attends|attendez|attend|minute|une minute|deux secondes|stop stop|arrete|arretez|arrete tout|on arrete"
    "|ne fais rien|ne fais pas ca|fais pas ca|finalement non|bof|tant pis|non non|pas la peine|c'est mort"
    "|laisse courir|on laisse|oublions|on oublie|pas question|hors de question|stoppe|halte|nan|nope merci"
    "|not that one|not that|wrong one|pas celui-la|pas celle-la|pas ca|mauvais choix|no wrong"
    "|cancel the deploy|cancel the deployment|cancel my request|cancel the request|cancel the restart"
    "|cancel the reboot|cancel the action|cancel the command|cancel this|abort the deploy|abort the deployment"
    "|stop the deploy|stop the deployment|cancel the rollback|annule le deploiement|annule le deploy"
    "|annule la demande|annule ma demande|annule le redemarrage|annule le reboot|annule l'action|annule la commande"
    "|annule le rollback|arrete le deploiement|annuler le deploiement|laisse tomber le deploiement"
    "|on verra|on verra demain|on verra plus tard|on verra ca demain|on verra ca plus tard|plus tard|pas ce soir"
    "|une autre fois|pas aujourd'hui|we'll see|we'll see tomorrow|maybe later|not tonight|another time|not today"
    "|some other time|let's wait|lets wait|on attend|attendons"
).split("|"), key=len, reverse=True))
_CONFIRM = tuple(sorted((
    "yes|yep|yeah|yea|ya|yup|y|sure|sure thing|confirm|confirmed|i confirm|go|go ahead|go for it|do it|proceed"
    "|approve|approved|lgtm|let's go|lets go|let's do it|lets do it|yes please|absolutely|affirmative|of course"
    "|definitely|please do|make it so|sounds good|looks good|green light|you may|granted|roger|aye|k|kk|correct"
    "|that's right|exactly|right on|yes sir|yes go|yes do it|go on|carry on|execute|run it|send it|fire away"
    "|oui|ouais|ouaip|ouep|o|oui oui|d'accord|daccord|dac|confirme|confirmer|confirmez|je confirme|vas-y|vas y"
    "|allez-y|allez y|go go|valide|valider|validez|je valide|c'est bon|cest bon|fais-le|fais le|faites-le"
    "|on y va|banco|carrement|bien sur|evidemment|exactement|c'est ca|allons-y|feu|fonce|envoie|envoie la sauce"
    "|lance|lance-le|execute|oui vas-y|oui go|ok go|ok vas-y|parfait vas-y|yes go ahead|yeah do it"
    "|c'est parti|cest parti|c'est parti mon kiki|allez go|go go go|let's roll|lets roll|hit it|all right go"
    "|ok proceed|yes proceed|fine go|bah oui|ben oui|oui oui vas-y|zou"
).split("|"), key=len, reverse=True))
# Only with a card waiting: these would otherwise be action words.
_CONFIRM_WITH_CARD = tuple(sorted((
    "ship it|ship|push it|deploy it|roll it out|hit it|punch it|pull the trigger|send|run|do the thing"
).split("|"), key=len, reverse=True))
_WEAK_CONFIRM = frozenset("ok okay k kk alright fine cool good great nice perfect super parfait nickel top bon".split())
_THANKS = tuple(sorted((
    "thanks|thank you|thank u|thx|thnx|tks|ty|tyvm|cheers|much appreciated|appreciated|that's all|thats all"
    "|that's it|thats it|all good|all set|we're good|were good|i'm good|im good|good job|nice one|great job"
    "|well done|awesome|perfect|great|brilliant|nice|cool|sweet|that'll do|that will do|done for now"
    "|nothing else|that's everything|merci|merci beaucoup|merci bien|merci bcp|mci|cimer|c'est tout"
    "|mille mercis|mille merci|merci mille fois|un grand merci|grand merci|thanks a lot|thanks a million|many thanks"
    "|thanks a bunch|big thanks|merci infiniment|merci encore|thanks again"
    "|ca ira|ca sera tout|ce sera tout|c'est parfait|parfait|super|top|nickel|genial|impec|impeccable"
    "|au top|bien joue|bravo|rien d'autre|c'est bon pour moi|c'est tout bon|tout est bon|bye|goodbye|bye bye"
    "|see you|see ya|cya|ciao|a plus|a+|bonne journee|bonne soiree|a bientot|a demain|have a nice day|later"
).split("|"), key=len, reverse=True))
_HELP = tuple(sorted((
    "help|help me|need help|i need help|help please|halp|commands|command list|list commands|usage|manual|menu"
    "|what can you do|what can u do|what do you do|what are you able to do|what are you capable of"
    "|what can i ask|what can i ask you|what can i do|what can i say|what do you know|how do i use you"
    "|how do i use this|how does this work|how does it work|how to use|what are your commands|what are your skills"
    "|show me what you can do|your skills|your commands|capabilities|features|options|what actions|what actions"
    " do you know|which commands|list your actions|list actions|aide|aide moi|aidez moi|a l'aide|au secours"
    "|j'ai besoin d'aide|besoin d'aide|que sais-tu faire|que sais tu faire|que peux-tu faire|que peux tu faire"
    "|tu sais faire quoi|tu peux faire quoi|vous pouvez faire quoi|qu'est-ce que tu sais faire"
    "|qu'est-ce que tu peux faire|qu'est ce que tu sais faire|qu'est ce que tu peux faire|comment ca marche"
    "|comment t'utiliser|comment on t'utilise|comment je t'utilise|quelles commandes|liste des commandes"
    "|tes commandes|mode d'emploi|c'est quoi tes commandes|que puis-je demander|que puis je demander"
    "|quelles sont tes capacites|tes capacites|quelles actions|quelles sont tes commandes|what are your options"
    "|what are the commands|show me the commands|que peux-tu faire pour moi|what can you do for me"
    "|what commands|which commands do you know|what commands do you understand|which commands do you understand"
    "|what do you understand|what can you understand|what do you support|what is supported|quelles commandes tu"
    " comprends|tu comprends quoi|que comprends-tu|que comprends tu|quelles commandes comprends-tu"
    "|quelles commandes connais-tu|tu connais quelles commandes"
).split("|"), key=len, reverse=True))
_GREETING = tuple(sorted((
    "hi|hello|hey|heya|hiya|howdy|yo|good morning|good afternoon|good evening|morning|evening|greetings"
    "|hi there|hello there|hey there|sup|wassup|what's up|whats up|bonjour|salut|coucou|bonsoir|bjr|slt"
    "|hello hello|re|rebonjour|bien le bonjour|salutations|hey hey|t'es la|tu es la|vous etes la|are you there"
    "|you there|u there|anyone there|anybody there|ping|y a quelqu'un|il y a quelqu'un"
).split("|"), key=len, reverse=True))

_KINDS = (("cancel", _CANCEL), ("help", _HELP), ("confirm", _CONFIRM), ("thanks", _THANKS),
          ("greeting", _GREETING))
_PUNCT = re.compile(r"[^a-z0-9' -]+")
_MAX_WORDS = 10


def _normal(folded: str) -> str:
    text = _PUNCT.sub(" ", folded.replace("’", "'"))
    text = re.sub(r"(?<![a-z])'|'(?![a-z])", " ", text)
    text = re.sub(r"\b([a-z])\1{2,}\b", r"\1", text)  # "nooo" stays, "kkk" → "k"
    text = re.sub(r"([a-z])\1{2,}", r"\1\1", text)  # "whoaaa" → "whoaa", "noooo" → "noo"
    return " ".join(text.split())


def _alternation(phrases: tuple[str, ...]) -> re.Pattern[str]:
    return re.compile(r"(?<![a-z0-9'-])(?:" + "|".join(re.escape(p) for p in phrases) + r")(?![a-z0-9'-])")


_PATTERNS = {kind: _alternation(phrases) for kind, phrases in _KINDS}
_WITH_CARD = _alternation(_CONFIRM_WITH_CARD)


def _strip(text: str, pattern: re.Pattern[str]) -> tuple[str, int]:
    return pattern.subn(" ", text)


def _elongated(word: str) -> str:
    """`noo`, `nooo`, `yess`, `whoaa` → `no`, `yes`, `whoa` (a letter doubled at the end)."""
    return re.sub(r"([a-z])\1+$", r"\1", word)


_SHORT_PHRASES = tuple(
    (kind, phrase) for kind, phrases in _KINDS for phrase in phrases if len(phrase) >= 5
)


def _close_phrase(text: str) -> str | None:
    """A short message one or two typos away from exactly one kind's phrase ("foget it", "go ahed", "meric")."""
    if len(text) < 5 or len(text.split()) > 3 or any(ch.isdigit() for ch in text):
        return None
    kinds = {kind for kind, phrase in _SHORT_PHRASES
             if abs(len(phrase) - len(text)) <= 1 and OSA.distance(phrase, text, score_cutoff=1) <= 1}
    return kinds.pop() if len(kinds) == 1 else None


_DECLINE = re.compile(r"\b(?:no thanks?|no thank you|non merci|nan merci|no merci)\b")

_PLAIN_YES = frozenset(
    "yes|yep|yeah|yup|y|ya|oui|ouais|ouep|o|ok|okay|sure|please|yes please|oui stp|oui svp|oui merci|volontiers"
    "|avec plaisir|why not|pourquoi pas|go on|yes sure|ok please|d'accord|dac|bien sur|of course".split("|")
)


def plain_yes(folded: str) -> bool:
    """A bare "yes" (not "confirm" / "go ahead"): the answer to an offered "Need details?"."""
    return " ".join(w for w in _normal(folded).split() if w not in ("mate", "bot", "alors", "bon")) in _PLAIN_YES


def classify(folded: str, *, card_waiting: bool = False, subject: bool = False) -> str | None:
    """"cancel" | "confirm" | "thanks" | "help" | "greeting", or None when other words remain.

    `subject`: the conversation is about a service or hosts (then a bare "stop it" without a card waiting
    is a request about them)."""
    text = _normal(folded)
    if subject and not card_waiting and text in _ACTION_LIKE_CANCEL:
        return None
    if not text or len(text.split()) > _MAX_WORDS:
        return None
    text = " ".join(_elongated(w) if w not in _FILLER else w for w in text.split())
    original = text
    hits: dict[str, int] = {}
    for kind, _ in _KINDS:
        text, hits[kind] = _strip(text, _PATTERNS[kind])
    if card_waiting:
        text, extra = _strip(text, _WITH_CARD)
        hits["confirm"] += extra
    rest = [w for w in text.split() if w not in _FILLER and w not in _WEAK_CONFIRM]
    weak = [w for w in text.split() if w in _WEAK_CONFIRM]
    if rest:
        close = _close_phrase(original)
        return close if close and all(kind == close or not n for kind, n in hits.items()) else None
    if hits["cancel"] and not card_waiting and (hits["thanks"] or _DECLINE.search(original)):
        return "thanks"  # "non merci, c'est tout" / "no thanks, that's all": declining an offer, nothing to cancel
    if hits["cancel"]:
        return "cancel"
    if hits["help"]:
        return "help"
    if hits["confirm"]:
        return "confirm"
    if hits["thanks"]:
        return "thanks"
    if hits["greeting"]:
        return "greeting"
    if weak and (card_waiting or set(weak) & {"ok", "okay", "k", "kk", "alright"}):
        return "confirm"
    if weak:
        return "thanks"
    return None
