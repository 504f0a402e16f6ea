"""SSHExecutor: asyncssh with a per-host connection pool and strict host-key checking.

Pool: connections are reused (several channels each), kept alive, evicted when idle, capped per
host, and replaced when found dead. Host keys: verified against known_hosts; a server whose
policy is TOFU is trusted on first use (fingerprint handed to a callback, then pinned); a key
neither known nor pinned is refused as `host_key_unknown` (with its fingerprint and the command that
trusts it); a key that differs from the known or pinned one is refused as `host_key_mismatch`.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import asyncssh

from chatops_commander.adapters.executors.output import capture, failure, result
from chatops_commander.domain.execution import CommandPlan, HostOutcome, RunResult, with_locale
from chatops_commander.domain.servers import HostKeyPolicy, Server
from chatops_commander.services.ports_execution import HostKeyCallback, OnLine

KeyProvider = Callable[[Server], Sequence[Any] | None]
"""Returns decrypted private keys (asyncssh.SSHKey) for a server, or None to use its key file / agent."""

SecretProvider = Callable[[Server], Awaitable[tuple[str, str] | None]]
"""Returns a server's stored secret as ("private_key", PEM text) or ("password", text), or None."""

RETRYABLE = (
    asyncssh.ConnectionLost,
    asyncssh.ChannelOpenError,
    asyncssh.DisconnectError,
    BrokenPipeError,
    ConnectionResetError,
)


# asyncssh's own order, AES-GCM first: AES runs in hardware on both ends, where chacha20-poly1305 costs the client
# a new cipher context per packet (about 15 % of a handshake's CPU on a 200-host fan-out, ADR 0012).
PREFERRED_CIPHERS = (
    "aes128-gcm@openssh.com", "aes256-gcm@openssh.com", "chacha20-poly1305@openssh.com",
    "aes256-ctr", "aes192-ctr", "aes128-ctr",
)


@dataclass
class SSHOptions:
    known_hosts: str = "~/.ssh/known_hosts"
    connect_timeout: float = 10.0
    keepalive_interval: float = 15.0
    keepalive_count_max: int = 3
    idle_timeout: float = 300.0
    max_connections_per_host: int = 2
    max_sessions_per_connection: int = 8
    max_parallel_connects: int = 100  # SSH handshakes in progress at once (sshd's MaxStartups drops beyond ~10/daemon)
    use_agent: bool = True
    key_provider: KeyProvider | None = None
    secret_provider: SecretProvider | None = None  # the registry's encrypted key or password
    on_new_host_key: HostKeyCallback | None = None
    extra: dict[str, Any] = field(default_factory=dict)  # passed to asyncssh.connect as is
    locale: str | None = "C"  # commands run under LC_ALL/LANG=<locale> (parsed output is never translated)


class HostKeyRefused(Exception):
    """The host offered a key that differs from the one in known_hosts or the pinned one."""


class HostKeyUnknown(Exception):
    """The host's key is neither in known_hosts nor pinned (policy known_hosts): nothing to compare it with."""

    def __init__(self, message: str, fingerprint: str) -> None:
        super().__init__(message)
        self.fingerprint = fingerprint


def unknown_host_key_message(name: str, fingerprint: str) -> str:
    return (
        f"the host key of {name} ({fingerprint}) is not in known_hosts nor pinned; I refused to connect. "
        f"Check it, then run `chatops servers trust {name}` / la clé d'hôte de {name} ({fingerprint}) n'est ni "
        f"dans known_hosts ni épinglée ; j'ai refusé de me connecter. Vérifiez-la, puis lancez "
        f"`chatops servers trust {name}`"
    )


class _Client(asyncssh.SSHClient):
    """Decides on keys that known_hosts does not list (TOFU or pinned fingerprint)."""

    def __init__(self, server: Server, pinned: str | None, known_listed: bool) -> None:
        self.server, self.pinned, self.known_listed = server, pinned, known_listed
        self.accepted: str | None = None
        self.unknown: str | None = None  # fingerprint of a key neither known nor pinned
        self.reason = ""

    def validate_host_public_key(self, host: str, addr: str, port: int, key: Any) -> bool:
        fp = key.get_fingerprint("sha256")
        if self.known_listed:
            self.reason = (
                f"the host key of {self.server.name} changed (now {fp}); I refused to connect / "
                f"la clé d'hôte de {self.server.name} a changé (maintenant {fp}) ; j'ai refusé "
                "de me connecter"
            )
            return False
        if self.pinned:
            if fp == self.pinned:
                return True
            self.reason = (
                f"the host key of {self.server.name} is {fp}, not the pinned {self.pinned}; "
                f"I refused to connect / la clé d'hôte de {self.server.name} est {fp}, pas "
                f"{self.pinned} ; j'ai refusé de me connecter"
            )
            return False
        if self.server.host_key_policy is HostKeyPolicy.TOFU:
            self.accepted = fp
            return True
        self.unknown = fp
        self.reason = unknown_host_key_message(self.server.name, fp)
        return False


