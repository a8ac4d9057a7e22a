"""Random tokens for cookies and their stored form: only a token's SHA-256 reaches the database,
so a copied database opens no draft and no staff session."""

import hashlib
import secrets


def new_token(nbytes: int) -> str:
    return secrets.token_urlsafe(nbytes)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
