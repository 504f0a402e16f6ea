"""The client's address behind reverse proxies: `X-Forwarded-For` is believed only when the peer
that sent it is a trusted proxy (CHATOPS_TRUSTED_PROXIES); walking the list from the right, the
first address that is not a trusted proxy is the client. Anyone else's header is ignored, so a
client cannot choose its own address (and dodge its login throttle or the admin allowlist)."""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence

from chatops_commander.domain.security.ip_allowlist import Network


def _parse(value: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    text = value.strip().split("%", 1)[0]
    if text.startswith("[") and "]" in text:  # "[2001:db8::1]:443"
        text = text[1:text.index("]")]
    elif text.count(":") == 1:  # "192.0.2.1:443"
        text = text.split(":", 1)[0]
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def _trusted(address: ipaddress.IPv4Address | ipaddress.IPv6Address, proxies: Sequence[Network]) -> bool:
    return any(address.version == net.version and address in net for net in proxies)


def client_address(peer: str | None, forwarded_for: str | None, proxies: Sequence[Network]) -> str | None:
    """The address to account a request to (rate limits, audit, admin allowlist)."""
    if peer is None or not proxies or not forwarded_for:
        return peer
    current = _parse(peer)
    if current is None or not _trusted(current, proxies):
        return peer
    for hop in reversed(forwarded_for.split(",")):
        address = _parse(hop)
        if address is None:  # a malformed hop: stop at the last address a trusted proxy vouched for
            return str(current)
        current = address
        if not _trusted(address, proxies):
            return str(address)
    return str(current)  # every hop is a trusted proxy: the leftmost one
