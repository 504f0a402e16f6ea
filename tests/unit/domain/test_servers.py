from __future__ import annotations

import pytest

from chatops_commander.domain.errors import ValidationFailed
from chatops_commander.domain.servers import check_server_fields, validate_server_fields

GOOD = {"name": "web-01", "hostname": "web-01.example.com", "ip_address": "10.0.0.1", "port": 22,
        "ssh_user": "deploy"}


class TestServerValidation:
    """The seed's server rules: name 3-100, hostname pattern, IP address, port, ssh user."""

    def test_accepts_a_valid_server(self) -> None:
        assert validate_server_fields(**GOOD) == []

    @pytest.mark.parametrize(("field", "value"), [
        ("name", "ab"), ("name", "x" * 101), ("hostname", "web_01;rm"), ("hostname", ""),
        ("ip_address", "10.0.0.300"), ("ip_address", "web-01"), ("port", 0), ("port", 65536),
        ("ssh_user", ""), ("ssh_user", "a b"),
    ])
    def test_names_the_field_that_is_wrong(self, field: str, value: object) -> None:
        problems = validate_server_fields(**(GOOD | {field: value}))
        assert [f for f, _ in problems] == [field]

    def test_accepts_ipv6(self) -> None:
        assert validate_server_fields(**(GOOD | {"ip_address": "::1"})) == []

    def test_check_raises_with_every_problem(self) -> None:
        with pytest.raises(ValidationFailed) as info:
            check_server_fields(**(GOOD | {"port": 0, "name": "a"}))
        assert {f for f, _ in info.value.problems} == {"port", "name"}
        assert "port" in info.value.localized("fr")
