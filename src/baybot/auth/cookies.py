"""The staff session cookie and the CSRF token, both derived from one server secret.

The cookie carries the session token signed with itsdangerous (a forged or altered cookie is
rejected before any database look-up); it is HttpOnly (scripts cannot read it), SameSite=Strict
(other sites cannot send it along) and expires with the session. The CSRF token is an HMAC of
the session token: the page sends it back in a header on every state-changing call, which a
cross-site form cannot do, and nothing extra is stored.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from typing import Any, Literal

from itsdangerous import BadSignature, URLSafeTimedSerializer

from ..errors import BayBotError

SESSION_COOKIE = "baybot_staff_session"
CSRF_HEADER = "X-CSRF-Token"
MIN_SECRET_CHARS = 32  # as many characters as a 256-bit secret in hex has bytes of entropy
_SIGNING_SALT = (
    "baybot.staff-session"  # keeps these signatures apart from any other use of the secret
)
_CSRF_PREFIX = b"csrf:"


class SecretError(BayBotError):
    """A missing or too short server secret."""


@dataclass(frozen=True)
class CookiePolicy:
    """Attributes of the session cookie; `set_cookie_args` fits Starlette's Response.set_cookie."""

    max_age_s: int
    secure: bool = True  # HTTPS only; false only for plain-HTTP tests on 127.0.0.1
    path: str = "/staff"
    same_site: Literal["strict", "lax"] = "strict"
    name: str = SESSION_COOKIE

    def set_cookie_args(self, value: str) -> dict[str, Any]:
        return {
            "key": self.name,
            "value": value,
            "max_age": self.max_age_s,
            "path": self.path,
            "secure": self.secure,
            "httponly": True,
            "samesite": self.same_site,
        }

    def delete_cookie_args(self) -> dict[str, Any]:
        return {
            "key": self.name,
            "path": self.path,
            "secure": self.secure,
            "httponly": True,
            "samesite": self.same_site,
        }


class CookieSigner:
    """Signs session tokens into cookie values and checks them back."""

    def __init__(self, secret: str) -> None:
        if len(secret) < MIN_SECRET_CHARS:
            raise SecretError(f"the session secret needs at least {MIN_SECRET_CHARS} characters")
        self._serializer = URLSafeTimedSerializer(secret, salt=_SIGNING_SALT)
        self._csrf_key = hashlib.sha256(_CSRF_PREFIX + secret.encode()).digest()

    def sign(self, token: str) -> str:
        return self._serializer.dumps(token)

    def unsign(self, value: str, max_age_s: int) -> str | None:
        """The token in a cookie value; None when forged, altered or older than `max_age_s`."""
        try:
            token = self._serializer.loads(value, max_age=max_age_s)
        except BadSignature:  # SignatureExpired is a BadSignature too
            return None
        return token if isinstance(token, str) else None

    def csrf_token(self, token: str) -> str:
        return hmac.new(self._csrf_key, token.encode(), hashlib.sha256).hexdigest()

    def csrf_ok(self, token: str, given: str | None) -> bool:
        return given is not None and hmac.compare_digest(self.csrf_token(token), given)
