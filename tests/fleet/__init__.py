"""A real test fleet: OpenSSH sshd on 127.0.0.1 ports, one Unix user per host, each with its own
supervisord running real services (nginx for web hosts). Importable as `tests.fleet`.

    fleet = Fleet(Path(tmp), DEFAULT_HOSTS); fleet.start(); ...; fleet.stop()

`missing_tools()` says why a fleet cannot start here (then tests skip with that reason).
"""

from __future__ import annotations

from tests.fleet.fleet import DEFAULT_HOSTS, Fleet, HostSpec, missing_tools

__all__ = ["DEFAULT_HOSTS", "Fleet", "HostSpec", "missing_tools"]
