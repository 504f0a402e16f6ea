"""Start and stop the sshd + supervisord + nginx test fleet (see package docstring)."""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from chatops_commander.domain.servers import Server

SSHD = "/usr/sbin/sshd"
PORTS_PER_SSHD = 16


@dataclass(frozen=True)
class HostSpec:
    name: str
    services: tuple[str, ...] = ()  # "nginx" → real nginx; anything else → a small real process
    user: str | None = None  # default: cc-<name>


DEFAULT_HOSTS = (
    HostSpec("web-01", ("nginx",)),
    HostSpec("web-02", ("nginx",)),
    HostSpec("db-master", ("postgresql",)),
)


@dataclass
class FleetHost:
    spec: HostSpec
    user: str
    port: int
    home: Path
    http_port: int | None = None
    server: Server | None = None

    @property
    def name(self) -> str:
        return self.spec.name


def missing_tools() -> str | None:
    need = {
        "sshd": SSHD,
        "ssh-keygen": "ssh-keygen",
        "supervisord": "supervisord",
        "supervisorctl": "supervisorctl",
        "nginx": "nginx",
        "useradd": "useradd",
        "sudo": "sudo",
    }
    missing = [
        name
        for name, exe in need.items()
        if not (os.path.exists(exe) or shutil.which(exe) or shutil.which(exe, path="/usr/sbin:/sbin"))
    ]
    if missing:
        return f"test fleet needs {', '.join(missing)} (run scripts/install-fleet-deps.sh)"
    if os.geteuid() != 0:
        return "test fleet needs root (to create per-host users and run sshd)"
    return None


def free_ports(n: int) -> list[int]:
    socks, ports = [], []
    for _ in range(n):
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        socks.append(s)
        ports.append(s.getsockname()[1])
    for s in socks:
        s.close()
    return ports


def wait_until(check, what: str, timeout: float = 20.0) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.05)
    raise TimeoutError(f"fleet: {what} not ready after {timeout:g} s")


def port_open(port: int) -> bool:
    with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.5):
        return True
    return False


def keygen(path: Path, kind: str = "ed25519") -> None:
    if not path.exists():
        subprocess.run(["ssh-keygen", "-q", "-t", kind, "-N", "", "-C", "chatops-fleet", "-f", str(path)], check=True)


