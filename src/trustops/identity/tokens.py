"""Token format and hashing. Tokens carry 256 bits of randomness, so a fast hash is the right choice."""
import hashlib
import secrets

PREFIX = "tso_"


def new_token() -> str:
    return PREFIX + secrets.token_urlsafe(32)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def display_prefix(token: str) -> str:
    return token[:12]
