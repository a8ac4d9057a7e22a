"""Encryption at rest: answers and reference codes are stored encrypted, under keys that live in
the configuration and never in the database, so a copied database file or backup holds no answer
and no code in the clear.

Fernet (AES-128-CBC with HMAC-SHA256, from `cryptography`) through `MultiFernet`: new values are
encrypted under ANSWERS_ENCRYPTION_KEY; values still under ANSWERS_ENCRYPTION_PREVIOUS_KEY are read
while a rotation is under way, and `flask --app screening reencrypt` moves them to the new key.

A reference code is also stored as HMAC-SHA256(lookup key, code) so reception can find it by an
indexed column (security-performance.md A4, a documented deviation from a slow salted hash). The
lookup key is derived (HKDF) from the encryption key, so one secret covers both and rotates both;
during a rotation a code is looked for under the current and the previous key.

Only the column types in models.py and the store modules use this; views never see ciphertext.
"""

import base64
import hashlib
import hmac

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import Flask, current_app

EXTENSION = "screening_encryption"
CURRENT_SETTING = "ANSWERS_ENCRYPTION_KEY"
PREVIOUS_SETTING = "ANSWERS_ENCRYPTION_PREVIOUS_KEY"
LOOKUP_KEY_INFO = b"intake-screening reference code lookup v1"

# Used only in debug and testing when no key is configured, so a development database stays
# readable across restarts; refused outside them like the placeholder SECRET_KEY.
DEVELOPMENT_KEY = base64.urlsafe_b64encode(
    hashlib.sha256(b"intake-screening development only, never for patients").digest()).decode()

GENERATE_HINT = (
    '.venv/bin/python -c "from cryptography.fernet import Fernet; print(Fernet.generate_key()'
    '.decode())"')


class BadKey(ValueError):
    """A configured key is missing or is not a Fernet key."""


class Keys:
    """The configured keys: encrypt under the current one, decrypt under either."""

    def __init__(self, current: str, previous: str | None = None):
        self._current = _fernet(current, CURRENT_SETTING)
        ring = [self._current]
        self._lookup_keys = [_lookup_key(current)]
        if previous:
            ring.append(_fernet(previous, PREVIOUS_SETTING))
            self._lookup_keys.append(_lookup_key(previous))
        self._ring = MultiFernet(ring)

    def encrypt(self, plaintext: bytes) -> str:
        return self._ring.encrypt(plaintext).decode("ascii")

    def decrypt(self, token: str) -> bytes:
        return self._ring.decrypt(token.encode("ascii"))

    def is_current(self, token: str) -> bool:
        """Whether `token` is already encrypted under the current key."""
        try:
            self._current.decrypt(token.encode("ascii"))
        except InvalidToken:
            return False
        return True

    def rotate(self, token: str) -> str:
        """The same plaintext encrypted under the current key (read under either key)."""
        return self._ring.rotate(token.encode("ascii")).decode("ascii")

    def code_hmac(self, code: str) -> str:
        """The stored lookup form of a (normalised) code, under the current key."""
        return _hmac(self._lookup_keys[0], code)

    def code_hmacs(self, code: str) -> list[str]:
        """Its lookup form under every configured key, current first (for lookups mid-rotation)."""
        return [_hmac(key, code) for key in self._lookup_keys]


def _fernet(key: str, setting: str) -> Fernet:
    try:
        return Fernet(key)
    except (ValueError, TypeError) as error:
        raise BadKey(
            f"{setting} is not a Fernet key (32 bytes in URL-safe base64). Generate one with: "
            f"{GENERATE_HINT}") from error


def _lookup_key(key: str) -> bytes:
    hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=LOOKUP_KEY_INFO)
    return hkdf.derive(base64.urlsafe_b64decode(key))


def _hmac(key: bytes, code: str) -> str:
    return hmac.new(key, code.encode("ascii"), hashlib.sha256).hexdigest()


def init_app(app: Flask) -> None:
    """Check the keys at start-up: outside debug and testing a missing or development key stops
    the app before it serves anyone."""
    current = app.config.get(CURRENT_SETTING)
    relaxed = app.debug or app.testing
    if not current or current == DEVELOPMENT_KEY:
        if not relaxed:
            raise RuntimeError(
                f"Set FLASK_{CURRENT_SETTING} (or {CURRENT_SETTING} in instance/config.py) before "
                f"serving patients: answers are stored encrypted under it. Generate one with: "
                f"{GENERATE_HINT}")
        current = DEVELOPMENT_KEY
        app.config[CURRENT_SETTING] = current
    try:
        app.extensions[EXTENSION] = Keys(current, app.config.get(PREVIOUS_SETTING) or None)
    except BadKey as error:
        raise RuntimeError(str(error)) from error


def keys() -> Keys:
    return current_app.extensions[EXTENSION]
