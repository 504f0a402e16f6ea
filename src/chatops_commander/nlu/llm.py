"""The optional LLM strategy the offline parser falls back to when it is not confident.

Pure: imports only `chatops_commander.domain` and the standard library. Provider adapters
(`chatops_commander.adapters.llm`) implement `IntentModel`; everything that decides whether a
model's answer may be used lives here:

* `build_choose_action_tool` — the single "choose_action" tool (JSON Schema) built from the
  catalog and the inventory. One tool with an `action` enum rather than one tool per action:
  the same forced `tool_choice` works on Anthropic, OpenAI and the OpenAI-compatible servers
  (Ollama, vLLM) that only honour a single named function; the prompt stays small (34 actions
  as 34 tools would repeat the shared parameters 34 times) and small local models choose
  better between enum values than between many tools. The price, parameters that do not
  belong to the chosen action, is paid by `validate_proposal`.
* `proposal_from_arguments` — the model's tool arguments → an untrusted `Proposal`.
* `validate_proposal` — checks a `Proposal` against the catalog, the inventory and the
  requester's role; returns a `ValidatedProposal` or a `Rejection`.
* `to_parsed_command` — a `ValidatedProposal` → `ParsedCommand`, with the target resolution
  rules 2-4 and the risk modifier of docs/ACTIONS.md.
* `CircuitBreaker` and `LLMFallback` — timeout, breaker, and the offline answer on any error.
"""

from __future__ import annotations

import asyncio
import json
import logging
import math
import re
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Protocol, runtime_checkable
from urllib.parse import urlsplit

from chatops_commander.domain.actions import ActionSpec, TargetScope
from chatops_commander.domain.inventory import Inventory
from chatops_commander.domain.parsed import ParsedCommand
from chatops_commander.domain.risk import Risk, effective_risk
from chatops_commander.domain.servers import SERVICE_NAME_RE
from chatops_commander.nlu.fallback import Proposal

log = logging.getLogger(__name__)

TOOL_NAME = "choose_action"
NO_ACTION = "none"
"""The `action` value a model gives when no catalog action fits."""

RAW_COMMAND_ACTION = "shell.run"
LLM_FORBIDDEN_ACTIONS: frozenset[str] = frozenset({"chat.confirm", "chat.choose"})
"""Never taken from a model: a guess must not confirm a pending action or pick an option."""

MAX_TEXT_CHARS = 2000
MAX_STR_PARAM = 256
MAX_TARGETS_ENUM = 300
ALL_HOSTS_WORDS: frozenset[str] = frozenset({"all", "*", "everything", "all servers", "tous", "partout"})

_DURATION_RE = re.compile(r"^\s*(\d{1,6})\s*([smhd])\s*$", re.IGNORECASE)
_PATH_RE = re.compile(r"^/[A-Za-z0-9._/@+,=:-]{0,4095}$")
_VERSION_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._+-]{0,63}$")
_HOSTNAME_RE = re.compile(r"^[A-Za-z0-9.-]{1,253}(:\d{1,5})?$")
_CONTROL_RE = re.compile(r"[\x00-\x1f\x7f]")
_ENUM_PARAMS: Mapping[str, frozenset[str]] = {"sort": frozenset({"cpu", "mem"})}
_INT_BOUNDS = (0, 10_000_000)


# --------------------------------------------------------------------------------------
# The strategy


@runtime_checkable
class IntentModel(Protocol):
    """A language model that maps a request onto one catalog action (strategy pattern).

    `propose` returns None when the model declines (no tool call, or `action` "none") and
    raises on transport errors and malformed answers; `LLMFallback` turns all of that into the
    offline answer.
    """

    @property
    def provider(self) -> str: ...

    async def propose(
        self,
        text: str,
        lang: str,
        catalog: Sequence[ActionSpec],
        inventory: Inventory,
        context_summary: str,
    ) -> Proposal | None: ...


class IntentModelError(Exception):
    """A provider call failed. Messages never carry request headers or API keys."""


class MalformedAnswer(IntentModelError):
    """The model answered, but not with a usable `choose_action` call."""


# --------------------------------------------------------------------------------------
# The tool schema


