"""`chatops servers trust` against a real SSH server (asyncssh, in a thread of this process) whose host key
no known_hosts lists."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from pathlib import Path

import asyncssh
import pytest

from tests.e2e.cli import chatops
from tests.fleet.fleet import Fleet


class SSHHost:
    """An SSH server on 127.0.0.1 with a fresh ed25519 host key (enough for a key exchange)."""

    def __init__(self) -> None:
        self.key = asyncssh.generate_private_key("ssh-ed25519")
        self.fingerprint = str(self.key.get_fingerprint("sha256"))
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()

        async def listen() -> asyncssh.SSHAcceptor:
            return await asyncssh.listen("127.0.0.1", 0, server_host_keys=[self.key])

        self.acceptor = asyncio.run_coroutine_threadsafe(listen(), self.loop).result(timeout=10)
        self.port = self.acceptor.get_port()

    def stop(self) -> None:
        self.acceptor.close()
        asyncio.run_coroutine_threadsafe(self.acceptor.wait_closed(), self.loop).result(timeout=10)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout=10)
        self.loop.close()


@pytest.fixture
def host(data_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[SSHHost]:
    (tmp_path / "empty_known_hosts").write_text("")
    monkeypatch.setenv("CHATOPS_SSH_KNOWN_HOSTS", str(tmp_path / "empty_known_hosts"))
    h = SSHHost()
    try:
        code, out = chatops("servers", "add", "web-09", "--host", "127.0.0.1", "--port", str(h.port))
        assert code == 0, out
        yield h
    finally:
        h.stop()


def pinned(name: str) -> str:
    [line] = [line for line in chatops("servers", "show", name)[1].splitlines() if "host_key_fingerprint" in line]
    return line.split()[-1]


def test_trust_shows_the_offered_key_and_pins_it_only_once_confirmed(host: SSHHost, tmp_path: Path) -> None:
    code, out = chatops("servers", "trust", "web-09", stdin="n\n")
    assert code == 1 and host.fingerprint in out and "Nothing trusted" in out
    assert pinned("web-09") == "None"

    code, out = chatops("servers", "trust", "web-09", stdin="y\n")
    assert code == 0, out
    assert pinned("web-09") == host.fingerprint
    assert "host_key_trusted" in (tmp_path / "var" / "audit.log").read_text()

    code, out = chatops("servers", "trust", "web-09")
    assert code == 0 and "already trusted" in out


def test_trust_speaks_french(host: SSHHost) -> None:
    code, out = chatops("servers", "trust", "web-09", "--yes", lang="fr_FR.UTF-8")
    assert code == 0 and "présente la clé d'hôte" in out and "approuvée" in out


def test_trust_an_unreachable_server_fails_clearly_and_stores_nothing(host: SSHHost) -> None:
    assert chatops("servers", "add", "ghost", "--host", "127.0.0.1", "--port", "1")[0] == 0
    code, out = chatops("servers", "trust", "ghost", "--yes")
    assert code == 2 and "cannot reach ghost" in out and "nothing trusted" in out
    assert pinned("ghost") == "None"


def test_servers_test_reports_one_line_per_server_and_fails_when_one_does(host: SSHHost) -> None:
    code, out = chatops("servers", "test", "web-09")
    text = " ".join(out.split())
    assert code == 1 and "web-09: host_key_unknown" in text and host.fingerprint in text
    assert "chatops servers trust web-09" in text

    assert chatops("servers", "trust", "web-09", "--yes")[0] == 0
    assert chatops("servers", "add", "ghost", "--host", "127.0.0.1", "--port", "1")[0] == 0
    code, out = chatops("servers", "test", "all")
    lines = {line.split(":")[0]: line for line in out.splitlines() if ":" in line}
    assert code == 1
    assert lines["localhost"].startswith("localhost: ok")
    assert lines["web-09"].startswith("web-09: auth_failed")  # the key is trusted now; this host admits nobody
    assert lines["ghost"].startswith("ghost: unreachable")

    code, out = chatops("servers", "test", "localhost")
    assert code == 0 and "localhost: ok" in out


def test_servers_test_an_unknown_name_is_a_clear_error(host: SSHHost) -> None:
    code, out = chatops("servers", "test", "nope")
    assert code != 0 and "No server named 'nope'" in " ".join(out.split())


def test_import_trust_new_host_keys_prints_every_fingerprint_it_stores(host: SSHHost, tmp_path: Path) -> None:
    inventory = tmp_path / "hosts.ini"
    inventory.write_text(f"[web]\nweb-10 ansible_host=127.0.0.1 ansible_port={host.port}\n"
                         "ghost-02 ansible_host=127.0.0.1 ansible_port=1\n")
    code, out = chatops("servers", "import", str(inventory), "--trust-new-host-keys")
    text = " ".join(out.split())
    assert code == 1, out  # ghost-02 could not be reached: its key is not trusted
    assert f"web-10: host key {host.fingerprint} trusted" in text
    assert "ghost-02: unreachable" in text and "not trusted" in text
    assert pinned("web-10") == host.fingerprint and pinned("ghost-02") == "None"

    code, out = chatops("servers", "import", str(inventory))
    assert "host key" not in out and pinned("web-10") == host.fingerprint


def test_trust_refuses_when_known_hosts_lists_another_key(host: SSHHost, tmp_path: Path) -> None:
    other = asyncssh.generate_private_key("ssh-ed25519").export_public_key().decode().split()
    (tmp_path / "empty_known_hosts").write_text(f"[127.0.0.1]:{host.port} {other[0]} {other[1]}\n")
    code, out = chatops("servers", "trust", "web-09", "--yes")
    assert code == 2 and "known_hosts lists web-09 with another key" in " ".join(out.split())
    assert pinned("web-09") == "None"

    mine = host.key.export_public_key().decode().split()
    (tmp_path / "empty_known_hosts").write_text(f"[127.0.0.1]:{host.port} {mine[0]} {mine[1]}\n")
    code, out = chatops("servers", "trust", "web-09", "--yes")
    assert code == 0 and "already trusted" in out and pinned("web-09") == "None"


@pytest.mark.fleet
def test_on_the_fleet_an_unknown_key_blocks_runs_until_trusted(fleet: Fleet, data_dir: Path, tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "empty_known_hosts").write_text("")
    monkeypatch.setenv("CHATOPS_SSH_KNOWN_HOSTS", str(tmp_path / "empty_known_hosts"))
    server = fleet.server("web-01")
    code, out = chatops("servers", "add", "web-01", "--host", "127.0.0.1", "--port", str(server.port),
                        "--user", server.ssh_user, "--key", str(fleet.client_key))
    assert code == 0, out
    offered = str(asyncssh.read_public_key(f"{fleet.host_key}.pub").get_fingerprint("sha256"))

    code, out = chatops("run", "server.load", "--on", "web-01")
    assert code != 0 and "host_key_unknown" in out
    code, out = chatops("servers", "test", "web-01")
    assert code == 1 and offered in " ".join(out.split())

    code, out = chatops("servers", "trust", "web-01", "--yes")
    assert code == 0 and offered in out
    code, out = chatops("servers", "test", "web-01")
    assert code == 0 and "web-01: ok" in out, out
    code, out = chatops("run", "server.load", "--on", "web-01")
    assert code == 0 and "host_key" not in out, out
