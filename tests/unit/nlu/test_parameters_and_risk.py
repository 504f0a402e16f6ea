"""Parameters normalized per docs/ACTIONS.md and the risk modifier."""

from __future__ import annotations

import pytest

from chatops_commander.nlu.parser import Parser


@pytest.mark.parametrize(("text", "expected"), [
    ("last 50 lines of nginx logs on web-01", {"lines": 50}),
    ("les 200 dernières lignes des logs nginx sur web-01", {"lines": 200}),
    ("nginx logs on web-01 for the last hour", {"since": "1h"}),
    ("logs nginx sur web-01 de la dernière heure", {"since": "1h"}),
    ("nginx logs on web-01 since 30 minutes", {"since": "30m"}),
    ("logs nginx web-01 aujourd'hui", {"since": "24h"}),
    ("errors in nginx logs on web-01", {"grep": "error"}),
    ("nginx log lines containing timeout on web-01", {"grep": "timeout"}),
    ("top processes by memory on web-01", {"sort": "mem"}),
    ("top 5 processes on web-01", {"limit": 5}),
    ("disk usage of /var on web-01", {"path": "/var"}),
    ("kill process 4242 on web-01", {"pid": 4242}),
    ("check https://shop.example.com", {"url": "https://shop.example.com"}),
    ("deploy v2.5.0 to production", {"version": "v2.5.0", "environment": "production"}),
    ("déploie la 2.5.0 en prod", {"version": "2.5.0", "environment": "production"}),
    ("restart the redis container", {"container": "redis"}),
    ("option 2", {"option": 2}),
])
def test_parameters_are_normalized(parser: Parser, text: str, expected: dict[str, object]) -> None:
    params = dict(parser.parse(text).parameters)
    assert {k: params.get(k) for k in expected} == expected


def test_keys_the_request_did_not_give_are_absent(parser: Parser) -> None:
    assert dict(parser.parse("nginx logs on web-01").parameters) == {}


def test_medium_on_one_host_stays_medium_and_needs_confirmation(parser: Parser) -> None:
    parsed = parser.parse("restart nginx on web-01")
    assert parsed.risk == "medium" and parsed.requires_confirmation


def test_medium_on_several_hosts_goes_up_one_level(parser: Parser) -> None:
    assert parser.parse("restart nginx on web-01 and web-02").risk == "high"


def test_critical_is_capped(parser: Parser) -> None:
    assert parser.parse("reboot all web servers").risk == "critical"


def test_low_is_never_raised_and_needs_no_confirmation(parser: Parser) -> None:
    parsed = parser.parse("disk usage everywhere")
    assert parsed.risk == "low" and not parsed.requires_confirmation


def test_raw_commands_are_high_and_destructive_ones_critical(parser: Parser) -> None:
    assert parser.parse("run 'df -h' on web-01").risk == "high"
    assert parser.parse("run 'rm -rf /srv' on web-01").risk == "critical"
    assert parser.parse("exécute 'ls /tmp' sur web-01").parameters["command"] == "ls /tmp"
