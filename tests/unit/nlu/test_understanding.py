"""Phrasings issue 12 named: a state described then an order, French "lance", history questions."""

from __future__ import annotations

import pytest

from chatops_commander.nlu.parser import Parser


@pytest.mark.parametrize(("text", "action"), [
    ("nginx is down on web-01, start it", "service.start"),
    ("web-03 redis is down, bring it back", "service.start"),
    ("haproxy est tombé sur lb-01, relance le", "service.restart"),
    ("lance nginx sur web-01", "service.start"),
    ("lance `uptime` sur web-01", "shell.run"),
    ("lance le déploiement de la 2.5.0 en production", "app.deploy"),
    ("lance un backup sur db-master", "db.backup"),
    ("lance un diagnostic sur web-01", "incident.diagnose"),
    ("lance le nettoyage du disque sur web-02", "disk.cleanup"),
    ("lance la commande `df -h` sur web-01", "shell.run"),
    ("lance le service redis sur web-03", "service.start"),
    ("what commands were run today", "history.list"),
    ("did the deploy go through?", "history.list"),
    ("reload haproxy, I changed the config", "service.reload"),
])
def test_phrasings_are_understood(parser: Parser, text: str, action: str) -> None:
    assert parser.parse(text).action == action, parser.parse(text)
