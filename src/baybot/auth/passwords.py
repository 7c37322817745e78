"""Password hashing with argon2id (argon2-cffi's RFC 9106 low-memory profile): slow and
memory-hard, so a stolen staff table does not give up its passwords."""

from __future__ import annotations

import functools

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from ..errors import BayBotError

MIN_PASSWORD_CHARS = 12  # staff passwords guard every rated question: above NIST's minimum of 8
MAX_PASSWORD_CHARS = 1024  # bounds the hashing work one hostile sign-in can cause

_hasher = PasswordHasher()


class PasswordRuleError(BayBotError):
    """A new password that is too short or too long (the message never contains it)."""


def check_password_rules(password: str) -> None:
    if len(password) < MIN_PASSWORD_CHARS:
        raise PasswordRuleError(f"a password needs at least {MIN_PASSWORD_CHARS} characters")
    if len(password) > MAX_PASSWORD_CHARS:
        raise PasswordRuleError(f"a password has at most {MAX_PASSWORD_CHARS} characters")


def hash_password(password: str) -> str:
    """The PHC string (algorithm, parameters, salt and hash) to store."""
    check_password_rules(password)
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    if len(password) > MAX_PASSWORD_CHARS:
        return False
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    """True when the hash was made with weaker parameters than today's: rehash on sign-in."""
    return _hasher.check_needs_rehash(password_hash)


@functools.cache
def dummy_hash() -> str:
    """A hash to verify against when the name is unknown, so that a refusal takes as long
    for a wrong name as for a wrong password and does not tell which names exist."""
    return _hasher.hash("no staff account has this password")
