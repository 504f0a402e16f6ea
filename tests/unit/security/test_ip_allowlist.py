from __future__ import annotations

import pytest

from chatops_commander.domain.errors import ValidationFailed
from chatops_commander.domain.security.ip_allowlist import ip_allowed, parse_allowlist

NETS = parse_allowlist(["10.0.0.0/8", "192.168.1.10", "2001:db8::/32", " "])


@pytest.mark.parametrize("ip", ["10.1.2.3", "192.168.1.10", "2001:db8::1", "::ffff:10.0.0.1"])
def test_addresses_inside_the_allowlist_pass(ip):
    assert ip_allowed(ip, NETS)


@pytest.mark.parametrize("ip", ["11.0.0.1", "192.168.1.11", "2001:db9::1", "not-an-ip", ""])
def test_addresses_outside_or_unparsable_are_refused(ip):
    assert not ip_allowed(ip, NETS)


def test_an_empty_allowlist_means_the_feature_is_off():
    assert ip_allowed("203.0.113.9", ())


def test_bad_entries_are_refused_with_a_bilingual_message():
    with pytest.raises(ValidationFailed) as err:
        parse_allowlist(["10.0.0.1/8", "nope"])
    assert len(err.value.problems) == 2
    assert "n'est pas une adresse IP" in err.value.localized("fr")
