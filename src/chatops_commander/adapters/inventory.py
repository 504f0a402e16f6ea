"""Inventory files → server drafts: Ansible INI and YAML inventories, and OpenSSH client config.

Every problem is reported as `file:line: message`; a file with any problem yields nothing
(the caller imports all or nothing). Recognized host variables (ACTIONS.md): `ansible_host`,
`ansible_port`, `ansible_user`, `ansible_ssh_private_key_file` (also `ansible_private_key_file`),
`services`, `tags`. Group names become tags (except `all` and `ungrouped`).
"""

from __future__ import annotations

import ipaddress
import json
import re
import shlex
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from chatops_commander.domain.inventory import Inventory
from chatops_commander.domain.servers import Server

_IMPLICIT_GROUPS = {"all", "ungrouped"}
_RANGE = re.compile(r"\[([0-9]+|[a-z]):([0-9]+|[a-z])\]")


class InventoryError(Exception):
    """One or more problems in an inventory file; `problems` are `file:line: message` strings."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass
class HostDraft:
    name: str
    line: int
    vars: dict[str, Any] = field(default_factory=dict)
    groups: set[str] = field(default_factory=set)

    @property
    def hostname(self) -> str:
        return str(self.vars.get("ansible_host") or self.vars.get("hostname") or self.name)

    @property
    def ip_address(self) -> str:
        """The address when `ansible_host` is a literal IP, else "" (to be resolved)."""
        try:
            return str(ipaddress.ip_address(self.hostname))
        except ValueError:
            return ""

    @property
    def port(self) -> int:
        return int(self.vars.get("ansible_port", 22))

    @property
    def user(self) -> str:
        return str(self.vars.get("ansible_user") or self.vars.get("ansible_ssh_user") or "root")

    @property
    def key_file(self) -> str | None:
        value = self.vars.get("ansible_ssh_private_key_file") or self.vars.get("ansible_private_key_file")
        return str(value) if value else None

    @property
    def services(self) -> tuple[str, ...]:
        return _as_list(self.vars.get("services"))

    @property
    def tags(self) -> tuple[str, ...]:
        return tuple(sorted(set(_as_list(self.vars.get("tags"))) | (self.groups - _IMPLICIT_GROUPS)))

    @property
    def become(self) -> bool:
        return _truthy(self.vars.get("ansible_become", self.vars.get("become", False)))

    def to_server(self) -> Server:
        return Server(
            name=self.name, hostname=self.hostname, ip_address=self.ip_address, port=self.port,
            ssh_user=self.user, ssh_key_path=self.key_file, become=self.become, tags=self.tags,
            services=self.services,
        )


def _truthy(value: Any) -> bool:
    """Ansible's booleans: true/yes/on/1 (any case), or a YAML boolean."""
    if isinstance(value, bool):
        return value
    return str(value).strip().lower() in ("true", "yes", "on", "1", "y")


def _as_list(value: Any) -> tuple[str, ...]:
    if value is None or value == "":
        return ()
    if isinstance(value, str):
        text = value.strip()
        if text.startswith("["):
            try:
                parsed = json.loads(text.replace("'", '"'))
            except json.JSONDecodeError:
                parsed = [p.strip(" '\"") for p in text.strip("[]").split(",")]
            return tuple(str(p) for p in parsed if str(p))
        return tuple(p.strip() for p in text.split(",") if p.strip())
    if isinstance(value, list | tuple):
        return tuple(str(v) for v in value)
    return (str(value),)


def _expand_range(pattern: str) -> list[str]:
    match = _RANGE.search(pattern)
    if not match:
        return [pattern]
    start, end = match.groups()
    head, tail = pattern[: match.start()], pattern[match.end():]
    if start.isdigit():
        width = len(start) if start.startswith("0") else 0
        items = [str(i).zfill(width) for i in range(int(start), int(end) + 1)]
    else:
        items = [chr(c) for c in range(ord(start), ord(end) + 1)]
    return [name for item in items for name in _expand_range(head + item + tail)]