def _param_schema(kind: str, name: str, inventory: Inventory) -> dict[str, Any]:
    if name in _ENUM_PARAMS:
        return {"type": "string", "enum": sorted(_ENUM_PARAMS[name])}
    if kind == "int":
        return {"type": "integer", "minimum": _INT_BOUNDS[0]}
    if kind == "duration":
        return {"type": "string", "pattern": r"^\d+[smhd]$", "description": "e.g. 30m, 1h, 24h, 7d"}
    if kind == "path":
        return {"type": "string", "description": "an absolute path, e.g. /var"}
    if kind == "environment":
        groups = sorted(inventory.groups)
        env: dict[str, Any] = {"type": "string", "description": "an inventory group name"}
        if groups:
            env["enum"] = groups
        return env
    if kind == "url":
        return {"type": "string", "description": "an http(s) URL or a host name"}
    if kind == "command":
        return {"type": "string", "description": "shell.run only: the command exactly as the user typed it"}
    return {"type": "string"}


def _target_names(inventory: Inventory) -> list[str]:
    return sorted({*inventory.names, *inventory.groups, "all"})


def build_choose_action_tool(
    catalog: Sequence[ActionSpec], inventory: Inventory
) -> tuple[str, str, dict[str, Any]]:
    """(name, description, JSON Schema of the arguments) of the single tool offered to a model.

    Provider adapters wrap it in their own envelope (`input_schema` for Anthropic,
    `function.parameters` for OpenAI-compatible endpoints).
    """
    properties: dict[str, dict[str, Any]] = {}
    used_by: dict[str, list[str]] = {}
    for spec in catalog:
        for p in spec.params:
            if p.name not in properties:
                properties[p.name] = _param_schema(p.kind, p.name, inventory)
            used_by.setdefault(p.name, []).append(spec.id)
    for name, prop in properties.items():
        prefix = prop.get("description", "")
        note = "used by " + ", ".join(used_by[name])
        prop["description"] = f"{prefix}; {note}" if prefix else note
    targets_items: dict[str, Any] = {"type": "string"}
    names = _target_names(inventory)
    if len(names) <= MAX_TARGETS_ENUM:
        targets_items["enum"] = names
    schema: dict[str, Any] = {
        "type": "object",
        "properties": {
            "action": {
                "type": "string",
                "enum": [*(s.id for s in catalog), NO_ACTION],
                "description": f"the catalog action id; {NO_ACTION!r} when no action fits the request",
            },
            "targets": {
                "type": "array",
                "items": targets_items,
                "description": "host or group names from the inventory that the user named; [] when none",
            },
            "service": {
                "type": ["string", "null"],
                "description": "the service or container the request is about, or null",
            },
            "parameters": {
                "type": "object",
                "properties": properties,
                "additionalProperties": False,
                "description": "only the parameters of the chosen action that the user gave",
            },
            "confidence": {"type": "number", "minimum": 0, "maximum": 1},
        },
        "required": ["action", "targets", "parameters"],
        "additionalProperties": False,
    }
    description = (
        "Choose the one catalog action that fulfils the operator's request, with its targets, "
        "service and parameters. Never invent an action, a host or a command."
    )
    return TOOL_NAME, description, schema


def catalog_for_model(catalog: Sequence[ActionSpec], *, is_admin: bool) -> tuple[ActionSpec, ...]:
    """The actions a model may be offered: no confirmation/choice, no raw command for non-admins."""
    return tuple(
        s for s in catalog
        if s.id not in LLM_FORBIDDEN_ACTIONS and (is_admin or s.id != RAW_COMMAND_ACTION)
    )


# --------------------------------------------------------------------------------------
# Parsing a tool call


def proposal_from_arguments(arguments: Mapping[str, Any] | str | None) -> Proposal | None:
    """The tool call's arguments (a mapping, or a JSON string) → `Proposal`; None for "none".

    Raises `MalformedAnswer` when the arguments are not a JSON object of the expected shape.
    """
    if isinstance(arguments, str):
        try:
            arguments = json.loads(arguments)
        except ValueError:
            raise MalformedAnswer("tool arguments are not valid JSON") from None
    if not isinstance(arguments, Mapping):
        raise MalformedAnswer("tool arguments are not a JSON object")
    action = arguments.get("action")
    if not isinstance(action, str) or not action.strip():
        raise MalformedAnswer("tool arguments have no 'action' string")
    if action.strip() == NO_ACTION:
        return None
    targets_raw = arguments.get("targets") or []
    if isinstance(targets_raw, str):
        targets_raw = [targets_raw]
    if not isinstance(targets_raw, list) or not all(isinstance(t, str) for t in targets_raw):
        raise MalformedAnswer("'targets' is not a list of strings")
    service = arguments.get("service")
    if service is not None and not isinstance(service, str):
        raise MalformedAnswer("'service' is not a string")
    params = arguments.get("parameters") or {}
    if not isinstance(params, Mapping):
        raise MalformedAnswer("'parameters' is not an object")
    confidence = _confidence(arguments.get("confidence"))
    extra = {} if confidence is None else {"confidence": confidence}
    return Proposal(
        action=action.strip(),
        targets=tuple(t.strip() for t in targets_raw if t.strip()),
        service=service.strip() or None if service else None,
        parameters=dict(params),
        **extra,
    )


