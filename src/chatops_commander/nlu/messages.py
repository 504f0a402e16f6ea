"""Every sentence the parser says, in English and French ("je" for the assistant, "vous" for the user)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from chatops_commander.nlu.text import MAX_CHARS

_MESSAGES: dict[str, dict[str, str]] = {
    "empty": {
        "en": "I didn't receive any text. What would you like me to do?",
        "fr": "Je n'ai reçu aucun texte. Que voulez-vous que je fasse ?",
    },
    "no_words": {
        "en": "I only see symbols or emoji, no words. What would you like me to do? (type \"help\" for examples)",
        "fr": "Je ne vois que des symboles ou des emoji, pas de mots. Que voulez-vous que je fasse ?"
              " (tapez « aide » pour des exemples)",
    },
    "too_long": {
        "en": f"Your message is too long (more than {MAX_CHARS} characters). Could you shorten it?"
              f" / Votre message est trop long (plus de {MAX_CHARS} caractères) : pouvez-vous le raccourcir ?",
        "fr": f"Votre message est trop long (plus de {MAX_CHARS} caractères) : pouvez-vous le raccourcir ?"
              f" / Your message is too long (more than {MAX_CHARS} characters). Could you shorten it?",
    },
    "which_host_for_service": {
        "en": "{service} runs on {candidates}: which one?",
        "fr": "{service} tourne sur {candidates} : lequel ?",
    },
    "which_host": {
        "en": "On which server (\"{action}\")? For example: {candidates}.",
        "fr": "Sur quel serveur (« {action} ») ? Par exemple : {candidates}.",
    },
    "service_nowhere": {
        "en": "I don't see {service} on any server of the inventory. On which server should I look?",
        "fr": "Je ne vois {service} sur aucun serveur de l'inventaire. Sur quel serveur dois-je regarder ?",
    },
    "unknown_host": {
        "en": "I don't know any server called {name}. Did you mean {candidates}?",
        "fr": "Je ne connais pas de serveur appelé {name}. Vouliez-vous dire {candidates} ?",
    },
    "unknown_environment": {
        "en": "I don't see a {name} environment in the inventory, so I won't guess its servers."
              " Did you mean {candidates}?",
        "fr": "Je ne vois pas d'environnement {name} dans l'inventaire : je ne devine pas ses serveurs."
              " Vouliez-vous dire {candidates} ?",
    },
    "which_service": {
        "en": "Which service should I {verb} on {targets}?",
        "fr": "Quel service dois-je {verb} sur {targets} ?",
    },
    "missing_param": {
        "en": "To do that (\"{verb}\"), I need {what}. Could you tell me?",
        "fr": "Pour cela (« {verb} »), il me faut {what}. Pouvez-vous me le préciser ?",
    },
    "unknown": {
        "en": "I'm not sure what you want me to do. Did you mean: {candidates}?",
        "fr": "Je ne suis pas sûr de comprendre. Vouliez-vous dire : {candidates} ?",
    },
    "unknown_no_idea": {
        "en": "I didn't understand. I can check the state of servers and services, show logs, restart"
              " or stop services, deploy, and more. Type \"help\" to see everything.",
        "fr": "Je n'ai pas compris. Je peux vérifier l'état des serveurs et des services, afficher des"
              " journaux, redémarrer ou arrêter des services, déployer, et plus encore. Tapez « aide » pour"
              " tout voir.",
    },
    "out_of_scope": {
        "en": "I can't {what}: no action of my catalog does that, and I won't approximate it with another one."
              " I can check the state of servers and services, read logs, list processes and containers,"
              " restart, start, stop or reload services, back up databases, clean disks, deploy or roll back,"
              " and run a raw command you give me between backticks (admins). Type \"help\" to see everything.",
        "fr": "Je ne peux pas {what} : aucune action de mon catalogue ne le fait, et je ne la remplace pas par"
              " une autre. Je peux vérifier l'état des serveurs et des services, lire les journaux, lister les"
              " processus et les conteneurs, redémarrer, démarrer, arrêter ou recharger des services, sauvegarder"
              " des bases, nettoyer des disques, déployer ou revenir en arrière, et exécuter une commande donnée"
              " entre accents graves (admins). Tapez « aide » pour tout voir.",
    },
    "two_readings": {
        "en": "I'm not sure I understood: {first}, or {second}? (reply 1 or 2)",
        "fr": "Je ne suis pas sûr d'avoir compris : {first}, ou {second} ? (répondez 1 ou 2)",
    },
    "two_requests": {
        "en": "That is two requests: {first}, and {second}. I do one at a time: which one first? (reply 1 or 2)",
        "fr": "Cela fait deux demandes : {first}, et {second}. Je les fais une par une : laquelle d'abord ? "
              "(répondez 1 ou 2)",
    },
    "which_option": {
        "en": "Which one? {candidates} (reply with its number).",
        "fr": "Lequel ? {candidates} (répondez par son numéro).",
    },
    "bad_option": {
        "en": "There is no option {number}. Please choose between 1 and {count}.",
        "fr": "Il n'y a pas d'option {number}. Choisissez entre 1 et {count}.",
    },
}
_READINGS = {
    "fleet.health": ("check the whole fleet", "vérifier toute l'infrastructure"),
    "server.status": ("show the status", "voir l'état"), "server.disk": ("show disk usage", "voir l'espace disque"),
    "server.memory": ("show memory", "voir la mémoire"), "server.load": ("show the load", "voir la charge"),
    "server.processes": ("list the top processes", "lister les processus"),
    "server.logs": ("show the system logs", "voir les journaux système"),
    "service.status": ("check {service}", "vérifier {service}"),
    "service.logs": ("show the logs of {service}", "voir les journaux de {service}"),
    "container.list": ("list the containers", "lister les conteneurs"),
    "http.check": ("check a URL", "tester une URL"), "incident.diagnose": ("diagnose", "diagnostiquer"),
    "alerts.list": ("list open alerts", "lister les alertes"),
    "history.list": ("show the command history", "voir l'historique des commandes"),
    "service.restart": ("restart {service}", "redémarrer {service}"),
    "service.start": ("start {service}", "démarrer {service}"),
    "service.reload": ("reload {service}", "recharger {service}"),
    "service.stop": ("stop {service}", "arrêter {service}"),
    "container.restart": ("restart a container", "redémarrer un conteneur"),
    "db.backup": ("back up the database", "sauvegarder la base"),
    "process.kill": ("kill a process", "tuer un processus"),
    "disk.cleanup": ("clean up the disk", "nettoyer le disque"), "app.deploy": ("deploy", "déployer"),
    "app.rollback": ("roll back", "revenir en arrière"), "server.reboot": ("reboot", "redémarrer le serveur"),
    "shell.run": ("run a raw command", "exécuter une commande brute"),
    "server.add": ("add a server", "ajouter un serveur"), "server.remove": ("remove a server", "retirer un serveur"),
}


def reading(action_id: str, lang: str, *, service: str | None, hosts: Sequence[str]) -> str:
    """One reading of a request in plain words: `reboot web-01`, `voir les journaux de nginx sur web-01`."""
    en, fr = _READINGS.get(action_id, (action_id, action_id))
    text = (fr if lang == "fr" else en).format(service=service or ("le service" if lang == "fr" else "the service"))
    if hosts:
        text += (" sur " if lang == "fr" else " on ") + join_names(list(hosts), lang)
    return text


_WHAT = {
    "version": {"en": "the version", "fr": "la version"},
    "environment": {"en": "the environment (for example production)", "fr": "l'environnement (par exemple production)"},
    "pid": {"en": "the process id (PID)", "fr": "le numéro du processus (PID)"},
    "command": {"en": "the exact command, in quotes", "fr": "la commande exacte, entre guillemets"},
    "container": {"en": "the container name", "fr": "le nom du conteneur"},
    "name": {"en": "the server's name", "fr": "le nom du serveur"},
    "host": {"en": "the server's address", "fr": "l'adresse du serveur"},
    "option": {"en": "the option number", "fr": "le numéro de l'option"},
}


def say(key: str, lang: str, **values: str) -> str:
    table = _MESSAGES[key]
    return (table.get(lang) or table["en"]).format(**values)


def join_names(names: Sequence[str], lang: str, *, alternative: bool = False) -> str:
    """`a`, `a and b`, `a, b and c` (`et` in French; `or` / `ou` for alternatives)."""
    items = list(names)
    conj = {("fr", True): " ou ", ("en", True): " or ", ("fr", False): " et "}.get((lang, alternative), " and ")
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + conj + items[-1]


def numbered(options: Sequence[str], lang: str) -> str:
    return join_names([f"{i}. {o}" for i, o in enumerate(options, 1)], lang)


def what(param: str, lang: str) -> str:
    return _WHAT.get(param, {}).get(lang) or param


def summary(spec_summary: dict[str, str] | None, action_id: str, lang: str) -> str:
    if not spec_summary:
        return action_id
    text = spec_summary.get(lang) or spec_summary.get("en") or action_id
    return text[:1].lower() + text[1:]


def understood(action: str, lang: str, *, service: str | None, hosts: Sequence[str],
               parameters: Mapping[str, object]) -> str:
    """What a card must say in plain words: action, hosts, environment, version
    ("restart nginx on web-01 and web-02", "déployer sur web-03 — environnement staging, version 3.1.4")."""
    text = reading(action, lang, service=service, hosts=hosts)
    extra = []
    if parameters.get("environment"):
        extra.append(("environnement " if lang == "fr" else "environment ") + str(parameters["environment"]))
    if parameters.get("version"):
        extra.append("version " + str(parameters["version"]))
    if parameters.get("command"):
        extra.append(("commande : " if lang == "fr" else "command: ") + str(parameters["command"]))
    return text + (" — " + ", ".join(extra) if extra else "")
