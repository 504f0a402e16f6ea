"""Matrix adapter: a bot user in rooms and direct messages, cards answered by reaction or reply (ADR 0016).

`run_matrix_bot(settings, door)` runs the bot until cancelled; `matrix_bot(settings, door)` builds it for
`chatops bots run matrix` (bootstrap_platforms). Importing this package does not import the Matrix library
(mautrix, aiohttp): `bot.py` imports it when the bot runs.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from pydantic import SecretStr

    from chatops_commander.adapters.platforms.matrix.bot import MatrixBot, MatrixConfig
    from chatops_commander.services.platforms.contract import PlatformDoor
    from chatops_commander.services.platforms.ports import CardStore

__all__ = ["MatrixSettings", "matrix_bot", "matrix_config", "run_matrix_bot"]


class MatrixSettings(Protocol):
    """The `CHATOPS_MATRIX_*` settings (bootstrap_platforms.PlatformSettings has them)."""

    @property
    def matrix_homeserver(self) -> str | None: ...
    @property
    def matrix_user_id(self) -> str | None: ...
    @property
    def matrix_access_token(self) -> SecretStr | None: ...
    @property
    def matrix_rooms(self) -> list[str]: ...


def matrix_config(settings: MatrixSettings, *, access_token: str | None = None) -> MatrixConfig:
    """The bot's configuration; `access_token` (e.g. sealed in the database) is used when the environment has
    none. Raises `MatrixBotError` (EN/FR) naming what is missing or malformed."""
    from chatops_commander.adapters.platforms.matrix.bot import MatrixBotError, MatrixConfig

    token = settings.matrix_access_token.get_secret_value() if settings.matrix_access_token else access_token or ""
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


def matrix_bot(settings: MatrixSettings, door: PlatformDoor, *, access_token: str | None = None,
               store: CardStore | None = None) -> MatrixBot:
    """The bot; `store` keeps its cards across restarts (the platform store; without it, in memory only)."""
    from chatops_commander.adapters.platforms.matrix.bot import MatrixBot

    return MatrixBot(matrix_config(settings, access_token=access_token), door, store=store)


async def run_matrix_bot(settings: MatrixSettings, door: PlatformDoor, *, access_token: str | None = None,
                         store: CardStore | None = None) -> None:
    """Run the Matrix bot for `door` until cancelled; sync errors are retried with backoff; raises
    `MatrixBotError` when the settings or the access token cannot work."""
    await matrix_bot(settings, door, access_token=access_token, store=store).run()
