"""Language-generic words: function words per language, follow-ups, server nouns, fleet-wide
phrases, ordinals, service and environment aliases. Action words live in each spec's vocabulary."""

from __future__ import annotations

import re

FR_MARKERS = frozenset(
    "le la les des du de sur est et pour avec dans une un quoi qui que quel quelle quels quelles moi mon "
    "ma mes tous toutes tout pas ne fait faire ca c est je tu vous nous il elle y a au aux ce cette "
    "depuis dernieres derniere derniers dernier bonjour merci oui non stp svp peux peut veux voir "
    "montre donne affiche redemarre relance serveur serveurs heure heures lignes qu pourquoi comment "
    "combien y en sont etat memoire disque charge journaux erreurs y-a-t-il lequel laquelle idem pareil "
    "aussi maintenant encore salut annule annuler vas-y ok-go sauvegarde arrete demarre recharge tue "
    "deploie plante marche tourne bien".split()
)
EN_MARKERS = frozenset(
    "the on is are what show me my of in for with and to please all it can you how why which "
    "last hours hour lines server servers restart reboot check status logs errors any there do does "
    "now same too also again hi hello hey thanks thank yes no cancel stop start running running? "
    "whats what's going get give list tell is up down deploy kill backup memory disk load a an at by from look"
    " take have has had was were been be did done who when where why this that there they we our your i i'm it's"
    " just need want would should could anything something everything nothing some".split()
)

FOLLOW_UP_WORDS = frozenset(
    "it them that this there same again too also now then and what about how idem pareil aussi "
    "maintenant encore et puis le la les ca y dessus meme lui".split()
)
STRONG_FOLLOW_UP = re.compile(
    r"^(and|et|same|pareil|idem|meme chose|now|maintenant|then|puis|also|aussi|what about|how about"
    r"|encore)\b|\b(it|them|there|dessus|la meme|same|pareil|idem|aussi|too|also|again|encore|now|maintenant|its)\b"
    r"|\b(le|la|les|l)\s*'?\s*(redemarr\w*|relanc\w*|arret\w*|stopp\w*|recharg\w*|demarr\w*)"
)

SERVER_NOUNS = frozenset(
    "server servers host hosts machine machines box boxes node nodes vm vms instance instances "
    "serveur serveurs hote hotes noeud noeuds serv srv".split()
)
GROUP_PREPOSITIONS = frozenset("on sur across in dans en to vers for pour all tous toutes les the".split())

ALL_HOSTS = re.compile(
    r"\b(all|every|each)\s+(of\s+)?(the\s+|my\s+|our\s+)?(servers?|hosts?|machines?|nodes?|boxes|vms?)\b"
    r"|\b(tous|toutes)\s+(les\s+|mes\s+|nos\s+)?(serveurs?|machines?|hotes?|noeuds?|vms?)\b"
    r"|\b(everywhere|everything|partout|fleet-wide)\b"
    r"|\b(whole|entire)\s+(fleet|infra\w*|park)\b|\btoute\s+l\s*'?\s*infra\w*|\btoute\s+la\s+flotte\b"
    r"|\b(on|sur|across)\s+(all|tous|toutes)\b(?!\s+(les\s+)?\w+\s+(web|db))"
)

SERVICE_ALIASES: dict[str, tuple[str, ...]] = {
    "postgresql": ("postgres", "pg", "psql", "postgre", "pgsql", "postgresl"),
    "mysql": ("mysqld", "mariadb"),
    "mariadb": ("mysql", "maria"),
    "apache2": ("apache", "httpd"),
    "httpd": ("apache", "apache2"),
    "docker": ("dockerd",),
    "sshd": ("ssh", "openssh"),
    "mongod": ("mongo", "mongodb"),
    "elasticsearch": ("elastic", "es"),
    "rabbitmq-server": ("rabbitmq", "rabbit"),
    "redis-server": ("redis",),
    "redis": ("redis-server",),
    "haproxy": ("ha-proxy",),
    "php-fpm": ("php", "fpm"),
}
ENVIRONMENT_NAMES = frozenset(
    "production staging preprod preproduction development dev test testing qa uat sandbox demo".split()
)
GROUP_ALIASES: dict[str, tuple[str, ...]] = {
    "production": ("prod", "prd", "live"),
    "staging": ("stage", "stg", "recette", "preprod"),
    "development": ("dev",),
    "db": ("database", "databases", "bdd", "dbs"),
    "web": ("webs", "front", "fronts", "frontend", "frontends"),
    "cache": ("caches",),
    "lb": ("loadbalancer", "loadbalancers", "load-balancer", "lbs"),
}

ORDINALS = {
    "first": 1, "1st": 1, "premier": 1, "premiere": 1, "1er": 1, "1ere": 1,
    "second": 2, "2nd": 2, "deuxieme": 2, "seconde": 2, "2e": 2, "2eme": 2,
    "third": 3, "3rd": 3, "troisieme": 3, "3e": 3, "3eme": 3,
    "fourth": 4, "4th": 4, "quatrieme": 4, "4e": 4, "fifth": 5, "cinquieme": 5,
    "last": -1, "dernier": -1, "derniere": -1,
}

STOP_WORDS = frozenset(
    "the a an on of in to for and or is are be me my please pls can could you le la les un une des du de "
    "sur et ou est sont moi stp svp tu vous peux pouvez au aux with avec what que quoi it this that".split()
)

# Ordinary words that are never typos of a catalog word ("faut" is not "fait", "choux" is not "choix",
# "changed" is not "charge"): the spelling correction leaves them as they are.
COMMON_WORDS = frozenset(
    "faut fallait falloir choux chose choses truc trucs machin gens monde temps fois jour jours nuit soir matin"
    " semaine mois annee heure minute seconde avant apres depuis pendant encore toujours jamais souvent vraiment"
    " aussi alors donc mais parce comme quand pourquoi comment combien quel quelle quels quelles lequel laquelle"
    " etre avoir fait faire fais dire dis voir vois vu aller allez venir venu prendre pris mettre mis savoir sais"
    " pouvoir peux veux vouloir devoir dois doit trop tres beaucoup peu plus moins bien mieux mal juste vite"
    " rien tout tous toute toutes chaque autre autres meme memes ceux celle celles celui ici voila voici"
    " merde putain bordel zut mince genre grave chaud froid nouveau nouvelle vieux vieille grand grande petit petite"
    " have been were what when where which while with would could should shall will your yours their there these"
    " those this that than then them they thing things stuff guys folks people someone somebody anyone everyone"
    " every each some many much more most less least very really quite just only also even still again already"
    " yesterday today tomorrow tonight morning evening night week month year hour minute second time times"
    " about above after before below between during into onto over under since until through across around"
    " changed change changes happened happen happens touched touch went gone going done doing made make makes"
    " seen look looks looking take took taken give gave given said tell told know knew think thought want"
    " need needs needed like likes maybe please thanks sure fine good great okay cool nice weird strange funny"
    " fire burning dead alive broken wrong right left same other another again back away down inside outside"
    " relire relis relit relu relue lire lis lit tirer tire tirez rester reste restes partir parti partie lancee"
    " fall falls fell fallen falling whether rade casse cassee casses casser book books booked booking"
    .split()
)
