"""The built-in catalog (docs/ACTIONS.md, "Catalog"): declarative specs, one per action id.

Implementations (parameter models, argv builders, output parsers, explanations) are attached
by the action-family modules of this package; the parser's words come from `vocabulary.py`.
"""

from __future__ import annotations

from chatops_commander.domain.actions import ActionSpec, Intent, ParamSpec, TargetScope, Vocabulary
from chatops_commander.domain.risk import Risk
from chatops_commander.domain.roles import Permission
from chatops_commander.skills.vocabulary import VOCABULARY

M, Q, A, C, V = Intent.MONITORING, Intent.QUERY, Intent.ACTION, Intent.CONFIGURATION, Intent.CONVERSATION
LOW, MED, HIGH, CRIT = Risk.LOW, Risk.MEDIUM, Risk.HIGH, Risk.CRITICAL
READ, EXEC, ADM, NONE = Permission.READ, Permission.EXECUTE, Permission.ADMIN, Permission.NONE
FLEET, REQ, NOHOST = TargetScope.FLEET_DEFAULT, TargetScope.REQUIRED, TargetScope.NONE

LINES = ParamSpec("lines", "int", description="number of lines (1-10000)")
SINCE = ParamSpec("since", "duration", description="time window, e.g. 30m, 1h, 24h")
GREP = ParamSpec("grep", "str", description="only lines containing this text")
SERVICE = ParamSpec("service", "service", required=True, description="service name")


def _spec(
    id: str, intent: Intent, risk: Risk, perm: Permission, en: str, fr: str, *,
    scope: TargetScope = REQ, params: tuple[ParamSpec, ...] = (), service: bool = False,
    approval: bool = False,
) -> ActionSpec:
    return ActionSpec(
        id=id, intent=intent, risk=risk, permission=perm, summary={"en": en, "fr": fr},
        scope=scope, params=params, needs_service=service,
        vocabulary=VOCABULARY.get(id, Vocabulary()), approval_for_operators=approval,
    )


