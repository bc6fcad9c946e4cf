"""Signed session cookies (itsdangerous): HttpOnly, SameSite=Lax, Secure over https.

The cookie holds the username and a fingerprint of the password hash, so changing a
password ends every session made with the old one.  It expires after ``MAX_AGE``.
"""

from __future__ import annotations

import hashlib

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

COOKIE = "ccdrill_session"
MAX_AGE = 12 * 3600
_SALT = "session"


def fingerprint(password_hash: str) -> str:
    return hashlib.sha256(password_hash.encode()).hexdigest()[:16]


def _serializer(secret: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret, salt=_SALT)


def make_session(secret: str, username: str, password_hash: str) -> str:
    return _serializer(secret).dumps({"u": username, "f": fingerprint(password_hash)})


def read_session(secret: str, value: str | None) -> tuple[str, str] | None:
    """``(username, fingerprint)`` of a valid, unexpired cookie; else ``None``."""
    if not value:
        return None
    try:
        data = _serializer(secret).loads(value, max_age=MAX_AGE)
    except (BadSignature, SignatureExpired):
        return None
    if not isinstance(data, dict) or not isinstance(data.get("u"), str) or not isinstance(data.get("f"), str):
        return None
    return data["u"], data["f"]


def cookie_options(secure: bool) -> dict:
    return {"httponly": True, "samesite": "lax", "secure": secure, "path": "/", "max_age": MAX_AGE}
