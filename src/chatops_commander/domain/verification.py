"""Verified outcomes: after a state-changing service action, is the service really up?

The service manager is sampled a few times over a short settle window (`ServiceSample`); when a port or a
health URL is known for the service, it is tried once (`ReachCheck`). `judge()` turns these observations,
all made in this turn, into a `Verdict` that says why, in English and French, with the evidence.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

VERIFIED_ACTIONS = frozenset({"service.restart", "service.start", "service.reload", "container.restart"})

_TCP = re.compile(r"^tcp:(\d{1,5})$")


@dataclass(frozen=True)
class Endpoint:
    """Where a service answers: a TCP port on the server (`tcp:8080`) or a health URL (`http(s)://…`)."""

    port: int | None = None
    url: str | None = None

    @classmethod
    def parse(cls, text: str) -> Endpoint:
        """`tcp:PORT` or an http(s) URL; `ValueError` naming the expected forms otherwise."""
        text = text.strip()
        m = _TCP.match(text)
        if m and 1 <= int(m.group(1)) <= 65535:
            return cls(port=int(m.group(1)))
        parts = urlsplit(text)
        if parts.scheme in ("http", "https") and parts.netloc:
            return cls(url=text)
        raise ValueError(f"{text!r} is neither tcp:PORT (1-65535) nor an http(s) URL")


def endpoint_for(endpoints: Mapping[str, str], server: str, service: str) -> Endpoint | None:
    """The endpoint configured for `server/service`, else for `service` on every server, else None."""
    text = endpoints.get(f"{server}/{service}") or endpoints.get(service)
    return Endpoint.parse(text) if text else None


@dataclass(frozen=True)
class ServiceSample:
    """One look at the service manager: state, main pid, restart counter, start time (when it tells them)."""

    active: bool
    state: str
    pid: int | None = None
    restarts: int | None = None  # systemd NRestarts, Docker RestartCount
    since: str | None = None  # systemd ActiveEnterTimestampMonotonic, Docker StartedAt

    def to_json(self) -> dict[str, Any]:
        return {"active": self.active, "state": self.state, "pid": self.pid, "restarts": self.restarts,
                "since": self.since}


@dataclass(frozen=True)
class ReachCheck:
    """A TCP connect or an HTTP GET made in this turn."""

    target: str
    ok: bool
    detail: str  # "HTTP 200", "accepts connections", "connection refused", …
    latency_ms: int | None = None

    def to_json(self) -> dict[str, Any]:
        return {"target": self.target, "ok": self.ok, "detail": self.detail, "latency_ms": self.latency_ms}


@dataclass(frozen=True)
class Verdict:
    ok: bool
    subject: str
    en: str
    fr: str
    samples: tuple[ServiceSample, ...] = ()
    reach: ReachCheck | None = None
    window_s: float = 0.0
    log_lines: tuple[str, ...] = field(default=())

    def text(self, lang: str) -> str:
        return self.fr if lang == "fr" else self.en

    def with_logs(self, lines: Sequence[str]) -> Verdict:
        return Verdict(self.ok, self.subject, self.en, self.fr, self.samples, self.reach, self.window_s,
                       tuple(lines))

    def localized(self, lang: str) -> str:
        """The explanation in one language, with the last log lines when there are some."""
        text = self.text(lang)
        if self.log_lines:
            header = "dernières lignes de log" if lang == "fr" else "last log lines"
            text += f" — {header} : " if lang == "fr" else f" — {header}: "
            text += " | ".join(self.log_lines)
        return text

    def message(self) -> str:
        """The bilingual one-paragraph explanation (with the last log lines when there are some)."""
        text = f"{self.en} / {self.fr}"
        if self.log_lines:
            text += " — last log lines / dernières lignes de log : " + " | ".join(self.log_lines)
        return text

    def to_json(self) -> dict[str, Any]:
        return {"ok": self.ok, "subject": self.subject, "reason": {"en": self.en, "fr": self.fr},
                "window_s": self.window_s, "samples": [s.to_json() for s in self.samples],
                "reach": None if self.reach is None else self.reach.to_json(), "log_lines": list(self.log_lines)}


def judge(subject: str, samples: Sequence[ServiceSample], reach: ReachCheck | None, *, window_s: float,
          unchecked: str = "") -> Verdict:
    """Up = every sample active, with the same main pid and restart counter and start time (no crash loop in
    the window), and the endpoint, when one is known, answering. `unchecked`: why no sample could be taken."""
    samples = tuple(samples)
    w = f"{window_s:g}"
    wf = w.replace(".", ",")  # French writes a decimal comma

    def verdict(ok: bool, en: str, fr: str) -> Verdict:
        return Verdict(ok, subject, en, fr, samples, reach, window_s)

    if not samples:
        why = unchecked or "no answer"
        return verdict(False, f"I could not check the state of {subject} afterwards ({why}).",
                       f"Je n'ai pas pu vérifier l'état de {subject} ensuite ({why}).")
    states = " → ".join(s.state for s in samples)
    last = samples[-1]
    if not last.active:
        return verdict(False, f"{subject} is not running {w} s later (state: {states}).",
                       f"{subject} ne tourne pas {wf} s après (état : {states}).")
    if not all(s.active for s in samples):
        return verdict(False, f"{subject} is flapping: it stopped and started again within {w} s (state: {states}).",
                       f"{subject} est instable : il s'est arrêté puis relancé en {wf} s (état : {states}).")
    for name, values in (("pid", [s.pid for s in samples]), ("restarts", [s.restarts for s in samples]),
                         ("since", [s.since for s in samples])):
        known = [v for v in values if v is not None]
        if len(set(known)) > 1:
            change = " → ".join(str(v) for v in known)
            what_en = {"pid": "its main pid changed", "restarts": "the restart counter grew",
                       "since": "it started again"}[name]
            what_fr = {"pid": "son pid principal a changé", "restarts": "le compteur de redémarrages a augmenté",
                       "since": "il a redémarré"}[name]
            return verdict(False, f"{subject} is crash-looping: {what_en} within {w} s ({change}).",
                           f"{subject} redémarre en boucle : {what_fr} en {wf} s ({change}).")
    pid = f" (pid {last.pid})" if last.pid else ""
    if reach is not None and not reach.ok:
        return verdict(False, f"{subject} runs{pid} but {reach.target} does not answer ({reach.detail}).",
                       f"{subject} tourne{pid} mais {reach.target} ne répond pas ({reach.detail}).")
    n = len(samples)
    en = f"Checked just now: {subject} running{pid}, stable over {w} s ({n} checks)"
    fr = f"Vérifié à l'instant : {subject} tourne{pid}, stable sur {wf} s ({n} vérifications)"
    if reach is not None:
        en += f"; {reach.target} answers ({reach.detail})"
        fr += f" ; {reach.target} répond ({reach.detail})"
    return verdict(True, en + ".", fr + ".")