def _confidence(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        return None
    return min(max(float(value), 0.0), 1.0)


# --------------------------------------------------------------------------------------
# Validation


@dataclass(frozen=True)
class ValidatedProposal:
    """A proposal that passed every check; safe to resolve and show for confirmation."""

    spec: ActionSpec
    targets: tuple[str, ...]  # inventory host names, sorted
    named_targets: tuple[str, ...]  # what the model named (hosts, groups), before resolution
    dropped_targets: tuple[str, ...]  # named but not in the inventory
    service: str | None
    parameters: Mapping[str, Any]  # normalized; never the `service` parameter
    missing: tuple[str, ...]  # required parameters nobody gave
    confidence: float


@dataclass(frozen=True)
class Rejection:
    reasons: tuple[str, ...]


def _key(name: str) -> str:
    """Tolerant comparison key: `web1`, `WEB-01`, `web 01` → `web1`."""
    runs = re.findall(r"[a-z]+|\d+", name.casefold())
    return "".join(r.lstrip("0") or "0" if r.isdigit() else r for r in runs)


def _match(value: str, candidates: Sequence[str] | Mapping[str, Any]) -> str | None:
    """The candidate `value` names: same key, else the only one whose key starts with it."""
    k = _key(value)
    if not k:
        return None
    exact = [c for c in candidates if _key(c) == k]
    if len(exact) == 1:
        return exact[0]
    if exact:
        return next((c for c in exact if c == value), None)
    prefixed = [c for c in candidates if _key(c).startswith(k) and len(k) >= 3]
    return prefixed[0] if len(prefixed) == 1 else None


def _resolve_targets(names: Sequence[str], inventory: Inventory) -> tuple[tuple[str, ...], tuple[str, ...]]:
    hosts: set[str] = set()
    dropped: list[str] = []
    for name in names:
        if name.casefold() in ALL_HOSTS_WORDS:
            hosts.update(inventory.names)
        elif (host := _match(name, inventory.names)) is not None:
            hosts.add(host)
        elif (group := _match(name, inventory.groups)) is not None:
            hosts.update(inventory.groups[group])
        else:
            dropped.append(name)
    return tuple(sorted(hosts)), tuple(dropped)


def _inventory_services(inventory: Inventory) -> tuple[str, ...]:
    return tuple(sorted({svc for s in inventory.servers for svc in s.services}))


def _canonical_service(value: str, inventory: Inventory) -> str | None:
    if not SERVICE_NAME_RE.match(value):
        return None
    return _match(value, _inventory_services(inventory)) or value


def _normalize_int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if isinstance(value, int) and _INT_BOUNDS[0] <= value <= _INT_BOUNDS[1]:
        return value
    return None


def _normalize_url(value: str) -> str | None:
    if any(c.isspace() for c in value) or len(value) > 2048:
        return None
    parts = urlsplit(value)
    if parts.scheme:
        return value if parts.scheme in ("http", "https") and parts.netloc else None
    return value if _HOSTNAME_RE.match(value) else None


def _collapse(text: str) -> str:
    return " ".join(text.split())


def normalize_parameter(
    kind: str, name: str, value: Any, *, inventory: Inventory, text: str
) -> Any | None:
    """A parameter value in its normalized form (docs/ACTIONS.md table), or None when it fails its kind."""
    if kind == "int":
        return _normalize_int(value)
    if not isinstance(value, str):
        return None
    value = value.strip()
    if not value or _CONTROL_RE.search(value):
        return None
    if name in _ENUM_PARAMS:
        return value.lower() if value.lower() in _ENUM_PARAMS[name] else None
    if kind == "duration":
        m = _DURATION_RE.match(value)
        return f"{int(m.group(1))}{m.group(2).lower()}" if m and int(m.group(1)) > 0 else None
    if kind == "path":
        return value if _PATH_RE.match(value) and ".." not in value.split("/") else None
    if kind == "service":
        return _canonical_service(value, inventory)
    if kind == "version":
        return value if _VERSION_RE.match(value) else None
    if kind == "environment":
        return _match(value, inventory.groups)
    if kind == "url":
        return _normalize_url(value)
    if kind == "command":
        # A raw command is taken only as the user typed it, never as the model wrote it.
        return value if len(value) <= MAX_TEXT_CHARS and _collapse(value) in _collapse(text) else None
    return value if len(value) <= MAX_STR_PARAM else None


def validate_proposal(
    proposal: Proposal,
    *,
    catalog: Sequence[ActionSpec],
    inventory: Inventory,
    text: str,
    is_admin: bool,
) -> ValidatedProposal | Rejection:
    """Check a model's proposal against the catalog, the inventory and the requester.

    Rejected: an action not in the catalog or not offered to models (`LLM_FORBIDDEN_ACTIONS`);
    `shell.run` or any `command` parameter unless the requester is an admin and the action is
    `shell.run`; a raw command the user did not type; any parameter failing its kind; a
    parameter the chosen action does not have. Dropped (and reported): targets that are
    neither a host nor a group of the inventory.
    """
    specs = {s.id: s for s in catalog}
    spec = specs.get(proposal.action)
    if spec is None:
        return Rejection((f"unknown action {proposal.action[:64]!r}",))
    if spec.id in LLM_FORBIDDEN_ACTIONS:
        return Rejection((f"action {spec.id!r} is never taken from a model",))
    raw_command = spec.id == RAW_COMMAND_ACTION or "command" in proposal.parameters
    if raw_command and not (is_admin and spec.id == RAW_COMMAND_ACTION):
        return Rejection(("a raw command needs an admin and the shell.run action",))

    reasons: list[str] = []
    kinds = {p.name: p.kind for p in spec.params}
    params: dict[str, Any] = {}
    for name, value in proposal.parameters.items():
        if value is None:
            continue
        if name not in kinds:
            reasons.append(f"{spec.id} has no parameter {str(name)[:64]!r}")
            continue
        normalized = normalize_parameter(kinds[name], name, value, inventory=inventory, text=text)
        if normalized is None:
            reasons.append(f"parameter {name!r} is not a valid {kinds[name]}")
        else:
            params[name] = normalized

    service: str | None = None
    service_param = next((p.name for p in spec.params if p.kind == "service"), None)
    if proposal.service is not None and (service_param is not None or spec.needs_service):
        service = _canonical_service(proposal.service, inventory)
        if service is None:
            reasons.append("'service' is not a valid service name")
    if service_param is not None:
        from_param = params.pop(service_param, None)
        service = service or from_param
        if service is not None and service_param != "service":
            params[service_param] = service  # e.g. `container`: in parameters and in `service`
    if reasons:
        return Rejection(tuple(reasons))

    given = set(params) | ({service_param} if service is not None and service_param else set())
    missing = tuple(p.name for p in spec.params if p.required and p.name not in given)
    targets, dropped = _resolve_targets(proposal.targets, inventory)
    if spec.scope is TargetScope.NONE:
        targets, dropped = (), ()
    return ValidatedProposal(
        spec=spec,
        targets=targets,
        named_targets=proposal.targets if spec.scope is not TargetScope.NONE else (),
        dropped_targets=dropped,
        service=service,
        parameters=params,
        missing=missing,
        confidence=proposal.confidence,
    )


# --------------------------------------------------------------------------------------
# Conversion into the offline parser's shape


_ASK = {
    "unknown_hosts": {
        "en": "I don't know {names}. Which server do you mean?",
        "fr": "Je ne connais pas {names}. De quel serveur parlez-vous ?",
    },
    "which_host": {
        "en": "{service} runs on {names}: which one?",
        "fr": "{service} tourne sur {names} : lequel ?",
    },
    "no_host": {
        "en": "On which server?",
        "fr": "Sur quel serveur ?",
    },
    "missing": {
        "en": "I need the {names} for {action}.",
        "fr": "Il me faut : {names} pour {action}.",
    },
}


def _ask(key: str, lang: str, **values: str) -> str:
    return _ASK[key]["fr" if lang == "fr" else "en"].format(**values)


def to_parsed_command(
    validated: ValidatedProposal, *, text: str, lang: str, inventory: Inventory
) -> ParsedCommand:
    """A validated proposal as the offline parser would have answered it.

    Target resolution, docs/ACTIONS.md rules 2-4 (rule 1 is `validate_proposal`'s tolerant matching,
    rule 5 is the caller's context): named hosts/groups; else the hosts running the named
    service (all of them only for a read-only action, otherwise a clarification naming them);
    else every host for `FLEET_DEFAULT` actions; else a clarification. Named targets that are
    all unknown give a clarification, never a wider target. Risk: the base risk with the
    fan-out modifier, never lowered.
    """
    spec = validated.spec

    def clarify(question: str, options: tuple[str, ...] = ()) -> ParsedCommand:
        return ParsedCommand(
            text=text, lang=lang, intent=spec.intent, action=None, service=validated.service,
            parameters=dict(validated.parameters), risk=Risk.LOW, confidence=validated.confidence,
            clarification=question, suggestions=(spec.id,), options=options,
        )

    if validated.missing:
        return clarify(_ask("missing", lang, names=", ".join(validated.missing), action=spec.id))

    targets = validated.targets
    if spec.scope is not TargetScope.NONE and not targets:
        if validated.named_targets:
            return clarify(_ask("unknown_hosts", lang, names=", ".join(validated.dropped_targets)))
        running = tuple(
            sorted(s.name for s in inventory.servers if validated.service in s.services)
        ) if validated.service else ()
        if len(running) == 1 or (running and spec.is_read_only):
            targets = running
        elif running:
            return clarify(
                _ask("which_host", lang, service=validated.service or "", names=", ".join(running)),
                options=running,
            )
        elif spec.scope is TargetScope.FLEET_DEFAULT:
            targets = tuple(sorted(inventory.names))
        else:
            return clarify(_ask("no_host", lang), options=tuple(sorted(inventory.names)))

    return ParsedCommand(
        text=text,
        lang=lang,
        intent=spec.intent,
        action=spec.id,
        targets=tuple(sorted(targets)),
        service=validated.service,
        parameters=dict(validated.parameters),
        risk=effective_risk(spec.risk, len(targets)),
        confidence=validated.confidence,
    )


# --------------------------------------------------------------------------------------
# Circuit breaker


class BreakerState(StrEnum):
    CLOSED = "closed"
    OPEN = "open"
    HALF_OPEN = "half_open"


class CircuitBreaker:
    """Opens after `failure_threshold` consecutive failures; after `cooldown_s` one probe passes.

    The probe's success closes the breaker, its failure opens it for another cool-down.
    `clock` returns seconds (monotonic); injected so tests move time instead of waiting.
    """

    def __init__(
        self,
        *,
        failure_threshold: int = 3,
        cooldown_s: float = 30.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if failure_threshold < 1 or cooldown_s < 0:
            raise ValueError("failure_threshold must be >= 1 and cooldown_s >= 0")
        self.failure_threshold = failure_threshold
        self.cooldown_s = cooldown_s
        self._clock = clock
        self._failures = 0
        self._opened_at: float | None = None
        self._probe_in_flight = False

    @property
    def state(self) -> BreakerState:
        if self._opened_at is None:
            return BreakerState.CLOSED
        if self._probe_in_flight or self._clock() - self._opened_at >= self.cooldown_s:
            return BreakerState.HALF_OPEN
        return BreakerState.OPEN

    @property
    def consecutive_failures(self) -> int:
        return self._failures

    def allow(self) -> bool:
        """Whether a call may go out now; in half-open state only one probe at a time."""
        state = self.state
        if state is BreakerState.CLOSED:
            return True
        if state is BreakerState.HALF_OPEN and not self._probe_in_flight:
            self._probe_in_flight = True
            return True
        return False

    def record_success(self) -> None:
        self._failures = 0
        self._opened_at = None
        self._probe_in_flight = False

    def record_failure(self) -> None:
        self._failures += 1
        if self._probe_in_flight or self._failures >= self.failure_threshold:
            self._opened_at = self._clock()
        self._probe_in_flight = False


# --------------------------------------------------------------------------------------
# The fallback wrapper


class Outcome(StrEnum):
    USED = "used"  # the model's validated answer replaced the offline one
    CONFIDENT = "confident"  # offline confidence at or above the threshold: not consulted
    SKIPPED = "skipped"  # empty or oversized text: not consulted
    BREAKER_OPEN = "breaker_open"
    TIMEOUT = "timeout"
    ERROR = "error"  # transport error, HTTP error status, malformed answer
    NO_ANSWER = "no_answer"  # the model declined (no tool call, or action "none")
    REJECTED = "rejected"  # the answer failed validation


@dataclass(frozen=True)
class FallbackResult:
    parsed: ParsedCommand
    outcome: Outcome
    reasons: tuple[str, ...] = ()


Finisher = Callable[[ValidatedProposal, ParsedCommand, Inventory], ParsedCommand]
"""Turns a validated proposal into the final answer, given the offline answer (for its text,
language and context). The default is `to_parsed_command`; the offline parser may pass its own
resolver so both paths share one implementation of the resolution rules."""


def _default_finisher(
    validated: ValidatedProposal, offline: ParsedCommand, inventory: Inventory
) -> ParsedCommand:
    return to_parsed_command(validated, text=offline.text, lang=offline.lang, inventory=inventory)


def describe_error(exc: BaseException) -> str:
    """A log-safe description of a failure: our own messages, else only the class name."""
    if isinstance(exc, IntentModelError):
        return f"{type(exc).__name__}: {exc}"
    return type(exc).__name__


def summarize_context(context: object) -> str:
    """One line about the conversation so far, from a `ConversationContext`-like object."""
    if context is None:
        return ""
    parts: list[str] = []
    action = getattr(context, "action", None)
    if isinstance(action, str) and action:
        pending = " (waiting for a clarification)" if getattr(context, "pending", False) else ""
        parts.append(f"last action: {action}{pending}")
    targets = getattr(context, "targets", ())
    if isinstance(targets, tuple | list) and targets:
        parts.append("last targets: " + ", ".join(str(t) for t in targets))
    service = getattr(context, "service", None)
    if isinstance(service, str) and service:
        parts.append(f"last service: {service}")
    options = getattr(context, "options", ())
    if isinstance(options, tuple | list) and options:
        parts.append("options offered: " + "; ".join(f"{i}. {o}" for i, o in enumerate(options, 1)))
    return "; ".join(parts)


def to_proposal(validated: ValidatedProposal) -> Proposal:
    """A validated proposal in the offline parser's `Proposal` shape: host names resolved,
    service canonical, parameters normalized (a container also in `parameters`)."""
    return Proposal(
        action=validated.spec.id,
        targets=validated.targets,
        service=validated.service,
        parameters=dict(validated.parameters),
        confidence=validated.confidence,
    )


@dataclass(frozen=True)
class _Consulted:
    outcome: Outcome
    validated: ValidatedProposal | None = None
    reasons: tuple[str, ...] = ()


class LLMFallback:
    """Consults an `IntentModel` when the offline answer is not confident enough.

    Two ways in, one policy (timeout, circuit breaker, validation):

    * `propose(...)` has the offline parser's `FallbackStrategy` signature: it returns a
      validated, normalized `Proposal` (or None) that the parser resolves with its own rules.
    * `refine(...)` / `refine_detailed(...)` take the offline `ParsedCommand` and return the
      final one, finishing a validated proposal with `to_parsed_command` (or `finisher`). For
      callers without the offline `Parser`; `to_parsed_command` restates resolution rules 2-4
      and should give way to the parser's resolver (pass it as `finisher`) where both exist.

    Any error, timeout, malformed or refused answer, or an open breaker gives back the offline
    answer (None from `propose`).
    """

    def __init__(
        self,
        model: IntentModel,
        catalog: Sequence[ActionSpec] = (),
        *,
        threshold: float = 0.6,
        timeout_s: float = 8.0,
        breaker: CircuitBreaker | None = None,
        finisher: Finisher | None = None,
    ) -> None:
        self.model = model
        self.catalog = tuple(catalog)
        self.threshold = threshold
        self.timeout_s = timeout_s
        self.breaker = breaker or CircuitBreaker()
        self._finish = finisher or _default_finisher

    def should_consult(self, offline: ParsedCommand) -> bool:
        return offline.confidence < self.threshold

    async def _consult(
        self,
        text: str,
        lang: str,
        catalog: Sequence[ActionSpec],
        inventory: Inventory,
        context_summary: str,
        is_admin: bool,
    ) -> _Consulted:
        if not text.strip() or len(text) > MAX_TEXT_CHARS:
            return _Consulted(Outcome.SKIPPED)
        if not self.breaker.allow():
            return _Consulted(Outcome.BREAKER_OPEN)
        offered = catalog_for_model(catalog, is_admin=is_admin)
        call: Awaitable[Proposal | None] = self.model.propose(text, lang, offered, inventory, context_summary)
        try:
            async with asyncio.timeout(self.timeout_s):
                proposal = await call
        except TimeoutError:
            self.breaker.record_failure()
            log.warning("llm fallback: %s timed out after %.1fs", self.model.provider, self.timeout_s)
            return _Consulted(Outcome.TIMEOUT)
        except Exception as exc:
            self.breaker.record_failure()
            log.warning("llm fallback: %s failed (%s)", self.model.provider, describe_error(exc))
            return _Consulted(Outcome.ERROR, reasons=(describe_error(exc),))
        self.breaker.record_success()
        if proposal is None:
            return _Consulted(Outcome.NO_ANSWER)
        checked = validate_proposal(proposal, catalog=offered, inventory=inventory, text=text, is_admin=is_admin)
        if isinstance(checked, Rejection):
            log.info("llm fallback: %s answer refused (%s)", self.model.provider, "; ".join(checked.reasons))
            return _Consulted(Outcome.REJECTED, reasons=checked.reasons)
        return _Consulted(Outcome.USED, checked)

    async def propose(
        self,
        *,
        text: str,
        lang: str,
        catalog: Sequence[ActionSpec],
        inventory: Inventory,
        context: object = None,
        offline: ParsedCommand | None = None,
        is_admin: bool = False,
    ) -> Proposal | None:
        """The parser's hook: a validated, normalized proposal, or None to keep the offline answer.

        Also None when the model named only hosts that are not in the inventory: the parser
        must not widen that to other hosts.
        """
        consulted = await self._consult(
            text, lang, catalog or self.catalog, inventory, summarize_context(context), is_admin
        )
        validated = consulted.validated
        if validated is None or (validated.named_targets and not validated.targets):
            return None
        return to_proposal(validated)

    async def refine(
        self,
        offline: ParsedCommand,
        *,
        inventory: Inventory,
        context_summary: str = "",
        is_admin: bool = False,
    ) -> ParsedCommand:
        result = await self.refine_detailed(
            offline, inventory=inventory, context_summary=context_summary, is_admin=is_admin
        )
        return result.parsed

    async def refine_detailed(
        self,
        offline: ParsedCommand,
        *,
        inventory: Inventory,
        context_summary: str = "",
        is_admin: bool = False,
    ) -> FallbackResult:
        if not self.should_consult(offline):
            return FallbackResult(offline, Outcome.CONFIDENT)
        consulted = await self._consult(
            offline.text, offline.lang, self.catalog, inventory, context_summary, is_admin
        )
        if consulted.validated is None:
            return FallbackResult(offline, consulted.outcome, consulted.reasons)
        try:
            parsed = self._finish(consulted.validated, offline, inventory)
        except Exception as exc:
            log.warning("llm fallback: finishing the answer failed (%s)", describe_error(exc))
            return FallbackResult(offline, Outcome.ERROR, (describe_error(exc),))
        return FallbackResult(parsed, Outcome.USED)


__all__ = [
    "ALL_HOSTS_WORDS",
    "LLM_FORBIDDEN_ACTIONS",
    "NO_ACTION",
    "RAW_COMMAND_ACTION",
    "TOOL_NAME",
    "BreakerState",
    "CircuitBreaker",
    "FallbackResult",
    "Finisher",
    "IntentModel",
    "IntentModelError",
    "LLMFallback",
    "MalformedAnswer",
    "Outcome",
    "Proposal",
    "Rejection",
    "ValidatedProposal",
    "build_choose_action_tool",
    "catalog_for_model",
    "describe_error",
    "normalize_parameter",
    "proposal_from_arguments",
    "summarize_context",
    "to_parsed_command",
    "to_proposal",
    "validate_proposal",
]
