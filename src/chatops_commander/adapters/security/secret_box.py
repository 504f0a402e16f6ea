"""Secrets at rest: AES-256-GCM (cryptography's AESGCM) with a keyring for rotation.

Ciphertext format: `v1:<kid>:<b64url nonce>:<b64url ciphertext+tag>` — a 96-bit random nonce
per message, the key id in clear so any key of the keyring can decrypt, and associated data
(e.g. the server id) binding a ciphertext to its owner. The version and kid are authenticated
too. Errors never contain plaintext, ciphertext or keys.
"""

from __future__ import annotations

import base64
import binascii
import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from chatops_commander.adapters.security.keys import KEY_BYTES, check_kid, decode_key
from chatops_commander.domain.security.errors import SecretUnreadable

VERSION = "v1"
NONCE_BYTES = 12


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _unreadable(reason: str, en: str, fr: str) -> SecretUnreadable:
    return SecretUnreadable(reason, f"A stored secret cannot be decrypted: {en}.",
                            message_fr=f"Un secret stocké ne peut pas être déchiffré : {fr}.")


@dataclass(frozen=True)
class Keyring:
    """Keys by kid; `current_kid` encrypts, every key decrypts."""

    keys: Mapping[str, bytes]
    current_kid: str

    def __post_init__(self) -> None:
        if self.current_kid not in self.keys:
            raise ValueError(f"the keyring has no key {self.current_kid!r}")
        for kid, key in self.keys.items():
            check_kid(kid)
            if len(key) != KEY_BYTES:
                raise ValueError(f"key {kid!r} must be {KEY_BYTES} bytes (AES-256)")

    @classmethod
    def from_encoded(cls, encoded: Mapping[str, str], current_kid: str) -> Keyring:
        """From configuration: kid → base64url key (each checked by `decode_key`)."""
        return cls({kid: decode_key(f"key {kid}", value) for kid, value in encoded.items()}, current_kid)

    def with_new_current(self, kid: str, key: bytes) -> Keyring:
        return Keyring({**self.keys, kid: key}, kid)


def _aad(kid: str, associated_data: bytes) -> bytes:
    return f"{VERSION}:{kid}:".encode("ascii") + associated_data


class SecretBox:
    def __init__(self, keyring: Keyring) -> None:
        self.keyring = keyring

    def encrypt(self, plaintext: str | bytes, *, associated_data: bytes = b"") -> str:
        data = plaintext.encode("utf-8") if isinstance(plaintext, str) else plaintext
        kid = self.keyring.current_kid
        nonce = secrets.token_bytes(NONCE_BYTES)
        sealed = AESGCM(self.keyring.keys[kid]).encrypt(nonce, data, _aad(kid, associated_data))
        return f"{VERSION}:{kid}:{_b64(nonce)}:{_b64(sealed)}"

    def decrypt(self, token: str, *, associated_data: bytes = b"") -> bytes:
        kid, nonce, sealed = self._parse(token)
        key = self.keyring.keys.get(kid)
        if key is None:
            raise _unreadable("unknown_key", f"key {kid!r} is not in the keyring",
                              f"la clé {kid!r} n'est pas dans le trousseau")
        try:
            return AESGCM(key).decrypt(nonce, sealed, _aad(kid, associated_data))
        except InvalidTag:
            raise _unreadable("tampered", "it was altered, or belongs to another record",
                              "il a été modifié, ou appartient à un autre enregistrement") from None

    def decrypt_text(self, token: str, *, associated_data: bytes = b"") -> str:
        return self.decrypt(token, associated_data=associated_data).decode("utf-8")

    def kid_of(self, token: str) -> str:
        return self._parse(token)[0]

    def needs_reencrypt(self, token: str) -> bool:
        return self.kid_of(token) != self.keyring.current_kid

    def reencrypt(self, token: str, *, associated_data: bytes = b"") -> str:
        """The same secret under the current key (for `chatops keys rotate`)."""
        return self.encrypt(self.decrypt(token, associated_data=associated_data),
                            associated_data=associated_data)

    @staticmethod
    def _parse(token: str) -> tuple[str, bytes, bytes]:
        parts = token.split(":")
        if len(parts) != 4 or parts[0] != VERSION:
            raise _unreadable("malformed", "it is not in the v1:<kid>:<nonce>:<data> format",
                              "il n'est pas au format v1:<kid>:<nonce>:<données>")
        try:
            nonce, sealed = _unb64(parts[2]), _unb64(parts[3])
        except (binascii.Error, ValueError):
            nonce, sealed = b"", b""
        if len(nonce) != NONCE_BYTES or len(sealed) < 16:
            raise _unreadable("malformed", "its nonce or data is damaged",
                              "son nonce ou ses données sont abîmés")
        return parts[1], nonce, sealed


def reencrypt_all(
    box: SecretBox, sealed: Iterable[tuple[str, str, bytes]],
) -> list[tuple[str, str]]:
    """For `chatops keys rotate`: (record id, ciphertext, associated data) → (record id, new
    ciphertext) for every ciphertext not yet under the current key. Decrypts everything first,
    so one unreadable secret aborts before anything is written."""
    return [(record_id, box.reencrypt(token, associated_data=aad))
            for record_id, token, aad in sealed if box.needs_reencrypt(token)]
