"""Staff sign-in: who may sign in (an Authenticator), and the sessions that follow.

Sign-in methods differ (a password today; OIDC may come later) but all end in a Principal, from
which `StaffSessions` starts the same server-side session with a signed cookie. An OIDC
authenticator is one more class with `method` and `verify(proof, now)`, and its own routes.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Protocol, TypeVar

from ..db import Database
from ..db.records import utc_now
from ..errors import BayBotError
from .cookies import CookiePolicy, CookieSigner
from .passwords import dummy_hash, hash_password, needs_rehash, verify_password

log = logging.getLogger(__name__)

# Five wrong passwords lock an account for fifteen minutes: a person mistyping gets through,
# a guesser gets 480 tries a day instead of thousands a second.
MAX_FAILURES = 5
LOCK_FOR = dt.timedelta(minutes=15)
# One working day; then staff sign in again.
SESSION_LIFETIME = dt.timedelta(hours=8)
_NAME = re.compile(r"[\w.@+-]{1,100}")  # letters, digits and e-mail punctuation


class SignInError(BayBotError):
    """A refused sign-in; the message never says whether the name or the password was wrong."""


class LockedOutError(SignInError):
    def __init__(self, until: dt.datetime) -> None:
        super().__init__(f"too many failed sign-ins: try again after {until:%H:%M} UTC")
        self.until = until


class StaffNameError(BayBotError):
    """A staff name that is empty, too long, or has characters other than letters, digits
    and . _ @ + -"""


@dataclass(frozen=True)
class Principal:
    """A signed-in member of staff."""

    name: str


@dataclass(frozen=True)
class AuthPolicy:
    max_failures: int = MAX_FAILURES
    lock_for: dt.timedelta = LOCK_FOR
    session_lifetime: dt.timedelta = SESSION_LIFETIME


@dataclass(frozen=True)
class PasswordProof:
    name: str
    password: str = field(repr=False)  # never in a log line or a traceback's locals repr


@dataclass(frozen=True)
class IssuedSession:
    """What a sign-in hands back to the browser."""

    principal: Principal
    cookie_value: str = field(repr=False)
    csrf_token: str = field(repr=False)
    expires: dt.datetime


ProofT_contra = TypeVar("ProofT_contra", contravariant=True)


class Authenticator(Protocol[ProofT_contra]):
    """Turns a proof of identity into a Principal, or raises SignInError."""

    method: str

    def verify(self, proof: ProofT_contra, now: dt.datetime) -> Principal: ...


def normalise_staff_name(name: str) -> str:
    """One spelling per name: surrounding spaces dropped, Unicode in composed form (NFC)."""
    return unicodedata.normalize("NFC", name.strip())


def check_staff_name(name: str) -> str:
    """The normalised name, or StaffNameError when it cannot be a staff name."""
    name = normalise_staff_name(name)
    if not _NAME.fullmatch(name):
        raise StaffNameError(
            "a staff name has 1 to 100 letters, digits or the characters . _ @ + -"
        )
    return name


class PasswordAuthenticator:
    """Name and password against the staff table, with the lock-out counted in the database
    (so it holds across replicas)."""

    method = "password"

    def __init__(self, database: Database, policy: AuthPolicy = AuthPolicy()) -> None:
        self._staff = database.staff
        self._policy = policy

    def verify(self, proof: PasswordProof, now: dt.datetime) -> Principal:
        account = self._staff.get(proof.name)
        if account is None:
            verify_password(dummy_hash(), proof.password)  # as slow as a real refusal
            log.info("sign-in refused: unknown staff name")
            raise SignInError("wrong name or password")
        if account.locked(now):
            assert account.locked_until is not None
            log.info("sign-in refused: %s is locked out", account.name)
            raise LockedOutError(account.locked_until)
        if not verify_password(account.password_hash, proof.password):
            after = self._staff.record_failure(
                account.name,
                max_failures=self._policy.max_failures,
                lock_for=self._policy.lock_for,
                now=now,
            )
            log.info("sign-in refused: wrong password for %s", account.name)
            if after is not None and after.locked(now):
                assert after.locked_until is not None
                raise LockedOutError(after.locked_until)
            raise SignInError("wrong name or password")
        self._staff.clear_failures(account.name)
        if needs_rehash(account.password_hash):
            self._staff.set_password_hash(account.name, hash_password(proof.password))
        return Principal(account.name)


class StaffSessions:
    """Server-side sessions behind signed cookies, whichever way staff signed in."""

    def __init__(
        self,
        database: Database,
        secret: str,
        policy: AuthPolicy = AuthPolicy(),
        *,
        secure_cookie: bool = True,
    ) -> None:
        self._sessions = database.sessions
        self._signer = CookieSigner(secret)
        self._policy = policy
        self.cookie = CookiePolicy(
            max_age_s=int(policy.session_lifetime.total_seconds()), secure=secure_cookie
        )

    def start(self, principal: Principal, now: dt.datetime | None = None) -> IssuedSession:
        now = now or utc_now()
        self._sessions.purge_expired(now=now)
        token, session = self._sessions.create(
            principal.name, self._policy.session_lifetime, now=now
        )
        return IssuedSession(
            principal, self._signer.sign(token), self._signer.csrf_token(token), session.expires
        )

    def principal(
        self, cookie_value: str | None, now: dt.datetime | None = None
    ) -> Principal | None:
        """Who holds this cookie; None when it is missing, forged, expired or signed out."""
        token = self._token(cookie_value)
        if token is None:
            return None
        session = self._sessions.get(token, now=now)
        return Principal(session.staff_name) if session else None

    def csrf_token(self, cookie_value: str | None) -> str | None:
        """The CSRF token for a page served to this session (None without a valid cookie)."""
        token = self._token(cookie_value)
        return self._signer.csrf_token(token) if token else None

    def csrf_ok(self, cookie_value: str | None, given: str | None) -> bool:
        """Whether a state-changing call carries this session's CSRF token."""
        token = self._token(cookie_value)
        return token is not None and self._signer.csrf_ok(token, given)

    def end(self, cookie_value: str | None) -> bool:
        """Sign out: the session stops working on every replica at once."""
        token = self._token(cookie_value)
        return token is not None and self._sessions.revoke(token)

    def _token(self, cookie_value: str | None) -> str | None:
        if not cookie_value:
            return None
        return self._signer.unsign(cookie_value, self.cookie.max_age_s)


