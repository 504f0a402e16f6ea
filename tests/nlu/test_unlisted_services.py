"""A service the inventory does not list is still a service: read by name next to a real server, after "service",
or as `name.service`; it never becomes a host, and an unknown compound alone is still asked about as a host."""

from __future__ import annotations

import pytest

from tests.nlu.helpers import dev_parser


@pytest.mark.parametrize(("text", "action", "service"), [
    ("status of foo-agent on web-01", "service.status", "foo-agent"),
    ("restart cron-agent on web-02", "service.restart", "cron-agent"),
    ("is the foo service running on web-01", "service.status", "foo"),
    ("redémarre le service toto sur web-02", "service.restart", "toto"),
    ("restart foo.service on web-01", "service.restart", "foo"),
])
def test_an_unlisted_service_next_to_a_real_server_is_read_by_name(text: str, action: str, service: str) -> None:
    parsed = dev_parser().parse(text)
    assert (parsed.action, parsed.service) == (action, service)
    assert len(parsed.targets) == 1


def test_an_unknown_compound_alone_is_asked_about_as_a_server() -> None:
    parsed = dev_parser().parse("reboot api-prod")
    assert parsed.action is None and parsed.clarification and "api-prod" in parsed.clarification