@dataclass
class Fleet:
    root: Path
    specs: tuple[HostSpec, ...] = DEFAULT_HOSTS
    shared_user: str | None = None  # bench: every host is the same user (no services)
    hosts: dict[str, FleetHost] = field(default_factory=dict)
    _sshd: list[subprocess.Popen[bytes]] = field(default_factory=list)

    @property
    def client_key(self) -> Path:
        return self.root / "client_key"

    @property
    def wrong_key(self) -> Path:
        return self.root / "wrong_key"

    @property
    def known_hosts(self) -> Path:
        return self.root / "known_hosts"

    @property
    def host_key(self) -> Path:
        return self.root / "ssh_host_ed25519_key"

    def server(self, host: str, /, **overrides: object) -> Server:
        srv = self.hosts[host].server
        assert srv is not None
        return Server(**{**srv.__dict__, **overrides})  # type: ignore[arg-type]

    def servers(self) -> list[Server]:
        return [h.server for h in self.hosts.values() if h.server is not None]

    # ---- lifecycle -------------------------------------------------------------------------

    def start(self) -> Fleet:
        self.root.mkdir(parents=True, exist_ok=True)
        os.chmod(self.root, 0o755)
        keygen(self.host_key)
        keygen(self.client_key)
        keygen(self.wrong_key)
        ports = free_ports(len(self.specs) * (2 if not self.shared_user else 1))
        for i, spec in enumerate(self.specs):
            user = self.shared_user or spec.user or f"cc-{spec.name}"
            home = _ensure_user(user)
            host = FleetHost(spec, user, ports[i], home)
            if not self.shared_user and "nginx" in spec.services:
                host.http_port = ports[len(self.specs) + i]
            host.server = Server(
                name=spec.name,
                hostname="127.0.0.1",
                ip_address="127.0.0.1",
                port=host.port,
                ssh_user=user,
                ssh_key_path=str(self.client_key),
                services=spec.services,
                tags=("fleet", spec.name.split("-")[0]),
            )
            self.hosts[spec.name] = host
        for user in {h.user for h in self.hosts.values()}:
            _authorize(user, Path(f"{self.client_key}.pub"))
        pub = Path(f"{self.host_key}.pub").read_text().split()
        self.known_hosts.write_text("".join(f"[127.0.0.1]:{h.port} {pub[0]} {pub[1]}\n" for h in self.hosts.values()))
        if not self.shared_user:
            for h in self.hosts.values():
                _start_supervisor(h)
            _allow_sudo({h.user: SUDO_ALLOWED for h in self.hosts.values() if h.name == "db-master"})
        self._start_sshd()
        return self

    def _start_sshd(self) -> None:
        Path("/run/sshd").mkdir(mode=0o755, exist_ok=True)
        hosts = list(self.hosts.values())
        for n in range(0, len(hosts), PORTS_PER_SSHD):
            group = hosts[n : n + PORTS_PER_SSHD]
            cfg = self.root / f"sshd_config.{n // PORTS_PER_SSHD}"
            users = " ".join(sorted({h.user for h in group}))
            cfg.write_text(
                "".join(f"ListenAddress 127.0.0.1:{h.port}\n" for h in group)
                + f"""\
HostKey {self.host_key}
PidFile {self.root}/sshd.{n // PORTS_PER_SSHD}.pid
UsePAM no
PasswordAuthentication no
KbdInteractiveAuthentication no
PubkeyAuthentication yes
PermitRootLogin no
AllowUsers {users}
StrictModes no
UseDNS no
PrintMotd no
PrintLastLog no
MaxStartups 2000
MaxSessions 64
MaxAuthTries 20
LoginGraceTime 30
LogLevel ERROR
"""
            )
            self._sshd.append(
                subprocess.Popen(
                    [SSHD, "-D", "-e", "-f", str(cfg)],
                    stdin=subprocess.DEVNULL,
                    stderr=open(self.root / "sshd.log", "ab"),  # noqa: SIM115
                )
            )
        for h in hosts:
            wait_until(lambda h=h: port_open(h.port), f"sshd on port {h.port}")  # type: ignore[misc]

    def stop(self) -> None:
        for p in self._sshd:
            p.terminate()
        for p in self._sshd:
            try:
                p.wait(timeout=5)
            except subprocess.TimeoutExpired:
                p.kill()
        self._sshd.clear()
        if not self.shared_user:
            for h in self.hosts.values():
                _stop_supervisor(h)

    def sshd_pids(self) -> list[int]:
        return [p.pid for p in self._sshd]

    def kill_sshd_sessions(self) -> None:
        """Kill every per-connection sshd child (connections drop), keep the listeners."""
        doomed: list[int] = []
        parents = list(self.sshd_pids())
        while parents:  # the [priv] child and its unprivileged session child: the whole tree below
            out = subprocess.run(["pgrep", "-P", str(parents.pop())], capture_output=True, text=True).stdout
            children = [int(c) for c in out.split()]
            doomed.extend(children)
            parents.extend(children)
        for pid in doomed:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)

    # ---- service helpers for tests ------------------------------------------------------------

    def supervisorctl(self, name: str, *args: str) -> str:
        h = self.hosts[name]
        return subprocess.run(
            ["supervisorctl", "-c", str(h.home / "supervisord.conf"), *args],
            capture_output=True,
            text=True,
            user=h.user,
            cwd=h.home,
        ).stdout

    @contextlib.contextmanager
    def broken_nginx(self, name: str) -> Iterator[None]:
        """`name`'s nginx.conf made invalid (an unknown directive `this_is_not_nginx`): nginx exits as soon as
        supervisord starts it, and is started again (a crash loop) at its next start. Restored afterwards,
        with nginx serving again."""
        h = self.hosts[name]
        conf = h.home / "nginx" / "nginx.conf"
        saved = conf.read_text()
        conf.write_text(saved.replace("worker_processes 1;", "worker_processes 1;\nthis_is_not_nginx on;"))
        try:
            yield
        finally:
            conf.write_text(saved)
            self.supervisorctl(name, "restart", "nginx")
            wait_until(lambda: port_open(h.http_port or 0), f"nginx of {name} serving again")

    def service_pid(self, name: str, service: str) -> int | None:
        out = self.supervisorctl(name, "pid", service).strip()
        return int(out) if out.isdigit() and int(out) > 0 else None

    def http_get(self, name: str) -> str | None:
        port = self.hosts[name].http_port
        try:
            with socket.create_connection(("127.0.0.1", port or 0), timeout=2) as s:
                s.sendall(b"GET / HTTP/1.0\r\nHost: x\r\n\r\n")
                data = b""
                while chunk := s.recv(65536):
                    data += chunk
                return data.decode("utf-8", "replace")
        except OSError:
            return None


SUDO_ALLOWED = "/usr/bin/id"  # the one command db-master's account may run as root (become tests)
SUDOERS = Path("/etc/sudoers.d/chatops-test-fleet")