@dataclass
class _Pooled:
    conn: Any
    in_use: int = 0
    last_used: float = field(default_factory=time.monotonic)
    retired: bool = False  # out of the pool (its last command timed out); aborted when its last channel ends

    @property
    def dead(self) -> bool:
        return bool(self.conn.is_closed())


@dataclass(eq=False)
class _Opening:
    """A connection being opened: `claims` callers wait for it, each holding one session slot."""

    claims: int = 0
    task: asyncio.Task[_Pooled] = field(init=False)


def _retrieved(task: asyncio.Task[Any]) -> None:
    """The opening's failure is handed to the callers waiting on it; none may be left (a warm-up, a give-up)."""
    if not task.cancelled():
        task.exception()


class SSHExecutor:
    def __init__(self, options: SSHOptions | None = None) -> None:
        self.opt = options or SSHOptions()
        self._pools: dict[tuple[str, int, str], list[_Pooled]] = {}
        self._opening: dict[tuple[str, int, str], list[_Opening]] = {}
        self._tasks: set[asyncio.Task[_Pooled]] = set()
        self._connect_slots = asyncio.Semaphore(self.opt.max_parallel_connects)
        self._closed = False
        self._cond: dict[tuple[str, int, str], asyncio.Condition] = {}
        self._keys: dict[str, Any] = {}
        self._known: Any = None
        self._known_mtime: float | None = None
        self._pinned: dict[str, str] = {}  # server name → fingerprint accepted on first use
        self.connects = 0  # counters for tests and metrics
        self.reconnects = 0
        self.retired = 0  # connections taken out of the pool after a timeout
        self.running = 0  # `run` calls in progress, and the most seen at once
        self.peak_running = 0

    # ---- public ----------------------------------------------------------------------------

    async def run(self, server: Server, plan: CommandPlan, *, on_line: OnLine | None = None) -> RunResult:
        """Run `plan` on `server`; the whole call (pool wait, connect, channel, command) ends by `plan.timeout_s`.

        A deadline passed on an open pooled connection ends as `timed_out`; that connection is retired
        (no new command uses it, it is aborted when its last channel ends) since it may be hung.
        """
        self.running += 1
        self.peak_running = max(self.peak_running, self.running)
        try:
            return await self._run(server, plan, on_line)
        finally:
            self.running -= 1

    async def _run(self, server: Server, plan: CommandPlan, on_line: OnLine | None) -> RunResult:
        started = time.monotonic()
        deadline = asyncio.get_running_loop().time() + plan.timeout_s
        for attempt in (0, 1):
            waiting = asyncio.timeout_at(deadline)
            try:
                async with waiting:
                    pooled, fresh = await self._acquire(server)
            except HostKeyUnknown as exc:
                return failure(server.name, HostOutcome.HOST_KEY_UNKNOWN, str(exc), started)
            except HostKeyRefused as exc:
                return failure(server.name, HostOutcome.HOST_KEY_MISMATCH, str(exc), started)
            except asyncssh.HostKeyNotVerifiable as exc:
                return failure(
                    server.name,
                    HostOutcome.HOST_KEY_MISMATCH,
                    f"host key not verifiable: {exc.reason}",
                    started,
                )
            except asyncssh.PermissionDenied as exc:
                return failure(
                    server.name,
                    HostOutcome.AUTH_FAILED,
                    f"authentication refused for {server.ssh_user}: {exc.reason} / authentification "
                    f"refusée pour {server.ssh_user}",
                    started,
                )
            except TimeoutError as exc:
                if waiting.expired():
                    return failure(server.name, HostOutcome.TIMED_OUT, _no_connection(server, plan), started)
                return _unreachable(server, exc, started)
            except (OSError, asyncssh.DisconnectError) as exc:
                return _unreachable(server, exc, started)
            except (ValueError, asyncssh.KeyImportError) as exc:
                return failure(
                    server.name, HostOutcome.ERROR, f"cannot connect: {exc} / connexion impossible : {exc}", started
                )
            try:
                return await self._exec(server, pooled, plan, on_line, started, deadline)
            except RETRYABLE as exc:
                self._drop(server, pooled)
                if fresh or attempt:
                    return failure(
                        server.name,
                        HostOutcome.UNREACHABLE,
                        f"connection lost: {_why(exc)} / connexion perdue",
                        started,
                    )
                self.reconnects += 1
            finally:
                await self._release(server, pooled)
        raise AssertionError("unreachable")  # pragma: no cover

    async def close(self) -> None:
        self._closed = True
        opening = list(self._tasks)
        for task in opening:
            task.cancel()
        await asyncio.gather(*opening, return_exceptions=True)  # unwound before the caller closes what they use
        conns = [p.conn for pool in self._pools.values() for p in pool]
        self._pools.clear()
        for c in conns:
            c.close()
        for c in conns:
            with contextlib.suppress(Exception):
                await c.wait_closed()

    def evict_idle(self, max_idle: float | None = None) -> int:
        """Close pooled connections idle for more than `max_idle` seconds (default: the option)."""
        limit = self.opt.idle_timeout if max_idle is None else max_idle
        now, n = time.monotonic(), 0
        for pool in self._pools.values():
            for p in list(pool):
                if p.in_use == 0 and (now - p.last_used >= limit or p.dead):
                    pool.remove(p)
                    p.conn.close()
                    n += 1
        return n

    def pooled_connections(self, server: Server) -> int:
        return len(self._pools.get(_key(server), []))

    # ---- pool --------------------------------------------------------------------------------

    async def _acquire(self, server: Server) -> tuple[_Pooled, bool]:
        """A pooled connection with a free session slot: an open one, a slot on one being opened (callers share
        a connection attempt, and its failure), or a new connection when the host's cap allows it."""
        key = _key(server)
        cond = self._cond.setdefault(key, asyncio.Condition())
        async with cond:
            while True:
                pool = self._pools.setdefault(key, [])
                for p in list(pool):
                    if p.dead:
                        pool.remove(p)
                    elif p.in_use < self.opt.max_sessions_per_connection:
                        p.in_use += 1
                        return p, False
                opening = self._opening.setdefault(key, [])
                joined = next((o for o in opening if o.claims < self.opt.max_sessions_per_connection), None)
                if joined is None and len(pool) + len(opening) < self.opt.max_connections_per_host:
                    joined = self._open(server, key)
                if joined is not None:
                    joined.claims += 1
                    break
                await cond.wait()
        return await self._join(joined), True

    async def _join(self, opening: _Opening) -> _Pooled:
        """Wait for a connection being opened on which this caller holds a claim (its slot)."""
        try:
            return await asyncio.shield(opening.task)
        except asyncio.CancelledError:
            task = opening.task
            if task.done() and not task.cancelled() and task.exception() is None:
                pooled = task.result()
                pooled.in_use -= 1  # opened meanwhile, with this claim counted: give the slot back
                pooled.last_used = time.monotonic()
            else:
                opening.claims -= 1
            current = asyncio.current_task()
            if task.cancelled() and (current is None or not current.cancelling()):
                raise OSError("the executor was closed while connecting") from None  # not this caller's cancel
            raise

    def _open(self, server: Server, key: tuple[str, int, str]) -> _Opening:
        """Start opening a connection in its own task (a caller that gives up does not cancel it for the others
        waiting on it); once open it joins the pool with one session per claim."""
        opening = _Opening()
        self._opening.setdefault(key, []).append(opening)

        async def run() -> _Pooled:
            conn: Any = None
            try:
                async with self._connect_slots:
                    conn = await self._connect(server)
                # From here to the pool without an await: the claims counted are exactly the slots taken.
                self._opening[key].remove(opening)
                pooled = _Pooled(conn, in_use=opening.claims)
                if self._closed:
                    conn.close()
                else:
                    self._pools.setdefault(key, []).append(pooled)
                return pooled
            except BaseException:
                with contextlib.suppress(ValueError):
                    self._opening[key].remove(opening)
                if conn is not None:
                    conn.close()  # cancelled (the executor closing) between the handshake and the pool
                raise
            finally:
                async with self._cond[key]:  # callers waiting for a free slot or a cap look again
                    self._cond[key].notify_all()

        opening.task = asyncio.get_running_loop().create_task(run())
        opening.task.add_done_callback(_retrieved)
        self._tasks.add(opening.task)
        opening.task.add_done_callback(self._tasks.discard)
        return opening

    async def warm(self, servers: Sequence[Server]) -> None:
        """Start opening a connection to each server that has none (nothing runs on them): commands sent next
        find it open or joining. Failures are not reported here; the command that needs the connection gets
        them as its outcome."""
        if self.opt.secret_provider is not None and servers and not self._closed:
            # Read here, in the caller's flow, what the background opens will ask for: the registry's provider
            # reads every server's secret in one query and keeps it for the burst, so no open is cancelled
            # (the executor closing) in the middle of a database read.
            with contextlib.suppress(Exception):
                await self.opt.secret_provider(servers[0])
        for server in servers:
            key = _key(server)
            cond = self._cond.setdefault(key, asyncio.Condition())
            async with cond:
                if self._closed or self._pools.get(key) or self._opening.get(key):
                    continue
                self._open(server, key)

    async def _release(self, server: Server, pooled: _Pooled) -> None:
        pooled.in_use -= 1
        pooled.last_used = time.monotonic()
        if pooled.retired and pooled.in_use == 0:
            pooled.conn.abort()
        cond = self._cond.get(_key(server))
        if cond is not None:
            async with cond:
                cond.notify_all()

    def _retire(self, server: Server, pooled: _Pooled) -> None:
        """Take a connection that may be hung out of the pool; `_release` aborts it once no channel uses it."""
        pool = self._pools.get(_key(server), [])
        if pooled in pool:
            pool.remove(pooled)
        if not pooled.retired:
            pooled.retired = True
            self.retired += 1

    def _drop(self, server: Server, pooled: _Pooled) -> None:
        pool = self._pools.get(_key(server), [])
        if pooled in pool:
            pool.remove(pooled)
        pooled.conn.close()

    # ---- connecting ----------------------------------------------------------------------------

    def _known_hosts(self) -> Any:
        path = os.path.expanduser(self.opt.known_hosts)
        try:
            mtime = os.stat(path).st_mtime
        except OSError:
            return None
        if self._known is None or mtime != self._known_mtime:
            self._known, self._known_mtime = asyncssh.read_known_hosts(path), mtime
        return self._known

    def _client_keys(self, server: Server) -> Sequence[Any] | None:
        if self.opt.key_provider is not None:
            keys = self.opt.key_provider(server)
            if keys:
                return keys
        if server.ssh_key_path:
            path = os.path.expanduser(server.ssh_key_path)
            if path not in self._keys:
                self._keys[path] = asyncssh.read_private_key(path)
            return [self._keys[path]]
        return None

    async def _connect(self, server: Server) -> Any:
        known = self._known_hosts()
        port = server.port if server.port != 22 else None
        trusted: tuple[list[Any], list[Any], list[Any]] = ([], [], [])
        if known is not None:
            host_keys, ca_keys, revoked = known.match(server.hostname, server.ip_address, port)[:3]
            trusted = (list(host_keys), list(ca_keys), list(revoked))
        pinned = server.host_key_fingerprint or self._pinned.get(server.name)
        client = _Client(server, pinned, known_listed=bool(trusted[0] or trusted[1]))
        keys = self._client_keys(server)
        password: str | None = None
        if self.opt.secret_provider is not None:
            secret = await self.opt.secret_provider(server)
            if secret is not None and secret[0] == "private_key":
                keys = [asyncssh.import_private_key(secret[1])]
            elif secret is not None and secret[0] == "password":
                password = secret[1]
        kwargs: dict[str, Any] = dict(
            port=server.port,
            username=server.ssh_user,
            known_hosts=trusted,
            client_factory=lambda: client,
            connect_timeout=self.opt.connect_timeout,
            keepalive_interval=self.opt.keepalive_interval,
            keepalive_count_max=self.opt.keepalive_count_max,
            config=None,
            preferred_auth="publickey",
            encryption_algs=PREFERRED_CIPHERS,
        )
        if password is not None:
            kwargs.update(password=password, preferred_auth="publickey,keyboard-interactive,password")
        if keys is not None:
            kwargs.update(client_keys=keys, agent_path=None)
        elif not self.opt.use_agent:
            kwargs.update(agent_path=None)
        kwargs.update(self.opt.extra)
        self.connects += 1
        try:
            conn = await asyncssh.connect(server.ip_address, **kwargs)
        except asyncssh.HostKeyNotVerifiable:
            if client.unknown:
                raise HostKeyUnknown(client.reason, client.unknown) from None
            if client.reason:
                raise HostKeyRefused(client.reason) from None
            raise
        if client.accepted and not pinned:
            self._pinned[server.name] = client.accepted
            if self.opt.on_new_host_key is not None:
                self.opt.on_new_host_key(server, client.accepted)
        return conn

    # ---- running ---------------------------------------------------------------------------

    async def _exec(
        self,
        server: Server,
        pooled: _Pooled,
        plan: CommandPlan,
        on_line: OnLine | None,
        started: float,
        deadline: float,
    ) -> RunResult:
        line = with_locale(plan.render(), self.opt.locale)
        opening = asyncio.timeout_at(deadline)
        try:
            async with opening:
                proc = await pooled.conn.create_process(line, encoding=None, stdin=asyncssh.DEVNULL)
        except TimeoutError:
            if not opening.expired():
                raise
            self._retire(server, pooled)  # the server never answered the channel request: the connection hangs
            return failure(server.name, HostOutcome.TIMED_OUT, _hung_connection(server, plan), started)
        remaining = max(0.0, deadline - asyncio.get_running_loop().time())
        got = await capture(server.name, on_line, proc.stdout.read, proc.stderr.read, stop=lambda: _stop(proc),
                            wait=proc.wait_closed, timeout_s=remaining)
        timed_out, overflow = got.timed_out, got.overflow
        if timed_out:
            self._retire(server, pooled)  # signal and close were sent; a hung connection would not carry them
        code = proc.exit_status if not (timed_out or overflow) else None
        if code is None and not (timed_out or overflow) and proc.exit_signal:
            code = 128 + 9
        return result(server.name, plan, started, got.out, got.err, exit_code=code, timed_out=timed_out,
                      overflow=overflow)


