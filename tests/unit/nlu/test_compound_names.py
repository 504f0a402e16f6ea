"""Names with dots and dashes are one name: an FQDN host, `backup-us-2`, `node-exporter`, `cron-agent`."""

from __future__ import annotations

from chatops_commander.domain.inventory import Inventory
from chatops_commander.domain.servers import Server
from chatops_commander.nlu.context import ConversationContext
from chatops_commander.nlu.parser import Parser
from chatops_commander.skills.builtin_specs import BUILTIN_SPECS

PARSER = Parser(BUILTIN_SPECS, Inventory.from_servers([
    Server("edge1.par.example.org", "edge1.par.example.org", "10.1.0.1", tags=("edge", "production"),
           services=("nginx", "node-exporter")),
    Server("backup-us-2", "backup-us-2", "10.1.0.2", tags=("backup", "production"), services=("cron-agent",)),
    Server("backup-us-1", "backup-us-1", "10.1.0.3", tags=("backup", "staging"), services=("cron-agent",)),
    Server("api-01", "api-01", "10.1.0.4", tags=("api", "production"), services=("gunicorn",)),
]))


def test_an_fqdn_host_is_a_host_not_a_url() -> None:
    parsed = PARSER.parse("restart nginx on edge1.par.example.org")
    assert (parsed.action, parsed.targets, parsed.service) == ("service.restart", ("edge1.par.example.org",), "nginx")


def test_a_hyphenated_host_and_service_are_kept_whole() -> None:
    parsed = PARSER.parse("restart cron-agent on backup-us-2")
    assert (parsed.action, parsed.targets, parsed.service) == ("service.restart", ("backup-us-2",), "cron-agent")


def test_status_of_node_exporter_on_the_edge_host() -> None:
    parsed = PARSER.parse("is node-exporter running on edge1.par.example.org?")
    assert (parsed.action, parsed.targets, parsed.service) == ("service.status", ("edge1.par.example.org",),
                                                               "node-exporter")


def test_an_unknown_name_sharing_a_word_with_a_group_is_asked_about() -> None:
    parsed = PARSER.parse("restart gunicorn on api-prod")
    assert parsed.action is None and parsed.targets == () and "api-prod" in (parsed.clarification or "")


def test_an_unknown_host_after_a_turn_is_not_replaced_by_the_previous_host() -> None:
    ctx = PARSER.parse_turn("status of backup-us-2", ConversationContext())[1]
    parsed = PARSER.parse("and on backup-eu-3?", ctx)
    assert parsed.targets == () and "backup-eu-3" in (parsed.clarification or "")
