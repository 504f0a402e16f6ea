# ruff: noqa: E501  (template tables read better one family per line)
"""Training templates: how people ask for each action, in English and French (docs/adr/0010).

Slots: {h} host, {s} service, {n} count, {d} duration, {v} version, {e} environment, {p} pid,
{u} url, {path} path, {c} container. `none` gathers requests the catalog cannot serve and chatter.
The frozen test split (tests/nlu/data/test.jsonl) is written separately, by hand; never copy from it.
"""

from __future__ import annotations

TEMPLATES: dict[str, dict[str, tuple[str, ...]]] = {
    "fleet.health": {
        "en": ("is everything ok", "how is the fleet doing", "any problems on the servers", "overall health",
               "is prod healthy", "give me an overview of the infra", "are all servers fine", "health check",
               "status of everything", "big picture please", "all good on the infra side?", "any issue anywhere",
               "how are things", "is the platform ok", "fleet status", "are we healthy", "sitrep",
               "is all green", "everything running fine?", "how's production looking"),
        "fr": ("tout va bien", "comment va l'infra", "des problemes sur les serveurs", "etat general",
               "la prod va bien ?", "vue d'ensemble de l'infra", "tous les serveurs vont bien ?", "bilan de sante",
               "etat global", "tout roule ?", "des soucis quelque part", "comment se portent les serveurs",
               "ca va la prod ?", "point global sur l'infra", "tout est ok ?", "tout baigne ?",
               "etat de sante de la plateforme", "y a des problemes en ce moment"),
    },
    "server.status": {
        "en": ("{h}: how is it doing", "any news from {h}", "tell me about {h}", "what's the state of {h} right now", "status of {h}", "how is {h} doing", "{h} status", "uptime of {h}", "give me {h} stats",
               "how's {h}", "server status {h}", "check {h}", "vitals of {h}", "what's up with {h} status",
               "state of {h}", "is {h} ok", "info on {h}", "how long has {h} been up"),
        "fr": ("quoi de neuf sur {h}", "{h} : ca donne quoi", "donne moi des nouvelles de {h}", "etat de {h}", "statut de {h}", "comment va {h}", "uptime de {h}", "infos sur {h}",
               "{h} ca va ?", "etat du serveur {h}", "stats de {h}", "{h} est ok ?", "depuis quand {h} est up",
               "verifie {h}", "comment se porte {h}"),
    },
    "server.disk": {
        "en": ("{h} running out of space?", "do we have room left on {h}", "{h} disk", "show me the mounts of {h}", "disk usage on {h}", "how much space is left on {h}", "is the disk full on {h}", "df on {h}",
               "free disk space {h}", "storage on {h}", "disk usage of {path} on {h}", "partitions on {h}",
               "how full is {h}", "check disk {h}", "space left on {h}?", "mount usage on {h}"),
        "fr": ("{h} manque de place ?", "on a encore de la place sur {h}", "espace disque sur {h}", "il reste combien de place sur {h}", "le disque de {h} est plein ?",
               "df sur {h}", "occupation disque de {h}", "place libre sur {h}", "stockage de {h}",
               "remplissage du disque de {h}", "occupation de {path} sur {h}", "les partitions de {h}",
               "reste de la place sur {h} ?"),
    },
    "server.memory": {
        "en": ("is {h} out of memory", "{h} ram", "how much memory does {h} use", "memory on {h}", "how much ram on {h}", "free memory {h}", "is {h} swapping", "ram usage of {h}",
               "memory usage on {h}", "mem {h}", "check memory of {h}", "swap usage on {h}"),
        "fr": ("{h} manque de ram ?", "combien de memoire utilise {h}", "memoire de {h}", "ram libre sur {h}", "conso memoire de {h}", "{h} swappe ?", "la ram de {h}",
               "utilisation memoire sur {h}", "memoire vive de {h}", "combien de ram sur {h}"),
    },
    "server.load": {
        "en": ("{h} cpu", "is {h} busy", "how hot is the cpu on {h}", "load on {h}", "cpu usage of {h}", "what's the load average on {h}", "cpu {h}", "is {h} overloaded",
               "load of {h}", "how loaded is {h}", "cpu load {h}", "check the cpu on {h}"),
        "fr": ("{h} est charge ?", "le cpu de {h} chauffe ?", "charge de {h}", "cpu de {h}", "charge moyenne sur {h}", "utilisation cpu de {h}",
               "{h} est surcharge ?", "la charge sur {h}", "conso cpu de {h}", "le processeur de {h}"),
    },
    "server.processes": {
        "en": ("top processes on {h}", "what's eating memory on {h}", "top {n} processes by cpu on {h}",
               "list processes on {h}", "ps on {h}", "which process uses the most ram on {h}", "htop {h}",
               "running processes on {h}", "biggest processes on {h}", "who is hogging cpu on {h}"),
        "fr": ("processus sur {h}", "qui consomme la ram sur {h}", "les {n} plus gros processus de {h}",
               "liste des process de {h}", "top sur {h}", "qui bouffe le cpu sur {h}", "processus en cours sur {h}",
               "quel process mange la memoire sur {h}"),
    },
    "server.logs": {
        "en": ("system logs of {h}", "syslog on {h}", "kernel log {h}", "dmesg on {h}", "journalctl on {h}",
               "system log errors on {h} since {d}", "last {n} lines of syslog on {h}", "os logs {h}",
               "system journal of {h} today"),
        "fr": ("logs systeme de {h}", "journal systeme de {h}", "syslog de {h}", "journaux du noyau de {h}",
               "les {n} dernieres lignes du syslog de {h}", "erreurs systeme sur {h} depuis {d}",
               "journaux systeme de {h} aujourd'hui"),
    },
    "service.status": {
        "en": ("did {s} come back on {h}", "{s} on {h}: up or not?", "is {s} still alive", "is {s} running on {h}", "status of {s} on {h}", "is {s} up", "check {s} on {h}", "{s} status",
               "is {s} alive on {h}", "state of {s}", "is {s} ok on {h}?", "is the {s} service active",
               "{s} running?", "is {s} working on {h}"),
        "fr": ("{s} est revenu sur {h} ?", "{s} est toujours vivant ?", "{s} tourne sur {h} ?", "etat de {s} sur {h}", "statut de {s}", "est-ce que {s} marche",
               "{s} est actif sur {h} ?", "verifie {s} sur {h}", "le service {s} tourne ?", "{s} fonctionne ?",
               "etat du service {s}", "{s} est up ?"),
    },
    "service.logs": {
        "en": ("what is {s} complaining about", "let me see the {s} logs", "{s} log tail on {h}", "{s} logs on {h}", "show me the {s} log", "last {n} lines of {s} logs on {h}", "tail {s} log",
               "errors in {s} logs since {d}", "{s} logs containing timeout", "logs of {s} for the last {d}",
               "what does the {s} log say", "{s} output on {h}", "warnings in the {s} log"),
        "fr": ("de quoi se plaint {s}", "fais voir les logs de {s}", "logs de {s} sur {h}", "journaux de {s}", "les {n} dernieres lignes des logs de {s}",
               "erreurs dans les logs de {s} depuis {d}", "log de {s} sur {h}", "montre les logs de {s}",
               "journal du service {s}", "les logs {s} contenant error"),
    },
    "container.list": {
        "en": ("list containers on {h}", "which containers are running on {h}", "docker ps on {h}",
               "running containers", "show the containers", "containers on {h}", "what's running in docker on {h}"),
        "fr": ("liste des conteneurs sur {h}", "quels conteneurs tournent sur {h}", "docker ps sur {h}",
               "les containers de {h}", "conteneurs actifs", "affiche les conteneurs de {h}"),
    },
    "http.check": {
        "en": ("check {u}", "is {u} up", "ping {u}", "is the site {u} responding", "http status of {u}",
               "is {u} reachable", "curl {u}", "latency of {u}"),
        "fr": ("verifie {u}", "le site {u} repond ?", "est-ce que {u} est accessible", "ping {u}",
               "statut http de {u}", "{u} est en ligne ?", "teste {u}"),
    },
    "incident.diagnose": {
        "en": ("{h} acting weird", "something off with {s}", "help, {h} is on fire", "{h} is down", "what's wrong with {h}", "{s} is slow, investigate", "why is {h} so slow",
               "diagnose {h}", "something is broken on {h}", "users get 502 errors", "the site is down",
               "troubleshoot {s} on {h}", "{s} keeps crashing", "figure out what's going on with {h}",
               "dig into the outage on {h}", "{h} is not responding"),
        "fr": ("{h} fait n'importe quoi", "{s} deconne", "{h} est down", "qu'est-ce qui se passe sur {h}", "{s} rame, regarde", "pourquoi {h} est si lent",
               "diagnostique {h}", "ca plante sur {h}", "le site est en panne", "{s} ne repond plus",
               "y a un probleme avec {s}", "analyse la panne de {h}", "{h} est hs", "ca marche plus sur {h}"),
    },
    "alerts.list": {
        "en": ("open alerts", "any alerts", "what's firing", "show alerts", "active alarms", "list the alerts",
               "current alerts on {h}"),
        "fr": ("alertes en cours", "des alertes ?", "liste des alertes", "alarmes actives", "quelles alertes",
               "les alertes ouvertes"),
    },
    "history.list": {
        "en": ("what happened on {h} today", "show me what was done", "command history", "what did we run today", "past commands", "history of actions since {d}",
               "who rebooted {h}", "recent commands", "what was executed yesterday", "audit log of commands"),
        "fr": ("historique des commandes", "qu'est-ce qu'on a lance hier", "commandes recentes",
               "historique depuis {d}", "qui a redemarre {h}", "actions recentes", "ce qu'on a fait aujourd'hui"),
    },
    "service.restart": {
        "en": ("{s} on {h} needs a kick", "do a restart of {s} on {h}", "restart {s} there", "restart {s} on {h}", "bounce {s} on {h}", "restart {s}", "please restart {s} on {h}",
               "can you restart {s} on {h}", "kick {s} on {h}", "cycle {s} on {h}", "{s} needs a restart on {h}",
               "give {s} a restart on {h}", "relaunch {s} on {h}", "restart the {s} service on {h}"),
        "fr": ("fais un restart de {s} sur {h}", "{s} a besoin d'un redemarrage", "redemarre {s} sur {h}", "relance {s} sur {h}", "redemarrer {s} sur {h}", "tu peux relancer {s}",
               "redemarre le service {s} sur {h}", "relance moi {s} sur {h}", "redem {s} sur {h}",
               "il faut redemarrer {s} sur {h}", "restart {s} sur {h} stp"),
    },
    "service.start": {
        "en": ("start {s} on {h}", "bring up {s} on {h}", "start {s}", "{s} is down on {h}, start it",
               "fire up {s} on {h}", "spin up {s} on {h}", "turn on {s} on {h}", "launch {s} on {h}",
               "get {s} running again on {h}", "please start the {s} service"),
        "fr": ("demarre {s} sur {h}", "lance {s} sur {h}", "allume {s} sur {h}", "demarrer {s}",
               "{s} est arrete sur {h}, demarre le", "remets {s} en route sur {h}", "lance le service {s}",
               "demarre le service {s} sur {h}"),
    },
    "service.reload": {
        "en": ("reload {s} on {h}", "reload {s} config", "hup {s} on {h}", "reload the {s} configuration",
               "refresh {s} config on {h}", "make {s} re-read its config"),
        "fr": ("recharge {s} sur {h}", "recharge la conf de {s}", "recharger {s}", "reload {s} sur {h}",
               "relis la conf de {s} sur {h}", "recharge la configuration de {s}"),
    },
    "service.stop": {
        "en": ("{s} must be stopped on {h}", "kill the {s} service on {h}", "stop {s} on {h}", "shut down {s} on {h}", "stop {s}", "halt {s} on {h}", "turn off {s} on {h}",
               "take {s} down on {h}", "please stop the {s} service"),
        "fr": ("arrete {s} sur {h}", "stoppe {s} sur {h}", "coupe {s} sur {h}", "arreter {s}",
               "eteins {s} sur {h}", "arrete le service {s}"),
    },
    "container.restart": {
        "en": ("restart the {c} container on {h}", "restart container {c}", "bounce the {c} container",
               "restart docker container {c} on {h}"),
        "fr": ("redemarre le conteneur {c} sur {h}", "relance le container {c}", "redemarrer le conteneur {c}"),
    },
    "db.backup": {
        "en": ("save the database on {h}", "make a copy of the db", "backup the database on {h}", "back up the db", "dump postgres on {h}", "take a db backup",
               "snapshot the database on {h}", "run a backup of the db on {h}", "backup {h}"),
        "fr": ("sauvegarde la base sur {h}", "fais un backup de la bdd", "dump de la base de {h}",
               "sauvegarder la base de donnees", "lance une sauvegarde sur {h}", "fais une sauvegarde de la base"),
    },
    "process.kill": {
        "en": ("kill process {p} on {h}", "kill pid {p}", "kill -9 {p} on {h}", "terminate process {p} on {h}",
               "end process {p} on {h}", "sigkill {p} on {h}"),
        "fr": ("tue le processus {p} sur {h}", "kill le pid {p}", "tuer le process {p} sur {h}",
               "termine le processus {p}", "flingue le pid {p} sur {h}"),
    },
    "disk.cleanup": {
        "en": ("{h} is full, clean it", "get rid of old logs on {h}", "clean up the disk on {h}", "free up space on {h}", "cleanup {h}", "purge old logs on {h}",
               "make some room on {h}", "vacuum journals on {h}", "clean the package cache on {h}",
               "reclaim disk space on {h}"),
        "fr": ("{h} est plein, nettoie", "debarrasse-toi des vieux logs de {h}", "nettoie le disque de {h}", "fais de la place sur {h}", "libere de l'espace sur {h}",
               "fais le menage sur {h}", "purge les vieux logs de {h}", "vide le cache apt de {h}",
               "nettoyer {h}"),
    },
    "app.deploy": {
        "en": ("deploy {v} to {e}", "ship {v} to {e}", "release {v} on {e}", "roll out {v} to {e}",
               "push {v} to {e}", "deploy version {v} in {e}", "put {v} in {e}", "go live with {v} on {e}"),
        "fr": ("deploie {v} en {e}", "mets {v} en {e}", "deployer la version {v} en {e}", "livre {v} en {e}",
               "pousse {v} en {e}", "mise en prod de {v}", "deploie la {v} sur {e}"),
    },
    "app.rollback": {
        "en": ("rollback {e}", "roll back {e} to {v}", "revert the deploy on {e}", "go back to the previous version"
               " on {e}", "downgrade {e} to {v}", "undo the last deployment on {e}"),
        "fr": ("rollback de {e}", "reviens a la version precedente en {e}", "retour arriere sur {e}",
               "fais un rollback en {e}", "remets la version {v} en {e}", "annule le deploiement en {e}"),
    },
    "server.reboot": {
        "en": ("reboot {h}", "reboot the server {h}", "restart the machine {h}", "power cycle {h}",
               "restart server {h}", "bounce the box {h}", "reboot all the web servers"),
        "fr": ("reboote {h}", "redemarre le serveur {h}", "redemarre la machine {h}", "reboot {h}",
               "relance le serveur {h}", "redemarrer le serveur {h}"),
    },
    "shell.run": {
        "en": ("run `uptime` on {h}", "execute `ls -la /tmp` on {h}", "run the command `free -m` on {h}",
               "exec `cat /etc/os-release` on {h}", "on {h} run `df -h`"),
        "fr": ("execute `uptime` sur {h}", "lance la commande `df -h` sur {h}", "tape `free -m` sur {h}",
               "passe la commande `ls /var/log` sur {h}"),
    },
    "server.add": {
        "en": ("add server web-09 at 10.0.9.9", "register a new host called db-07 with ip 10.1.2.3",
               "add a new server named cache-05 10.2.0.5", "onboard host app-01 at 10.3.3.3"),
        "fr": ("ajoute le serveur web-09 10.0.9.9", "enregistre un nouveau serveur db-07 en 10.1.2.3",
               "ajoute une machine cache-05 d'ip 10.2.0.5"),
    },
    "server.remove": {
        "en": ("remove {h} from the inventory", "decommission {h}", "unregister {h}", "delete server {h}"),
        "fr": ("retire {h} de l'inventaire", "supprime le serveur {h}", "enleve {h} du parc",
               "decommissionne {h}"),
    },
    "chat.greeting": {
        "en": ("hi", "hello", "hey there", "good morning", "hiya", "yo", "hello bot"),
        "fr": ("bonjour", "salut", "coucou", "bonsoir", "salut a tous", "bjr"),
    },
    "chat.thanks": {
        "en": ("thanks", "thank you", "cheers", "thx", "thanks that's all", "great thanks", "perfect, thank you"),
        "fr": ("merci", "merci beaucoup", "merci c'est tout", "super merci", "cimer", "parfait merci"),
    },
    "chat.help": {
        "en": ("help", "what can you do", "how does this work", "what are your commands", "help me"),
        "fr": ("aide", "que sais-tu faire", "comment ca marche", "quelles sont tes commandes", "a l'aide"),
    },
    "chat.confirm": {
        "en": ("yes", "go ahead", "do it", "confirm", "yes please", "ok go", "sure"),
        "fr": ("oui", "vas-y", "confirme", "c'est bon", "d'accord", "ok vas-y"),
    },
    "chat.cancel": {
        "en": ("no", "cancel", "forget it", "never mind", "abort", "stop, don't"),
        "fr": ("non", "annule", "laisse tomber", "oublie", "pas maintenant"),
    },
    "chat.choose": {
        "en": ("1", "option 2", "the first one", "number 3", "the second"),
        "fr": ("la deuxieme", "option 1", "le premier", "choix 2", "la derniere"),
    },
    "none": {
        "en": ("drop the {w} database", "wipe the prod db", "install {w} on {h}", "format the disk on {h}",
               "upgrade the kernel on {h}", "create a user {w}", "delete the user {w}", "write an email to {w}",
               "book a meeting with {w}", "what's the weather today", "tell me a joke", "order lunch",
               "restore the db from yesterday", "open port 8080 on {h}", "change the password of {w}",
               "translate this to german", "who won the game", "buy more servers", "sing a song",
               "resize the volume on {h}", "provision a new vm", "update all packages on {h}",
               "edit the nginx config on {h}", "renew the ssl certificate", "add a dns record for {w}"),
        "fr": ("supprime la base {w}", "vide la base de prod", "installe {w} sur {h}", "formate le disque de {h}",
               "mets a jour le noyau de {h}", "cree un utilisateur {w}", "supprime le compte {w}",
               "ecris un mail a {w}", "reserve une reunion avec {w}", "quel temps fait-il", "raconte une blague",
               "restaure la base d'hier", "ouvre le port 443 sur {h}", "change le mot de passe de {w}",
               "commande une pizza", "traduis ce texte", "cree une vm", "mets a jour les paquets de {h}",
               "modifie la conf nginx de {h}"),
    },
}

PREFIXES = {
    "en": ("", "", "", "", "please ", "pls ", "can you ", "could you ", "hey, ", "quick: ", "i need to ",
           "can u ", "would you ", "ok ", "yo "),
    "fr": ("", "", "", "", "stp ", "peux-tu ", "tu peux ", "pourrais-tu ", "dis, ", "vite : ", "il faut ",
           "svp ", "bon, ", "ok "),
}
SUFFIXES = {
    "en": ("", "", "", "", " please", " pls", " asap", "?", " thanks", " now", " when you can", "!"),
    "fr": ("", "", "", "", " stp", " svp", " merci", " ?", " vite", " maintenant", " asap", " s'il te plait"),
}
FILLERS = {
    "w": ("alice", "bob", "users", "orders", "the team", "marketing", "htop", "docker", "git", "java", "test"),
}
