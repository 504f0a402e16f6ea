"""The pure part of the Prometheus source: the query and the reading of an instant vector."""

from __future__ import annotations

import re

from chatops_commander.domain.monitoring.prometheus import (
    host_query,
    instance_regex,
    is_down,
    metrics_from_vector,
    vector_of,
)
from chatops_commander.domain.monitoring.samples import ServiceState


def test_instance_regex_matches_host_ip_and_ports_only() -> None:
    rx = re.compile(instance_regex(["web-01.example.org", "10.0.0.11"]))
    assert rx.fullmatch("web-01.example.org:9100") and rx.fullmatch("10.0.0.11") and rx.fullmatch("10.0.0.11:9100")
    assert not rx.fullmatch("10.0.0.111:9100") and not rx.fullmatch("web-01xexample.org")


def test_query_quotes_and_adds_units_only_with_services() -> None:
    assert " or " not in host_query(["a"])
    q = host_query(['we"b'], ("nginx", "cron.timer"))
    assert 'name=~"nginx\\\\.service|cron\\\\.timer"' in q and 'we\\"b' in q


def test_malformed_answers_never_raise() -> None:
    assert vector_of(None) == [] and vector_of([{"metric": {}}, {"value": [1, "x"]}, 3]) == []
    m = metrics_from_vector([], ("nginx",))
    assert m.load is None and m.disks == () and m.services == {"nginx": ServiceState.UNKNOWN}
    assert set(m.missing) == {"load", "cpu", "memory", "uptime", "cores", "disks", "services"}


def test_memory_without_available_and_down_detection() -> None:
    series = vector_of([
        {"metric": {"__name__": "node_memory_MemTotal_bytes"}, "value": [0, "4096"]},
        {"metric": {"__name__": "node_memory_MemFree_bytes"}, "value": [0, "1024"]},
        {"metric": {"__name__": "node_memory_Cached_bytes"}, "value": [0, "1024"]},
    ])
    m = metrics_from_vector(series)
    assert m.memory is not None and m.memory.total_kb == 4 and m.memory.used_kb == 2
    assert is_down([({"__name__": "up"}, 0.0)]) and not is_down([({"__name__": "up"}, 1.0)])
    assert not is_down(series)