def known_host_fingerprints(known_hosts: str, server: Server) -> list[str]:
    """SHA256 fingerprints that the known_hosts file lists for `server` (matched as the executor matches it)."""
    path = os.path.expanduser(known_hosts)
    if not os.path.exists(path):
        return []
    port = server.port if server.port != 22 else None
    host_keys = asyncssh.read_known_hosts(path).match(server.hostname, server.ip_address, port)[0]
    return [str(k.get_fingerprint("sha256")) for k in host_keys]


async def offered_host_key(server: Server, *, timeout_s: float = 10.0) -> str:
    """The SHA256 fingerprint of the key `server` offers, without authenticating; OSError when unreachable."""
    try:
        async with asyncio.timeout(timeout_s):
            key = await asyncssh.get_server_host_key(server.ip_address, server.port, config=None)
    except (asyncssh.Error, TimeoutError) as exc:
        raise OSError(_why(exc)) from exc
    if key is None:
        raise OSError("no host key offered")
    return str(key.get_fingerprint("sha256"))


def _stop(proc: Any) -> None:
    with contextlib.suppress(Exception):
        proc.send_signal("KILL")
    with contextlib.suppress(Exception):
        proc.close()


def _key(server: Server) -> tuple[str, int, str]:
    return (server.ip_address, server.port, server.ssh_user)


def _unreachable(server: Server, exc: BaseException, started: float) -> RunResult:
    return failure(
        server.name,
        HostOutcome.UNREACHABLE,
        f"cannot reach {server.ip_address}:{server.port}: {_why(exc)} / {server.name} injoignable",
        started,
    )


def _no_connection(server: Server, plan: CommandPlan) -> str:
    t = f"{plan.timeout_s:g}"
    return (
        f"no SSH connection to {server.name} became available within {t} s; nothing ran / "
        f"aucune connexion SSH vers {server.name} disponible en {t} s ; rien n'a été lancé"
    )


def _hung_connection(server: Server, plan: CommandPlan) -> str:
    t = f"{plan.timeout_s:g}"
    return (
        f"{server.name} did not answer within {t} s on its open connection; I closed that connection "
        f"(the command may not have started) / {server.name} n'a pas répondu en {t} s sur sa connexion "
        "ouverte ; j'ai fermé cette connexion (la commande n'a peut-être pas démarré)"
    )


def _why(exc: BaseException) -> str:
    text = str(exc) or type(exc).__name__
    return text if not isinstance(exc, TimeoutError) else "timed out"
