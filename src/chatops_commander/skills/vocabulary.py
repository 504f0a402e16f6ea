# ruff: noqa: E501  (tables of phrases and regular expressions read better unwrapped)
"""Words each built-in action teaches the parser, in English and French.

Owned by the language-understanding work (issue 5): every built-in action id has an entry.
Packs bring their own `Vocabulary` in their spec. Phrases are written folded (no accents
needed, the parser folds both sides); `|` separates phrases; patterns are regular expressions
over the folded, lower-cased text in which host and group names have been blanked out.
"""

from __future__ import annotations

from chatops_commander.domain.actions import Vocabulary


def _v(
    verbs_en: str = "", verbs_fr: str = "", nouns_en: str = "", nouns_fr: str = "",
    patterns_en: tuple[str, ...] = (), patterns_fr: tuple[str, ...] = (),
) -> Vocabulary:
    def split(s: str) -> tuple[str, ...]:
        return tuple(p.strip() for p in s.split("|") if p.strip())

    return Vocabulary(
        verbs={"en": split(verbs_en), "fr": split(verbs_fr)},
        nouns={"en": split(nouns_en), "fr": split(nouns_fr)},
        patterns={"en": patterns_en, "fr": patterns_fr},
    )


_SERVER_WORD = r"(servers?|serveurs?|machines?|box(es)?|hosts?|hotes?|vms?|nodes?|noeuds?|srv)"
_ANCHOR_END = r"\s*[!.?]*\s*$"

# "check web-01", "jette un œil à web-01", "can you check nginx on web-01" (names hidden): nothing but the verb and
# politeness. Both server.status and service.status read them; the service named (or not) decides.
_CHECK_ONLY_EN = (
    r"\A\W*(?:(?:please|pls|can you|could you|would you|hey|ok|quick|just|yo|i need to|i need you to|can u"
    r"|go|quickly|plz|plse)\W+)*(?:check|chk|verify|inspect|(?:take|have|give)\s+(?:me\s+)?(?:a\s+)?(?:quick\s+)?(?:look|peek)"
    r"(?:\s+(?:at|on|into))?|look\s+(?:at|into)|check\s+on|check\s+up\s+on)(?:\W|\b(?:on|at|in|of|the|all|my|our|service|server"
    r"|servers|box|boxes|host|hosts|machines?|nodes?)\b)*"
    r"(?:(?:please|pls|plz|thanks|thx|ty|now|asap|for me|real quick|stp|svp|merci|vite)\W*)*\Z"
)
_CHECK_ONLY_FR = (
    r"\A\W*(?:(?:stp|svp|peux-tu|tu peux|dis|vite|ok|il faut|faut|pourrais-tu|tu pourrais|bon|peux tu"
    r"|vous pouvez|pouvez-vous)\W+)*(?:verifie[rz]?|controle[rz]?|regarde[rz]?|check|(?:jette[rz]?|jeter)\s+un"
    r"\s+(?:oeil|coup\s+d\s*'?\s*oeil)|t\s*'?\s*as\s+vu|tu\s+as\s+vu|as-tu\s+vu|vous\s+avez\s+vu|avez-vous"
    r"\s+vu)(?:\W|\b(?:sur|a|au|aux|de|du|le|la|les|l|tous|toutes|mes|nos|service|serveurs?|machines?|on|the|all"
    r"|servers?)\b)*"
    r"(?:(?:stp|svp|merci|vite|maintenant|asap|s'il te plait|s'il vous plait|please|pls|thanks|now)\W*)*\Z"
)

# "nginx up on web-01?", "is web-01 ok?" (the name hidden just before): a state question about what was named.
_STATE_WORD_EN = r"(?:\A\s*|(?<!\s)\s\s+)(up|running|alive|ok|okay|fine|good|healthy|happy)\b(?:\s+(?:on|in)\b[^?]{0,40})?\s*\?"
_STATE_WORD_FR = r"(?:\A\s*|(?<!\s)\s\s+)(est\s+)?(up|ok|vivant|en\s+vie|joignable)\b(?:\s+(?:sur|en)\b[^?]{0,40})?\s*\?"

