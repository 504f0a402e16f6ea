# ruff: noqa: E501  (tables of regular expressions read better unwrapped)
"""Requests outside the catalog (docs/ACTIONS.md, "Outside the catalog").

Dropping or restoring a database, installing packages, formatting a disk, upgrading a kernel,
managing users, writing e-mails, booking meetings, the weather: the catalog has no action for
them, so the answer is `unknown` with an honest sentence — never the nearest catalog action
("wipe the prod db" is not a backup, "install docker" is not a log request).
"""

from __future__ import annotations

import re

_DB = r"(?:(?:the|a|this|that|our|my|all|\w+)\s+){0,3}(?:db|dbs|database|databases|table|tables|schema|schemas|base|bases|bdd|base de donnees|collection|index|bucket|keyspace)(?![-.]\w)"
_FR_DB = r"(?:la\s+|les\s+|une\s+|cette\s+|ma\s+|notre\s+)?(?:db|bdd|base|bases|base de donnees|bases de donnees|table|tables|schema|collection)(?![-.]\w)"
_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = tuple((key, re.compile(p)) for key, p in (
    ("database", rf"\b(drop|wipe|truncate|delete|destroy|erase|purge|nuke|empty|flush|reset|clear|remove)\s+{_DB}\b"),
    ("database", rf"\b(drop|truncate)\s+(table|database|schema)\b|\b{_DB}\s+(drop|wipe|deletion|reset)\b"),
    ("database", r"\b(restore|recover|reimport|import|load|migrate)\s+(the\s+|a\s+|from\s+)?(\w+\s+)?(backup|dump|snapshot|db|database)(?![-.]\w)"),
    ("database", rf"\b(supprime\w*|vide\w*|efface\w*|detrui\w*|drop\w*|purge\w*|restaure\w*|restaurer|reinitialise\w*"
                 rf"|migre\w*|importe\w*)\s+{_FR_DB}\b"),
    ("database", r"\b(restaur\w*|restor\w*)\b(?!.*\b(version|release|deploy\w*|deploi\w*|build|rollback)\b)"),
    ("database", rf"(?<![\w-])(copy|clone|duplicate|sync|replicate|migrate|move|transfer|export|copie\w*|clone\w*|duplique\w*"
                 rf"|synchronise\w*|deplace\w*|transfere\w*|exporte\w*)\s+(?:{_DB}|{_FR_DB})\b"),
    ("packages", r"\b(install|installs|installing|uninstall|reinstall|re-install|apt(-get)?\s+install|yum\s+install"
                 r"|pip\s+install|npm\s+install|dnf\s+install|brew\s+install|setup|set up)\s+(?!(?:a|the|new)\s+"
                 r"(?:server|host|machine))\w+"),
    ("packages", r"\b(installe\w*|desinstalle\w*|reinstalle\w*|installer|installation\s+de)\b"),
    ("packages", r"\b(upgrade|update|patch|apt(-get)?\s+upgrade)\s+(the\s+|all\s+)?(packages?|system|os|distro"
                 r"|distribution|kernel|firmware|bios|libc|openssl|python|node|java|php|ubuntu|debian|centos|rhel)\b"),
    ("packages", r"\b(mets?|mettre|mise)\s+a\s+jour\s+(le\s+|les\s+|la\s+|du\s+|des\s+)?(noyau|kernel|paquets?|systeme|os"
                 r"|distrib\w*|firmware|bios)\b|\bmaj\s+(du\s+|des\s+|le\s+|les\s+)?(noyau|kernel|paquets?|systeme)\b"),
    ("kernel", r"\b(kernel|noyau)\s+(upgrade|update|patch)\b|\b(upgrade|update)\w*\s+(of\s+)?(the\s+)?kernel\b"),
    ("disk", r"\b(format|reformat|wipe|erase|partition|repartition|mkfs|shred|zero)\w*\s+(the\s+|a\s+|this\s+|le\s+|la\s+"
             r"|un\s+|les\s+)?(\w+\s+)?(disk|disks|drive|drives|volume|volumes|partition|partitions|disque|disques"
             r"|ssd|hdd|filesystem|fs|/dev/\w+|device|lun)\b"),
    ("disk", r"\b(formate\w*|formater|partitionne\w*|efface\w*|wipe)\s+(le\s+|la\s+|les\s+|un\s+)?(disque|partition"
             r"|volume|ssd|dd|systeme de fichiers)\b"),
    ("disk", r"\b(mount|umount|unmount|monte[rz]?|demonte[rz]?)\s+(the\s+|le\s+|la\s+)?(/dev/\S+|disk|disque|volume|partition|share"
             r"|nfs|/\S+)"),
    ("disk", r"\b(resize|grow|shrink|extend|expand|agrandi\w*|redimensionne\w*|etend\w*)\s+(the\s+|le\s+|la\s+)?"
             r"(\w+\s+)?(disk|volume|partition|filesystem|fs|lvm|disque)\b"),
    ("users", r"\b(create|add|delete|remove|disable|lock|unlock|rename|make)\s+(a\s+|an\s+|the\s+|new\s+)*(\w+\s+)?"
              r"(user|users|account|accounts|login|group)\b(?!\s+(?:server|host))"),
    ("users", r"\b(reset|change|rotate|set)\s+(the\s+|a\s+|my\s+|his\s+|her\s+|root\s+)*(\w+\s+)?(password|passwd"
              r"|credentials|ssh\s+keys?)\b|\b(cree\w*|creer|ajoute\w*|supprime\w*|desactive\w*|bloque\w*)\s+"
              r"(un\s+|le\s+|l\s*'?|les\s+|des\s+)?(nouvel\s+|nouveau\s+)?(utilisateur|utilisateurs|compte|comptes"
              r"|user|users)\b|\b(change\w*|reinitialise\w*|modifie\w*)\s+(le\s+|mon\s+|son\s+)?mot de passe\b"),
    ("users", r"\b(useradd|userdel|adduser|deluser|chpasswd|usermod)\b"),
    ("permissions", r"\b(chmod|chown|chgrp|setfacl)\s+\S+"),
    ("firewall", r"\b(open|close|block|unblock|allow|deny)\s+(the\s+)?(port|ports|firewall|ip|traffic)\b"
                 r"|\b(ouvre\w*|ferme\w*|bloque\w*)\s+(le\s+)?(port|pare-feu|firewall)\b|\biptables\b|\bufw\b"),
    ("provision", r"\b(provision|spin up|destroy|terminate|create|resize)\s+(the\s+|a\s+|an\s+|new\s+)*(vm|vms"
                  r"|instance|instances|cluster|clusters|ec2|droplet)\b|\bscale\s+(up|out|down|in)\b"
                  r"|\bscale\s+(the\s+)?\w+(\s+\w+)?\s+(to|up\s+to|down\s+to)\s+\d+\b"
                  r"|\b(cree\w*|creer|provisionne\w*)\s+(une\s+|un\s+)(nouvelle\s+|nouveau\s+)?(vm|instance|machine"
                  r"|serveur|cluster)\b|\bcreate\s+(a\s+)?new\s+(server|machine|host)\b"),
    ("email", r"\b(write|send|draft|compose|reply to|forward)\s+(an?\s+|the\s+)?(e-?mail|mail|email|message|slack|memo"
              r"|letter|tweet|post|report|newsletter)\b|\b(ecri\w*|envoie\w*|redige\w*|repond\w*)\s+(un\s+|une\s+|le\s+)?"
              r"(e-?mail|mail|courriel|message|lettre|compte rendu|rapport)\b"),
    ("meeting", r"\b(book|schedule|plan|set up|arrange|organize|cancel)\s+(a\s+|the\s+|an?\s+)?(meeting|call|sync"
                r"|standup|stand-up|appointment|room|1:1|one on one|calendar|event)\b|\b(reserve\w*|planifie\w*"
                r"|organise\w*|cale\w*)\s+(une\s+|un\s+|la\s+)?(reunion|salle|call|point|rendez-vous|rdv|visio)\b"),
    ("weather", r"\b(weather|forecast|temperature outside|rain|sunny|meteo|il fait beau|pleuvoir|pleut)\b"),
    ("chitchat", r"\b(tell me a joke|a joke|une blague|sing|poem|poeme|recipe|recette de cuisine|who won|football"
                 r"|movie|film|stock price|bitcoin|translate|traduis|order (a )?pizza|commande (une )?pizza|qui a gagne"
                 r"|girlfriend|boyfriend|lottery|horoscope|order (some )?(lunch|food|coffee|dinner)|commande (a manger|un cafe|le dejeuner)"
                 r"|lunch|dejeuner|restaurant)\b"),
    ("ticket", r"\b(open|create|file|close|update)\s+(a\s+|the\s+)?(ticket|jira|issue on github|pull request|pr|incident"
               r" ticket)\b|\b(ouvre|cree|creer)\s+(un\s+)?(ticket|jira)\b"),
    ("dns", r"\b(change|update|edit|add|modify|create)\s+(the\s+|a\s+)?(dns|dns record|a record|cname|certificate|cert"
            r"|ssl cert|tls cert)\b|\b(renew)\s+(the\s+)?(cert|certificate|ssl|tls)\w*\b"),
    # certificates and DNS entries as the object of any verb that changes them ("rotate the ssl certificate",
    # "renouvelle le certificat", "ajoute une entrée dns"); "reload haproxy for the new certs" stays a reload
    ("dns", r"\b(rotate|renew|replace|regenerate|reissue|issue|install|deploy|update|change|add|create|remove|delete"
            r"|revoke|swap|roll|renouvel\w*|remplace\w*|regenere\w*|change[rz]?|ajoute[rz]?|cree[rz]?|creer|supprime[rz]?"
            r"|revoque[rz]?|installe[rz]?|modifie[rz]?|mets?\s+a\s+jour)\s+(?:(?:the|a|an|new|our|its|le|la|les|l\s*'|un|une"
            r"|des|du|nouveaux?|nouvelles?|ssl|tls|x509|https|wildcard)\s*)*(certificates?|certs?|certificats?|dns\b"
            r"|cname|a\s+records?|entrees?\s+dns|enregistrements?\s+dns|zones?\s+dns)"),
    # a package manager's own verbs ("apt upgrade everything", "yum update", "dnf install")
    ("packages", r"\b(apt|apt-get|aptitude|yum|dnf|zypper|apk|pacman|snap|brew)\s+(upgrade|update|dist-upgrade"
                 r"|full-upgrade|install|remove|purge|autoremove|-syu|-s)\b"),
    ("config_edit", r"\b(change|set|modify|switch)\s+(the\s+)?(\w+\s+)?(port|listen\s+port|timeout|worker\s+count|max\s+connections)\b"
                    r"|\b(change|modifie)\w*\s+(le\s+)?port\b"),
    ("config_edit", r"\b(edit|modify|change|rewrite)\s+(the\s+)?(\w+\s+)?(config|configuration|conf|crontab|cron|nginx\.conf"
                    r"|file)\b(?!\s+(?:and\s+)?reload)|\b(modifie[rz]?|edite[rz]?|change[rz]?)\s+(la|le|ma|sa|les)\s+(\w+\s+)?(conf"
                    r"|config|configuration|fichier|crontab)\b"),
    ("power", r"\bpower\s*(off|down)\b|\bpoweroff\b|\b(shut\s*down|halt|turn\s+off|switch\s+off|stop)\s+(the\s+|this\s+|that\s+|all\s+(the\s+)?)?(server|servers|machine|machines|box|boxes|host|hosts|vm|vms)\b"
              r"|\b(eteins|eteindre|eteignez|arrete[rz]?|coupe[rz]?|stoppe[rz]?)\s+(le\s+|la\s+|les\s+|ce\s+|cette\s+)?(serveur|serveurs|machine|machines|vm|vms)\b"),
    ("schedule", r"\b(add|create|edit|remove|delete|set\s+up|schedule)\s+(a\s+|an\s+|the\s+|new\s+)*(cron|cronjob|cron\s+job|crontab"
                 r"|scheduled\s+task|systemd\s+timer)s?\b|\b(ajoute\w*|cree\w*|creer|modifie\w*|supprime\w*|planifie\w*)\s+"
                 r"(une\s+|un\s+|la\s+|le\s+|les\s+)?(nouvelle\s+)?(tache\s+(cron|planifiee)|crontab|cron)\b"),
    ("files", r"\b(delete|remove|rm|erase|truncate|empty|wipe|shred|clear)\s+(the\s+|all\s+(the\s+)?|this\s+|these\s+|my\s+)?"
              r"(?!old\b)(\w+\s+){0,2}?(logs?|log\s+files?|files?|folders?|director(y|ies)|access\s+logs?|error\s+logs?)\b"
              r"(?!\s+(to|so)\s+(free|make|reclaim))"
              r"|\b(empty|vide[rz]?|wipe|delete|supprime\w*|efface\w*|rm|truncate)\s+(le\s+|la\s+|les\s+|the\s+)?(dossier\s+|folder\s+"
              r"|directory\s+|repertoire\s+|fichier\s+|file\s+)?/[\w/.-]*"
              r"|\b(supprime\w*|efface\w*|vide[rz]?|tronque\w*)\s+(tous\s+)?(le\s+|la\s+|les\s+|l\s*'\s*|un\s+|des\s+)?(logs?|journaux"
              r"|fichiers?|dossiers?|repertoires?)\b(?!\s+(vieux|anciens|de\s+plus\s+de))"),
    ("shell", r"\b(ssh\s+(in|into|to|on)|open\s+(a|an|the)\s+(interactive\s+)?(shell|terminal|console|session)|interactive\s+shell"
              r"|log\s*in\s+to|connecte[rz]?(-toi|\s+toi|-vous)?\s+(en\s+ssh\s+)?(sur|a)|ouvre\s+(un|une)\s+(shell|terminal|console"
              r"|session)|(en|par)\s+ssh\s+sur)\b"),
    ("lb_pool", r"\b(from|out\s+of|to|into|in|du|de\s+la|hors\s+du|dans\s+le|au)\s+(the\s+|le\s+|la\s+)?(load[\s-]*balancer|pool"
                r"|rotation|upstream|backends?)\b|\bdrain\w*\b|\b(in|into|en|to)\s+maintenance(\s+mode)?\b|\bmaintenance\s+mode\b"),
    ("everything", r"\b(rm\s+-rf\s+/|delete everything|wipe everything|erase everything|destroy everything"
                   r"|supprime tout|efface tout|detruis tout|vide tout)\b"),
    ("permissions", r"\b(chmod|chown|give|grant|revoke)\s+(\w+\s+)?(sudo|root|admin|permissions?|access|rights|droits)\b"
                    r"|\b(donne|accorde|retire)\s+(les\s+)?(droits|acces|permissions)\b"),
))
_NOT_OUT_OF_SCOPE = re.compile(
    r"\b(logs?|journal|journaux|history|historique|status|etat|when|quand|how|comment|since|depuis|last|dernier)\b"
    r".*\b(install|upgrade|update|restore|format|mise a jour|restaur)\w*\b"
)
_WHAT_FOR = {
    "database": {"en": "drop, wipe, restore or copy a database (I can back one up)",
                 "fr": "supprimer, vider, restaurer ou copier une base de données (je peux la sauvegarder)"},
    "packages": {"en": "install, remove or upgrade software", "fr": "installer, désinstaller ou mettre à jour des logiciels"},
    "kernel": {"en": "upgrade a kernel", "fr": "mettre à jour un noyau"},
    "disk": {"en": "format, wipe or resize a disk", "fr": "formater, effacer ou redimensionner un disque"},
    "users": {"en": "manage user accounts or passwords", "fr": "gérer des comptes ou des mots de passe"},
    "firewall": {"en": "change firewall rules", "fr": "modifier le pare-feu"},
    "provision": {"en": "create, resize or destroy machines", "fr": "créer, redimensionner ou détruire des machines"},
    "email": {"en": "write or send messages", "fr": "écrire ou envoyer des messages"},
    "meeting": {"en": "book meetings", "fr": "organiser des réunions"},
    "weather": {"en": "tell the weather", "fr": "donner la météo"},
    "chitchat": {"en": "help with that", "fr": "vous aider pour cela"},
    "ticket": {"en": "open or edit tickets", "fr": "ouvrir ou modifier des tickets"},
    "dns": {"en": "change DNS records or certificates", "fr": "modifier le DNS ou les certificats"},
    "config_edit": {"en": "edit configuration files", "fr": "modifier des fichiers de configuration"},
    "schedule": {"en": "schedule jobs (cron)", "fr": "planifier des tâches (cron)"},
    "files": {"en": "delete files or logs (I can clean old logs and caches to free space)",
              "fr": "supprimer des fichiers ou des journaux (je peux nettoyer les vieux journaux et les caches pour faire de la place)"},
    "shell": {"en": "open an interactive shell (admins can run one command given between backticks)",
              "fr": "ouvrir un shell interactif (les admins peuvent exécuter une commande donnée entre accents graves)"},
    "lb_pool": {"en": "change the load balancer's pool or put a server in maintenance",
                "fr": "modifier le pool du répartiteur de charge ou mettre un serveur en maintenance"},
    "everything": {"en": "delete everything", "fr": "tout supprimer"},
    "power": {"en": "power off servers (I can reboot them)", "fr": "éteindre des serveurs (je peux les redémarrer)"},
    "permissions": {"en": "change permissions or access rights", "fr": "modifier des droits d'accès"},
}


# Words of out-of-scope requests, so that a typo ("formate", "instal", "wipe teh db") is still recognized.
SCOPE_WORDS = frozenset(
    "drop wipe truncate delete destroy erase restore install uninstall reinstall upgrade update format reformat"
    " partition kernel noyau installe installer desinstalle formate formater restaure restaurer supprime"
    " database databases table tables password utilisateur account accounts meeting reunion weather meteo"
    " email mail courriel firewall iptables provision".split()
)


def out_of_scope(folded: str) -> str | None:
    """The kind of request the catalog cannot serve (a key of `describe`), or None."""
    if _NOT_OUT_OF_SCOPE.search(folded):
        return None
    for key, pattern in _PATTERNS:
        if pattern.search(folded):
            return key
    return None


def describe(key: str, lang: str) -> str:
    table = _WHAT_FOR.get(key) or _WHAT_FOR["chitchat"]
    return table.get(lang) or table["en"]
