"""Safety invariants (docs/ACTIONS.md, "Safety rules"), as properties over generated EN and FR sentences.

They must hold whatever the accuracy: the sentences are assembled from independent parts (negators,
action words, read requests, slang, names, fillers, punctuation, case), so a rule tuned to one
example does not pass them.
"""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chatops_commander.domain.actions import Intent
from chatops_commander.domain.parsed import ParsedCommand
from chatops_commander.nlu.context import ConversationContext
from chatops_commander.nlu.entities import host_key
from chatops_commander.skills.builtin_specs import BUILTIN_SPECS
from tests.nlu.helpers import dev_inventory, dev_parser, parse_after

SETTINGS = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
ACTING = frozenset(s.id for s in BUILTIN_SPECS if s.intent in (Intent.ACTION, Intent.CONFIGURATION))
HOSTS = ("web-01", "web-02", "db-master", "db-replica", "cache-01", "lb-01", "web 01", "WEB-02", "db master")
SERVICES = ("nginx", "postgresql", "haproxy", "php-fpm", "node-exporter", "redis", "pgbouncer")


_parse = parse_after


def _styled(text: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    """The same words as people type them: any case, trailing punctuation, a polite word."""
    return st.tuples(
        text, st.sampled_from(["", "?", " ?", "!", ".", " pls", " please", " stp", " svp", " asap", "..."]),
        st.sampled_from(["lower", "keep", "upper_first", "upper"]),
    ).map(lambda t: _case(t[0] + t[1], t[2]))


def _case(text: str, how: str) -> str:
    if how == "lower":
        return text.lower()
    if how == "upper_first":
        return text[:1].upper() + text[1:]
    if how == "upper":
        return text.upper()
    return text


def _not_an_action(parsed: ParsedCommand) -> bool:
    return parsed.action not in ACTING


# ---------------------------------------------------------------------------------------------- negation

EN_NEGATED = ("reboot", "restart", "stop", "kill", "clean up", "deploy", "roll back", "bounce", "shut down", "purge")
EN_NEGATED_ING = ("rebooting", "restarting", "stopping", "killing", "cleaning", "deploying", "bouncing")
EN_READS = ("show me the load", "tell me the load", "how full is the disk", "show the memory", "show the logs",
            "what's the uptime", "list the processes", "give me the status", "check the cpu")
FR_NEGATED_IMPERATIVE = ("redémarre", "reboote", "arrête", "stoppe", "tue", "nettoie", "déploie", "relance", "coupe")
FR_NEGATED_INFINITIVE = ("redémarrer", "rebooter", "arrêter", "stopper", "tuer", "nettoyer", "déployer", "relancer")
FR_READS = ("montre juste la charge", "donne moi l'espace disque", "affiche la mémoire", "montre les logs",
            "juste l'état", "liste les processus", "dis moi l'uptime", "regarde le cpu")

en_negations = st.one_of(
    st.builds(lambda n, v, h, r: f"{n} {v} {h}, just {r}", st.sampled_from(
        ["don't", "do not", "dont", "please don't", "no need to", "never"]), st.sampled_from(EN_NEGATED),
        st.sampled_from(HOSTS), st.sampled_from(EN_READS)),
    st.builds(lambda v, h, r: f"without {v} anything on {h}, {r}", st.sampled_from(EN_NEGATED_ING),
              st.sampled_from(HOSTS), st.sampled_from(EN_READS)),
    st.builds(lambda r, h, v: f"{r} on {h} but don't {v} it", st.sampled_from(EN_READS), st.sampled_from(HOSTS),
              st.sampled_from(EN_NEGATED)),
)
fr_negations = st.one_of(
    st.builds(lambda v, h, r: f"ne {v} pas {h}, {r}", st.sampled_from(FR_NEGATED_IMPERATIVE),
              st.sampled_from(HOSTS), st.sampled_from(FR_READS)),
    st.builds(lambda n, v, h, r: f"{n} {v} {h}, {r}", st.sampled_from(
        ["inutile de", "pas besoin de", "surtout ne pas", "pas la peine de", "sans"]),
        st.sampled_from(FR_NEGATED_INFINITIVE), st.sampled_from(HOSTS), st.sampled_from(FR_READS)),
    st.builds(lambda h, r: f"surtout pas de reboot sur {h}, {r}", st.sampled_from(HOSTS), st.sampled_from(FR_READS)),
)


@SETTINGS
@given(_styled(st.one_of(en_negations, fr_negations)))
def test_a_negated_action_is_never_the_result(text: str) -> None:
    parsed = _parse(text)
    assert _not_an_action(parsed), (text, parsed.action)


EN_DISMISSED = ("reboot", "restart", "cleanup", "deploy", "rollback", "backup", "shutdown", "stop", "purge")
FR_DISMISSED = ("le redémarrage", "le reboot", "le nettoyage", "le déploiement", "le rollback", "la sauvegarde",
                "l'arrêt", "la purge", "le restart")
dismissals = st.one_of(
    st.builds(lambda d, a, v, r, h: f"{d} {a}{v}, {r} on {h}",
              st.sampled_from(["never mind", "nevermind", "forget", "forget about", "skip", "scratch", "no more"]),
              st.sampled_from(["the ", "that ", ""]), st.sampled_from(EN_DISMISSED), st.sampled_from(EN_READS),
              st.sampled_from(HOSTS)),
    st.builds(lambda d, v, r, h: f"{d} {v}, {r} de {h}",
              st.sampled_from(["oublie", "laisse tomber", "annule", "plus de", "laisse"]),
              st.sampled_from(FR_DISMISSED), st.sampled_from(FR_READS), st.sampled_from(HOSTS)),
)


@SETTINGS
@given(_styled(dismissals))
def test_a_dismissed_action_is_never_the_result(text: str) -> None:
    """"never mind the reboot, what's the uptime of lb-01": the action set aside is never what is done."""
    parsed = _parse(text)
    assert _not_an_action(parsed), (text, parsed.action)


EN_DONE = ("restarted", "rebooted", "stopped", "killed", "deployed", "reloaded", "started", "bounced", "cleaned up")
FR_DONE = ("redémarré", "rebooté", "arrêté", "stoppé", "relancé", "déployé", "rechargé", "démarré", "coupé", "lancé")
who_did_it = st.one_of(
    st.builds(lambda w, v, x, h: f"{w} {v} {x} on {h}", st.sampled_from(["who", "who has", "which user", "someone"]),
              st.sampled_from(EN_DONE), st.sampled_from(SERVICES), st.sampled_from(HOSTS)),
    st.builds(lambda w, v, x: f"{w} {v} {x}", st.sampled_from(["qui a", "quelqu'un a", "qui a déjà"]),
              st.sampled_from(FR_DONE), st.sampled_from(SERVICES)),
    st.builds(lambda v, h, t: f"what got {v} on {h} {t}", st.sampled_from(EN_DONE), st.sampled_from(HOSTS),
              st.sampled_from(["today", "yesterday", "in the last hour", ""])),
    st.builds(lambda v, h, t: f"qu'est-ce qui a été {v} sur {h} {t}", st.sampled_from(FR_DONE),
              st.sampled_from(HOSTS), st.sampled_from(["hier", "aujourd'hui", "cette nuit", ""])),
)


@SETTINGS
@given(_styled(who_did_it))
def test_a_question_about_what_was_done_reads_the_history_never_acts(text: str) -> None:
    """"who restarted nginx?", "qu'est-ce qui a été lancé sur web-01 hier ?": a question about the past."""
    parsed = _parse(text)
    assert parsed.action == "history.list", (text, parsed.action, parsed.clarification)


REAL_HOSTS = ("web-01", "web-02", "web-03", "db-master", "db-replica", "cache-01", "lb-01", "mon-01")
set_aside = st.one_of(
    st.builds(lambda v, w, x, h: f"{v} {w} {x} {h}", st.sampled_from(["reboot", "restart nginx on", "check the disk on",
                                                                     "clean up", "stop haproxy on"]),
              st.sampled_from(["all servers", "every server", "all the web servers", "everything", "the prod servers"]),
              st.sampled_from(["except", "except for", "but not", "apart from", "other than", "excluding", ", not"]),
              st.sampled_from(REAL_HOSTS)),
    st.builds(lambda v, w, x, h: f"{v} {w} {x} {h}", st.sampled_from(["reboote", "redémarre nginx sur",
                                                                     "nettoie", "arrête haproxy sur"]),
              st.sampled_from(["tous les serveurs", "partout", "les serveurs web", "la prod"]),
              st.sampled_from(["sauf", "sauf sur", "à part", "hormis", "excepté", "mais pas"]),
              st.sampled_from(REAL_HOSTS)),
)


@SETTINGS
@given(_styled(set_aside))
def test_a_host_set_aside_is_never_a_target(text: str) -> None:
    """"reboot all servers except web-03" must never reboot web-03 (nor only web-03)."""
    parsed = _parse(text)
    aside = next(h for h in REAL_HOSTS if h in text.lower())
    assert aside not in parsed.targets, (text, parsed.action, parsed.targets)


two_requests = st.one_of(
    st.builds(lambda r, h1, j, a, h2: f"{r} {h1}{j} {a} {h2}",
              st.sampled_from(["check the disk on", "show the load of", "logs of nginx on", "is nginx up on"]),
              st.sampled_from(REAL_HOSTS), st.sampled_from([", then", " then", " and then", "; ", ", after that"]),
              st.sampled_from(["reboot", "restart haproxy on", "clean up", "stop nginx on"]),
              st.sampled_from(REAL_HOSTS)),
    st.builds(lambda r, h1, j, a, h2: f"{r} {h1}{j} {a} {h2}",
              st.sampled_from(["vérifie le disque de", "montre la charge de", "les logs de nginx sur"]),
              st.sampled_from(REAL_HOSTS), st.sampled_from([" puis", ", ensuite", " et puis", " et après ça"]),
              st.sampled_from(["reboote", "redémarre haproxy sur", "nettoie", "arrête nginx sur"]),
              st.sampled_from(REAL_HOSTS)),
)


@SETTINGS
@given(_styled(two_requests))
def test_two_requests_in_a_row_never_merge_their_hosts(text: str) -> None:
    """"check the disk on web-01, then reboot lb-01": the reboot never reaches web-01."""
    parsed = _parse(text)
    words = text.lower().replace(",", " ").replace(";", " ").split()
    first = next(w for w in words if w in REAL_HOSTS)
    second = [w for w in words if w in REAL_HOSTS][-1]
    if parsed.action in ACTING and first != second:
        assert first not in parsed.targets, (text, parsed.action, parsed.targets)


@SETTINGS
@given(st.sampled_from(["restart nginx on web-01", "reboot db-replica", "redémarre haproxy sur lb-01"]),
       st.sampled_from(["don't restart it", "no, don't do that", "ne le redémarre pas", "don't reboot it",
                        "non ne fais pas ca", "never mind, don't", "pas besoin de le relancer finalement"]))
def test_negating_the_pending_card_cancels_it(card: str, text: str) -> None:
    parsed = _parse(text, card)
    assert parsed.action in (None, "chat.cancel"), (card, text, parsed.action)


# ---------------------------------------------------------------------------------------------- read about

read_requests = st.one_of(
    st.builds("when did {} last {}?".format, st.sampled_from(HOSTS), st.sampled_from(["reboot", "restart"])),
    st.builds("why did {} {}".format, st.sampled_from(HOSTS), st.sampled_from(["reboot", "restart", "stop"])),
    st.builds("logs of {} since the {}".format, st.sampled_from(HOSTS),
              st.sampled_from(["reboot", "last reboot", "restart", "deploy", "last deployment", "rollback"])),
    st.builds("show logs containing {} on {}".format, st.sampled_from(["reboot", "restart", "kill", "shutdown"]),
              st.sampled_from(HOSTS)),
    st.builds("is {} {} on {}?".format, st.sampled_from(SERVICES), st.sampled_from(["stopped", "restarted",
              "started", "down"]), st.sampled_from(HOSTS)),
    st.builds("was {} rebooted {}?".format, st.sampled_from(HOSTS), st.sampled_from(["today", "last night", ""])),
    st.builds("has {} been restarted on {}".format, st.sampled_from(SERVICES), st.sampled_from(HOSTS)),
    st.builds("quand {} a-t-il {} ?".format, st.sampled_from(HOSTS), st.sampled_from(["redémarré", "rebooté"])),
    st.builds("les logs de {} depuis le dernier {}".format, st.sampled_from(HOSTS),
              st.sampled_from(["redémarrage", "reboot", "déploiement", "arrêt"])),
    st.builds("est-ce que {} est arrêté sur {} ?".format, st.sampled_from(SERVICES), st.sampled_from(HOSTS)),
    st.builds("{} a redémarré quand ?".format, st.sampled_from(HOSTS)),
    st.builds("heure du dernier {} de {}".format, st.sampled_from(["redémarrage", "reboot"]),
              st.sampled_from(HOSTS)),
    st.builds("is the {} {}?".format, st.sampled_from(["backup", "deploy", "restart", "cleanup", "rollback"]),
              st.sampled_from(["done", "finished", "ok", "complete"])),
    st.builds("did the {} {}?".format, st.sampled_from(["backup", "deploy", "deployment", "reboot", "rollback"]),
              st.sampled_from(["go through", "work", "fail", "succeed"])),
    st.builds(lambda q, s, h: q.format(s, h), st.sampled_from([
        "has {} come back up on {}?", "did {} come back up on {}?", "is {} back up on {}?", "is {} back online on {}?",
        "{} came back up on {}?", "has {} come back online on {}"]), st.sampled_from(SERVICES), st.sampled_from(HOSTS)),
    st.builds("{} est-il {} sur {} ?".format, st.sampled_from(SERVICES),
              st.sampled_from(["lancé", "démarré", "relancé", "arrêté"]), st.sampled_from(HOSTS)),
    st.builds("is there enough {} on {} for a {}?".format, st.sampled_from(["disk", "space", "memory", "room"]),
              st.sampled_from(HOSTS), st.sampled_from(["backup", "deploy", "restart", "reboot", "cleanup"])),
    st.builds("y a assez de {} sur {} pour un {} ?".format, st.sampled_from(["place", "mémoire", "disque"]),
              st.sampled_from(HOSTS), st.sampled_from(["backup", "déploiement", "redémarrage", "reboot"])),
)


@SETTINGS
@given(_styled(read_requests))
def test_an_action_word_read_about_never_becomes_the_action(text: str) -> None:
    parsed = _parse(text)
    assert _not_an_action(parsed), (text, parsed.action)


# ---------------------------------------------------------------------------------------------- pending card

CARDS = ("restart nginx on web-01", "reboot db-replica", "stop haproxy on lb-01", "deploy 2.5.0 to production",
         "redémarre nginx sur web-02", "nettoie le disque de web-01", "kill process 4242 on web-03")
CANCEL = ("no", "nope", "nah", "stop", "wait", "hold on", "whoa hold on", "whoa, hold on, stop", "meh drop it",
          "forget it", "never mind", "nevermind", "cancel", "abort", "not now", "scrap that", "actually no",
          "no thanks", "annule", "laisse tomber", "oublie", "non", "non merci", "attends", "stop stop",
          "pas maintenant", "finalement non", "on annule", "oublie ça", "nan laisse tomber", "bof, annule")
CONFIRM = ("yes", "yep", "yeah", "ok go", "go ahead", "do it", "fine, ship it", "ship it", "sure", "proceed",
           "confirmed", "lgtm", "let's go", "yes please", "ok", "oui", "ouais", "vas-y", "c'est bon", "confirmé",
           "go", "d'accord", "allez-y", "oui vas-y", "banco", "fais-le", "yes do it", "send it")
FILLERS = ("", "mate ", "hmm ", "uh ", "ok ", "bon ", "euh ", "well ")


@SETTINGS
@given(st.sampled_from(CARDS), st.sampled_from(FILLERS), _styled(st.sampled_from(CANCEL)))
def test_cancel_words_cancel_the_pending_card(card: str, filler: str, text: str) -> None:
    parsed = _parse(filler + text, card)
    assert parsed.action == "chat.cancel", (card, filler + text, parsed.action)


@SETTINGS
@given(st.sampled_from(CARDS), _styled(st.sampled_from(CONFIRM)))
def test_confirm_words_confirm_the_pending_card(card: str, text: str) -> None:
    parsed = _parse(text, card)
    assert parsed.action == "chat.confirm", (card, text, parsed.action)


# ---------------------------------------------------------------------------------------------- unknown hosts

_KNOWN_KEYS = {host_key(s.name) for s in dev_inventory().servers}
unknown_names = st.builds(
    lambda a, b: f"{a}{b}",
    st.sampled_from(["api", "edge", "backup", "zeta", "kafka", "vault", "gitlab", "auth", "mail", "ldap", "build"]),
    st.sampled_from(["-prod", "-us-2", "-07", "42", "-eu-west-1", ".par.example.org", "-staging", "-db", "-web"]),
).filter(lambda n: host_key(n) not in _KNOWN_KEYS)
host_requests = st.sampled_from([
    "restart nginx on {}", "status of {}", "reboot {}", "disk usage on {}", "redémarre nginx sur {}",
    "état de {}", "logs of {}", "clean the disk on {}", "stop haproxy on {}", "and on {}?", "et sur {} ?",
])


@SETTINGS
@given(host_requests, unknown_names, st.sampled_from(["", "status of web-01", "redémarre nginx sur web-02"]))
def test_an_unknown_host_is_asked_about_never_replaced(template: str, name: str, previous: str) -> None:
    parsed = _parse(template.format(name), *([previous] if previous else []))
    assert parsed.targets == (), (template.format(name), previous, parsed.targets)
    assert parsed.action is None or parsed.intent is Intent.UNKNOWN or parsed.clarification, parsed
    if parsed.clarification and parsed.action is None and parsed.intent is not Intent.UNKNOWN:
        assert name.lower() in parsed.clarification.lower()


# ---------------------------------------------------------------------------------------------- environments

ENVS = {"prod": "production", "production": "production", "staging": "staging", "stage": "staging",
        "stg": "staging", "recette": "staging"}


@SETTINGS
@given(st.sampled_from(sorted(ENVS)), st.sampled_from(["2.5.0", "v3.1.4", "1.0"]), st.sampled_from([
    "deploy {v} to {e}", "ship {v} to {e}", "push {v} on {e}", "déploie {v} en {e}", "mets {v} en {e}",
    "roll out {v} to {e} please", "rollback {e} to {v}", "restart nginx in {e} ({v})", "disk usage in {e} {v}",
]))
def test_the_environment_named_is_the_one_used_and_shown(env: str, version: str, template: str) -> None:
    parsed = _parse(template.format(v=version, e=env))
    group = ENVS[env]
    group_hosts = set(dev_inventory().groups[group])
    assert parsed.parameters.get("environment") == group, (template, env, parsed)
    assert set(parsed.targets) <= group_hosts


@SETTINGS
@given(st.sampled_from(["preprod", "qa", "uat", "sandbox"]), st.sampled_from([
    "deploy 2.0 to {e}", "déploie 2.0 en {e}", "restart nginx in {e}", "reboot the {e} env"]))
def test_an_environment_missing_from_the_inventory_is_asked_about(env: str, template: str) -> None:
    parsed = _parse(template.format(e=env))
    if env == "preprod":  # an alias of staging in the dev inventory
        return
    assert parsed.action is None and parsed.targets == (), (template.format(e=env), parsed)


# ---------------------------------------------------------------------------------------------- out of scope

OUT_OF_SCOPE = st.one_of(
    st.builds("{} the {} database".format, st.sampled_from(["drop", "wipe", "truncate", "delete", "restore"]),
              st.sampled_from(["prod", "users", "orders", "main"])),
    st.builds("{} the prod db".format, st.sampled_from(["wipe", "drop", "nuke", "empty", "reset"])),
    st.builds("install {} on {}".format, st.sampled_from(["docker", "nginx", "htop", "python3", "k9s"]),
              st.sampled_from(HOSTS)),
    st.builds("{} the disk on {}".format, st.sampled_from(["format", "wipe", "reformat", "partition"]),
              st.sampled_from(HOSTS)),
    st.builds("upgrade the {} on {}".format, st.sampled_from(["kernel", "packages", "os"]), st.sampled_from(HOSTS)),
    st.builds("{} a user {}".format, st.sampled_from(["create", "delete", "add", "remove"]),
              st.sampled_from(["bob", "alice", "deploy"])),
    st.builds("{} an email to {}".format, st.sampled_from(["write", "send", "draft"]),
              st.sampled_from(["the team", "my boss", "ops"])),
    st.builds("book a meeting with {}".format, st.sampled_from(["the team", "alice", "the dba"])),
    st.builds("what's the weather in {}".format, st.sampled_from(["Paris", "Lyon", "London"])),
    st.sampled_from(["supprime la base de prod", "vide la base clients", "restaure la base depuis hier",
                     "installe docker sur web-01", "formate le disque de web-02", "mets à jour le noyau de web-01",
                     "crée un utilisateur bob", "écris un mail à l'équipe", "réserve une réunion demain",
                     "quel temps fait-il ? la météo", "raconte moi une blague", "open port 8080 on lb-01"]),
    # round 2: destructive or neighbouring requests that used to land on a catalog action
    st.builds("{} the {} to {}".format, st.sampled_from(["copy", "clone", "migrate", "sync"]),
              st.sampled_from(["prod db", "database", "users table"]), st.sampled_from(["staging", "web-03"])),
    st.builds("{} {} on {}".format, st.sampled_from(["upgrade", "downgrade", "reinstall"]),
              st.sampled_from(SERVICES), st.sampled_from(HOSTS)),
    st.builds("{} the {} on {}".format, st.sampled_from(["delete", "truncate", "wipe", "remove"]),
              st.sampled_from(["logs", "nginx access log", "files"]), st.sampled_from(HOSTS)),
    st.builds("{} {}".format, st.sampled_from(["ssh into", "drain", "put in maintenance", "stop the server",
                                              "shut down the box", "mount /dev/sdb on"]), st.sampled_from(HOSTS)),
    st.builds("remove {} from the load balancer".format, st.sampled_from(HOSTS)),
    st.sampled_from(["copie la base de prod en staging", "supprime les logs de web-01", "vide /tmp sur web-02",
                     "connecte-toi en ssh sur db-master", "mets web-01 en maintenance", "éteins le serveur lb-01",
                     "ajoute une tâche cron sur web-01", "chmod 777 /var/www sur web-01"]),
)


@SETTINGS
@given(_styled(OUT_OF_SCOPE), st.sampled_from(["", "restart nginx on web-01", "status of db-master"]))
def test_an_out_of_scope_request_is_unknown_with_an_honest_answer(text: str, previous: str) -> None:
    parsed = _parse(text, *([previous] if previous else []))
    assert parsed.intent is Intent.UNKNOWN and parsed.action is None, (text, parsed.action)
    assert parsed.clarification


# ---------------------------------------------------------------------------------------------- raw commands

commands = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=("Cc", "Cs", "Zl", "Zp"), exclude_characters="`"),
    min_size=1, max_size=120,
).filter(lambda c: c.strip() != "")