VOCABULARY: dict[str, Vocabulary] = {
    "fleet.health": _v(
        "health check|healthcheck", "",
        "health|overall status|overview|fleet status|infra status|sitrep|big picture|health status|sanity check"
        "|temperature check|health overview|bird's eye view|birds eye view|bird's-eye view|birds-eye view",
        "sante|etat general|etat de sante|vue d'ensemble|etat global|point global|etat de l'infra|bilan"
        "|etat des lieux|tour d'horizon|etat des lieux global",
        (r"\b(is|are)\s+(everything|all|things|the fleet|the servers|all the servers|my servers|all servers"
         r"|the infra\w*|prod|production)\s+(ok|okay|fine|good|alright|healthy|up|running|green)\b",
         r"\bhow\s*('s|s| is| are)\s+(everything|things|the fleet|the infra\w*|the servers|my servers|prod"
         r"|production|it going)\b", r"\b(everything|all)\s+(ok|okay|fine|good|green|alright|allright|right)\b",
         r"\b(is\s+|are\s+)?(anything|something|any\s+services?|any\s+servers?|any\s+hosts?|any\s+boxes)\s+(down|broken"
         r"|dead|failing|red|crashed|on fire)\b", r"\bwhat\s*'?\s*(s|is)\s+(down|broken|failing|red)\b",
         r"\b(are\s+)?(all|every)\s+(the\s+)?services?\s+(running|up|ok|okay|fine|healthy|green)\b",
         r"\bany\s+(problems?|issues?|trouble)\b(?!\s+with\b)", r"\bstatus\s+(of\s+)?(everything|the fleet)\b"),
        (r"\btout\s+(va|roule|est|se passe)\s+(bien|ok|correct|nickel|au vert|bon)\b", r"\btout va bien\b",
         r"\bcomment\s+(va|vont|se porte|se portent)\s+(l\s*'?\s*infra\w*|les serveurs|la prod|mes serveurs"
         r"|la flotte|tout|nos serveurs)\b", r"\bca\s+va\s+(les serveurs|l\s*'?\s*infra\w*|la prod|en prod|le parc|la flotte)\b",
         r"\b(des|un|y a des|y a un)\s+(problemes?|soucis?)\b(?!\s+(avec|with)\b)", r"\btout\s+est\s+(ok|bon|up|vert|en ordre)\b",
         r"\b(tout|ca)\s+(roule|baigne)\b", r"\A\W*(?:\w+\W+){0,2}?tout\s+(fonctionne|marche|tourne)\W*(?:\w+\W*){0,2}\Z",
         r"\b(le\s+parc|la\s+flotte|l\s*'?\s*infra)\s+(va\s+bien|tient|est\s+ok|tourne)\b", r"\bca\s+tourne\s+partout\b",
         r"\brien\s+(a\s+signaler|de\s+casse|de\s+grave)\b",
         r"\b(quelque\s+chose|qqch|un\s+truc|des\s+trucs|un\s+service|des\s+services|une\s+machine|un\s+serveur)\s+"
         r"(de\s+|d\s*'?\s*)?(casse|en\s+panne|down|hs|plante|qui\s+(deconne|cloche|plante|coince|va\s+pas|marche\s+pas"
         r"|ne\s+va\s+pas|ne\s+marche\s+pas)|ne\s+va\s+pas|ne\s+marche\s+pas)\b",
         r"\b(tous\s+les|les)\s+services\s+(tournent|sont\s+(up|ok|actifs))\b",
         r"\b(des|les|nos|mes)\s+(machines|serveurs|services|hotes|boxes|vms)\s+(en\s+rade|en\s+panne|hs|down|plantee?s"
         r"|tombee?s|a\s+terre)\b"),
    ),
    "server.status": _v(
        "", "", "status|state|uptime|server status|vitals|stats|how is|how's|how are|tell me about|news from"
        "|summary|rundown|run-down|lowdown|overview|recap"
        "|how long has|been up|up since",
        "etat|statut|status|uptime|etat du serveur|comment va|comment se porte|infos|stats|topo|resume|recap"
        "|recapitulatif|etat des lieux|dernier boot|dernier demarrage",
        # "check web-01" (the name hidden): nothing but the verb and politeness
        (_CHECK_ONLY_EN, r"\A(?=\s\s)\W*\?+\W*\Z", _STATE_WORD_EN),
        (_CHECK_ONLY_FR, r"\A(?=\s\s)\W*\?+\W*\Z", _STATE_WORD_FR),
    ),
    "server.disk": _v(
        "", "",
        "disk|disks|disk space|disk usage|space|free space|storage|partition|partitions|mount|mounts|df"
        "|filesystem|filesystems|full|space left|du",
        "disque|disques|espace disque|espace|place|stockage|occupation|partition|partitions|plein|pleins|remplissage"
        "|occupation disque|espace libre|place libre|df|du",
        (r"\b(disk|space|partition)\s+(usage|left|free|full)\b", r"\bhow\s+many\s+(gb|gigs?|gigabytes|tb)\b",
         r"\b(gb|gigs?)\s+(left|free|remaining)\b", r"\b(running|run|ran|runs)\s+out\s+of\s+(disk\s+)?(space|room|disk|storage)\b",
         r"\b(low|short)\s+on\s+(disk|space|storage)\b"),
        (r"\b(disque|partition)\s+(plein|sature|remplie?)\b", r"\breste\s+(de\s+la\s+)?place\b",
         r"\bcombien\s+de\s+(go|gigas?|to|mo|place|espace)\b", r"\b(reste|restant|dispo\w*)\s+(combien\s+)?(de\s+)?(go|gigas?)\b"),
    ),
    "server.memory": _v(
        "", "", "memory|ram|swap|swapping|mem|free memory|memory usage|free -m|mem stats|memory stats|ram stats|mem usage"
        "|ram usage", "memoire|ram|swap|memoire vive"
        "|utilisation memoire|memoire libre|ram libre|conso memoire|consommation memoire|libre|swappe",
        (r"\bswap\s+(is\s+)?(full|used|usage|maxed|exhausted)\b", r"\b(out\s+of|short\s+on|low\s+on)\s+(memory|ram|mem)\b"),
        (r"\b(swap|ram|memoire)\s+(est\s+)?(plein|pleine|saturee?|a\s+fond)\b", r"\ba\s+court\s+de\s+(ram|memoire)\b"),
    ),
    "server.load": _v(
        "", "", "load|cpu|load average|loadavg|cpu usage|cpu load|load avg|uptime load",
        "charge|cpu|charge cpu|processeur|utilisation cpu|charge moyenne|conso cpu|load",
        (r"\b(getting|being|is|are|so)\s+(hammered|slammed|pounded|crushed|swamped|maxed\s+out)\b",
         r"\bhow\s+(hard|busy)\s+(is|are)\b[^?]*\b(working|running|going)?", r"\b(working|running)\s+(hard|flat\s+out)\b"),
        (r"\b(bosse|travaille|mouline|charbonne|turbine|pedale)\s+(beaucoup|fort|dur|a\s+fond|trop|pas\s+mal|comme\s+un\s+\w+)\b",
         r"\b(surcharge|surchargee|a\s+genoux)\b"),
    ),
    "server.processes": _v(
        "", "", "processes|process list|top processes|ps|procs|running processes|process|top|htop|which services"
        "|what services", "processus|process|liste des processus|les process|procs|top|quels services",
        (r"\btop\b(?!\s+of)", r"\b(what|which|who)('?s| is| are)?\s+(eating|using|hogging|consuming|taking)\b",
         r"\bhtop\b", r"\bwhat\s*('?s|\s+is)\s+running\s+(on|there)\b(?!.*\b(docker|containers?)\b)",
         r"\bwhich\s+(services|processes|programs|daemons)\s+(are\s+)?running\b"),
        (r"\bqu?i\s+(bouffe|mange|consomme|prend|utilise|pompe)\w*\b(?!\s+(de\s+la\s+place|de\s+l\s*'?\s*espace|du\s+disque"
         r"|de\s+la\s+ram|de\s+la\s+memoire))", r"\bhtop\b",
         r"\b(bouffe|mange|consomme|pompe)\w*\s+(quoi|tout|le\s+plus)\b",
         r"\b(qu\s*'?\s*est[ -]ce\s+qui|quels?\s+(services?|process\w*|programmes?|demons?))\s+(qui\s+)?tourne(nt)?\b"
         r"(?!.*\b(docker|conteneurs?|containers?)\b)"),
    ),
    "server.logs": _v(
        "", "", "system log|system logs|syslog|journalctl|kernel log|dmesg|logs|log|journal|messages|errors",
        "logs systeme|journal systeme|journaux systeme|journaux|journal|logs|log|syslog|erreurs",
        (r"\b(system|syslog|kernel|dmesg|journalctl|os)\b",), (r"\b(systeme|syslog|noyau|kernel)\b",),
    ),
    "service.status": _v(
        "", "", "status|state|running|alive|active|how is|how's|doing", "etat|statut|status|tourne|actif|marche|va bien",
        (r"\b(is|are)\b.*\b(up|running|ok|okay|alive|active|started|working|fine|healthy)\b",
         r"\b(is\s+it|it\s*'?s|is\s+\S+)\s+back(\s+up|\s+online)?\b", _STATE_WORD_EN,
         r"\b(come|came|comes|coming)\s+back(\s+up|\s+online)?\b",
         r"\A(?=\s\s)\W*\?+\W*\Z", _CHECK_ONLY_EN,
         r"\b(check|verify|see|find\s+out|tell\s+me|confirm)\s+(whether|if)\b[^?,;]*\b(running|up|alive|active|started|stopped"
         r"|down|dead|working)\b"),
        (r"\b(tourne|tournent|marche|fonctionne|est up|est ok|est actif|est lance|est demarre|repond)\b",
         r"\best\s+(bien|toujours|encore)\s+(up|ok|actif|lance|demarre|en\s+vie|vivant)\b", r"\A(?=\s\s)\W*\?+\W*\Z",
         _CHECK_ONLY_FR, _STATE_WORD_FR, r"\best\s+(vivant|en\s+vie|debout|actif|up)\b",
         r"\b(c\s*'?\s*est|ca\s+est|il\s+est|est[ -]il|est[ -]ce)\s+(reparti|revenu|remonte|de retour)\b"),
    ),
    "service.logs": _v(
        "tail", "", "logs|log|journal|output|log file|logfile|errors", "logs|log|journal|journaux|sortie|erreurs",
        (), (),
    ),
    "container.list": _v(
        "", "", "containers|container|docker ps|running containers|container list|docker containers|pods",
        "conteneurs|conteneur|containers|container|liste des conteneurs|docker ps",
        (r"\b(containers?|conteneurs?)\b.*\b(running|up|alive)\b", r"\b(list|show|ls)\s+(the\s+)?containers\b",
         # "what's running in docker": what runs inside it, not the docker daemon's state
         r"\b(what|which|anything)\b.*\b(running|runs|up|deployed)\s+(in|inside|under|on)\s+docker\b"),
        (r"\b(conteneurs?|containers?)\b.*\b(tournent|tourne|actifs?|lances?|up)\b",
         r"\b(liste|affiche|montre)\w*\s+(les\s+)?(conteneurs|containers)\b",
         r"\b(qu'?est[- ]ce qui|quoi|qu'est ce qui|ce qui)\b.*\b(tourne\w*|est lance\w*|deploye\w*)\s+"
         r"(dans|sous|sur)\s+docker\b"),
    ),
    "http.check": _v(
        "ping|curl", "ping|curl",
        "website|site|url|http|endpoint|homepage|web site|healthcheck url",
        "site|site web|url|page d'accueil|la page|le site",
        (r"\b(site|website|url|homepage|endpoint)\b.*\b(up|reachable|responding|ok|online|loading)\b",),
        (r"\b(site|url|page)\b.*\b(repond|accessible|dispo\w*|joignable|en ligne|ok|up)\b",),
    ),
    "incident.diagnose": _v(
        "diagnose|investigate|troubleshoot|debug|figure out|look into|dig into",
        "diagnostique|diagnostiquer|investigue|enquete|analyse|regarde ce qui|diagnostic|diag|un diagnostic",
        "incident|outage|problem|issue|down|slow|broken|what's wrong|whats wrong|going on|crashing|crashed"
        "|502|503|504|500 errors|not working|not responding|doesn't work|doesnt work|wrong with",
        "panne|incident|probleme|plantage|lent|lenteur|lenteurs|down|hs|marche plus|marche pas|fonctionne plus"
        "|fonctionne pas|repond plus|repond pas|en panne|plante|rame|souci|bug|se traine|cause|la cause",
        (r"\b(is|are|went|goes|seems?|looks?|keeps?)\s+(down|dead|broken|unreachable|slow|hanging|stuck"
         r"|crashing|crashed|failing|timing out|erroring)\b", r"\bwhat\s*'?s?\s+(is\s+)?(going on|happening"
         r"|wrong|up with)\b", r"\bwhy\s+(is|are|does|do|did)\b", r"\b50[0-4]s?\b",
         r"\b(something|smth|sth)\s+(is\s+|'s\s+)?(wrong|off|broken)\b", r"\bon\s+fire\b",
         r"\b(acting|behaving)\s+(up|weird\w*|strange\w*|funny|oddly)\b|\bmisbehav\w*|\bfreaking\s+out\b",
         r"\b(problems?|issues?|trouble)\s+with\b", r"\b(hosed|borked|fubar|flaky|sluggish|laggy|unresponsive)\b",
         r"\b(throwing|returning|spitting)\s+(errors?|5\d\d)\b", r"\b5\d\d(ing|s|ed)?\b|\b5xx\b",
         r"\b(looks?|seems?|is|are)\s+(sick|bad|off|unhealthy|flapping|flaky|weird|wrong)\b|\bflapping\b",
         r"\b(sup|wassup|what'?s\s+up)\s+with\b"),
        (r"\b(est|sont|semble|a l\s*'?\s*air)\s+(down|hs|mort|plante|en panne|lent|tres lent|injoignable"
         r"|inaccessible|cass\w*|bloque)\b", r"\bqu\s*'?\s*est[ -]ce\s+qu\s*'?\s*(il|i)\s*(se\s+passe|y\s+a)\b"
         r"|\bqu\s*'?\s*est[ -]ce\s+qui\s+(se\s+passe|ne\s+va\s+pas|cloche|plante|coince)\b",
         r"\b(ce\s+qui|qui)\s+se\s+passe\b", r"\bpourquoi\b", r"\bca\s+(rame|plante|marche pas|merde|crash)\w*",
         r"\b(ne|n)\s*'?\s*(marche|fonctionne|repond|tourne)\s+(plus|pas)\b", r"\b50[0-4]\b",
         r"\bfai[ts]\s+n\s*'?\s*importe\s+quoi\b", r"\b(la\s+)?merde\b", r"\bdans\s+les\s+choux\b",
         r"\ben\s+(carafe|rade|vrac|vrille|feu|pls)\b", r"\b(prend|a\s+pris)\s+feu\b",
         r"\b(y\s+a|il\s+y\s+a|j\s*'?\s*ai)\s+(un|des)\s+(problemes?|soucis?|bugs?)\s+(avec|sur|dans)\b",
         r"\b(a|est|s\s*'?\s*est)\s+(plante|crashe|tombe|vautre|mort)\b", r"\b(deconne|galere|rame|bugue|plante)\w*\b",
         r"\brepond\s+plus\b",
         # "n'arrête pas de tomber", "ne cesse de planter" (the negated verb is blanked, its object stays)
         r"\b(?:pas|cesse)\s+de\s+(tomber|planter|crasher|ramer|flapper|sauter|lacher|redemarrer|rebooter|se\s+relancer)\b"),
    ),
    "alerts.list": _v(
        "", "", "alerts|alert|alarms|alarm|open alerts|active alerts|firing|what's firing|warnings list|paging|what's paging"
        "|pager|pages|alertmanager",
        "alertes|alerte|alarmes|alarme|alertes ouvertes|alertes en cours|alertes actives", (), (),
    ),
    "history.list": _v(
        "", "", "history|past commands|previous commands|last commands|command history|recent commands"
        "|recent actions|what did i run|what was run|audit log|what changed|what has changed|recent changes|last actions"
        "|latest actions|last changes|recent activity|latest changes",
        "historique|commandes passees|dernieres commandes|historique des commandes|commandes recentes"
        "|actions recentes|ce que j'ai fait|ce que j'ai lance|qui a change|a change|changements recents|dernieres actions"
        "|derniers changements|activite recente",
        (r"\bwhat\s+(did|have)\s+(i|we|you|people)\s+(run|do|done|execute|launch|ran)",
         r"\bwho\s+(ran|did|restarted|rebooted)\b",
         r"\b(what|which)\s+(commands?|actions?)\s+(were|was|have\s+been|has\s+been|got|did)\b",
         r"\b(commands?|actions?)\s+(that\s+)?(were\s+|was\s+|have\s+been\s+)?(run|ran|executed|launched|done)\s+"
         r"(today|yesterday|recently|this|last|since|on|in|by)\b",
         r"\bwhat\s+(has\s+|have\s+)?(changed|happened)\b(?!\s+to\b)", r"\bwho\s+(has\s+)?(touched|changed|did)\b",
         r"\bwhat\s+(did|has)\s+[a-z][\w.-]*\s+(do|done|change|changed|touch|run)\b",
         r"\b(changes|changelog|activity|audit\s+trail|who\s+did\s+what)\b",
         r"\b(which|what)\s+versions?\s+(is|are|was|got)\s+(running|deployed|live|in|on)\b"),
        (r"\b(qu\s*'?\s*est[ -]ce\s+que|ce\s+que|quoi)\s+(j|on|tu|vous)\s*'?\s*(ai|a|as|avez)\s+(lance|fait"
         r"|execute|tape)", r"\bqui\s+a\s+(lance|fait|redemarre|execute)\b",
         r"\b(quelles?|les)\s+(commandes?|actions?)\s+(ont\s+ete|a\s+ete|qui\s+ont\s+ete|lancees?|executees?|passees?"
         r"|effectuees?)\b",
         r"\bqu\s*'?\s*est[ -]ce\s+qui\s+(a\s+change|s\s*'?\s*est\s+passe|a\s+ete\s+(fait|change|modifie|touche))\b",
         r"\bqui\s+a\s+(touche|change|modifie|fait\s+quoi)\b", r"\bqu\s*'?\s*a\s+fait\s+[a-z]",
         r"\b(les\s+)?(changements|modifications|activite)\s+(recent\w*|d\s*'?\s*hier|depuis|sur|de\s+la|du|d)\b",
         r"\b(commandes?|actions?)\s+(lancees?|executees?|passees?|faites?)\s+(par|hier|aujourd|depuis|sur|ce)\b",
         r"\b(commandes?|actions?)\s+(qui\s+)?(ont|a)\s+(tourne|ete\s+\w+|ete)\b",
         r"\b(quelle|quelles)\s+versions?\s+(tourne|est|sont|a\s+ete|en)\b", r"\bon\s+en\s+est\s+ou\b|\bou\s+en\s+est\b"),
    ),
    "service.restart": _v(
        "restart|restarts|bounce|kick|cycle|relaunch|reboot|rs|rst|nudge|give it a kick|give it a nudge", "redemarre|redemarrer|redemarrez|redemarres"
        "|redemarrage|relance|relancer|relancez|restart|reboot|redem", "", "", (), (),
    ),
    "service.start": _v(
        "start|bring up|start up|launch|spin up|fire up|turn on|boot|bring back|bring it back|bring it up"
        "|get it running|get it back up", "demarre|demarrer|demarrez|lance|lancer"
        "|lancez|allume|remets en route|remettre en route|start", "", "",
        (r"\bbring\s+back\s+(up|online)\b", r"\bget\s+(it\s+|them\s+)?(back\s+)?(up\s+and\s+)?running\b"),
        (r"\bremet\w*\s+(le\s+service\s+)?en\s+(route|marche|service|ligne)\b", r"\bfai[ts]\s+(re)?partir\b",
         r"\b(?:re)?(?:mets|met|mettre|mettez)(?:-le|-la|-les)?\s+(?:le\s+service\s+)?\s*en\s+(?:route|marche)\b"),
    ),
    "service.reload": _v(
        "reload|refresh config|reload config|hup|re-read config|reread config",
        "recharge|recharger|rechargez|recharge la conf|reload|relis la conf", "", "config|configuration",
        (r"\b(re-?read|reread|re-?load|pick\s+up)\s+(its|the|their|his|her|new)\s+(config|configuration|conf|settings)\b",),
        (r"\bconf(ig(uration)?)?\b.*\b(recharg|reload)",
         r"\b(relire|relis|relise|relit|reprendre|reprends|recharger|prendre\s+en\s+compte)\s+(sa|la|ta|leur|les|ses|une|la\s+nouvelle)"
         r"\s+(nouvelle\s+)?(conf|config|configuration|parametres|reglages)\b"),
    ),
    "service.stop": _v(
        "stop|shut down|shutdown|halt|turn off|take down", "arrete|arreter|arretez|stoppe|stopper|coupe|couper"
        "|eteins|eteindre|stop", "", "",
        (r"\b(take|bring|turn|switch|shut)\s+(?:it\s+|them\s+|the\s+service\s+)?\s*(down|off)\b(?!\s+(the\s+)?(server|machine|box|host))",),
        (),
    ),
    "container.restart": _v(
        "restart|bounce|relaunch", "redemarre|redemarrer|relance|relancer",
        "container|docker container|docker", "conteneur|container|docker",
        (r"\bdocker\s+restart\b",), (r"\bdocker\s+restart\b",),
    ),
    "db.backup": _v(
        "backup|back up|dump|snapshot", "sauvegarde|sauvegarder|sauvegardez|dump|dumper|fais un backup|backup"
        "|fais une sauvegarde|sauvegarde de",
        "backup|database|db|databases|pg_dump|dump|database backup", "base|bdd|base de donnees|sauvegarde"
        "|la base|les bases|backup", (), (),
    ),
    "process.kill": _v(
        "kill|terminate|kill -9|end process|sigkill", "tue|tuer|tuez|kill|termine|terminer|flingue|bute",
        "process|pid", "processus|pid|process", (), (),
    ),
    "disk.cleanup": _v(
        "clean|clean up|cleanup|free up|free some space|make room|make some room|purge|vacuum|prune|rotate|trim"
        "|reclaim|delete old|remove old|get rid of old|delete the old|remove the old|clear old",
        "nettoie|nettoyer|nettoyez|nettoyage|fais du menage|fais le menage|menage|libere|liberer|liberez|purge|purger"
        "|vide|vider|faire de la place|fais de la place|fais de l'espace|supprime les vieux|efface les vieux"
        "|supprime les anciens|vire les vieux|recupere de la place|recuperer de la place|recupere de l'espace"
        "|recuperer de l'espace|gagne de la place|gagner de la place|fais de la place disque|trim|trimme",
        "cleanup|disk|space|journals|old logs|package cache|apt cache|cache|disk cleanup",
        "disque|espace|place|journaux|cache|vieux logs|nettoyage", (), (),
    ),
    "app.deploy": _v(
        "deploy|ship|release|roll out|rollout|push|upgrade to|put in production|go live with",
        "deploie|deployer|deployez|deploye|mets en prod|mettre en prod|met en prod|livre|livrer|pousse"
        "|release|deploy|mise en prod de|passe en prod|mets en production",
        "deployment|deploy|release|version", "deploiement|mise en prod|mise en production|version|livraison",
        (r"\b(ship|push|roll\s*out|release|promote|put)\b[^,.;]*\b(to|on|in|into)\s+(the\s+)?(prod|production|staging"
         r"|preprod|stage|stg|recette)\b",),
        (r"\b(mets?|mettez|mettre|passe[rz]?|pousse[rz]?|envoie[rz]?|livre[rz]?)\b[^,.;]*\b(en|sur)\s+(la\s+)?(prod"
         r"|production|preprod|staging|stage|stg|recette|prd)\b",),
    ),
    "app.rollback": _v(
        "rollback|roll back|revert|go back|downgrade|undo|undo the deploy|undo the deployment|undo deploy",
        "rollback|reviens|revenir|retour arriere|annule le deploiement|fais un rollback|rollbacke|downgrade"
        "|repasse|remets la version|retourne",
        "rollback|previous version|last version|last release|previous release|old version",
        "version precedente|retour arriere|ancienne version|derniere version stable|rollback",
        (r"\b(undo|revert|reverse|cancel)\s+(the\s+|that\s+)?(last\s+|latest\s+|previous\s+|recent\s+)?(deploy\w*"
         r"|release|rollout|upgrade)\b", r"\broll\s+(?:[a-z]+\s+){1,2}?back\b(?!\s+up)",
         r"\b(?:put|set|move|take|bring)\s+(?:[a-z]+\s+){0,2}?back\s+(?:on|to)\b(?!\s*[a-z])"),
        (r"\b(annule[rz]?|defai[st]|defaire)\s+(le\s+|la\s+|l\s*'?\s*)?(dernier\s+|derniere\s+)?(deploi\w*|deploy\w*"
         r"|mise en prod|livraison|release)\b",),
    ),
    "server.reboot": _v(
        "reboot|restart the server|restart the machine|restart the box|restart the host|power cycle"
        "|bounce the server|bounce the box|reboot the server",
        "reboot|reboote|rebooter|redemarre le serveur|redemarrer le serveur|redemarre la machine"
        "|relance le serveur", "", "",
        (rf"\b(restart|reboot\w*|bounce|power cycle)\s+(all\s+|every\s+)?(the\s+|my\s+)?\s*{_SERVER_WORD}\b",
         rf"\b(?:hard|full|complete|cold|clean)?\s*(restart|reboot\w*|bounce|power\s*cycle)\s+(?:of\s+)?(?:the\s+|my\s+|this\s+"
         rf"|that\s+)?(?:whole|entire|complete|full|physical|actual)\s+{_SERVER_WORD}\b",
         rf"\b(?:hard|full|complete|cold)\s+(restart|reboot\w*|power\s*cycle)\s+(?:of|on|for)\s+(?:the\s+|this\s+)?{_SERVER_WORD}\b"),
        (rf"\b(redemarr\w*|reboot\w*|relanc\w*)\s+(tous\s+|toutes\s+)?(le\s+|la\s+|les\s+|mes\s+)?\s*"
         rf"{_SERVER_WORD}\b", r"\b(redemarr\w*|relanc\w*)\s+[\s(]*(le|la)\s+(serveur|machine)\b",
         rf"\b(redemarr\w*|reboot\w*|relanc\w*)\s+(?:completement|entierement|totalement|a\s+froid|physiquement|vraiment)"
         rf"\s+(le\s+|la\s+|les\s+|toute\s+la\s+|tout\s+le\s+)?{_SERVER_WORD}\b"),
    ),
    "shell.run": _v(
        "run|execute|exec|run the command|type|launch the command", "execute|executer|executez|lance la commande"
        "|tape|passe la commande|lancer la commande|run|exec",
        "the command|shell|cmd|bash", "la commande|shell|cmd", (), (),
    ),
    "server.add": _v(
        "add|register|enroll|onboard|add server|add a server|add host|add a new server|add the server",
        "ajoute|ajouter|ajoutez|enregistre|enregistrer|ajoute le serveur|ajoute un serveur|integre|integrer|inscris"
        "|inscrire|declare|declarer",
        "new server|new host|new machine", "nouveau serveur|nouvelle machine", (), (),
    ),
    "server.remove": _v(
        "remove|unregister|decommission|remove server|remove the server|remove host|delete server"
        "|delete the server",
        "retire|retirer|supprime le serveur|supprimer le serveur|enleve|enlever|desinscris|decommissionne"
        "|supprime la machine|retire le serveur",
        "from the inventory|from inventory|from the registry|inventory", "de l'inventaire|inventaire|du parc",
        (), (),
    ),
    "chat.greeting": _v(
        "", "", "hello|hi|hey|good morning|good afternoon|good evening|hiya|howdy",
        "bonjour|salut|coucou|bonsoir|hello|yo",
        (r"^(hi|hello|hey|yo|hiya|howdy|good (morning|afternoon|evening))(\s+(there|all|team|bot|everyone"
         r"|chatops))?" + _ANCHOR_END,),
        (r"^(bonjour|salut|coucou|bonsoir|hello|yo|slt|bjr)(\s+(a tous|tout le monde|l\s*'?\s*equipe|chatops))?"
         + _ANCHOR_END,),
    ),
    "chat.thanks": _v(
        "", "", "thanks|thank you|thx|ty|cheers|that's all|thats all", "merci|merci beaucoup|c'est tout|cimer",
        (r"^(thanks?|thank you|thx|ty|cheers|great|perfect|awesome|nice|cool)([\s,]+\w+){0,4}" + _ANCHOR_END,),
        (r"^(merci|parfait|super|top|nickel|genial|cimer)([\s,]+\w+){0,4}" + _ANCHOR_END,
         r"\bmerci\b.*\bc\s*'?\s*est tout\b"),
    ),
    "chat.help": _v(
        "", "", "help|commands|usage", "aide|a l'aide|commandes",
        (r"^(help|\?|h|menu|usage)" + _ANCHOR_END, r"\bwhat\s+(can|do)\s+(you|i)\s+(do|ask)\b",
         r"\bhow\s+(does this work|do i use (you|this))\b", r"\bwhat\s+are\s+your\s+commands\b"),
        (r"^(aide|\?|au secours)" + _ANCHOR_END, r"\b(que|quoi)\s+(sais|peux)[ -]tu\s+faire\b",
         r"\bqu\s*'?\s*est[ -]ce\s+que\s+(tu|vous)\s+(sais|peux|savez|pouvez)\s+faire\b",
         r"\b(tu|vous)\s+(sais|savez|peux|pouvez)\s+faire\s+quoi\b", r"\bcomment\s+(ca\s+marche|t\s*'?\s*utiliser)\b"),
    ),
    "chat.confirm": _v(
        "", "", "", "",
        (r"^(yes|yep|yeah|y|yup|ok|okay|k|sure|confirm|confirmed|go|go ahead|do it|proceed|approve|approved|lgtm"
         r"|let'?s go|ship it|yes please|yes go ahead|yes do it)(\s+(please|pls|go ahead|do it|confirm))?"
         + _ANCHOR_END,),
        (r"^(oui|ouais|ouaip|o|ok|d\s*'?\s*accord|dac|confirme[rz]?|vas[ -]y|allez[ -]y|go|valide[rz]?"
         r"|c\s*'?\s*est bon|fais[ -]le|on y va|je confirme|oui vas[ -]y|oui go|banco)(\s+(stp|svp|vas[ -]y|go"
         r"|je confirme|merci))?" + _ANCHOR_END,),
    ),
    "chat.cancel": _v(
        "", "", "cancel|abort|never mind|nevermind|forget it", "annule|annuler|laisse tomber|oublie|abandonne",
        (r"^(no|nope|nah|n|cancel|abort|stop|never ?mind|forget it|don'?t|do not|no thanks)(\s+(thanks|please))?"
         + _ANCHOR_END,),
        (r"^(non|annule[rz]?|laisse tomber|stop|arrete|oublie|on annule|abandonne[rz]?|pas maintenant|surtout pas"
         r"|non merci|non annule)(\s+(merci|stp|svp|tout|ca))?" + _ANCHOR_END,),
    ),
    "chat.choose": _v(
        "", "", "option", "option|choix",
        (r"^\s*(?:(?:option|choice|number)\s*)?(?:#\s*)?\d{1,2}\s*(?:[.!)]\s*)?$",
         r"^(the\s+)?(first|second|third|last|1st|2nd|3rd)(\s+(one|option))?" + _ANCHOR_END,
         r"^\W*(?:(?:ok|so|then|hmm|let'?s|lets|go|with|i'?ll|take|pick|choose|number|no\.?|the|option|choice)\s+){1,5}"
         r"(?:#\s*)?(?:\d{1,2}|one|two|three|four|five)(?:\s+(?:one|option|please|pls))?" + _ANCHOR_END),
        (r"^\s*(?:(?:option|choix|numero)\s*)?(?:#\s*)?\d{1,2}\s*(?:[.!)]\s*)?$",
         r"^(la\s+|le\s+|l\s*'?\s*)?(premiere?|deuxieme|seconde?|troisieme|derniere?|1ere?|2e|3e)"
         r"(\s+(option|choix))?" + _ANCHOR_END,
         r"^\W*(?:(?:ok|bon|alors|allez|va|pour|on|prend|prends|je|choisis|la|le|l|numero|n|no|option|choix)\s*'?\s+){1,5}"
         r"(?:#\s*)?(?:\d{1,2}|un|une|deux|trois|quatre|cinq)(?:\s+(?:stp|svp|merci))?" + _ANCHOR_END),
    ),
}
