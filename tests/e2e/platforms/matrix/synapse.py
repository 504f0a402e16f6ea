"""A real Synapse homeserver for the Matrix tests: SQLite, one loopback port, no federation, no outbound traffic.

Synapse lives in its own virtualenv (`.venv-synapse/`, made by scripts/install-test-deps.sh) so its pins never
touch the product's `.venv`. `Homeserver.start()` writes a config, generates the signing key, starts Synapse,
polls `/_matrix/client/versions` with a deadline; `register()` uses the shared-secret registration API.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import signal
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import httpx
from bench.results import free_port

ROOT = Path(__file__).resolve().parents[4]
SYNAPSE_PYTHON = Path(os.environ.get("CHATOPS_TEST_SYNAPSE_PYTHON", ROOT / ".venv-synapse" / "bin" / "python"))
SERVER_NAME = "chatops.test"
START_DEADLINE_S = 120.0

# Everything a test can do quickly must not be throttled; federation and outbound lookups are off.
_RELAXED = {"per_second": 1000, "burst_count": 1000}
CONFIG = """\
server_name: "{server_name}"
pid_file: "{dir}/homeserver.pid"
public_baseurl: "{base_url}/"
listeners:
  - port: {port}
    bind_addresses: ["127.0.0.1"]
    type: http
    tls: false
    x_forwarded: false
    resources:
      - names: [client]
        compress: false
database:
  name: sqlite3
  args:
    database: "{dir}/homeserver.db"
log_config: "{dir}/log.config"
media_store_path: "{dir}/media_store"
signing_key_path: "{dir}/signing.key"
registration_shared_secret: "{secret}"
macaroon_secret_key: "{macaroon}"
form_secret: "{form}"
report_stats: false
enable_registration: false
enable_metrics: false
presence:
  enabled: false
url_preview_enabled: false
trusted_key_servers: []
suppress_key_server_warning: true
federation_domain_whitelist: []
allow_public_rooms_over_federation: false
rc_message: {relaxed}
rc_room_creation: {relaxed}
rc_presence:
  per_user: {relaxed}
rc_registration: {relaxed}
rc_joins:
  local: {relaxed}
  remote: {relaxed}
rc_joins_per_room: {relaxed}
rc_invites:
  per_room: {relaxed}
  per_user: {relaxed}
  per_issuer: {relaxed}
rc_login:
  address: {relaxed}
  account: {relaxed}
  failed_attempts: {relaxed}
rc_admin_redaction: {relaxed}
rc_3pid_validation: {relaxed}
"""
LOG_CONFIG = """\
version: 1
formatters:
  plain:
    format: "%(asctime)s %(name)s %(levelname)s %(message)s"
handlers:
  file:
    class: logging.FileHandler
    filename: "{dir}/homeserver.log"
    formatter: plain
root:
  level: WARNING
  handlers: [file]
disable_existing_loggers: false
"""


def available() -> bool:
    return SYNAPSE_PYTHON.exists()


@dataclass(frozen=True)
class Account:
    user_id: str
    access_token: str
    password: str


class Homeserver:
    def __init__(self, directory: Path) -> None:
        self.dir = directory
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.secret = secrets.token_hex(16)
        self.process: subprocess.Popen[bytes] | None = None
        self.started_in_s = 0.0

    def start(self) -> None:
        self.dir.mkdir(parents=True, exist_ok=True)
        config = self.dir / "homeserver.yaml"
        config.write_text(CONFIG.format(server_name=SERVER_NAME, dir=self.dir, base_url=self.base_url,
                                        port=self.port, secret=self.secret, macaroon=secrets.token_hex(16),
                                        form=secrets.token_hex(16), relaxed=_RELAXED))
        (self.dir / "log.config").write_text(LOG_CONFIG.format(dir=self.dir))
        began = time.monotonic()
        subprocess.run([str(SYNAPSE_PYTHON), "-m", "synapse.app.homeserver", "-c", str(config), "--generate-keys"],
                       check=True, capture_output=True, stdin=subprocess.DEVNULL, timeout=120)
        out = (self.dir / "stdout.log").open("wb")
        self.process = subprocess.Popen(
            [str(SYNAPSE_PYTHON), "-m", "synapse.app.homeserver", "-c", str(config)],
            stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True)
        deadline = time.monotonic() + START_DEADLINE_S
        while True:
            if self.process.poll() is not None:
                raise RuntimeError(f"Synapse exited with {self.process.returncode}: {self._tail()}")
            try:
                if httpx.get(f"{self.base_url}/_matrix/client/versions", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"Synapse did not answer within {START_DEADLINE_S:.0f} s: {self._tail()}")
            time.sleep(0.1)
        self.started_in_s = time.monotonic() - began

    def _tail(self) -> str:
        text = ""
        for name in ("stdout.log", "homeserver.log"):
            path = self.dir / name
            if path.exists():
                text += path.read_text(errors="replace")[-2000:]
        return text

    def register(self, localpart: str, *, admin: bool = False) -> Account:
        """The shared-secret registration API (HMAC-SHA1 over nonce, user, password, admin flag)."""
        url = f"{self.base_url}/_synapse/admin/v1/register"
        nonce = httpx.get(url, timeout=10).json()["nonce"]
        password = secrets.token_urlsafe(12)
        mac = hmac.new(self.secret.encode(), digestmod=hashlib.sha1)
        for part in (nonce, localpart, password, "admin" if admin else "notadmin"):
            if part != nonce:
                mac.update(b"\x00")
            mac.update(part.encode())
        response = httpx.post(url, json={"nonce": nonce, "username": localpart, "password": password,
                                         "admin": admin, "mac": mac.hexdigest()}, timeout=30)
        response.raise_for_status()
        body = response.json()
        return Account(user_id=body["user_id"], access_token=body["access_token"], password=password)

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=15)