def _check_hosts(path: Path, hosts: dict[str, HostDraft]) -> list[str]:
    problems = []
    for h in hosts.values():
        try:
            port = h.port
        except (TypeError, ValueError):
            problems.append(f"{path}:{h.line}: host {h.name!r}: ansible_port must be an integer")
            continue
        if not 1 <= port <= 65535:
            problems.append(f"{path}:{h.line}: host {h.name!r}: ansible_port {port} is not in 1-65535")
    return problems


# ---------------------------------------------------------------- INI


def parse_ini(path: Path, text: str) -> dict[str, HostDraft]:
    hosts: dict[str, HostDraft] = {}
    group_vars: dict[str, dict[str, Any]] = {}
    children: dict[str, set[str]] = {}
    problems: list[str] = []
    section, kind = "ungrouped", "hosts"
    for lineno, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("["):
            if not line.endswith("]") or len(line) < 3:
                problems.append(f"{path}:{lineno}: malformed section header {line!r}")
                continue
            name = line[1:-1].strip()
            section, _, kind = name.partition(":")
            kind = kind or "hosts"
            if kind not in ("hosts", "vars", "children"):
                problems.append(f"{path}:{lineno}: unknown section kind {kind!r} (use :vars or :children)")
            continue
        try:
            words = shlex.split(line, comments=True)
        except ValueError as exc:
            problems.append(f"{path}:{lineno}: {exc}")
            continue
        if kind == "vars":
            key, sep, value = line.partition("=")
            if not sep:
                problems.append(f"{path}:{lineno}: expected key=value in [{section}:vars]")
                continue
            group_vars.setdefault(section, {})[key.strip()] = value.strip().strip("'\"")
        elif kind == "children":
            children.setdefault(section, set()).add(words[0])
        else:
            host_vars: dict[str, Any] = {}
            for word in words[1:]:
                key, sep, value = word.partition("=")
                if not sep:
                    problems.append(f"{path}:{lineno}: expected key=value after the host name, got {word!r}")
                    break
                host_vars[key] = value
            for name in _expand_range(words[0]):
                draft = hosts.setdefault(name, HostDraft(name, lineno))
                draft.vars.update(host_vars)
                draft.groups.add(section)
    if problems:
        raise InventoryError(problems)
    _apply_groups(hosts, group_vars, children)
    return hosts


def _apply_groups(
    hosts: dict[str, HostDraft], group_vars: dict[str, dict[str, Any]], children: dict[str, set[str]],
) -> None:
    """Propagate membership from child groups to parents, then group vars under host vars."""

    def ancestors(group: str, seen: frozenset[str] = frozenset()) -> set[str]:
        parents = {p for p, kids in children.items() if group in kids and p not in seen}
        return parents.union(*(ancestors(p, seen | {group}) for p in parents)) if parents else set()

    for draft in hosts.values():
        for group in list(draft.groups):
            draft.groups |= ancestors(group)
        merged: dict[str, Any] = dict(group_vars.get("all", {}))
        for group in sorted(draft.groups, key=lambda g: len(ancestors(g))):
            merged.update(group_vars.get(group, {}))
        draft.vars = merged | draft.vars


# ---------------------------------------------------------------- YAML