@SETTINGS
@given(commands, st.sampled_from(["on web-01 run `{}`", "run `{}` on db-master", "exécute `{}` sur web-02",
                                  "lance `{}` sur lb-01", "please execute `{}` on cache-01", "`{}` on web-01"]))
def test_text_inside_backticks_reaches_shell_run_byte_for_byte(command: str, template: str) -> None:
    parsed = _parse(template.format(command))
    assert parsed.action == "shell.run", (template.format(command), parsed)
    assert parsed.parameters["command"] == command


# ---------------------------------------------------------------------------------------------- names kept whole

@SETTINGS
@given(st.sampled_from(["restart {} on web-01", "status of {} on web-03", "redémarre {} sur db-master"]),
       st.sampled_from(["node-exporter", "php-fpm", "rabbitmq-server"]))
def test_hyphenated_service_names_are_kept_whole(template: str, service: str) -> None:
    parsed = _parse(template.format(service))
    assert parsed.service in (service, None)
    assert parsed.service is not None or parsed.clarification


# ---------------------------------------------------------------------------------------------- not understood

NONSENSE = ("banana", "sandwich", "piano", "holiday", "fromage", "guitare", "painting", "football", "parapluie",
            "croissant", "origami", "trampoline")


@SETTINGS
@given(st.lists(st.sampled_from(NONSENSE), min_size=2, max_size=4),
       st.sampled_from(["on web-02", "sur db-master", "", "for lb-01"]),
       st.sampled_from(["restart nginx on web-01", "reboot db-replica", "redémarre haproxy sur lb-01"]))
