"""Diagnosis: aggregate parallel checks (service states, recent errors, HTTP, disk and memory
pressure) into findings, a probable cause and numbered options (seed scenario 2)."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

DISK_PRESSURE = 90.0
MEMORY_PRESSURE = 90.0
_TROUBLE = re.compile(r"error|erreur|crit|alert|emerg|fatal|fail|panic|segfault|segmentation|signal \d+|killed"
                      r"|out of memory|oom|denied|refused|abort|exited", re.IGNORECASE)


def relevant_lines(lines: Sequence[str], *, keep: int = 3, fallback: bool = False) -> tuple[str, ...]:
    """The log excerpt a diagnosis shows: the last lines that say something went wrong (an error, a crash
    signal, a refusal…); when none does, nothing — or, with `fallback`, the last lines as they are."""
    kept = [line.strip() for line in lines if line.strip()]
    trouble = [line for line in kept if _TROUBLE.search(line)]
    return tuple((trouble or (kept if fallback else []))[-keep:])


def down_since(seen: Sequence[tuple[datetime, bool | None]], now: datetime) -> tuple[float, bool] | None:
    """How long a service has been down, from the collector's samples (when, running?) oldest first: back
    from the newest sample while it is down. (seconds, at_least) — `at_least` when even the oldest sample
    of the window saw it down — or None when the newest sample does not see it down (no figure to give)."""
    ordered = sorted((at, up) for at, up in seen if up is not None)
    if not ordered or ordered[-1][1]:
        return None
    first_down = ordered[-1][0]
    at_least = True
    for at, up in reversed(ordered):
        if up:
            at_least = False
            break
        first_down = at
    return max(0.0, (now - first_down).total_seconds()), at_least


def down_for(seconds: float, lang: str) -> str:
    """"3 min" / "2 h" / "40 s" (a duration, for "stopped for 3 min" / "arrêté depuis 3 min")."""
    s = max(0, int(seconds))
    if s < 60:
        return f"{s} s"
    if s < 3600:
        return f"{s // 60} min"
    if s < 86400:
        return f"{s // 3600} h {s % 3600 // 60:02d}"
    return f"{s // 86400} {'j' if lang == 'fr' else 'd'}"


@dataclass(frozen=True)
class ServiceCheck:
    service: str
    active: bool | None  # None: could not tell
    state: str = ""
    down_for_s: float | None = None  # how long it has been down, from the collector's samples
    down_at_least: bool = False  # every stored sample of the window saw it down: "for at least …"
    since_text: str = ""  # when the service manager says it stopped (its own words, the host's clock)

    def since(self, lang: str) -> str:
        """", depuis 3 min" / ", for 3 min" / ", since Nov 23 09:00 AM, server time", or "" when unknown."""
        fr = lang == "fr"
        if self.down_for_s is not None:
            amount = down_for(self.down_for_s, lang)
            if self.down_at_least:
                return f", depuis au moins {amount}" if fr else f", for at least {amount}"
            return f", depuis {amount}" if fr else f", for {amount}"
        if self.since_text:
            return (f", depuis {self.since_text}, heure du serveur" if fr
                    else f", since {self.since_text}, server time")
        return ""


@dataclass(frozen=True)
class HttpCheck:
    url: str
    status: int | None
    ok: bool
    latency_ms: int | None = None
    error: str = ""


@dataclass(frozen=True)
class HostCheck:
    host: str
    reachable: bool
    message: str = ""
    services: tuple[ServiceCheck, ...] = ()
    error_lines: tuple[str, ...] = ()  # recent log lines with errors (any service)
    log_tail: tuple[str, ...] = ()  # the last log lines, when none says "error" (shown for a stopped service)
    http: HttpCheck | None = None
    disk_percent: float | None = None
    disk_mount: str | None = None
    memory_percent: float | None = None


@dataclass(frozen=True)
class Option:
    """A numbered next step: an action the user can pick by its number (or a plain suggestion)."""

    label_en: str
    label_fr: str
    action: str | None = None
    targets: tuple[str, ...] = ()
    service: str | None = None
    parameters: Mapping[str, Any] = field(default_factory=dict)
    # What the diagnosis knows that lowers the fix's impact ("web-02 takes over"): the confirmation card of this
    # option shows it in its risk line, "Risque : FAIBLE (web-02 prend le relais)" (seed scenario 2).
    risk_note_en: str = ""
    risk_note_fr: str = ""

    def label(self, lang: str) -> str:
        return self.label_fr if lang == "fr" else self.label_en

    def risk_note(self) -> dict[str, str]:
        """{"en": …, "fr": …}, or {} when the diagnosis knows nothing that lowers the impact."""
        return {"en": self.risk_note_en, "fr": self.risk_note_fr} if self.risk_note_en or self.risk_note_fr else {}

    def to_json(self) -> dict[str, Any]:
        data = {"label_en": self.label_en, "label_fr": self.label_fr, "action": self.action,
                "targets": list(self.targets), "service": self.service, "parameters": dict(self.parameters)}
        if self.risk_note_en or self.risk_note_fr:  # absent otherwise: the digests of older buttons stay valid
            data |= {"risk_note_en": self.risk_note_en, "risk_note_fr": self.risk_note_fr}
        return data

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Option:
        return cls(str(data.get("label_en", "")), str(data.get("label_fr", "")), data.get("action"),
                   tuple(data.get("targets") or ()), data.get("service"), dict(data.get("parameters") or {}),
                   str(data.get("risk_note_en") or ""), str(data.get("risk_note_fr") or ""))


@dataclass(frozen=True)
class Diagnosis:
    checks: tuple[HostCheck, ...]
    cause_en: str
    cause_fr: str
    options: tuple[Option, ...]
    healthy: bool
    culprit_host: str | None = None
    culprit_service: str | None = None
    evidence: tuple[str, ...] = ()

    def cause(self, lang: str) -> str:
        return self.cause_fr if lang == "fr" else self.cause_en

    def render(self, lang: str) -> str:
        """Every figure comes from checks run in this turn, and the header says so."""
        fr = lang == "fr"
        out = ["Je vérifie immédiatement…" if fr else "Checking right away…", "",
               "🔍 Diagnostic (vérifié à l'instant) :" if fr else "🔍 Diagnosis (checked just now):"]
        up = [c.host for c in self.checks if c.reachable]
        down = [c for c in self.checks if not c.reachable]
        if up:
            out.append(f"• {'Serveurs' if fr else 'Servers'} {', '.join(up)} : {'joignables' if fr else 'reachable'}"
                       if fr else f"• Servers {', '.join(up)}: reachable")
        for c in down:
            out.append(f"• {c.host} : ❌ {'injoignable' if fr else 'unreachable'}" if fr
                       else f"• {c.host}: ❌ unreachable")
        for c in self.checks:
            for s in c.services:
                if s.active is True:
                    state = "✅ actif" if fr else "✅ running"
                elif s.active is False:
                    state = f"❌ ARRÊTÉ ({s.state}{s.since(lang)})" if fr else f"❌ STOPPED ({s.state}{s.since(lang)})"
                else:
                    state = "❓ état inconnu" if fr else "❓ state unknown"
                out.append(f"• {s.service} {'sur' if fr else 'on'} {c.host}{' :' if fr else ':'} {state}")
            if c.http is not None:
                h = c.http
                if h.ok:
                    res = f"✅ {h.status}" + (f" ({h.latency_ms} ms)" if h.latency_ms is not None else "")
                else:
                    res = f"❌ {h.status or h.error or ('pas de réponse' if fr else 'no answer')}"
                out.append(f"• HTTP {c.host} ({h.url}){' :' if fr else ':'} {res}")
            if c.disk_percent is not None and c.disk_percent >= DISK_PRESSURE:
                out.append(f"• {'Disque' if fr else 'Disk'} {c.disk_mount or '/'} "
                           f"{'sur' if fr else 'on'} {c.host}{' :' if fr else ':'} ⚠️ {c.disk_percent:.0f} %")
            if c.memory_percent is not None and c.memory_percent >= MEMORY_PRESSURE:
                out.append(f"• {'Mémoire sur' if fr else 'Memory on'} {c.host}{' :' if fr else ':'} "
                           f"⚠️ {c.memory_percent:.0f} %")
        out += ["", ("Cause probable : " if fr else "Probable cause: ") + self.cause(lang)]
        if self.evidence:
            where = ""
            if self.culprit_host:
                svc = f"{self.culprit_service} " if self.culprit_service else ""
                where = f" ({svc}{'sur' if fr else 'on'} {self.culprit_host})"
            out.append(("Logs récents" if fr else "Recent logs") + where + (" :" if fr else ":"))
            out += [f"   [{line}]" for line in self.evidence]
        if self.options:
            out += ["", "Actions possibles :" if fr else "What I can do:"]
            out += [f"{i}. {o.label(lang)}" for i, o in enumerate(self.options, 1)]
            out += ["", "Répondez par un numéro." if fr else "Reply with a number."]
        return "\n".join(out)

    def to_json(self) -> dict[str, Any]:
        return {
            "healthy": self.healthy, "cause": {"en": self.cause_en, "fr": self.cause_fr},
            "culprit": {"host": self.culprit_host, "service": self.culprit_service},
            "evidence": list(self.evidence), "options": [o.to_json() for o in self.options],
            "checks": [{
                "host": c.host, "reachable": c.reachable, "message": c.message,
                "services": [{"service": s.service, "active": s.active, "state": s.state, "down_for_s": s.down_for_s,
                              "down_at_least": s.down_at_least, "since_text": s.since_text} for s in c.services],
                "http": None if c.http is None else {"url": c.http.url, "status": c.http.status, "ok": c.http.ok,
                                                      "latency_ms": c.http.latency_ms, "error": c.http.error},
                "disk_percent": c.disk_percent, "disk_mount": c.disk_mount, "memory_percent": c.memory_percent,
                "error_lines": list(c.error_lines),
            } for c in self.checks],
        }


def _logs_option(host: str, service: str | None) -> Option:
    if service:
        return Option(f"Show the full logs of {service} on {host}", f"Voir les logs complets de {service} sur {host}",
                      "service.logs", (host,), service, {"lines": 200})
    return Option(f"Show the system log of {host}", f"Voir le journal système de {host}", "server.logs", (host,),
                  None, {"lines": 200})


def _what_was_fine(checks: Sequence[HostCheck]) -> tuple[str, str]:
    """Only what a check of this turn saw: no "HTTP answers" unless an HTTP check got an answer now."""
    en: list[str] = []
    fr: list[str] = []
    if any(c.services for c in checks):
        en.append("services run")
        fr.append("les services tournent")
    if any(c.http is not None and c.http.ok for c in checks):
        en.append("HTTP answers")
        fr.append("HTTP répond")
    disk = any(c.disk_percent is not None for c in checks)
    memory = any(c.memory_percent is not None for c in checks)
    if disk or memory:
        en.append(" and ".join(n for n, seen in (("disks", disk), ("memory", memory)) if seen) + " are fine")
        fr.append(" et ".join(n for n, seen in (("disques", disk), ("mémoire", memory)) if seen) + " vont bien")
    if not en:
        return "the servers answer", "les serveurs répondent"
    return ", ".join(en), ", ".join(fr)


def diagnose(checks: Sequence[HostCheck], *, disk_threshold: float = DISK_PRESSURE,
             memory_threshold: float = MEMORY_PRESSURE) -> Diagnosis:
    checks = tuple(sorted(checks, key=lambda c: c.host))
    errors = tuple(line for c in checks for line in c.error_lines)[-3:]
    down = [c for c in checks if not c.reachable]
    if down:
        h = down[0]
        return Diagnosis(
            checks, f"{h.host} does not answer ({h.message or 'unreachable'}).",
            f"{h.host} ne répond pas ({h.message or 'injoignable'}).",
            (Option(f"Check {h.host} again", f"Revérifier {h.host}", "server.status", (h.host,)),
             Option("Show open alerts", "Voir les alertes ouvertes", "alerts.list")),
            False, h.host, None, errors)
    stopped = [(c, s) for c in checks for s in c.services if s.active is False]
    if stopped:
        c, s = stopped[0]
        host_errors = c.error_lines[-3:] or c.log_tail[-3:] or errors
        # the hosts where the same service runs, seen in this turn: they serve while this one is down
        others = sorted({o.host for o in checks
                         if o.host != c.host and any(x.service == s.service and x.active for x in o.services)})
        one = len(others) == 1
        others_en = f" ({', '.join(others)} still serve{'s' if one else ''})" if others else ""
        takes_over_en = f"{', '.join(others)} take{'s' if one else ''} over" if others else ""
        takes_over_fr = f"{', '.join(others)} {'prend' if one else 'prennent'} le relais" if others else ""
        return Diagnosis(
            checks, f"{s.service} is stopped on {c.host}{others_en}.",
            f"{s.service} est arrêté sur {c.host}{f' ({takes_over_fr})' if others else ''}.",
            (Option(f"Restart {s.service} on {c.host}", f"Redémarrer {s.service} sur {c.host}", "service.restart",
                    (c.host,), s.service, risk_note_en=takes_over_en, risk_note_fr=takes_over_fr),
             _logs_option(c.host, s.service),
             Option(f"Check {s.service} on every host", f"Vérifier {s.service} sur tous les serveurs",
                    "service.status", tuple(o.host for o in checks if any(x.service == s.service for x in o.services)),
                    s.service)),
            False, c.host, s.service, host_errors)
    failing_http = [c for c in checks if c.http is not None and not c.http.ok]
    if failing_http:
        c = failing_http[0]
        svc = c.services[0].service if c.services else None
        return Diagnosis(
            checks, f"{c.host} answers HTTP badly ({c.http.status or c.http.error if c.http else ''}) "
                    "although its services run.",
            f"{c.host} répond mal en HTTP ({c.http.status or c.http.error if c.http else ''}) "
            "alors que ses services tournent.",
            ((Option(f"Restart {svc} on {c.host}", f"Redémarrer {svc} sur {c.host}", "service.restart",
                     (c.host,), svc),) if svc else ()) + (_logs_option(c.host, svc),),
            False, c.host, svc, c.error_lines[-3:] or errors)
    full = [c for c in checks if c.disk_percent is not None and c.disk_percent >= disk_threshold]
    if full:
        c = full[0]
        return Diagnosis(
            checks, f"the disk {c.disk_mount or '/'} of {c.host} is {c.disk_percent:.0f}% full.",
            f"le disque {c.disk_mount or '/'} de {c.host} est plein à {c.disk_percent:.0f} %.",
            (Option(f"Clean up the disk of {c.host}", f"Nettoyer le disque de {c.host}", "disk.cleanup", (c.host,)),
             Option(f"Show disk usage of {c.host}", f"Voir l'occupation disque de {c.host}", "server.disk",
                    (c.host,))),
            False, c.host, None, errors)
    tight = [c for c in checks if c.memory_percent is not None and c.memory_percent >= memory_threshold]
    if tight:
        c = tight[0]
        return Diagnosis(
            checks, f"{c.host} is short of memory ({c.memory_percent:.0f}% used).",
            f"{c.host} manque de mémoire ({c.memory_percent:.0f} % utilisés).",
            (Option(f"Show the top processes by memory on {c.host}",
                    f"Voir les processus les plus gourmands en mémoire sur {c.host}", "server.processes", (c.host,),
                    None, {"sort": "mem", "limit": 10}),),
            False, c.host, None, errors)
    if errors:
        host = next(c.host for c in checks if c.error_lines)
        return Diagnosis(
            checks, f"everything runs, but {host} logged errors recently.",
            f"tout tourne, mais {host} a journalisé des erreurs récemment.",
            (_logs_option(host, next((s.service for c in checks if c.host == host for s in c.services), None)),),
            False, host, None, errors)
    hosts = tuple(c.host for c in checks)
    fine_en, fine_fr = _what_was_fine(checks)
    return Diagnosis(
        checks, f"I found nothing wrong in the checks run just now: {fine_en}.",
        f"je n'ai rien trouvé d'anormal dans les vérifications faites à l'instant : {fine_fr}.",
        (Option("Show open alerts", "Voir les alertes ouvertes", "alerts.list"),
         Option("Show the load of the servers", "Voir la charge des serveurs", "server.load", hosts)),
        True, None, None, ())