def parse_yaml(path: Path, text: str) -> dict[str, HostDraft]:
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else 1
        raise InventoryError([f"{path}:{line}: YAML syntax error: {getattr(exc, 'problem', exc)}"]) from None
    hosts: dict[str, HostDraft] = {}
    group_vars: dict[str, dict[str, Any]] = {}
    children: dict[str, set[str]] = {}
    problems: list[str] = []
    if root is None:
        return hosts
    if not isinstance(root, yaml.MappingNode):
        raise InventoryError([f"{path}:{root.start_mark.line + 1}: the inventory must be a mapping of groups"])

    def walk_group(name: str, node: yaml.Node) -> None:
        if isinstance(node, yaml.ScalarNode) and node.value in ("", "~", "null"):
            return
        if not isinstance(node, yaml.MappingNode):
            problems.append(f"{path}:{node.start_mark.line + 1}: group {name!r} must be a mapping")
            return
        for key_node, value_node in node.value:
            key = key_node.value
            if key == "hosts":
                walk_hosts(name, value_node)
            elif key == "vars":
                group_vars.setdefault(name, {}).update(_construct(value_node) or {})
            elif key == "children":
                if isinstance(value_node, yaml.MappingNode):
                    for child_key, child_node in value_node.value:
                        children.setdefault(name, set()).add(child_key.value)
                        walk_group(child_key.value, child_node)
            else:
                problems.append(f"{path}:{key_node.start_mark.line + 1}: unexpected key {key!r} in group "
                                f"{name!r} (expected hosts, vars or children)")

    def walk_hosts(group: str, node: yaml.Node) -> None:
        if not isinstance(node, yaml.MappingNode):
            problems.append(f"{path}:{node.start_mark.line + 1}: 'hosts' of {group!r} must be a mapping")
            return
        for key_node, value_node in node.value:
            host_vars = _construct(value_node) or {}
            if not isinstance(host_vars, dict):
                problems.append(f"{path}:{key_node.start_mark.line + 1}: variables of host "
                                f"{key_node.value!r} must be a mapping")
                continue
            for name in _expand_range(str(key_node.value)):
                draft = hosts.setdefault(name, HostDraft(name, key_node.start_mark.line + 1))
                draft.vars.update(host_vars)
                draft.groups.add(group)

    for key_node, value_node in root.value:
        walk_group(str(key_node.value), value_node)
    if problems:
        raise InventoryError(problems)
    _apply_groups(hosts, group_vars, children)
    return hosts


def _construct(node: yaml.Node) -> Any:
    loader = yaml.SafeLoader("")
    try:
        return loader.construct_document(node)
    finally:
        loader.dispose()


# ---------------------------------------------------------------- ssh_config


def parse_ssh_config(path: Path, text: str) -> dict[str, HostDraft]:
    hosts: dict[str, HostDraft] = {}
    current: list[HostDraft] = []
    keys = {"hostname": "ansible_host", "port": "ansible_port", "user": "ansible_user",
            "identityfile": "ansible_ssh_private_key_file"}
    problems: list[str] = []
    for lineno, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        key, _, value = line.replace("=", " ", 1).partition(" ")
        key, value = key.lower(), value.strip()
        if key == "host":
            names = [n for n in value.split() if not any(c in n for c in "*?!")]
            current = [hosts.setdefault(n, HostDraft(n, lineno)) for n in names]
        elif key == "match":
            current = []
        elif key in keys:
            if not value:
                problems.append(f"{path}:{lineno}: {key} needs a value")
            for draft in current:
                draft.vars.setdefault(keys[key], value)
    if problems:
        raise InventoryError(problems)
    return hosts


# ---------------------------------------------------------------- entry points


def detect_format(path: Path, text: str) -> str:
    if path.name in ("config", "ssh_config") or (re.search(r"(?im)^\s*host\s+\S", text) and "[" not in text):
        return "ssh"
    if path.suffix in (".yml", ".yaml") or text.lstrip().startswith(("---", "all:")):
        return "yaml"
    return "ini"


def read_hosts(path: Path, fmt: str | None = None) -> list[HostDraft]:
    """Parse a file into host drafts; raise InventoryError (file:line) on any problem."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InventoryError([f"{path}:0: cannot read the file: {exc}"]) from None
    fmt = fmt or detect_format(path, text)
    parser = {"yaml": parse_yaml, "ini": parse_ini, "ssh": parse_ssh_config}.get(fmt)
    if parser is None:
        raise InventoryError([f"{path}:0: unknown format {fmt!r} (use ini, yaml or ssh)"])
    hosts = parser(path, text)
    problems = _check_hosts(path, hosts)
    if problems:
        raise InventoryError(problems)
    return list(hosts.values())


def load_inventory(path: str | Path, fmt: str | None = None) -> Inventory:
    """An `Inventory` (servers + groups) from a file, for the parser and its evaluation."""
    drafts = read_hosts(Path(path), fmt)
    servers = [d.to_server() for d in drafts]
    groups: dict[str, list[str]] = {}
    for d in drafts:
        for tag in d.tags:
            groups.setdefault(tag, []).append(d.name)
    return Inventory(tuple(servers), {k: tuple(v) for k, v in groups.items()})
