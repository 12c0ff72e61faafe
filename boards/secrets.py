"""Random secrets (invites, tokens, join codes), stored only as SHA-256 digests."""

from __future__ import annotations

import hashlib
import secrets

# 32 bytes = 256 random bits, twice the 128 the contract asks for.
TOKEN_BYTES = 32
# Join codes are read aloud and typed: no 0/O, 1/I/L, and no vowels to avoid words.
CODE_ALPHABET = "23456789BCDFGHJKMNPQRSTVWXZ"
# 10 characters of 27 ≈ 47 bits; with failed joins rate-limited that is not guessable.
CODE_LENGTH = 10


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalise_code(code: str) -> str:
    """People type codes with spaces, dashes and lower case."""
    return "".join(ch for ch in code.upper() if ch.isalnum())


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()
