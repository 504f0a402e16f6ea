"""Access tokens: HS256 JWTs (PyJWT) with a `kid` header, 15-minute lifetime.

Claims: iss, sub (user id), role, type ("access"), jti, iat, nbf, exp — all required. The
verifier accepts HS256 only (alg=none and every other algorithm are refused before any key
is used), looks the key up by `kid` (several keys allow rotation), and checks times against
the injected `now`.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt

from chatops_commander.domain.roles import Role
from chatops_commander.domain.security.errors import CredentialRejected, rejected

ALGORITHM = "HS256"
ACCESS_TTL = timedelta(minutes=15)
ISSUER = "chatops-commander"
REQUIRED_CLAIMS = ("iss", "sub", "role", "type", "jti", "iat", "nbf", "exp")
MIN_KEY_BYTES = 32
CLOCK_SKEW = timedelta(seconds=30)
ACCESS = "access"  # the `type` claim of access tokens


@dataclass(frozen=True)
class TokenClaims:
    subject: str
    role: Role
    token_type: str
    jti: str
    issued_at: datetime
    not_before: datetime
    expires_at: datetime
    kid: str


def _invalid(reason: str, en: str, fr: str) -> CredentialRejected:
    return rejected(reason, f"Invalid access token: {en}.", f"Jeton d'accès invalide : {fr}.")


def _expired() -> CredentialRejected:
    return rejected("token_expired", "Your access token has expired; refresh it or log in again.",
                    "Votre jeton d'accès a expiré ; rafraîchissez-le ou reconnectez-vous.")


class JwtCodec:
    def __init__(self, keys: Mapping[str, bytes], current_kid: str, *,
                 access_ttl: timedelta = ACCESS_TTL, issuer: str = ISSUER) -> None:
        if current_kid not in keys:
            raise ValueError(f"no signing key with kid {current_kid!r}")
        if any(len(k) < MIN_KEY_BYTES for k in keys.values()):
            raise ValueError(f"every JWT key must be at least {MIN_KEY_BYTES} bytes")
        self._keys = dict(keys)
        self._kid = current_kid
        self._ttl = access_ttl
        self._issuer = issuer

    def issue(self, *, subject: str, role: Role, now: datetime, token_type: str = ACCESS,
              ttl: timedelta | None = None, jti: str | None = None) -> str:
        stamp = int(now.timestamp())
        claims: dict[str, Any] = {
            "iss": self._issuer, "sub": subject, "role": role.value, "type": token_type,
            "jti": jti or uuid.uuid4().hex, "iat": stamp, "nbf": stamp,
            "exp": stamp + int((ttl or self._ttl).total_seconds()),
        }
        return jwt.encode(claims, self._keys[self._kid], algorithm=ALGORITHM, headers={"kid": self._kid})

    def verify(self, token: str, *, now: datetime, expected_type: str = ACCESS) -> TokenClaims:
        """The token's claims, or `CredentialRejected` saying why (never echoing the token)."""
        try:
            header = jwt.get_unverified_header(token)
        except jwt.InvalidTokenError:
            raise _invalid("token_malformed", "it is not a well-formed JWT",
                           "ce n'est pas un JWT bien formé") from None
        if header.get("alg") != ALGORITHM:
            raise _invalid("token_bad_algorithm", "only HS256-signed tokens are accepted",
                           "seuls les jetons signés en HS256 sont acceptés")
        kid = header.get("kid")
        if not isinstance(kid, str) or kid not in self._keys:
            raise _invalid("token_unknown_key", "it names no known signing key",
                           "il ne désigne aucune clé de signature connue")
        claims = self._decode(token, self._keys[kid])
        return self._check(claims, kid=kid, now=now, expected_type=expected_type)

    def _decode(self, token: str, key: bytes) -> dict[str, Any]:
        try:
            return jwt.decode(
                token, key, algorithms=[ALGORITHM], issuer=self._issuer,
                options={"verify_exp": False, "verify_nbf": False, "verify_iat": False,
                         "require": list(REQUIRED_CLAIMS)})
        except jwt.InvalidSignatureError:
            raise _invalid("token_bad_signature", "its signature does not match",
                           "sa signature ne correspond pas") from None
        except jwt.MissingRequiredClaimError as exc:
            raise _invalid("token_missing_claim", f"the {exc.claim!r} claim is missing",
                           f"la revendication {exc.claim!r} manque") from None
        except jwt.InvalidIssuerError:
            raise _invalid("token_bad_issuer", "it was not issued by this server",
                           "il n'a pas été émis par ce serveur") from None
        except jwt.InvalidTokenError:
            raise _invalid("token_malformed", "its content cannot be read",
                           "son contenu est illisible") from None

    def _check(self, claims: dict[str, Any], *, kid: str, now: datetime, expected_type: str) -> TokenClaims:
        try:
            iat, nbf, exp = (datetime.fromtimestamp(int(claims[c]), UTC) for c in ("iat", "nbf", "exp"))
            role = Role(claims["role"])
            subject, jti, token_type = str(claims["sub"]), str(claims["jti"]), str(claims["type"])
        except (TypeError, ValueError, OverflowError):
            raise _invalid("token_bad_claim", "a claim has an invalid value",
                           "une revendication a une valeur invalide") from None
        if token_type != expected_type:
            raise _invalid("token_wrong_type", f"a {expected_type} token is needed",
                           f"il faut un jeton de type {expected_type}")
        if now >= exp:
            raise _expired()
        if now + CLOCK_SKEW < nbf or now + CLOCK_SKEW < iat:
            raise _invalid("token_not_yet_valid", "it is not valid yet", "il n'est pas encore valide")
        return TokenClaims(subject=subject, role=role, token_type=token_type, jti=jti,
                           issued_at=iat, not_before=nbf, expires_at=exp, kid=kid)