BUILTIN_SPECS: tuple[ActionSpec, ...] = (
    _spec("fleet.health", M, LOW, READ, "Overall state: hosts up, critical services, open alerts",
          "État général : serveurs joignables, services critiques, alertes ouvertes", scope=FLEET),
    _spec("server.status", M, LOW, READ, "Uptime, load, memory and disk of hosts",
          "Uptime, charge, mémoire et disque des serveurs", scope=FLEET),
    _spec("server.disk", M, LOW, READ, "Disk usage per mount", "Occupation disque par point de montage",
          scope=FLEET, params=(ParamSpec("path", "path", description="absolute path"),)),
    _spec("server.memory", M, LOW, READ, "Memory and swap", "Mémoire et swap", scope=FLEET),
    _spec("server.load", M, LOW, READ, "Load average and CPU", "Charge moyenne et CPU", scope=FLEET),
    _spec("server.processes", M, LOW, READ, "Top processes", "Processus les plus gourmands", scope=FLEET,
          params=(ParamSpec("sort", "str", description="cpu | mem"), ParamSpec("limit", "int"))),
    _spec("server.logs", M, LOW, READ, "System log", "Journal système", scope=FLEET,
          params=(LINES, SINCE, GREP)),
    _spec("service.status", M, LOW, READ, "A service's state", "État d'un service", params=(SERVICE,),
          service=True),
    _spec("service.logs", M, LOW, READ, "A service's log", "Journal d'un service",
          params=(SERVICE, LINES, SINCE, GREP), service=True),
    _spec("container.list", M, LOW, READ, "Running containers", "Conteneurs en cours d'exécution", scope=FLEET),
    _spec("http.check", M, LOW, READ, "HTTP status and latency of a URL or site",
          "Statut HTTP et latence d'une URL ou d'un site", scope=NOHOST,
          params=(ParamSpec("url", "url"),)),
    _spec("incident.diagnose", M, LOW, READ,
          "Runs the diagnostics in parallel and reports a probable cause with numbered options",
          "Lance les diagnostics en parallèle et donne une cause probable avec des options numérotées",
          scope=FLEET, params=(ParamSpec("service", "service"),), service=False),
    _spec("alerts.list", Q, LOW, READ, "Open alerts", "Alertes ouvertes", scope=NOHOST),
    _spec("history.list", Q, LOW, READ, "Past commands", "Commandes passées", scope=NOHOST,
          params=(SINCE, ParamSpec("until", "duration", description="end of the window, as a time ago (24h)"),
                  ParamSpec("action", "str", description="an action id the question is about"),
                  ParamSpec("service", "service", description="only commands on this service"),
                  ParamSpec("host", "str", description="only commands on this server"),
                  ParamSpec("user", "str", description="only commands by this user (`me`: the asker)"))),
    _spec("service.restart", A, MED, EXEC, "Restart a service", "Redémarrer un service", params=(SERVICE,),
          service=True),
    _spec("service.start", A, MED, EXEC, "Start a service", "Démarrer un service", params=(SERVICE,),
          service=True),
    _spec("service.reload", A, MED, EXEC, "Reload a service's configuration",
          "Recharger la configuration d'un service", params=(SERVICE,), service=True),
    _spec("service.stop", A, HIGH, EXEC, "Stop a service", "Arrêter un service", params=(SERVICE,),
          service=True),
    _spec("container.restart", A, MED, EXEC, "Restart a container", "Redémarrer un conteneur",
          params=(ParamSpec("container", "service", required=True),), service=True),
    _spec("db.backup", A, MED, EXEC, "Back up a database", "Sauvegarder une base de données"),
    _spec("process.kill", A, HIGH, EXEC, "Kill a process", "Tuer un processus",
          params=(ParamSpec("pid", "int", required=True),)),
    _spec("disk.cleanup", A, HIGH, EXEC, "Vacuum journals, clean package caches, rotate logs",
          "Purger les journaux, nettoyer les caches de paquets, faire tourner les logs"),
    _spec("app.deploy", A, HIGH, EXEC,
          "Runbook: pre-checks, backup, pull, rolling update, smoke tests",
          "Runbook : pré-vérifications, sauvegarde, pull, mise à jour progressive, tests de fumée",
          params=(ParamSpec("version", "version", required=True),
                  ParamSpec("environment", "environment", required=True)), approval=True),
    _spec("app.rollback", A, HIGH, EXEC, "Roll back to the previous or a given version",
          "Revenir à la version précédente ou à une version donnée",
          params=(ParamSpec("version", "version"), ParamSpec("environment", "environment"))),
    _spec("server.reboot", A, CRIT, ADM, "Reboot hosts", "Redémarrer des serveurs"),
    _spec("shell.run", A, HIGH, ADM, "A raw command (risk classified from the command line)",
          "Une commande brute (risque évalué d'après la ligne de commande)",
          params=(ParamSpec("command", "command", required=True),)),
    _spec("server.add", C, HIGH, ADM, "Register a server", "Enregistrer un serveur", scope=NOHOST,
          params=(ParamSpec("name", "str", required=True), ParamSpec("host", "str", required=True))),
    _spec("server.remove", C, CRIT, ADM, "Unregister a server", "Retirer un serveur"),
    _spec("chat.greeting", V, LOW, NONE, "Greeting", "Salutation", scope=NOHOST),
    _spec("chat.thanks", V, LOW, NONE, "Thanks", "Remerciement", scope=NOHOST),
    _spec("chat.help", V, LOW, NONE, "What I can do", "Ce que je sais faire", scope=NOHOST),
    _spec("chat.confirm", V, LOW, NONE, "Confirm the pending action", "Confirmer l'action en attente",
          scope=NOHOST),
    _spec("chat.cancel", V, LOW, NONE, "Cancel the pending action", "Annuler l'action en attente",
          scope=NOHOST),
    _spec("chat.choose", V, LOW, NONE, "Choose a numbered option", "Choisir une option numérotée",
          scope=NOHOST, params=(ParamSpec("option", "int", required=True),)),
)

BUILTIN_IDS: frozenset[str] = frozenset(s.id for s in BUILTIN_SPECS)
