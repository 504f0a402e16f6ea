"""The catalog as MCP tools: one tool per action (`service.restart` → `service_restart`), its input schema
(targets + the action's parameters), a plain-words description and hints read from the action's risk.

Pure data in, data out: `server.py` turns a `ToolSpec` into the SDK's `Tool`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from chatops_commander.domain.actions import ActionSpec, ParamSpec, TargetScope
from chatops_commander.domain.risk import Risk

CHAT_ONLY = frozenset({"chat.greeting", "chat.thanks", "chat.help", "chat.confirm", "chat.cancel", "chat.choose"})
PARSE_TOOL = "parse"
PENDING_TOOL = "pending_status"

_GATE = {
    Risk.LOW: "Runs at once and returns the result per host.",
    Risk.MEDIUM: "Medium risk: nothing runs at once; the call returns a pending confirmation that the person you act "
                 "for confirms in ChatOps Commander (web UI or REST), valid 5 minutes.",
    Risk.HIGH: "High risk: nothing runs at once; the call returns a pending confirmation that the person you act for "
               "confirms in ChatOps Commander (web UI or REST), valid 5 minutes.",
    Risk.CRITICAL: "Critical risk: nothing runs at once; a person must confirm it in ChatOps Commander.",
}


def tool_name(action_id: str) -> str:
    return action_id.replace(".", "_")


@dataclass(frozen=True)
class ToolSpec:
    name: str
    action: str  # the catalog id, "" for the door's own tools
    description: str
    input_schema: Mapping[str, Any]
    read_only: bool
    destructive: bool
    idempotent: bool
    params: frozenset[str] = field(default_factory=frozenset)  # accepted argument names besides `targets`


def _clean(schema: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in schema.items() if k != "title"}


def _declared(param: ParamSpec) -> dict[str, Any]:
    """A parameter the catalog declares but the skill's model does not hold (a query's, a runbook's)."""
    entry: dict[str, Any] = ({"type": "integer", "minimum": 0} if param.kind == "int" else
                             {"type": "string", "minLength": 1, "maxLength": 500})
    entry["description"] = param.description or f"{param.name} ({param.kind})"
    return entry


def action_tool(spec: ActionSpec, params_schema: Mapping[str, Any] | None, *,
                targets_optional: bool = False) -> ToolSpec:
    """The tool of one action; `params_schema` is its skill's parameter model as JSON Schema (None: no skill);
    `targets_optional`: the action finds its hosts itself (a runbook's environment)."""
    described = {p.name: p.description for p in spec.params if p.description}
    props: dict[str, Any] = {}
    required: list[str] = []
    if spec.scope is not TargetScope.NONE:
        props["targets"] = {
            "type": "array", "items": {"type": "string", "minLength": 1, "maxLength": 255}, "maxItems": 500,
            "description": "Server names (as in the registry) or group tags to act on"
                           + (". Empty or omitted: every server you may read." if spec.scope is
                              TargetScope.FLEET_DEFAULT else
                              ". Omitted: the hosts of the runbook's environment." if targets_optional else
                              "; at least one."),
        }
        if spec.scope is TargetScope.REQUIRED and not targets_optional:
            required.append("targets")
    schema_props = dict((params_schema or {}).get("properties") or {})
    for name, prop in schema_props.items():
        entry = _clean(prop)
        if name in described and "description" not in entry:
            entry["description"] = described[name]
        props[name] = entry
    required += [r for r in (params_schema or {}).get("required") or [] if r in schema_props]
    for param in spec.params:
        if param.name not in schema_props:
            schema_props[param.name] = props[param.name] = _declared(param)
            if param.required:
                required.append(param.name)
    defs = (params_schema or {}).get("$defs")
    schema: dict[str, Any] = {"type": "object", "properties": props, "required": required,
                              "additionalProperties": False}
    if defs:
        schema["$defs"] = defs
    summary = spec.summary.get("en") or spec.id
    description = (f"{summary} ({spec.id}; risk {spec.risk.value}, permission {spec.permission.value}). "
                   f"{_GATE[spec.risk]}")
    if spec.approval_for_operators:
        description += " For an operator it also needs an admin's approval (4-eyes)."
    return ToolSpec(tool_name(spec.id), spec.id, description, schema, read_only=spec.is_read_only,
                    destructive=spec.risk.rank >= Risk.HIGH.rank, idempotent=spec.is_read_only,
                    params=frozenset(schema_props))


PARSE = ToolSpec(
    PARSE_TOOL, "", "Read one sentence (English or French) the way the ChatOps chat does and say which action, "
                    "servers, parameters and risk it means, and which tool would run it. Nothing is run.",
    {"type": "object", "properties": {"sentence": {"type": "string", "minLength": 1, "maxLength": 2000,
                                                   "description": "e.g. 'restart nginx on web-01'"}},
     "required": ["sentence"], "additionalProperties": False},
    read_only=True, destructive=False, idempotent=True)

PENDING = ToolSpec(
    PENDING_TOOL, "", "Where a pending confirmation or approval stands (pending, confirmed, cancelled, expired, "
                      "approved, rejected) and, once a person let it run, the result per host. Nothing is run.",
    {"type": "object", "properties": {"id": {"type": "string", "minLength": 1, "maxLength": 64,
                                             "description": "The `id` of a pending result."}},
     "required": ["id"], "additionalProperties": False},
    read_only=True, destructive=False, idempotent=True)
