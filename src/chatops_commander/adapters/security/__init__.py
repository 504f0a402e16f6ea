"""Security adapters: argon2id hashing, JWTs, opaque tokens, TOTP, AES-GCM secrets, rate
limits, log redaction. Each wraps one library behind a small interface."""