class StaffAccounts:
    """Creating and changing accounts: what `baybot staff add NAME` calls (it needs the
    database but not the session secret)."""

    def __init__(self, database: Database) -> None:
        self._database = database

    def add(self, name: str, password: str) -> Principal:
        """A new account; StaffExistsError when the name is taken."""
        name = check_staff_name(name)
        self._database.staff.add(name, hash_password(password))
        log.info("staff account %s added", name)
        return Principal(name)

    def set_password(self, name: str, password: str) -> None:
        """A new password, which also signs the account out everywhere and lifts a lock-out."""
        name = check_staff_name(name)
        if not self._database.staff.set_password_hash(name, hash_password(password)):
            raise StaffNameError(f"no staff account is named {name!r}")
        self._database.staff.clear_failures(name)
        self._database.sessions.revoke_all(name)
        log.info("password of staff account %s changed; its sessions ended", name)

    def remove(self, name: str) -> bool:
        """Delete the account and end its sessions; False when there was none."""
        removed = self._database.staff.remove(normalise_staff_name(name))
        if removed:
            log.info("staff account %s removed", name)
        return removed

    def names(self) -> list[str]:
        return self._database.staff.names()


class StaffAuth:
    """Accounts, password sign-in and sessions over one database: what /staff is wired to."""

    def __init__(
        self,
        database: Database,
        secret: str,
        policy: AuthPolicy = AuthPolicy(),
        *,
        secure_cookie: bool = True,
    ) -> None:
        self.accounts = StaffAccounts(database)
        self.passwords = PasswordAuthenticator(database, policy)
        self.sessions = StaffSessions(database, secret, policy, secure_cookie=secure_cookie)

    def sign_in(self, name: str, password: str, now: dt.datetime | None = None) -> IssuedSession:
        """A new session for a right name and password; SignInError (LockedOutError) if not."""
        now = now or utc_now()
        principal = self.passwords.verify(PasswordProof(normalise_staff_name(name), password), now)
        return self.sessions.start(principal, now)
