"""The client's address: X-Forwarded-For only from trusted proxies, the rightmost untrusted hop."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from chatops_commander.domain.security.client_address import client_address
from chatops_commander.domain.security.ip_allowlist import parse_allowlist

PROXIES = parse_allowlist(["10.0.0.0/8", "2001:db8:ff::/48"])


def test_without_trusted_proxies_the_header_is_ignored() -> None:
    assert client_address("203.0.113.5", "192.0.2.1", ()) == "203.0.113.5"


def test_a_client_that_is_not_a_trusted_proxy_cannot_choose_its_address() -> None:
    assert client_address("203.0.113.5", "192.0.2.1", PROXIES) == "203.0.113.5"


def test_behind_trusted_proxies_the_rightmost_untrusted_hop_is_the_client() -> None:
    assert client_address("10.0.0.2", "192.0.2.1", PROXIES) == "192.0.2.1"
    assert client_address("10.0.0.2", "198.51.100.4, 192.0.2.1, 10.9.9.9", PROXIES) == "192.0.2.1"  # 1st spoofed
    assert client_address("2001:db8:ff::1", "[2001:db8::7]:5000", PROXIES) == "2001:db8::7"
    assert client_address("10.0.0.2", "192.0.2.1:443", PROXIES) == "192.0.2.1"


def test_a_malformed_hop_stops_at_the_last_vouched_address() -> None:
    assert client_address("10.0.0.2", "192.0.2.1, garbage", PROXIES) == "10.0.0.2"
    assert client_address("10.0.0.2", "10.0.0.3", PROXIES) == "10.0.0.3"  # only proxies: the leftmost


@given(st.text(max_size=200))
def test_any_header_gives_an_address_and_never_raises(header: str) -> None:
    found = client_address("10.0.0.2", header, PROXIES)
    assert found is not None and found != ""
