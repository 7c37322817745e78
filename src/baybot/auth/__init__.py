"""Staff authentication: argon2 passwords, lock-out, signed session cookies and CSRF tokens,
as a plain Python API that the HTTP layer wires to /staff."""

from .cookies import CSRF_HEADER, SESSION_COOKIE, CookiePolicy, CookieSigner, SecretError
from .passwords import PasswordRuleError, hash_password, verify_password
from .service import (
    Authenticator,
    AuthPolicy,
    IssuedSession,
    LockedOutError,
    PasswordAuthenticator,
    PasswordProof,
    Principal,
    SignInError,
    StaffAccounts,
    StaffAuth,
    StaffNameError,
    StaffSessions,
    check_staff_name,
    normalise_staff_name,
)

__all__ = [
    "CSRF_HEADER",
    "SESSION_COOKIE",
    "AuthPolicy",
    "Authenticator",
    "CookiePolicy",
    "CookieSigner",
    "IssuedSession",
    "LockedOutError",
    "PasswordAuthenticator",
    "PasswordProof",
    "PasswordRuleError",
    "Principal",
    "SecretError",
    "SignInError",
    "StaffAccounts",
    "StaffAuth",
    "StaffNameError",
    "StaffSessions",
    "check_staff_name",
    "normalise_staff_name",
    "hash_password",
    "verify_password",
]
