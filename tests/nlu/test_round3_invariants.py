"""Round 3 of the language work (docs/adr/0010, "Round 3"): each general fix as a property over sentences
assembled from independent parts (verbs, services, hosts, reasons, time windows, fillers, case), never
from the probe set's sentences.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chatops_commander.domain.actions import Intent
from chatops_commander.nlu.lexicon import COMMON_WORDS
from chatops_commander.skills.builtin_specs import BUILTIN_SPECS
from tests.nlu.helpers import dev_parser, parse_after

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
ACTING = frozenset(s.id for s in BUILTIN_SPECS if s.intent in (Intent.ACTION, Intent.CONFIGURATION))
HOSTS = ("web-01", "web-02", "db-master", "db-replica", "cache-01", "lb-01")
# (service, a host that runs it) from tests/nlu/inventory.yml
RUNS = (("nginx", "web-01"), ("php-fpm", "web-02"), ("postgresql", "db-master"), ("pgbouncer", "db-master"),
        ("haproxy", "lb-01"), ("memcached", "cache-01"), ("grafana", "mon-01"), ("redis", "web-03"))


_parse = parse_after


def _styled(text: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return st.tuples(text, st.sampled_from(["", " pls", " stp", " please", " svp"]), st.booleans()).map(
        lambda t: (t[0] + t[1]) if not t[2] else (t[0] + t[1])[:1].upper() + (t[0] + t[1])[1:])


# ------------------------------------------------------------------ whether an action is needed is a question

EN_NEED_NOUNS = ("a reboot", "a restart", "the reboot", "a cleanup", "a rollback", "a backup", "a redeploy")
EN_NEED_WORDS = ("needed", "required", "necessary", "really needed", "recommended")
FR_NEED_NOUNS = ("un reboot", "un redémarrage", "le redémarrage", "un nettoyage", "un rollback", "une sauvegarde")
FR_NEED_WORDS = ("nécessaire", "requis", "vraiment nécessaire", "obligatoire", "utile")
FR_NEED_VERBS = ("redémarrer", "rebooter", "relancer", "nettoyer", "arrêter", "déployer")
needs = st.one_of(
    st.builds(lambda n, w, h: f"is {n} {w} on {h}?", st.sampled_from(EN_NEED_NOUNS), st.sampled_from(EN_NEED_WORDS),
              st.sampled_from(HOSTS)),
    st.builds(lambda s, v, h: f"does {s} on {h} need {v}?", st.sampled_from([r[0] for r in RUNS]),
              st.sampled_from(["a restart", "to be restarted", "a reload", "a reboot"]), st.sampled_from(HOSTS)),
    st.builds(lambda w, v, h: f"do {w} need to {v} {h}?", st.sampled_from(["we", "i", "you"]),
              st.sampled_from(["reboot", "restart", "clean up", "stop"]), st.sampled_from(HOSTS)),
    st.builds(lambda n, w, h: f"{n} est {w} sur {h} ?", st.sampled_from(FR_NEED_NOUNS),
              st.sampled_from(FR_NEED_WORDS), st.sampled_from(HOSTS)),
    st.builds(lambda q, v, h: f"{q} {v} {h} ?", st.sampled_from(["faut-il", "est-ce qu'il faut", "doit-on"]),
              st.sampled_from(FR_NEED_VERBS), st.sampled_from(HOSTS)),
)


@SETTINGS
@given(_styled(needs))
def test_asking_whether_an_action_is_needed_never_acts(text: str) -> None:
    """"is a reboot needed on web-02?", "faut-il redémarrer web-02 ?": a question about the action, not an order."""
    parsed = _parse(text)
    assert parsed.action not in ACTING, (text, parsed.action)


# ------------------------------------------------------------------ a whole-server verb said of a service

@SETTINGS
@given(st.sampled_from(RUNS), st.sampled_from([
    "reboot {s} on {h}", "can you reboot {s} on {h}", "tu peux rebooter {s} sur {h}", "reboote {s} sur {h}",
    "faut rebooter {s} sur {h}", "please reboot {s} on {h}", "rebooter {s} sur {h} stp"]))
def test_a_reboot_said_of_a_named_service_restarts_the_service_not_the_server(run: tuple[str, str], t: str) -> None:
    service, host = run
    parsed = _parse(t.format(s=service, h=host))
    assert parsed.action == "service.restart", (t, parsed.action)
    assert parsed.service == service and list(parsed.targets) == [host]


@pytest.mark.parametrize("text", ["reboot the server web-01", "redémarre la machine db-replica",
                                  "reboot web-03", "bounce the whole box cache-01"])
def test_a_server_word_or_no_service_still_reboots_the_server(text: str) -> None:
    assert _parse(text).action == "server.reboot"


# ------------------------------------------------------------------ an order, then its reason

EN_ORDERS = ("restart {s} on {h}", "can you restart {s} on {h}", "please bounce {s} on {h}",
             "sorry to bother you but could you restart {s} on {h}")
FR_ORDERS = ("redémarre {s} sur {h}", "relance {s} sur {h}", "tu peux redémarrer {s} sur {h}",
             "désolé de déranger mais tu pourrais relancer {s} sur {h}")
EN_REASONS = ("it's stuck", "the site is down", "it's broken", "users see 502s", "something is wrong")
FR_REASONS = ("il est bloqué", "le site est down", "c'est planté", "ça rame", "les clients ont des 502")


@SETTINGS
@given(st.sampled_from(RUNS), st.one_of(
    st.tuples(st.sampled_from(EN_ORDERS), st.sampled_from(EN_REASONS)),
    st.tuples(st.sampled_from(FR_ORDERS), st.sampled_from(FR_REASONS))), st.sampled_from([", ", " - ", ". "]))
def test_an_order_followed_by_its_reason_is_the_order(run: tuple[str, str], parts: tuple[str, str], sep: str) -> None:
    service, host = run
    text = parts[0].format(s=service, h=host) + sep + parts[1]
    parsed = _parse(text)
    assert parsed.action == "service.restart", (text, parsed.action)


@SETTINGS
@given(st.sampled_from(RUNS), st.sampled_from(EN_REASONS + FR_REASONS))
def test_a_reason_alone_is_still_diagnosed(run: tuple[str, str], reason: str) -> None:
    """No order in the message: the trouble is what to look into (never an action)."""
    service, host = run
    parsed = _parse(f"{service} on {host}: {reason}")
    assert parsed.action not in ACTING, parsed.action


# ------------------------------------------------------------------ an action ruled out after it is named

@SETTINGS
@given(st.one_of(
    st.builds(lambda a, r, q: f"{a} {r}, {q}", st.sampled_from(["restarting nginx", "a reboot", "rebooting web-01",
                                                                "stopping haproxy", "a rollback"]),
              st.sampled_from(["is not an option", "isn't an option", "is out of the question", "is off the table",
                               "is not allowed"]),
              st.sampled_from(["why is web-01 slow?", "show me the load on web-01", "what's wrong with lb-01"])),
    st.builds(lambda a, r, q: f"{a} {r}, {q}", st.sampled_from(["le redémarrage", "rebooter web-01", "le rollback",
                                                                "arrêter haproxy"]),
              st.sampled_from(["n'est pas une option", "est hors de question", "est exclu", "n'est pas possible"]),
              st.sampled_from(["pourquoi web-01 est lent ?", "montre la charge de web-01", "regarde lb-01"])),
))
def test_an_action_ruled_out_is_never_the_result(text: str) -> None:
    parsed = _parse(text)
    assert parsed.action not in ACTING, (text, parsed.action)


# ------------------------------------------------------------------ certificates, DNS, package managers: outside

@SETTINGS
@given(st.one_of(
    st.builds(lambda v, o, h: f"{v} the {o} on {h}", st.sampled_from(["rotate", "renew", "replace", "regenerate",
                                                                      "install", "update"]),
              st.sampled_from(["ssl certificate", "tls cert", "certificate", "certs", "wildcard certificate"]),
              st.sampled_from(HOSTS)),
    st.builds(lambda v, o, h: f"{v} {o} de {h}", st.sampled_from(["renouvelle", "remplace", "change", "installe"]),
              st.sampled_from(["le certificat ssl", "les certificats", "le certificat"]), st.sampled_from(HOSTS)),
    st.builds(lambda v, o: f"{v} {o} for shop.example.com", st.sampled_from(["add", "create", "update", "remove"]),
              st.sampled_from(["a dns record", "the dns entry", "a cname"])),
    st.builds(lambda m, v, h: f"{m} {v} on {h}", st.sampled_from(["apt", "apt-get", "yum", "dnf"]),
              st.sampled_from(["upgrade", "update", "dist-upgrade", "install htop"]), st.sampled_from(HOSTS)),
))
def test_certificates_dns_and_package_managers_are_outside_the_catalog(text: str) -> None:
    parsed = _parse(text)
    assert parsed.intent is Intent.UNKNOWN and parsed.action is None, (text, parsed.action)
    assert parsed.clarification


@SETTINGS
@given(st.sampled_from(RUNS), st.sampled_from(["reload {s} on {h} so it picks up the new certs",
                                               "recharge {s} sur {h} pour les nouveaux certificats",
                                               "reload {s} on {h}, the certificate changed"]))
def test_a_reload_for_new_certificates_stays_a_reload(run: tuple[str, str], t: str) -> None:
    parsed = _parse(t.format(s=run[0], h=run[1]))
    assert parsed.action == "service.reload", parsed.action


# ------------------------------------------------------------------ ordinary words are never spelling-corrected

@pytest.mark.parametrize("word", ["relire", "relis", "rade", "casse", "book", "whether", "fall", "fell"])
def test_an_ordinary_word_is_never_corrected_into_a_catalog_word(word: str) -> None:
    assert word in COMMON_WORDS
    matcher = dev_parser().matcher
    assert matcher.correct(f"the {word} there") == f"the {word} there"


@SETTINGS
@given(st.sampled_from(RUNS), st.sampled_from(["{s} sur {h} doit relire sa conf", "{s} sur {h} doit relire sa config",
                                               "fais relire sa conf à {s} sur {h}",
                                               "{s} on {h} must re-read its config"]))
def test_rereading_a_configuration_is_a_reload_never_a_removal(run: tuple[str, str], t: str) -> None:
    parsed = _parse(t.format(s=run[0], h=run[1]))
    assert parsed.action == "service.reload", (t, parsed.action)


# ------------------------------------------------------------------ events in a time window read the history

EN_PASSIVE = ("restarted", "stopped", "reloaded", "started", "killed")
FR_PASSIVE = ("redémarré", "arrêté", "rechargé", "relancé", "coupé")


@SETTINGS
@given(st.sampled_from(RUNS), st.one_of(
    st.builds(lambda v, w: ("was {s} " + v + " on {h} " + w + "?"), st.sampled_from(EN_PASSIVE),
              st.sampled_from(["this morning", "today", "yesterday", "last night", "in the last hour"])),
    st.builds(lambda v, w: ("{s} a été " + v + " sur {h} " + w + " ?"), st.sampled_from(FR_PASSIVE),
              st.sampled_from(["ce matin", "aujourd'hui", "hier", "cette nuit", "depuis une heure"])),
    st.builds(lambda w, v: (w + " " + v + " {s} on {h}?"), st.sampled_from(["did someone", "did anyone", "has anyone",
                                                                          "did you"]),
              st.sampled_from(["restart", "stop", "kill", "reload", "touch"])),
))
def test_an_event_asked_about_in_a_time_window_reads_the_history(run: tuple[str, str], t: str) -> None:
    text = t.format(s=run[0], h=run[1])
    parsed = _parse(text)
    assert parsed.action == "history.list", (text, parsed.action)


# ------------------------------------------------------------------ conversation moves

@SETTINGS
@given(st.sampled_from(["web-02 is slow, what's going on?", "db-master rame, qu'est-ce qui se passe ?"]),
       st.sampled_from(["la {n}", "let's go with number {w}", "on prend la {n}", "number {n} please", "go with {w}",
                        "je prends la {n}"]), st.integers(min_value=1, max_value=3))
def test_a_number_among_choosing_words_is_a_choice(context: str, t: str, n: int) -> None:
    words = {1: "one", 2: "two", 3: "three"}
    parsed = _parse(t.format(n=n, w=words[n]), context)
    assert parsed.action == "chat.choose" and parsed.parameters.get("option") == n, (t, parsed.action)


CARDS = ("restart nginx on web-01", "reboote db-replica", "deploy 2.6.0 to staging")


@SETTINGS
@given(st.sampled_from(CARDS), st.sampled_from(["c'est parti", "allez go", "let's roll", "ok proceed", "zou"]))
def test_go_words_confirm_the_pending_card(card: str, text: str) -> None:
    assert _parse(text, card).action == "chat.confirm"


@SETTINGS
@given(st.sampled_from(CARDS), st.sampled_from(["", "laisse, ", "non, ", "bof, ", "nah, "]),
       st.sampled_from(["on verra demain", "plus tard", "maybe later", "not tonight", "another time"]))
def test_putting_off_the_pending_card_cancels_it(card: str, lead: str, text: str) -> None:
    assert _parse(lead + text, card).action == "chat.cancel"


@pytest.mark.parametrize("text", ["mille mercis", "un grand merci", "thanks a lot", "many thanks"])
def test_more_thanks(text: str) -> None:
    assert _parse(text).action == "chat.thanks"


# ------------------------------------------------------------------ a server whose name starts with "db"

@SETTINGS
@given(st.sampled_from(["db-master", "db-replica"]), st.sampled_from([
    "le load de {h}", "load on {h}", "load average of {h}", "what's the load of {h}", "la charge de {h}"]))
def test_a_server_named_db_something_is_not_a_database(host: str, t: str) -> None:
    parsed = _parse(t.format(h=host))
    assert parsed.action == "server.load" and list(parsed.targets) == [host], (t, parsed.action)


# ------------------------------------------------------------------ "in docker": what runs inside it
_DOCKER_HOSTS = ("web-03", "mon-01")


@given(st.sampled_from(["what's running in docker on {}", "what is running inside docker on {}",
                        "which apps are running in docker on {}", "anything deployed in docker on {}?",
                        "qu'est-ce qui tourne dans docker sur {}", "quoi tourne dans docker sur {} ?",
                        "qu'est ce qui est lancé dans docker sur {}"]),
       st.sampled_from(_DOCKER_HOSTS))
@settings(max_examples=40, deadline=None)
def test_what_runs_in_docker_lists_its_containers(template: str, host: str) -> None:
    parsed = parse_after(template.format(host))
    assert parsed.action == "container.list" and host in parsed.targets, parsed


@given(st.sampled_from(["is docker running on {}?", "docker status on {}", "status of the docker daemon on {}",
                        "est-ce que docker tourne sur {} ?", "état de docker sur {}"]),
       st.sampled_from(_DOCKER_HOSTS))
@settings(max_examples=30, deadline=None)
def test_the_docker_service_itself_is_still_its_status(template: str, host: str) -> None:
    parsed = parse_after(template.format(host))
    assert parsed.action == "service.status" and parsed.service == "docker", parsed
