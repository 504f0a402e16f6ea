"""Matrix adapter: a bot user in rooms and direct messages, cards answered by reaction or reply (ADR 0016).

`run_matrix_bot(settings, door)` is the entry `chatops bots run matrix` calls. Importing this package does not
import the Matrix library (mautrix, aiohttp): `bot.py` imports it when the bot runs.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from chatops_commander.adapters.platforms.matrix.bot import MatrixConfig
    from chatops_commander.config import Settings
    from chatops_commander.services.platforms.contract import PlatformDoor

__all__ = ["matrix_config", "run_matrix_bot"]


def matrix_config(settings: Settings) -> MatrixConfig:
    """The bot's configuration from `CHATOPS_MATRIX_*`; `MatrixBotError` (EN/FR) names what is missing."""
    from chatops_commander.adapters.platforms.matrix.bot import MatrixBotError, MatrixConfig

    token = settings.matrix_access_token.get_secret_value() if settings.matrix_access_token else ""
    missing = [name for name, value in (("CHATOPS_MATRIX_HOMESERVER", settings.matrix_homeserver),
                                        ("CHATOPS_MATRIX_USER_ID", settings.matrix_user_id),
                                        ("CHATOPS_MATRIX_ACCESS_TOKEN", token)) if not value]
    if missing:
        names = ", ".join(missing)
        raise MatrixBotError(f"The Matrix bot needs {names} (see docs/platforms/matrix.md). / "
                             f"Le bot Matrix a besoin de {names} (voir docs/platforms/matrix.md).")
    homeserver = str(settings.matrix_homeserver)
    if not homeserver.startswith(("http://", "https://")):
        raise MatrixBotError(f"CHATOPS_MATRIX_HOMESERVER must be the homeserver's URL (https://…), not {homeserver!r}."
                             f" / CHATOPS_MATRIX_HOMESERVER doit être l'URL du serveur (https://…).")
    user_id = str(settings.matrix_user_id)
    if not (user_id.startswith("@") and ":" in user_id):
        raise MatrixBotError(f"CHATOPS_MATRIX_USER_ID must look like @chatops:example.org, not {user_id!r}. / "
                             f"CHATOPS_MATRIX_USER_ID doit ressembler à @chatops:example.org.")
    return MatrixConfig(homeserver=homeserver.rstrip("/"), user_id=user_id, access_token=token,
                        rooms=tuple(settings.matrix_rooms))


async def run_matrix_bot(settings: Settings, door: PlatformDoor) -> None:
    """Run the Matrix bot for `door` until cancelled; reconnects with backoff, raises `MatrixBotError` when the
    settings or the access token cannot work."""
    from chatops_commander.adapters.platforms.matrix.bot import run_bot

    await run_bot(matrix_config(settings), door)
