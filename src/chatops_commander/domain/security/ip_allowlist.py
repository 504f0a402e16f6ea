"""IP allowlists (seed "IP whitelisting"): IPv4/IPv6 networks, IPv4-mapped IPv6 handled."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Sequence

from chatops_commander.domain.security.policy_problems import PolicyProblem, PolicyRejected

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_allowlist(entries: Iterable[str]) -> tuple[Network, ...]:
    """Parse "10.0.0.0/8", "192.168.1.10", "2001:db8::/32"… Host bits set are refused."""
    networks: list[Network] = []
    problems: list[PolicyProblem] = []
    for raw in entries:
        entry = raw.strip()
        if not entry:
            continue
        try:
            networks.append(ipaddress.ip_network(entry, strict=True))
        except ValueError:
            problems.append(PolicyProblem(
                "bad_network", f"{entry!r} is not an IP address or network (CIDR)",
                f"{entry!r} n'est pas une adresse IP ni un réseau (CIDR)"))
    if problems:
        raise PolicyRejected("ip_allowlist", problems)
    return tuple(networks)


def ip_allowed(ip: str, allowlist: Sequence[Network]) -> bool:
    """True when `ip` is inside one of the networks. An empty allowlist allows everyone
    (the feature is off); an unparsable address is never allowed."""
    if not allowlist:
        return True
    try:
        address = ipaddress.ip_address(ip.strip().split("%", 1)[0])
    except ValueError:
        return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return any(address.version == net.version and address in net for net in allowlist)
