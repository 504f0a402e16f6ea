"""What the assistant says, in English and French, in the seed's tone of voice: "je" for the
assistant, "vous" for the user, explain before acting, ask rather than assume, ✅ allowed, no 🎉."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from chatops_commander.domain.chat.diagnosis import Option
from chatops_commander.domain.execution import RunResult
from chatops_commander.domain.risk import Risk

RISK_FR = {Risk.LOW: "FAIBLE", Risk.MEDIUM: "MOYEN", Risk.HIGH: "ÉLEVÉ", Risk.CRITICAL: "CRITIQUE"}
RISK_EN = {Risk.LOW: "LOW", Risk.MEDIUM: "MEDIUM", Risk.HIGH: "HIGH", Risk.CRITICAL: "CRITICAL"}

_VERBS: dict[str, tuple[str, str]] = {
    "service.restart": ("Restart {s}", "Redémarrer {s}"),
    "service.start": ("Start {s}", "Démarrer {s}"),
    "service.stop": ("Stop {s}", "Arrêter {s}"),
    "service.reload": ("Reload {s}", "Recharger {s}"),
    "container.restart": ("Restart the container {s}", "Redémarrer le conteneur {s}"),
    "process.kill": ("Kill process {pid}", "Tuer le processus {pid}"),
    "disk.cleanup": ("Clean up the disk", "Nettoyer le disque"),
    "db.backup": ("Back up the database", "Sauvegarder la base de données"),
    "server.reboot": ("Reboot", "Redémarrer le serveur"),
    "app.deploy": ("Deploy {version}", "Déployer {version}"),
    "app.rollback": ("Roll back to {version}", "Revenir à {version}"),
    "shell.run": ("Run `{command}`", "Lancer `{command}`"),
}

_IMPACT: dict[str, tuple[str, str]] = {
    "service.restart": ("{s} is interrupted for a few seconds on {t}",
                        "Service {s} interrompu quelques secondes sur {t}"),
    "service.reload": ("{s} reloads its configuration on {t}; connections stay open",
                       "{s} recharge sa configuration sur {t} ; les connexions restent ouvertes"),
    "service.start": ("{s} starts on {t}", "{s} démarre sur {t}"),
    "service.stop": ("{s} stops on {t} until someone starts it again",
                     "{s} s'arrête sur {t} jusqu'à ce qu'on le redémarre"),
    "container.restart": ("the container {s} is interrupted for a few seconds on {t}",
                          "le conteneur {s} est interrompu quelques secondes sur {t}"),
    "server.reboot": ("{t} is unavailable for the reboot", "{t} est indisponible pendant le redémarrage"),
    "disk.cleanup": ("old journals, package caches and rotated logs are deleted on {t}",
                     "les anciens journaux, caches de paquets et logs archivés sont supprimés sur {t}"),
    "process.kill": ("the process stops at once on {t}", "le processus s'arrête immédiatement sur {t}"),
    "app.deploy": ("a rolling update of {t}, one host at a time",
                   "une mise à jour progressive de {t}, un serveur à la fois"),
    "app.rollback": ("the runbook's rollback steps run on {t}: the application goes back to an earlier version",
                     "les étapes de retour arrière du runbook s'exécutent sur {t} : l'application revient à une "
                     "version antérieure"),
}


def join(names: Sequence[str], lang: str) -> str:
    names = list(names)
    if len(names) <= 1:
        return "".join(names)
    last = " et " if lang == "fr" else " and "
    return ", ".join(names[:-1]) + last + names[-1]


def describe(action: str, targets: Sequence[str], service: str | None, parameters: Mapping[str, Any],
             lang: str, summary: Mapping[str, str] | None = None) -> str:
    """"Redémarrer nginx sur web-01" / "Restart nginx on web-01"."""
    fr = lang == "fr"
    values = {"s": service or "", "pid": parameters.get("pid", ""), "version": parameters.get("version", ""),
              "command": parameters.get("command", "")}
    if action in _VERBS:
        head = _VERBS[action][1 if fr else 0].format(**values).strip()
    else:
        head = (summary or {}).get(lang) or action
    if targets:
        head += (" sur " if fr else " on ") + join(list(targets), lang)
    return head


def impact(action: str, targets: Sequence[str], service: str | None, lang: str) -> str:
    fr = lang == "fr"
    t = join(list(targets), lang) or ("les serveurs visés" if fr else "the targets")
    if action in _IMPACT:
        return _IMPACT[action][1 if fr else 0].format(s=service or "", t=t)
    return f"modifie l'état de {t}" if fr else f"changes the state of {t}"


def confirmation_card(action: str, targets: Sequence[str], service: str | None, parameters: Mapping[str, Any],
                      risk: Risk, lang: str, summary: Mapping[str, str] | None = None,
                      note: str | None = None, risk_note: str = "") -> str:
    """The seed's "⚠️ Action critique" card; `risk_note` is what lowers the impact, after the risk
    ("Risque : FAIBLE (web-02 prend le relais)")."""
    fr = lang == "fr"
    what = describe(action, targets, service, parameters, lang, summary)
    lines = ["⚠️ Action critique" if fr else "⚠️ Critical action", f"{what} ?" if fr else f"{what}?", "",
             ("Impact : " if fr else "Impact: ") + impact(action, targets, service, lang),
             ("Risque : " if fr else "Risk: ") + (RISK_FR if fr else RISK_EN)[risk]
             + (f" ({risk_note})" if risk_note else "")]
    if note:
        lines.append(note)
    lines += ["", "[Confirmer] [Annuler] — j'attends votre confirmation (valable 5 minutes)." if fr
              else "[Confirm] [Cancel] — I am waiting for your confirmation (valid 5 minutes)."]
    return "\n".join(lines)


def numbered(options: Sequence[Option], lang: str, *, title: bool = True) -> str:
    if not options:
        return ""
    head = ["Suite possible :" if lang == "fr" else "Next steps:"] if title else []
    return "\n".join(head + [f"{i}. {o.label(lang)}" for i, o in enumerate(options, 1)])


def refused(reason: str, lang: str) -> str:
    """A polite refusal that says why and what to do."""
    if lang == "fr":
        return f"Je ne peux pas faire cela pour vous : {reason} Je n'ai rien exécuté."
    return f"I can't do that for you: {reason} I ran nothing."


def greeting(lang: str) -> str:
    return ("Bonjour ! 👋 Je suis prêt. Demandez-moi par exemple « tout va bien ? » ou « redémarre nginx sur web-01 »."
            if lang == "fr" else
            "Hello! 👋 I'm ready. Ask me for example \"is everything ok?\" or \"restart nginx on web-01\".")


def thanks(lang: str) -> str:
    return "Parfait ! Je reste disponible si besoin 🚀" if lang == "fr" else "Great! I'm here if you need me 🚀"


def help_text(lang: str) -> str:
    if lang == "fr":
        return ("Je peux vérifier l'état de vos serveurs (« tout va bien ? »), diagnostiquer un incident "
                "(« le site est down »), lire des logs, redémarrer un service (après votre confirmation) "
                "et déployer une version (avec l'approbation d'un admin si besoin). Que voulez-vous faire ?")
    return ("I can check your servers (\"is everything ok?\"), diagnose an incident (\"the site is down\"), "
            "read logs, restart a service (after you confirm) and deploy a version (with an admin's approval "
            "when needed). What would you like to do?")


def nothing_pending(lang: str) -> str:
    return ("Je n'ai aucune action en attente de confirmation dans cette conversation. Que voulez-vous faire ?"
            if lang == "fr" else "I have no action waiting for your confirmation here. What would you like to do?")


def cancelled(what: str, lang: str) -> str:
    return f"D'accord, j'annule : {what}. Je n'ai rien exécuté." if lang == "fr" else \
        f"OK, I cancelled: {what}. I ran nothing."


def approval_waiting(what: str, approval_id: str, lang: str, until: datetime | None = None) -> str:
    if lang == "fr":
        valid = f" Elle reste valable jusqu'au {until:%Y-%m-%d à %H:%M} UTC." if until else ""
        return (f"⏳ {what} : en production, cette action demande l'approbation d'un admin (principe des 4 yeux). "
                f"J'ai créé la demande {approval_id[:8]} ; je vous préviens ici dès qu'elle est traitée.{valid}")
    valid = f" It stays open until {until:%Y-%m-%d %H:%M} UTC." if until else ""
    return (f"⏳ {what}: in production this action needs an admin's approval (4-eyes). I created request "
            f"{approval_id[:8]}; I will tell you here as soon as it is decided.{valid}")


def approval_decided(what: str, approved: bool, by: str, reason: str | None, lang: str) -> str:
    fr = lang == "fr"
    if approved:
        return (f"✅ {by} a approuvé : {what}. Je lance l'action." if fr
                else f"✅ {by} approved: {what}. I am running it now.")
    why = f" Motif : {reason}" if fr and reason else (f" Reason: {reason}" if reason else "")
    return (f"❌ {by} a rejeté : {what}.{why} Je n'ai rien exécuté." if fr
            else f"❌ {by} rejected: {what}.{why} I ran nothing.")


def step_header(index: int, total: int, name: str, lang: str) -> str:
    return f"📦 {'Étape' if lang == 'fr' else 'Step'} {index}/{total} : {name}" if lang == "fr" \
        else f"📦 Step {index}/{total}: {name}"


def seconds(ms: int, lang: str) -> str:
    value = f"{ms / 1000:.1f}"
    return value.replace(".", ",") + " s" if lang == "fr" else value + " s"


# ---- query replies (fleet health, alerts, history) -------------------------------------------------------

GREETINGS = ("bonjour", "salut", "hello", "hi", "good morning")


@dataclass(frozen=True)
class HostHealth:
    """One host as the fleet-health check of this turn found it."""

    name: str
    reachable: bool
    services: Mapping[str, bool | None]  # service → running (None: could not tell)
    message: str = ""  # why it is unreachable
    timed_out_s: float | None = None  # it did not answer within this many seconds (no answer is not "down")
    stored: Mapping[str, bool | None] | None = None  # its services in the collector's latest sample…
    stored_age_s: float | None = None  # …and how old that sample is


def _running(active: bool | None, lang: str) -> str:
    if active is True:
        return "actif" if lang == "fr" else "running"
    if active is False:
        return "arrêté" if lang == "fr" else "stopped"
    return "état inconnu" if lang == "fr" else "state unknown"


def unanswered_host(h: HostHealth, lang: str) -> list[str]:
    """A host that did not answer in this turn: why, then what the collector last saw of it, with its age."""
    fr = lang == "fr"
    if h.timed_out_s is not None:
        secs = f"{h.timed_out_s:g}".replace(".", ",") if fr else f"{h.timed_out_s:g}"
        out = [f"   - {h.name} : pas de réponse en {secs} s (je n'ai pas attendu plus)" if fr
               else f"   - {h.name}: no answer within {secs} s (I did not wait longer)"]
    else:
        out = [f"   - {h.name} : injoignable ({h.message})" if fr else f"   - {h.name}: unreachable ({h.message})"]
    if h.stored_age_s is None:
        out.append("     aucune mesure enregistrée par la supervision" if fr
                   else "     no figures stored by the monitoring")
    else:
        states = ", ".join(f"{svc} {_running(v, lang)}" for svc, v in sorted((h.stored or {}).items()))
        head = (f"     dernier état connu (supervision, {age(h.stored_age_s, lang)})" if fr
                else f"     last known state (monitoring, {age(h.stored_age_s, lang)})")
        out.append(head + (f" : {states}" if fr else f": {states}") if states else head)
    return out


def fleet_details(hosts: Sequence[HostHealth], figures: Sequence[HostFigures], alerts: Sequence[str],
                  lang: str) -> str:
    """The answer to "yes" after "Need details?": every host with its services (checked in the turn, or the
    monitoring's last state with its age), its latest figures with their age, and every open alert."""
    fr = lang == "fr"
    sep = " : " if fr else ": "
    by_name = {f.name: f for f in figures}
    out = ["Détails par serveur :" if fr else "Details per server:"]
    for h in sorted(hosts, key=lambda x: x.name):
        if h.reachable:
            states = ", ".join(f"{svc} {'✅' if v else '❌' if v is False else '❓'} {_running(v, lang)}"
                               for svc, v in sorted(h.services.items()))
            out.append(f"• {h.name}{sep}" + ("joignable" if fr else "reachable")
                       + (f", {states}" if states else "") + f" ({checked_now(lang)})")
        else:
            out.append(f"• {h.name}{sep}⚠️ " + ("ne répond pas" if fr else "does not answer"))
            why = unanswered_host(h, lang)
            out += ["  " + why[0].split(sep, 1)[1], *why[1:]]
        f = by_name.get(h.name)
        if f is not None:
            out.append("  📊 " + host_figures(f, lang).split(sep, 1)[1])
    out.append("")
    if alerts:
        out.append("Alertes ouvertes :" if fr else "Open alerts:")
        out += [f"• {a}" for a in alerts]
    else:
        out.append("✅ " + ("Aucune alerte ouverte." if fr else "No open alert."))
    return "\n".join(out)


def fleet_health(hosts: Sequence[HostHealth], alerts: Sequence[str], options: Sequence[Option], *, greet: bool,
                 lang: str, left_out: int = 0, figures: Sequence[HostFigures] = ()) -> str:
    """The states are checks run in this turn ("checked just now"); `figures` come from the collector's samples,
    each with its age (a stale one is said to be stale, never shown as current)."""
    fr = lang == "fr"
    up = sum(1 for h in hosts if h.reachable)
    stopped = [(h.name, svc) for h in hosts for svc, active in h.services.items() if active is False]
    out = ([("Bonjour ! 👋" if fr else "Hello! 👋")] if greet else []) + [
        "État de votre infrastructure :" if fr else "State of your infrastructure:", ""]
    mark = "✅" if up == len(hosts) else "⚠️"
    out.append(f"{mark} {up}/{len(hosts)} " + ("serveurs opérationnels" if fr else "servers up")
               + f" ({checked_now(lang)})")
    if left_out:  # servers this user may not read: counted, never named
        one = left_out == 1
        if fr:
            rest = ("autre serveur non couvert : vous n'avez pas le droit de le lire" if one
                    else "autres serveurs non couverts : vous n'avez pas le droit de les lire")
        else:
            rest = ("other server left out: you may not read it" if one
                    else "other servers left out: you may not read them")
        out.append(f"   ({left_out} {rest})")
    out += [line for h in hosts if not h.reachable for line in unanswered_host(h, lang)]
    if stopped:
        out.append("❌ " + ("Services arrêtés :" if fr else "Stopped services:"))
        out += [f"   - {svc} {'sur' if fr else 'on'} {host}" for host, svc in stopped]
    else:
        names = ", ".join(sorted({svc for h in hosts for svc in h.services}))
        if names:
            out.append("✅ " + (f"Tous les services critiques actifs ({names})" if fr
                                else f"All critical services running ({names})"))
        else:  # nothing checked: say so rather than "all running ()"
            out.append("Aucun service surveillé sur ces serveurs" if fr else "No service watched on these servers")
    out += fleet_figures(figures, lang)
    if alerts:
        n = len(alerts)
        out.append(f"⚠️ {n} " + (("alerte ouverte :" if n == 1 else "alertes ouvertes :") if fr
                                  else ("open alert:" if n == 1 else "open alerts:")))
        out += [f"   - {a}" for a in alerts[:10]]
    else:
        out.append("✅ " + ("Aucune alerte ouverte" if fr else "No open alert"))
    out += ["", "Besoin de détails ?" if fr else "Need details?", numbered(options, lang, title=False)]
    return "\n".join(out)


def open_alerts(alerts: Sequence[tuple[str, str]], lang: str) -> str:
    """(severity, message) of each open alert."""
    fr = lang == "fr"
    if not alerts:
        return "✅ Aucune alerte ouverte." if fr else "✅ No open alert."
    lines = [f"{len(alerts)} " + ("alerte(s) ouverte(s) :" if fr else "open alert(s):")]
    return "\n".join(lines + [f"- [{severity}] {message}" for severity, message in alerts])


def command_history(rows: Sequence[tuple[datetime, str | None, str | None, str]], lang: str) -> str:
    """(when, action, server, outcome or state) of one's last commands, newest first."""
    fr = lang == "fr"
    if not rows:
        return "Vous n'avez encore lancé aucune commande." if fr else "You have run no command yet."
    lines = ["Vos dernières commandes :" if fr else "Your last commands:"]
    return "\n".join(lines + [f"- {when:%Y-%m-%d %H:%M} {action} {server or ''} → {outcome}"
                              for when, action, server, outcome in rows])


# ---- the chat door's replies around a run (moved from the engine: one place per language) ---------------

def option_out_of_range(count: int, lang: str) -> str:
    if lang == "fr":
        return f"Je n'ai proposé que {count} option(s) : répondez par un numéro entre 1 et {count}."
    return f"I offered {count} option(s): reply with a number from 1 to {count}."


def running(what: str, lang: str) -> str:
    return "⏳ " + (f"{what} : en cours…" if lang == "fr" else f"{what}: running…")


def duration_line(ms: int, lang: str) -> str:
    return ("• Durée : " if lang == "fr" else "• Duration: ") + seconds(ms, lang)


def failed_hosts_question(lang: str) -> str:
    return ("Au moins un serveur a échoué ; je n'ai rien relancé automatiquement. Que voulez-vous faire ?"
            if lang == "fr" else
            "At least one host failed; I retried nothing on my own. What would you like to do?")


def logs_option(service: str, targets: Sequence[str]) -> Option:
    return Option(f"Show the {service} logs of the last hour", f"Montre les logs {service} de la dernière heure",
                  "service.logs", tuple(targets), service, {"since": "1h"})


def failed_logs_option(service: str | None, failed: Sequence[str]) -> Option:
    return Option("Show the logs of the failed hosts", "Voir les logs des serveurs en échec",
                  "service.logs" if service else "server.logs", tuple(failed), service, {"lines": 100})


def health_after(service: str, states: Sequence[tuple[str, str]], sites: Sequence[tuple[str, str]], passed: bool,
                 lang: str) -> list[str]:
    """After a restart: the service state per host (checked in this turn) and each health URL's answer."""
    fr = lang == "fr"
    lines = [f"✅ {service} " + ("opérationnel" if fr else "is up")] if passed else []
    lines.append(("• Tests de santé : " if fr else "• Health checks: ") + ("PASSED" if passed else "FAILED")
                 + f" ({checked_now(lang)})")
    lines += [f"• Status{' ' if fr else ''}: {state} ({host})" for host, state in states]
    lines += [("• Site accessible : " if fr else "• Site reachable: ") + f"{mark} ({host})" for host, mark in sites]
    return lines


# ---- how old a figure is: health replies only use checks of this turn or fresh samples ---------------------

def checked_now(lang: str) -> str:
    return "vérifié à l'instant" if lang == "fr" else "checked just now"


def checked_line(lang: str) -> str:
    return "• Vérifié à l'instant" if lang == "fr" else "• Checked just now"


def age(seconds_old: float, lang: str) -> str:
    """"just now" / "20 s ago" / "2 min ago" / "3 h ago" ("à l'instant", "il y a 2 min")."""
    s = max(0, int(seconds_old))
    if s < 5:
        return "à l'instant" if lang == "fr" else "just now"
    if s < 60:
        amount = f"{s} s"
    elif s < 3600:
        amount = f"{s // 60} min"
    elif s < 86400:
        amount = f"{s // 3600} h"
    else:
        amount = f"{s // 86400} j" if lang == "fr" else f"{s // 86400} d"
    return f"il y a {amount}" if lang == "fr" else f"{amount} ago"


@dataclass(frozen=True)
class HostFigures:
    """A host's figures from the collector's latest sample, and how old that sample is."""

    name: str
    age_s: float
    fresh: bool  # younger than the collection interval
    cpu_percent: float | None = None
    memory_percent: float | None = None
    disk_percent: float | None = None


def _pct(value: float) -> str:
    return f"{value:.0f} %"


def host_figures(f: HostFigures, lang: str) -> str:
    """"   - web-01: CPU 12 %, memory 40 %, disk 78 % (2 min ago)"; a stale sample gives no figure as current."""
    fr = lang == "fr"
    sep = " : " if fr else ": "
    if not f.fresh:
        return (f"   - {f.name}{sep}" + (f"pas de mesure récente (dernière {age(f.age_s, lang)}, périmée)" if fr
                                         else f"no recent figures (last sample {age(f.age_s, lang)}, stale)"))
    parts = []
    if f.cpu_percent is not None:
        parts.append(f"CPU {_pct(f.cpu_percent)}")
    if f.memory_percent is not None:
        parts.append(("mémoire " if fr else "memory ") + _pct(f.memory_percent))
    if f.disk_percent is not None:
        parts.append(("disque " if fr else "disk ") + _pct(f.disk_percent))
    return f"   - {f.name}{sep}" + ", ".join(parts) + f" ({age(f.age_s, lang)})"


def fleet_figures(figures: Sequence[HostFigures], lang: str) -> list[str]:
    if not figures:
        return []
    head = "📊 " + ("Dernières mesures de la supervision :" if lang == "fr" else "Latest monitoring figures:")
    return [head] + [host_figures(f, lang) for f in figures]


# ---- history questions ("who restarted nginx today?") -----------------------------------------------------

@dataclass(frozen=True)
class HistoryFilters:
    action: str | None = None
    service: str | None = None
    host: str | None = None
    since: str | None = None
    user: str | None = None

    def to_json(self) -> dict[str, str | None]:
        return {"action": self.action, "service": self.service, "host": self.host, "since": self.since,
                "user": self.user}

    def describe(self, lang: str) -> str:
        fr = lang == "fr"
        parts = []
        if self.action:
            parts.append("action " + self.action)
        if self.service:
            parts.append("service " + self.service)
        if self.host:
            parts.append(("sur " if fr else "on ") + self.host)
        if self.user:
            parts.append(("par " if fr else "by ") + self.user)
        if self.since:
            since = {"today": "aujourd'hui", "yesterday": "hier"}.get(self.since, self.since) if fr else self.since
            parts.append(since if since in ("today", "yesterday", "aujourd'hui", "hier")
                         else ("depuis " if fr else "since ") + since)
        return ", ".join(parts)


@dataclass(frozen=True)
class HistoryLine:
    """One command of the history: who, what, where, when, outcome (and who approved it)."""

    when: datetime | None
    who: str
    action: str
    server: str | None
    service: str | None = None
    parameters: Mapping[str, Any] | None = None
    outcome: str = ""
    door: str | None = None
    approved_by: str | None = None
    kind: str = "command"  # or "decision": an approval decided (from the audit trail)
    servers: tuple[str, ...] = ()  # a decision's target servers
    requester: str | None = None  # whose request was decided
    reason: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {"when": self.when.isoformat() if self.when else None, "who": self.who, "action": self.action,
                "server": self.server, "service": self.service, "outcome": self.outcome, "door": self.door,
                "approved_by": self.approved_by, "kind": self.kind, "servers": list(self.servers) or None,
                "requester": self.requester, "reason": self.reason}


_OUTCOMES = {"ok": ("✅ succeeded", "✅ réussi"), "succeeded": ("✅ succeeded", "✅ réussi"),
             "failed": ("❌ failed", "❌ échoué"), "timed_out": ("⏱️ timed out", "⏱️ délai dépassé"),
             "interrupted": ("⚠️ interrupted", "⚠️ interrompu"), "running": ("⏳ running", "⏳ en cours"),
             "pending": ("⏳ pending", "⏳ en attente")}


def _outcome_word(outcome: str, lang: str) -> str:
    if outcome.startswith("refused"):
        return "⛔ refusé" if lang == "fr" else "⛔ refused"
    pair = _OUTCOMES.get(outcome)
    return pair[1 if lang == "fr" else 0] if pair else outcome


def _decision(line: HistoryLine, lang: str) -> str:
    """"boss@example.com rejected op@example.com's request: Deploy v2.5.0 on web-01 (reason: not today)"."""
    fr = lang == "fr"
    what = describe(line.action, list(line.servers), line.service, line.parameters or {}, lang)
    approved = line.outcome == "approved"
    if fr:
        verb = "a approuvé" if approved else "a rejeté"
        why = f" (motif : {line.reason})" if line.reason else ""
        return f"{line.who} {verb} la demande de {line.requester} : {what}{why}"
    verb = "approved" if approved else "rejected"
    why = f" (reason: {line.reason})" if line.reason else ""
    return f"{line.who} {verb} {line.requester}'s request: {what}{why}"


def history_answer(lines: Sequence[HistoryLine], asked: HistoryFilters, total: int, lang: str) -> str:
    """"2 commands (service nginx, today):\n- 2026-11-30 09:12 UTC — op@example.com: Restart nginx on web-01 → ✅"."""
    fr = lang == "fr"
    scope = asked.describe(lang)
    if not lines:
        return (f"Je ne trouve aucune commande ({scope}) parmi celles que vous pouvez voir." if fr
                else f"I found no command ({scope}) among those you may see.")
    head = (f"{total} commande(s) ({scope}), la plus récente d'abord :" if fr
            else f"{total} command(s) ({scope}), newest first:")
    out = [head]
    for line in lines:
        when = f"{line.when:%Y-%m-%d %H:%M} UTC" if line.when else "?"
        if line.kind == "decision":
            out.append(f"- {when} — {_decision(line, lang)}")
            continue
        what = describe(line.action, [line.server] if line.server else [], line.service, line.parameters or {},
                        lang)
        approved = ((f" (approuvé par {line.approved_by})" if fr else f" (approved by {line.approved_by})")
                    if line.approved_by else "")
        out.append(f"- {when} — {line.who}{' :' if fr else ':'} {what}{approved} → {_outcome_word(line.outcome, lang)}")
    if total > len(lines):
        out.append(f"… {total - len(lines)} " + ("de plus" if fr else "more"))
    return "\n".join(out)


# ---- runbooks: deploys and rollbacks (moved from services/chat/deploys.py) ------------------------------

def deploy_title(application: str, version: str, where: str, rollback: bool, lang: str) -> str:
    fr = lang == "fr"
    if rollback:
        return (f"⏪ Retour de {application} à {version} sur {where}" if fr
                else f"⏪ Rolling {application} back to {version} on {where}")
    return (f"🚀 Déploiement de {application} {version} sur {where}" if fr
            else f"🚀 Deploying {application} {version} to {where}")


def deploy_done(version: str, elapsed_ms: int, rollback: bool, lang: str) -> str:
    fr = lang == "fr"
    head = (("✅ Retour arrière réussi" if fr else "✅ Rollback succeeded") if rollback else
            ("✅ Déploiement réussi" if fr else "✅ Deployment succeeded"))
    if fr:
        return f"{head}\nVersion : {version}\nDurée totale : {seconds(elapsed_ms, lang)}"
    return f"{head}\nVersion: {version}\nTotal time: {seconds(elapsed_ms, lang)}"


def deploy_stopped(index: int, total: int, step: str, host: str, detail: str, rollback: bool, lang: str) -> str:
    """The step that failed, where, why; what did not run; what the user may do next."""
    if lang == "fr":
        what = "le retour arrière" if rollback else "le déploiement"
        question = ("Voulez-vous voir les logs ?" if rollback else
                    "Voulez-vous voir les logs ou revenir à la version précédente ?")
        return (f"❌ L'étape {index}/{total} ({step}) a échoué sur {host} : {detail}\n"
                f"J'ai arrêté {what} ici : les étapes suivantes n'ont pas été lancées. {question}")
    what = "rollback" if rollback else "deployment"
    question = "Do you want to see the logs?" if rollback else "Do you want to see the logs or roll back?"
    return (f"❌ Step {index}/{total} ({step}) failed on {host}: {detail}\n"
            f"I stopped the {what} here: the next steps did not run. {question}")


def host_logs_option(host: str) -> Option:
    return Option(f"Show the logs of {host}", f"Voir les logs de {host}", "server.logs", (host,), None,
                  {"lines": 100})


def rollback_option(hosts: Sequence[str], environment: str | None) -> Option:
    return Option("Roll back to the previous version", "Revenir à la version précédente", "app.rollback",
                  tuple(hosts), None, {"environment": environment} if environment else {})


def step_ok(host: str, lang: str) -> str:
    return f"• {host} : ✅" if lang == "fr" else f"• {host}: ✅"


def rolled(host: str, version: str, lang: str) -> str:
    return f"• {host} : ✅ {version} (santé OK)" if lang == "fr" else f"• {host}: ✅ {version} (health OK)"


def step_skipped_recent(host: str, found: str, hours: str, backup: bool, lang: str) -> str:
    if lang == "fr":
        noun = "sauvegarde récente trouvée" if backup else "fichier récent trouvé"
        return f"• {host} : ⏭️ {noun} ({found}, moins de {hours}) : étape ignorée"
    noun = "recent backup found" if backup else "recent file found"
    return f"• {host}: ⏭️ {noun} ({found}, under {hours}): step skipped"


def step_skipped_condition(host: str, lang: str) -> str:
    return (f"• {host} : ⏭️ condition d'exclusion remplie : étape ignorée" if lang == "fr"
            else f"• {host}: ⏭️ skip condition met: step skipped")


# ---- one host's result, and what a card understood -------------------------------------------------------

def host_line(res: RunResult, lang: str) -> str:
    """"web-01: <the skill's explanation>" / "✅ web-01"; a failure: "❌ web-01: <why>"."""
    fr = lang == "fr"
    localized = (res.data.get("explanation") or {}).get(lang) if isinstance(res.data, dict) else None
    if res.ok:
        if localized:
            return f"{res.host} : {localized}" if fr else f"{res.host}: {localized}"
        return f"✅ {res.host}"
    detail = localized or res.message or (res.stderr or res.stdout).strip().splitlines()[-1:] or [res.outcome.value]
    text = detail if isinstance(detail, str) else detail[0]
    return f"❌ {res.host} : {text}" if fr else f"❌ {res.host}: {text}"


def understood_line(text: str, lang: str) -> str:
    return ("J'ai compris : " if lang == "fr" else "I understood: ") + text


# ---- a deploy's pre-checks (seed scenario 3: "Pré-checks … Voulez-vous : 1. Backup DB puis deploy …") -------

def size(n_bytes: int) -> str:
    """"145 MB", "12 KB", "3.2 GB" (as the seed writes them, in both languages)."""
    value = float(n_bytes)
    for unit in ("B", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{value:.0f} {unit}" if unit in ("B", "KB", "MB") or value >= 10 else f"{value:.1f} {unit}"
        value /= 1024
    return f"{value:.0f} TB"  # pragma: no cover - the loop returns at GB


@dataclass(frozen=True)
class BackupSeen:
    """What the pre-checks found of the runbook's backups on the host that runs the backup step."""

    host: str
    step: str  # the step's name, in the reply's language
    place: str | None  # where backups go (the runbook's `skip_if_recent.path`), None: the runbook does not say
    last_path: str | None = None
    last_size: int | None = None
    last_age_s: float | None = None
    recent: bool = False
    max_age: str = ""  # "24 h"
    unlisted: str = ""  # why the backups could not be listed (then nothing is claimed about them)


def _backup_last(backup: BackupSeen, lang: str) -> str:
    if backup.last_path is None:
        return ""
    bits = [size(backup.last_size)] if backup.last_size is not None else []
    if backup.last_age_s is not None:
        bits.append(age(backup.last_age_s, lang))
    return f"{backup.last_path} ({', '.join(bits)})" if bits else backup.last_path


def precheck_lines(application: str, version: str, environment: str | None, current: tuple[str, str] | None,
                   backup: BackupSeen | None, lang: str) -> list[str]:
    """What the pre-checks found: the version running now, what is known of the tests (nothing, said so),
    the backups (None: the runbook has no backup step). `current`: (version, "when, by whom")."""
    fr = lang == "fr"
    where = environment or ("les serveurs du runbook" if fr else "the runbook's servers")
    out = [f"⚠️ Déploiement de {application} {version} en {where} détecté" if fr
           else f"⚠️ Deploying {application} {version} to {where}", "",
           "Pré-vérifications :" if fr else "Pre-checks:"]
    if current is None:
        out.append(f"❔ Version actuelle : inconnue (aucun déploiement réussi de {application} n'est enregistré ici)"
                   if fr else f"❔ Current version: unknown (no successful deployment of {application} is recorded "
                              "here)")
    else:
        out.append(f"✅ Version actuelle : {current[0]} ({current[1]})" if fr
                   else f"✅ Current version: {current[0]} ({current[1]})")
    out.append(f"❔ Tests : je ne sais pas s'ils sont passés pour {version} (ChatOps Commander n'est relié à aucune "
               "CI) : vérifiez-le avant de continuer" if fr else
               f"❔ Tests: I can't tell whether {version} passed them (ChatOps Commander is connected to no CI): "
               "check before you go on")
    if backup is None:
        return out
    last = _backup_last(backup, lang)
    if backup.recent:
        out.append(f"✅ Sauvegarde récente (moins de {backup.max_age}) : {last} — l'étape « {backup.step} » "
                   "sera ignorée" if fr else
                   f"✅ Recent backup (under {backup.max_age}): {last} — the step \"{backup.step}\" will be skipped")
    elif backup.unlisted:
        out.append(f"⚠️ Sauvegarde : je n'ai pas pu lister {backup.place} sur {backup.host} ({backup.unlisted})"
                   if fr else f"⚠️ Backup: I could not list {backup.place} on {backup.host} ({backup.unlisted})")
    elif backup.place is None:
        out.append("⚠️ Sauvegarde : je ne sais pas quand la dernière a été faite (le runbook ne dit pas où vont "
                   "les sauvegardes)" if fr else
                   "⚠️ Backup: I can't tell when the last one was made (the runbook does not say where backups go)")
    elif backup.last_path is None:
        out.append(f"⚠️ Aucune sauvegarde trouvée dans {backup.place} sur {backup.host}" if fr
                   else f"⚠️ No backup found in {backup.place} on {backup.host}")
    else:
        out.append(f"⚠️ Pas de sauvegarde récente (moins de {backup.max_age}) : la dernière est {last}" if fr
                   else f"⚠️ No recent backup (under {backup.max_age}): the last one is {last}")
    return out


def deploy_prechecks(application: str, version: str, environment: str | None, current: tuple[str, str] | None,
                     backup: BackupSeen, lang: str) -> str:
    """The pre-check dialogue when there is no recent backup: what was found, the recommendation, the choice."""
    fr = lang == "fr"
    out = precheck_lines(application, version, environment, current, backup, lang)
    place = backup.place or ("l'endroit prévu par le runbook" if fr else "where the runbook writes it")
    expected = (f", environ {size(backup.last_size)} comme la dernière" if fr
                else f", about {size(backup.last_size)} like the last one") if backup.last_size else ""
    out += ["", (f"Recommandation : sauvegarder avant de déployer (étape « {backup.step} » sur {backup.host}, "
                 f"dans {place}{expected})") if fr else
            (f"Recommendation: back up before deploying (step \"{backup.step}\" on {backup.host}, "
             f"into {place}{expected})"), "", "Voulez-vous :" if fr else "Do you want to:"]
    return "\n".join(out)


def precheck_options(version: str, targets: Sequence[str], parameters: Mapping[str, Any]) -> list[Option]:
    """1. back up then deploy, 2. deploy without a backup (risky), 3. cancel."""
    def deploy(choice: str) -> dict[str, Any]:
        return {**parameters, "backup": choice}

    return [Option("Back up the database, then deploy", "Sauvegarder la base puis déployer", "app.deploy",
                   tuple(targets), None, deploy("run")),
            Option(f"Deploy {version} without a backup (risky)", f"Déployer {version} sans sauvegarde (risqué)",
                   "app.deploy", tuple(targets), None, deploy("skip")),
            Option("Cancel", "Annuler", None, (), None,
                   {"said_en": "Cancelled: nothing was deployed.", "said_fr": "Annulé : rien n'a été déployé."})]


def step_skipped_by_choice(host: str, requester: str, lang: str) -> str:
    return (f"• {host} : ⏭️ pas de sauvegarde, au choix de {requester} : étape ignorée" if lang == "fr"
            else f"• {host}: ⏭️ no backup, as {requester} chose: step skipped")


def backup_made(host: str, path: str, n_bytes: int, lang: str) -> str:
    return (f"• {host} : ✅ sauvegarde terminée ({size(n_bytes)})\n   Stockée dans : {path}" if lang == "fr"
            else f"• {host}: ✅ backup done ({size(n_bytes)})\n   Stored in: {path}")


def smoke_http(host: str, url: str, status: int | None, ok: bool, latency_ms: int | None, error: str,
               lang: str) -> str:
    sep = " : " if lang == "fr" else ": "
    if ok:
        return f"   • HTTP {url}{sep}✅ {status}" + (f" ({latency_ms} ms)" if latency_ms is not None else "")
    return f"   • HTTP {url}{sep}❌ {status or error or ('pas de réponse' if lang == 'fr' else 'no answer')}"


def deployed_when(at: datetime, by: str, now: datetime, lang: str) -> str:
    """"deployed 3 d ago by alice@example.com" / "déployée il y a 3 j par alice@example.com"."""
    when = age((now - at).total_seconds(), lang)
    return f"déployée {when} par {by}" if lang == "fr" else f"deployed {when} by {by}"


def backup_choice(backup: bool, lang: str) -> str:
    if lang == "fr":
        return ("Sauvegarde : la base est sauvegardée avant le déploiement (votre choix)." if backup
                else "Sauvegarde : aucune, à votre demande (risqué).")
    return ("Backup: the database is backed up before the deploy (your choice)." if backup
            else "Backup: none, as you asked (risky).")
