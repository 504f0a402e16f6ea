"""`chatops keys rotate`: a new encryption key, every secret at rest re-encrypted under it."""

from __future__ import annotations

from chatops_commander import bootstrap
from chatops_commander.entrypoints.cli.common import cli_principal, console, run_with_container, tr


def rotate() -> None:
    """Re-encrypt every stored secret (SSH keys/passwords, TOTP secrets) under a new key (audited)."""
    report = run_with_container(lambda c: bootstrap.rotate_keys(c, cli_principal()))
    console.print(tr(f"✅ Key {report.kid} is now current: {report.servers} server secret(s) and "
                     f"{report.totp_secrets} TOTP secret(s) re-encrypted.",
                     f"✅ La clé {report.kid} est maintenant active : {report.servers} secret(s) de serveur et "
                     f"{report.totp_secrets} secret(s) TOTP rechiffrés."))
