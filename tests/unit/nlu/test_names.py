"""Rules 1-2: tolerant host, group and service names; names outside the inventory are not targets."""

from __future__ import annotations

import pytest

from chatops_commander.nlu.parser import Parser


@pytest.mark.parametrize("spelling", ["web-01", "web1", "web 01", "WEB-01", "web01", "wbe-01", "Web_01"])
def test_host_spellings_and_small_typos_mean_the_same_host(parser: Parser, spelling: str) -> None:
    assert parser.parse(f"disk usage on {spelling}").targets == ("web-01",)


def test_a_typo_close_to_several_hosts_is_not_a_target(parser: Parser) -> None:
    parsed = parser.parse("restart nginx on web-04")
    assert parsed.action is None and parsed.targets == ()
    assert "web-04" in (parsed.clarification or "")


@pytest.mark.parametrize(("text", "hosts"), [
    ("memory on the web servers", {"web-01", "web-02", "web-03"}),
    ("memoire sur les serveurs web", {"web-01", "web-02", "web-03"}),
    ("load on the db hosts", {"db-master", "db-replica"}),
    ("disk usage in prod", {"web-01", "web-02", "db-master", "db-replica", "lb-01"}),
    ("disk usage on all servers", {"web-01", "web-02", "web-03", "db-master", "db-replica", "lb-01"}),
    ("espace disque partout", {"web-01", "web-02", "web-03", "db-master", "db-replica", "lb-01"}),
])
def test_groups_tags_and_everything(parser: Parser, text: str, hosts: set[str]) -> None:
    assert set(parser.parse(text).targets) == hosts


@pytest.mark.parametrize("alias", ["postgres", "pg", "postgresql", "Postgres"])
def test_service_aliases_map_to_the_inventory_name(parser: Parser, alias: str) -> None:
    parsed = parser.parse(f"restart {alias} on db-master")
    assert (parsed.action, parsed.service) == ("service.restart", "postgresql")


def test_a_service_on_one_host_targets_it(parser: Parser) -> None:
    assert parser.parse("restart haproxy").targets == ("lb-01",)


def test_a_read_only_action_on_a_shared_service_targets_every_host_running_it(parser: Parser) -> None:
    parsed = parser.parse("nginx logs")
    assert (parsed.action, set(parsed.targets)) == ("service.logs", {"web-01", "web-02"})


def test_a_risky_action_on_a_shared_service_asks_which_host_in_the_users_language(parser: Parser) -> None:
    parsed = parser.parse("redémarre nginx")
    assert parsed.action is None
    assert parsed.clarification == "nginx tourne sur web-01 et web-02 : lequel ?"
    assert parsed.options == ("web-01", "web-02")


def test_nothing_named_targets_the_fleet_for_read_only_server_actions(parser: Parser) -> None:
    assert len(parser.parse("disk usage").targets) == 6


def test_nothing_named_asks_for_actions_that_need_hosts(parser: Parser) -> None:
    parsed = parser.parse("backup the database")
    assert parsed.action is None and parsed.clarification
