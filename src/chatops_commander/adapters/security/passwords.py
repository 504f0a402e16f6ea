"""argon2id password hashing (argon2-cffi): hash, verify, rehash when parameters change."""

from __future__ import annotations

from argon2 import PasswordHasher as _Argon2
from argon2 import Type
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from chatops_commander.domain.security.errors import CredentialRejected, rejected

# OWASP-recommended argon2id settings (second option: m=64 MiB, t=3, p=4 is argon2-cffi's default).
DEFAULT_TIME_COST = 3
DEFAULT_MEMORY_KIB = 64 * 1024
DEFAULT_PARALLELISM = 4


def login_refused() -> CredentialRejected:
    """One message for unknown e-mail and wrong password alike (no account enumeration)."""
    return rejected("bad_credentials", "Wrong e-mail or password.", "E-mail ou mot de passe incorrect.")


class Argon2PasswordHasher:
    def __init__(self, *, time_cost: int = DEFAULT_TIME_COST, memory_cost_kib: int = DEFAULT_MEMORY_KIB,
                 parallelism: int = DEFAULT_PARALLELISM) -> None:
        self._hasher = _Argon2(time_cost=time_cost, memory_cost=memory_cost_kib,
                               parallelism=parallelism, type=Type.ID)
        self._dummy_hash: str | None = None

    def hash(self, password: str) -> str:
        return self._hasher.hash(password)

    def verify(self, stored_hash: str, password: str) -> bool:
        """True on a match; False on a mismatch or an unreadable stored hash (never raises)."""
        try:
            return self._hasher.verify(stored_hash, password)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False

    def needs_rehash(self, stored_hash: str) -> bool:
        """True when the hash was made with other parameters: rehash after a successful login."""
        try:
            return self._hasher.check_needs_rehash(stored_hash)
        except (InvalidHashError, ValueError):
            return True

    def burn(self, password: str) -> None:
        """Spend the cost of a verification when the account does not exist (timing parity)."""
        if self._dummy_hash is None:
            self._dummy_hash = self._hasher.hash("chatops-commander-timing-parity")
        self.verify(self._dummy_hash, password)