def _allow_sudo(rules: dict[str, str]) -> None:
    """Passwordless sudo for exactly these (user → command) pairs; checked by visudo before it is installed."""
    text = "".join(f"{user} ALL=(root) NOPASSWD: {command}\n" for user, command in sorted(rules.items()))
    draft = SUDOERS.with_name(".chatops-test-fleet.draft")
    draft.write_text(text)
    draft.chmod(0o440)
    subprocess.run(["visudo", "-cqf", str(draft)], check=True)
    draft.replace(SUDOERS)


def _ensure_user(user: str) -> Path:
    try:
        pw = pwd.getpwnam(user)
    except KeyError:
        subprocess.run(["useradd", "-m", "-s", "/bin/sh", user], check=True)
        pw = pwd.getpwnam(user)
    subprocess.run(["usermod", "-p", "*", "-s", "/bin/sh", user], check=True)  # unlocked, no password
    home = Path(pw.pw_dir)
    home.mkdir(exist_ok=True)
    for rc in (".bashrc", ".profile", ".bash_logout"):
        (home / rc).unlink(missing_ok=True)
    return home


def _chown(path: Path, user: str) -> None:
    pw = pwd.getpwnam(user)
    os.chown(path, pw.pw_uid, pw.pw_gid)


def _authorize(user: str, pubkey: Path) -> None:
    home = Path(pwd.getpwnam(user).pw_dir)
    ssh = home / ".ssh"
    ssh.mkdir(mode=0o700, exist_ok=True)
    (ssh / "authorized_keys").write_text(pubkey.read_text())
    os.chmod(ssh / "authorized_keys", 0o600)
    for p in (home, ssh, ssh / "authorized_keys"):
        _chown(p, user)


def _start_supervisor(h: FleetHost) -> None:
    _stop_supervisor(h)
    home, u = h.home, h.user
    (home / "logs").mkdir(exist_ok=True)
    programs = []
    for svc in h.spec.services:
        if svc == "nginx":
            ng = home / "nginx"
            for d in (ng, ng / "html", ng / "tmp"):
                d.mkdir(exist_ok=True)
            (ng / "html" / "index.html").write_text(f"hello from {h.name}\n")
            temps = "".join(
                f"  {k}_temp_path {ng}/tmp/{k};\n" for k in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
            )
            (ng / "nginx.conf").write_text(f"""\
worker_processes 1;
daemon off;
pid {ng}/nginx.pid;
error_log /dev/stderr notice;
events {{ worker_connections 64; }}
http {{
  access_log {ng}/access.log;
{temps}  server {{ listen 127.0.0.1:{h.http_port}; root {ng}/html; }}
}}
""")
            cmd = f"/usr/sbin/nginx -p {ng}/ -c {ng}/nginx.conf -e /dev/stderr"
        else:
            cmd = f"/bin/sh -c 'echo {svc} ready; exec sleep 2147483647'"
        programs.append(
            f"[program:{svc}]\ncommand={cmd}\nredirect_stderr=true\nautorestart=true\n"
            f"startsecs=0\nstopasgroup=true\nkillasgroup=true\n"
        )
    conf = home / "supervisord.conf"
    conf.write_text(
        f"""\
[unix_http_server]
file={home}/supervisor.sock
chmod=0700
[supervisord]
logfile={home}/logs/supervisord.log
pidfile={home}/supervisord.pid
childlogdir={home}/logs
[rpcinterface:supervisor]
supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface
[supervisorctl]
serverurl=unix://{home}/supervisor.sock
"""
        + "".join(programs)
    )
    for p in home.rglob("*"):
        _chown(p, u)
    _chown(home, u)
    subprocess.run(
        ["supervisord", "-c", str(conf)],
        check=True,
        user=u,
        cwd=home,
        env={"HOME": str(home), "PATH": "/usr/sbin:/usr/bin:/bin"},
    )

    def running() -> bool:
        out = subprocess.run(
            ["supervisorctl", "-c", str(conf), "status"], capture_output=True, text=True, user=u, cwd=home
        ).stdout
        return out.count("RUNNING") == len(h.spec.services)

    wait_until(running, f"supervisord of {h.name}")
    if h.http_port:
        wait_until(lambda: port_open(h.http_port or 0), f"nginx of {h.name}")


def _stop_supervisor(h: FleetHost) -> None:
    pidfile = h.home / "supervisord.pid"
    if not pidfile.exists():
        return
    with contextlib.suppress(ValueError, ProcessLookupError):
        pid = int(pidfile.read_text().strip())
        os.kill(pid, signal.SIGTERM)

        def gone() -> bool:
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                return True
            return False

        with contextlib.suppress(TimeoutError):
            wait_until(gone, f"supervisord of {h.name} to stop", timeout=15)
    pidfile.unlink(missing_ok=True)