def test_a_request_not_understood_never_becomes_the_previous_action(words: list[str], where: str, before: str) -> None:
    text = " ".join(words) + (" " + where if where else "")
    parser = dev_parser()
    ctx = parser.parse_turn(before, ConversationContext())[1]
    parsed = parser.parse(text, ctx)
    assert parsed.action is None, (before, text, parsed.action)


# ---------------------------------------------------------------------------------------------- bad input

@SETTINGS
@given(st.one_of(
    st.text(max_size=300),
    st.text(alphabet=st.sampled_from("😀🔥👍🚀💥🙈✅❌"), min_size=1, max_size=50),
    st.text(alphabet=st.characters(codec="utf-8", categories=("Cc",)), min_size=1, max_size=50),
    st.just("x" * 10_000),
    st.text(alphabet=st.sampled_from("редмтрсвиз日本語テスト مرحبا"), min_size=1, max_size=80),
))
def test_bad_input_gets_a_clear_answer_never_an_exception_or_an_action(text: str) -> None:
    parsed = _parse(text)
    if not any(ch.isascii() and ch.isalnum() for ch in text) or len(text) > 2000:
        assert parsed.action is None or parsed.intent is Intent.CONVERSATION
        assert parsed.action is not None or parsed.clarification


_RUNS = {s.name: frozenset(s.services) for s in dev_inventory().servers}
_PAIRS = [(service, host, other) for service in ("postgresql", "nginx", "haproxy", "memcached")
          for host, runs in _RUNS.items() if service in runs
          for other, other_runs in _RUNS.items() if other_runs and service not in other_runs]


@given(st.sampled_from(_PAIRS), _styled(st.sampled_from(["restart {}", "reboot {}", "and {}", "same on {}",
                                                          "redémarre {}", "et sur {}", "pareil sur {}"])))
@SETTINGS
def test_a_service_from_earlier_is_never_assumed_on_a_server_that_does_not_run_it(
        pair: tuple[str, str, str], follow_up: str) -> None:
    """After "restart postgresql on db-master", "reboot web-01" is about web-01 (a reboot, or a question about which
    service), never "restart postgresql on web-01", which web-01 does not run."""
    service, host, other = pair
    parsed = _parse(follow_up.format(other), f"restart {service} on {host}")
    if parsed.action is not None and parsed.action.startswith("service."):
        assert parsed.service != service or other not in parsed.targets, (follow_up, parsed)
