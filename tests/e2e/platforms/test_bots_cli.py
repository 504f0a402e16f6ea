"""`chatops bots link|channel|secret`: admins map chat users, set channel policies and seal platform secrets."""

from __future__ import annotations

import asyncio
from pathlib import Path

from chatops_commander import bootstrap, bootstrap_platforms
from chatops_commander.config import load_settings
from tests.e2e.cli import chatops


def test_link_import_list_remove_and_errors_with_their_line(data_dir: Path, tmp_path: Path) -> None:
    assert chatops("users", "add", "alice@example.com", "--role", "operator", "--password-stdin",
                   stdin="a-Long-passw0rd-for-tests\n")[0] == 0
    bad = tmp_path / "bad.csv"
    bad.write_text("platform,user_id,email\nslack,U1,alice@example.com\nirc,U2,bob@example.com\nslack,U3,x@example.com\n")
    code, out = chatops("bots", "link", "import", str(bad))
    assert code != 0 and "line 3: Unknown platform 'irc'" in out and "Traceback" not in out
    code, out = chatops("bots", "link", "list")
    assert code == 0 and "U1" not in out  # nothing was kept
    good = tmp_path / "good.csv"
    good.write_text("slack,U1,alice@example.com\n")
    code, out = chatops("bots", "link", "import", str(good))
    assert code == 0 and "1 chat identity linked" in out, out
    code, out = chatops("bots", "link", "list")
    assert code == 0 and "U1" in out and "alice@example.com" in out
    code, out = chatops("bots", "link", "remove", "slack", "U1")
    assert code == 0 and "unlinked" in out
    code, out = chatops("bots", "link", "remove", "slack", "U1")
    assert code != 0 and "No slack user U1 is linked" in out
    code, out = chatops("bots", "link", "import", str(tmp_path / "missing.csv"))
    assert code != 0 and "cannot read" in out


def test_channel_policies_and_a_bad_risk_is_a_clear_error(data_dir: Path) -> None:
    code, out = chatops("bots", "channel", "set", "slack", "C1", "--actions", "service.*,server.*", "--tags", "web",
                        "--max-risk", "medium")
    assert code == 0 and "service.*, server.*" in out and "max risk medium" in out
    code, out = chatops("bots", "channel", "show", "slack", "C1")
    assert code == 0 and "tags web" in out
    code, out = chatops("bots", "channel", "show", "slack", "C2")
    assert code == 0 and "no policy" in out
    code, out = chatops("bots", "channel", "set", "slack", "C1", "--max-risk", "extreme")
    assert code != 0 and "Unknown risk 'extreme'" in out
    code, out = chatops("bots", "channel", "set", "teamspeak", "C1")
    assert code != 0 and "unknown platform" in out
    code, out = chatops("bots", "channel", "list")
    assert code == 0 and "C1" in out


def test_a_sealed_secret_is_not_stored_in_clear_and_reads_back(data_dir: Path) -> None:
    code, out = chatops("bots", "secret", "set", "slack", "bot_token", "--stdin", stdin="xoxb-sealed-value\n")
    assert code == 0 and "sealed" in out
    code, out = chatops("bots", "secret", "set", "slack", "password", "--stdin", stdin="x\n")
    assert code != 0 and "unknown secret" in out
    assert b"xoxb-sealed-value" not in (data_dir / "chatops.db").read_bytes()

    async def read() -> str | None:
        container = await bootstrap.build(load_settings())
        try:
            ps = bootstrap_platforms.PlatformSettings(_env_file=None)  # type: ignore[call-arg]
            return await bootstrap_platforms.platform_secret(container, ps, "slack", "bot_token")
        finally:
            await container.aclose()

    assert asyncio.run(read()) == "xoxb-sealed-value"
