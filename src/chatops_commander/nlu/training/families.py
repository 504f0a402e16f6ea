# ruff: noqa: E501  (template tables read better one family per line)
"""More training templates, written by family of *language* rather than by action (issue 12, round 2):
questions vs orders, slang and idioms, no accents, abbreviations, code-switching EN/FR, politeness, negation
(the negated action blanked: the label is what is asked), multi-host and groups, questions about what happened,
and requests outside the catalog. Same slots as `templates.py`. Written without reading the frozen test split; templates that were a copy of a probe sentence
(tests/nlu/data/probe.jsonl, fuzzy ratio ≥ 90 once names are masked) were removed, so the probe stays a fair check.
"""

from __future__ import annotations

FAMILIES: dict[str, dict[str, tuple[str, ...]]] = {
    "fleet.health": {
        "en": ("anything on fire this morning", "are we good", "morning, all quiet on the servers?",
               "quick status of the whole fleet", "anything broken overnight", "is the infra in good shape",
               "how's everything holding up", "are all boxes up", "give me the overall state", "all systems go?",
               "any red on the dashboard", "everything nominal?"),
        "fr": ("ca tourne partout ?", "un point rapide sur l'etat du parc", "l'infra tient le coup ?",
               "comment ca se passe sur les serveurs", "rien a signaler ?", "tous les voyants sont au vert ?",
               "le parc va bien ?", "des machines en rade ?", "tout fonctionne ?", "ca va le parc ce matin ?"),
    },
    "server.status": {
        "en": ("what's {h} up to", "{h} alive?", "is {h} alive", "quick look at {h}", "take a look at {h}",
               "have a look at {h}", "is {h} reachable", "{h} still up?", "how long since {h} rebooted",
               "when did {h} last boot", "status report for {h}", "ping {h}"),
        "fr": ("jette un oeil a {h}", "t'as vu {h} ?", "{h} est vivant ?", "{h} repond au ping ?",
               "{h} est joignable ?", "il faut verifier {h}", "un coup d'oeil sur {h} stp", "{h} toujours debout ?",
               "le serveur {h} va bien ?"),
    },
    "server.disk": {
        "en": ("df -h on {h}", "is {h} running low on disk", "whats the disk looking like on {h}",
               "{h} out of space?", "inodes and disk on {h}", "is the root partition full on {h}"),
        "fr": ("{h} est plein ?", "ca deborde sur {h} ?", "le {path} de {h} est plein ?", "dispo disque {h}",
               "reste combien de go sur {h}", "la partition racine de {h}"),
    },
    "server.memory": {
        "en": ("memory pressure on {h}?", "is {h} oom", "free -m on {h}", "how's the ram on {h}",
               "is swap full on {h}", "mem usage {h} pls"),
        "fr": ("{h} est a court de ram ?", "memoire dispo sur {h}", "la ram est pleine sur {h} ?", "conso ram {h}"),
    },
    "server.load": {
        "en": ("load avg {h}", "is the cpu maxed out on {h}", "what's the load like on {h}", "cpu % on {h}",
               "is {h} under heavy load", "uptime load numbers for {h}"),
        "fr": ("{h} tourne a 100% ?", "la charge est haute sur {h} ?", "conso processeur de {h}", "load de {h}"),
    },
    "server.processes": {
        "en": ("what is eating all the cpu on {h}", "top {n} processes on {h}", "who's using all the memory on {h}",
               "show ps aux on {h}"),
        "fr": ("qu'est-ce qui mange le cpu sur {h}", "top {n} des process sur {h}",
               "quel process prend toute la memoire sur {h}"),
    },
    "server.logs": {
        "en": ("kernel messages on {h} from {d}", "anything weird in the syslog of {h}", "show journalctl -k on {h}",
               "boot log of {h}", "syslog errors on {h} since {d}"),
        "fr": ("le journal du noyau de {h} depuis {d}", "les logs de boot de {h}", "quoi dans le syslog de {h}",
               "erreurs du journal systeme sur {h}", "journalctl sur {h}"),
    },
    "service.status": {
        "en": ("{s} up on {h}?", "is {s} dead on {h}", "systemctl status {s} on {h}", "did {s} start ok on {h}",
               "is the {s} daemon running", "is {s} happy on {h}", "check whether {s} is up on {h}", "is {s} down?"),
        "fr": ("{s} est lance sur {h} ?", "{s} est bien up sur {h} ?", "statut du service {s} sur {h}",
               "{s} est mort ?", "verifie que {s} tourne sur {h}", "{s} il tourne ?", "{s} est actif ?"),
    },
    "service.logs": {
        "en": ("{s} logs on {h} from the last {d}", "tail -f the {s} log", "what is {s} logging on {h}",
               "grep error in {s} logs on {h}", "journalctl -u {s} on {h}", "last {n} {s} log lines"),
        "fr": ("qu'est-ce que {s} raconte dans ses logs", "les logs {s} {h}",
               "journal de {s} sur {h} avec le mot timeout", "jette un oeil aux logs de {s}"),
    },
    "container.list": {
        "en": ("what containers are up on {h}", "list the docker containers on {h}", "which containers run on {h}",
               "docker containers {h}"),
        "fr": ("les conteneurs docker de {h}", "docker ps {h} stp"),
    },
    "http.check": {
        "en": ("does {u} respond", "what status code does {u} return"),
        "fr": ("code http de {u}", "{u} est en ligne ?"),
    },
    "incident.diagnose": {
        "en": ("help, {h} is on fire", "{s} is acting up on {h}", "{h} is acting weird", "{s} is flaky on {h}",
               "why does {s} keep dying on {h}", "{h} is hosed", "{s} is timing out on {h}",
               "we have an issue with {s}", "problem with {s} on {h}", "{s} crashed on {h}, figure out why",
               "the site is super slow"),
        "fr": ("{h} fait n'importe quoi", "{s} deconne sur {h}", "c'est la merde sur {h}", "{h} est dans les choux",
               "{s} a plante sur {h}", "y a un souci avec {s}", "y a un probleme sur {h}", "{s} est en carafe",
               "le site rame", "{h} est a genoux", "{s} galere sur {h}"),
    },
    "alerts.list": {
        "en": ("what's paging", "anything in alertmanager", "current alarms pls"),
        "fr": ("des alarmes ?", "ca alerte ?"),
    },
    "history.list": {
        "en": ("who touched {h} today", "what happened on {h} since {d}", "who stopped {s} on {h}",
               "who deployed to {e} last week", "what got restarted today", "my commands from today",
               "what did i run yesterday", "commands run by bob on {h}", "recent changes on {h}",
               "when was {s} last restarted"),
        "fr": ("qui a redemarre {s} ?", "qui a touche a {h} aujourd'hui", "qui a arrete {s} sur {h}",
               "qu'a fait alice hier", "mes commandes d'hier", "les commandes lancees par bob",
               "qu'est-ce qui s'est passe sur {h} depuis {d}", "qui a deploye en {e}",
               "quand {s} a-t-il ete redemarre ?"),
    },
    "service.restart": {
        "en": ("restart {s} on {h} and {h}", "go ahead and restart {s} on {h}", "i need {s} restarted on {h}",
               "pls restart {s} {h}", "{s} is stuck on {h}, restart it", "restart {s} everywhere it runs"),
        "fr": ("{s} est bloque sur {h}, relance-le", "redemarrage de {s} sur {h}", "un petit restart de {s} sur {h}",
               "redemarre {s} partout"),
    },
    "service.start": {
        "en": ("start {s} back on {h}", "get {s} back up on {h}", "{s} is stopped on {h}, please start it",
               "launch {s} on {h} again"),
        "fr": ("remets {s} en route sur {h}", "fais repartir {s} sur {h}",
               "{s} est tombe sur {h}, demarre-le", "allume {s} sur {h} stp"),
    },
    "service.reload": {
        "en": ("send a hup to {s} on {h}", "graceful reload of {s} on {h}", "apply the new {s} config on {h}",
               "reload {s} without restarting it"),
        "fr": ("fais relire sa conf a {s} sur {h}", "recharge {s} sans le redemarrer",
               "prends en compte la nouvelle conf de {s}", "reload a chaud de {s}"),
    },
    "service.stop": {
        "en": ("kill the {s} service on {h}", "{s} must be stopped on {h} asap", "disable {s} for now on {h}",
               "stop {s} on {h} and {h}"),
        "fr": ("eteins le service {s} sur {h}", "faut couper {s} sur {h}", "stop {s} sur {h} stp"),
    },
    "container.restart": {
        "en": ("docker restart {c} on {h}", "recreate the {c} container"),
        "fr": ("docker restart {c} sur {h}", "redemarrage du conteneur {c}"),
    },
    "db.backup": {
        "en": ("backup the db on {h} before the deploy", "pg_dump on {h}", "we need a fresh backup of the database on {h}"),
        "fr": ("une sauvegarde de la base de {h} avant la mise en prod", "dump de la bdd de {h} stp", "faut sauvegarder la base de {h}"),
    },
    "process.kill": {
        "en": ("kill -9 the process {p}", "nuke pid {p} on {h}"),
        "fr": ("bute le pid {p}", "tuer le pid {p}"),
    },
    "disk.cleanup": {
        "en": ("{h} disk is full, clean it up", "vacuum the journal on {h}", "clear the apt cache on {h}",
               "delete old logs on {h} to free space"),
        "fr": ("{h} est plein, fais le menage", "vide le cache des paquets sur {h}",
               "libere de la place sur {h} stp", "menage sur le disque de {h}"),
    },
    "app.deploy": {
        "en": ("can you deploy {v} on {e}", "release {v} to {e} asap", "push version {v} to {e}",
               "deploy the new build {v} to {e}"),
        "fr": ("deploiement de la {v} en {e}", "pousse la {v} sur {e}", "mise en {e} de la {v}",
               "tu peux deployer la {v} en {e} ?"),
    },
    "app.rollback": {
        "en": ("rollback {e} to the previous version", "go back to {v} on {e}", "the deploy broke {e}, roll it back"),
        "fr": ("remets la version d'avant en {e}", "annule le dernier deploiement en {e}",
               "le deploiement a tout casse en {e}, rollback"),
    },
    "server.reboot": {
        "en": ("{h} needs a reboot", "hard reboot {h}", "reboot {h} and {h}"),
        "fr": ("{h} a besoin d'un reboot", "relance la machine {h}", "fais rebooter {h}"),
    },
    "shell.run": {
        "en": ("can you run `whoami` on {h}",),
        "fr": ("passe `uname -a` sur {h}",),
    },
    "server.add": {
        "en": ("new server cache-02 on 10.0.3.32 please",),
        "fr": ("nouveau serveur cache-02 sur 10.0.3.32",),
    },
    "server.remove": {
        "en": ("drop {h} from the server list", "forget about server {h}"),
        "fr": ("enleve {h} de la liste des serveurs", "sors {h} de l'inventaire"),
    },
    "none": {
        "en": ("stop the server {h}", "shut down {h}", "power off {h}", "turn off the box {h}",
               "nuke the prod database", "create a new vm", "add a cron job on {h}", "give bob root on {h}",
               "migrate the db to mysql", "buy a new domain"),
        "fr": ("eteins le serveur {h}", "arrete la machine {h}", "coupe le serveur {h}",
               "donne les droits root a bob", "ajoute une tache cron sur {h}", "ecris un mail au client",
               "vide la table users"),
    },
}
