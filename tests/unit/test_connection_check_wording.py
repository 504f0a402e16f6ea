"""What the connection test says: a host that answered but refused us is not "unreachable"."""

from __future__ import annotations

from chatops_commander.services.servers import ConnectionCheck


def test_a_host_key_problem_is_not_reported_as_unreachable() -> None:
    check = ConnectionCheck("web-01", False, 12, error="unknown host key SHA256:abc", outcome="host_key_unknown")
    assert check.message("en").startswith("web-01 answered but the connection was refused: unknown host key")
    assert check.message("fr").startswith("web-01 a répondu mais la connexion est refusée")
    assert "reach" not in check.message("en") and "joindre" not in check.message("fr")


def test_an_unreachable_host_is_said_so() -> None:
    check = ConnectionCheck("web-01", False, 12, error="connection refused", outcome="unreachable")
    assert check.message("en") == "I can't reach web-01: connection refused"
    assert check.message("fr") == "Je n'arrive pas à joindre web-01 : connection refused"
