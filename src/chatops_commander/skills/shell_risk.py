"""Risk of a raw command line for `shell.run` (docs/ACTIONS.md): a parser, not a character filter.

Read-only allowlisted programs → low; anything else → high; destructive patterns → critical.
Pipelines and `;` / `&&` / `||` chains take the highest risk of their parts; command
substitution (`$(…)`, backticks, `<(…)`) is at least high; a line that does not parse is high.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass

from chatops_commander.domain.risk import Risk

READ_ONLY = frozenset(
    """
ls cat head tail grep egrep fgrep zgrep zcat wc df du free uptime uname hostname whoami id ps top w
who last date echo printf pwd stat file sort uniq cut tr column jq diff cmp nl tac rev fold seq expr
basename dirname readlink realpath which type test true false sleep nproc tree md5sum sha1sum
sha256sum getent lsblk lscpu lsof vmstat iostat mpstat ss netstat ping dig host nslookup strings od
xxd hexdump printenv locale arch groups lsmod lsusb lspci findmnt timedatectl hostnamectl less more
sed find journalctl systemctl docker supervisorctl service ip dmesg
""".split()
)

# Programs that are read-only only with some sub-commands / without some options.
_SUBCOMMANDS = {
    "systemctl": {
        "status",
        "show",
        "is-active",
        "is-enabled",
        "is-failed",
        "list-units",
        "list-unit-files",
        "list-timers",
        "list-sockets",
        "cat",
        "list-dependencies",
    },
    "docker": {"ps", "images", "logs", "inspect", "stats", "version", "info", "top", "port", "diff"},
    "supervisorctl": {"status", "tail", "avail", "pid", "version"},
    "ip": {"a", "addr", "address", "r", "route", "link", "neigh", "-br", "-s", "-4", "-6"},
    "timedatectl": {"status", "show"},
    "hostnamectl": {"status"},
}
_FORBIDDEN_OPTIONS = {
    "sed": ("-i", "--in-place"),
    "find": ("-delete", "-exec", "-execdir", "-ok", "-okdir", "-fprint", "-fprintf", "-fls"),
    "journalctl": ("--vacuum", "--rotate", "--flush", "--sync", "--relinquish"),
    "dmesg": ("-c", "-C", "--clear", "--read-clear"),
    "docker": ("--rm",),
    "sort": ("-o", "--output"),
    "ip": ("add", "del", "delete", "set", "flush", "change", "replace"),
    "top": (),
}
WRAPPERS = frozenset(
    {
        "sudo",
        "env",
        "nice",
        "nohup",
        "time",
        "command",
        "exec",
        "builtin",
        "doas",
        "ionice",
        "stdbuf",
        "timeout",
        "xargs",
        "watch",
        "chroot",
        "su",
    }
)
SHELLS = frozenset({"sh", "bash", "dash", "zsh", "ksh", "ash", "busybox"})
DESTRUCTIVE = frozenset(
    {
        "mkfs",
        "mke2fs",
        "mkswap",
        "wipefs",
        "fdisk",
        "sfdisk",
        "sgdisk",
        "parted",
        "shutdown",
        "reboot",
        "halt",
        "poweroff",
        "truncate",
        "shred",
        "killall5",
        "telinit",
        "pvremove",
        "vgremove",
        "lvremove",
        "zpool",
        "blkdiscard",
    }
)
SYSTEM_PATHS = (
    "/etc",
    "/boot",
    "/dev/sd",
    "/dev/nvme",
    "/dev/vd",
    "/dev/hd",
    "/dev/xvd",
    "/dev/mmcblk",
    "/dev/mapper",
    "/dev/disk",
    "/usr",
    "/bin",
    "/sbin",
    "/lib",
    "/lib64",
    "/var/lib",
    "/proc/sys",
    "/sys",
    "/root",
    "/dev/mem",
    "/dev/kmem",
    "/dev/port",
)
HARMLESS_TARGETS = ("/dev/null", "/dev/stdout", "/dev/stderr", "/dev/tty")
OPERATORS = frozenset({";", "&&", "||", "|", "&", "|&", ";;", "(", ")", "{", "}"})
REDIRECTS = frozenset({">", ">>", ">|", "&>", "&>>", "<>"})
_FORK_BOMB = re.compile(r"(\S+)\s*\(\)\s*\{[^}]*\1\s*\|\s*\1")
_SQL = re.compile(r"\b(drop\s+(table|database|schema|index|user|role|view)|truncate\s+table)\b", re.I)


@dataclass(frozen=True)
class Classification:
    risk: Risk
    reasons: tuple[str, ...] = ()


def _is_system_path(path: str) -> bool:
    if path.startswith(HARMLESS_TARGETS):
        return False
    norm = "/" + path.strip("/")
    return norm == "/" or any(
        norm == p or norm.startswith(p if p.startswith("/dev/") else p + "/") for p in SYSTEM_PATHS
    )


def classify(command: str) -> Classification:
    """Classify a raw command line; never raises."""
    reasons: list[str] = []
    risk = Risk.LOW
    if not command.strip():
        return Classification(Risk.HIGH, ("empty command",))
    if _FORK_BOMB.search(command):
        return Classification(Risk.CRITICAL, ("fork bomb",))
    if _SQL.search(command):
        risk, reasons = Risk.CRITICAL, ["SQL DROP/TRUNCATE"]
    if "`" in command or "$(" in command or "<(" in command or ">(" in command:
        risk = Risk.highest([risk, Risk.HIGH])
        reasons.append("command substitution")
    try:
        lex = shlex.shlex(command.replace("\n", " ; "), posix=True, punctuation_chars=";&|()<>")
        lex.whitespace_split = True
        tokens = list(lex)
    except ValueError:
        return Classification(Risk.highest([risk, Risk.HIGH]), (*reasons, "unparseable command line"))
    for segment in _segments(tokens):
        r, why = _classify_simple(segment)
        if r.rank > risk.rank:
            risk = r
        reasons.extend(why)
    return Classification(risk, tuple(dict.fromkeys(reasons)))


def _segments(tokens: list[str]) -> list[list[str]]:
    out: list[list[str]] = [[]]
    for tok in tokens:
        if tok in OPERATORS:
            out.append([])
        else:
            out[-1].append(tok)
    return [s for s in out if s]


def _strip_redirects(seg: list[str]) -> tuple[list[str], Risk, list[str]]:
    words: list[str] = []
    risk: Risk = Risk.LOW
    reasons: list[str] = []
    i = 0
    while i < len(seg):
        tok = seg[i]
        if tok in REDIRECTS or tok == "<" or tok == "<<" or tok == "<<<":
            target = seg[i + 1] if i + 1 < len(seg) else ""
            if tok not in ("<", "<<", "<<<") and not target.startswith("&"):
                if _is_system_path(target):
                    risk, reasons = Risk.CRITICAL, [*reasons, f"redirection over {target}"]
                elif not target.startswith(HARMLESS_TARGETS):
                    risk = Risk.highest([risk, Risk.HIGH])
                    reasons.append("writes a file")
            i += 2
            continue
        if words and tok.isdigit() and i + 1 < len(seg) and seg[i + 1] in REDIRECTS:
            i += 1
            continue
        words.append(tok)
        i += 1
    return words, risk, reasons


def _classify_simple(seg: list[str]) -> tuple[Risk, list[str]]:
    words, risk, reasons = _strip_redirects(seg)
    while words and re.match(r"^[A-Za-z_][A-Za-z0-9_]*=", words[0]):
        words = words[1:]
    if not words:
        return risk, reasons
    prog = words[0].rsplit("/", 1)[-1]
    args = words[1:]
    if prog in WRAPPERS:
        rest = [a for a in args if not a.startswith("-") and not re.match(r"^[A-Za-z_]\w*=", a)]
        if prog == "timeout" and rest:
            rest = rest[1:]
        inner = args[args.index(rest[0]) :] if rest else []
        r, why = _classify_simple(inner) if inner else (Risk.LOW, [])
        return Risk.highest(
            [risk, r, Risk.HIGH if prog in {"su", "chroot", "watch"} else Risk.LOW]
        ), reasons + why
    if prog in SHELLS:
        if "-c" in args and args.index("-c") + 1 < len(args):
            inner_c = classify(args[args.index("-c") + 1])
            return Risk.highest([risk, inner_c.risk, Risk.HIGH]), reasons + list(inner_c.reasons)
        return Risk.highest([risk, Risk.HIGH]), [*reasons, "starts a shell"]
    crit = _destructive(prog, args)
    if crit:
        return Risk.CRITICAL, [*reasons, crit]
    if _read_only(prog, args):
        return risk, reasons
    return Risk.highest([risk, Risk.HIGH]), [*reasons, f"{prog} is not a known read-only program"]


def _destructive(prog: str, args: list[str]) -> str | None:
    if prog in DESTRUCTIVE or prog.startswith("mkfs"):
        return f"{prog} is destructive"
    short = "".join(a[1:] for a in args if a.startswith("-") and not a.startswith("--"))
    if prog == "rm" and ("r" in short or "R" in short or "--recursive" in args):
        return "recursive rm"
    if prog == "rm" and any(_is_system_path(a) for a in args if not a.startswith("-")):
        return "rm on a system path"
    if prog == "dd" and any(a.startswith("of=") for a in args):
        return "dd writing to a device or file"
    if prog == "init" and any(a in ("0", "6") for a in args):
        return "init runlevel change"
    if prog == "systemctl" and any(
        a in ("poweroff", "reboot", "halt", "kexec", "rescue", "emergency") for a in args
    ):
        return "systemctl power action"
    if (
        prog in ("chmod", "chown", "chgrp")
        and ("R" in short or "--recursive" in args)
        and any(_is_system_path(a) for a in args if not a.startswith("-"))
    ):
        return f"recursive {prog} on a system path"
    if prog in ("kill", "pkill") and any(a in ("-1", "1") for a in args if a != args[0] or prog == "kill"):
        return "kills every process or init"
    if prog == "find" and "-delete" in args and any(_is_system_path(a) for a in args if a.startswith("/")):
        return "find -delete on a system path"
    if prog == "mv" and any(_is_system_path(a) for a in args if not a.startswith("-")):
        return "mv on a system path"
    return None


def _read_only(prog: str, args: list[str]) -> bool:
    if prog not in READ_ONLY:
        return False
    bad = _FORBIDDEN_OPTIONS.get(prog, ())
    if any(
        a == b or a.startswith(b + "=") or (b.startswith("--") and a.startswith(b)) for a in args for b in bad
    ):
        return False
    if prog == "sed" and any(a.startswith("-") and not a.startswith("--") and "i" in a for a in args):
        return False
    subs = _SUBCOMMANDS.get(prog)
    if subs is not None:
        first = next((a for a in args if not a.startswith("-")), None)
        if prog == "ip":
            return first is None or first in subs
        return first in subs
    if prog == "service":
        return len(args) == 2 and args[1] == "status"
    return True
