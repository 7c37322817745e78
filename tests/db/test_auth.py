"""Staff authentication over the real database (both back ends): argon2 passwords, lock-out
shared by replicas, signed session cookies, CSRF tokens, sign-out."""

from __future__ import annotations

import datetime as dt
import logging

import pytest

from baybot.auth import (
    Authenticator,
    AuthPolicy,
    CookiePolicy,
    LockedOutError,
    PasswordAuthenticator,
    PasswordProof,
    PasswordRuleError,
    SecretError,
    SignInError,
    StaffAuth,
    StaffNameError,
    hash_password,
    verify_password,
)
from baybot.db import Database, StaffExistsError

SECRET = "a-test-secret-that-is-long-enough-0123456789"
PASSWORD = "harbour lights 2026"
T0 = dt.datetime(2026, 9, 1, 9, 0, tzinfo=dt.UTC)
POLICY = AuthPolicy(
    max_failures=3, lock_for=dt.timedelta(minutes=10), session_lifetime=dt.timedelta(hours=2)
)


@pytest.fixture
def auth(database: Database) -> StaffAuth:
    staff = StaffAuth(database, SECRET, POLICY)
    staff.accounts.add("lam.wing", PASSWORD)
    return staff


def test_passwords_are_stored_as_argon2_hashes() -> None:
    stored = hash_password(PASSWORD)
    assert stored.startswith("$argon2id$") and PASSWORD not in stored
    assert stored != hash_password(PASSWORD)  # salted
    assert verify_password(stored, PASSWORD)
    assert not verify_password(stored, PASSWORD.upper())
    assert not verify_password("not a hash", PASSWORD)
    with pytest.raises(PasswordRuleError):
        hash_password("short")


def test_sign_in_gives_a_session_that_names_the_member_of_staff(auth: StaffAuth) -> None:
    issued = auth.sign_in("lam.wing", PASSWORD, now=T0)
    assert issued.expires == T0 + POLICY.session_lifetime
    assert auth.sessions.principal(issued.cookie_value, now=T0) == issued.principal
    assert issued.principal.name == "lam.wing"
    assert auth.sessions.principal(issued.cookie_value, now=issued.expires) is None  # expired


def test_wrong_name_and_wrong_password_are_refused_alike(auth: StaffAuth) -> None:
    with pytest.raises(SignInError) as wrong_password:
        auth.sign_in("lam.wing", "harbour lights 2025", now=T0)
    with pytest.raises(SignInError) as unknown_name:
        auth.sign_in("nobody", PASSWORD, now=T0)
    assert str(wrong_password.value) == str(unknown_name.value)


def test_repeated_failures_lock_the_account_on_every_replica(database: Database) -> None:
    replica_a = StaffAuth(database, SECRET, POLICY)
    replica_b = StaffAuth(database, SECRET, POLICY)
    replica_a.accounts.add("ho.yan", PASSWORD)
    with pytest.raises(SignInError):
        replica_a.sign_in("ho.yan", "guess one is wrong", now=T0)
    with pytest.raises(SignInError):
        replica_b.sign_in("ho.yan", "guess two is wrong", now=T0)
    with pytest.raises(LockedOutError) as locked:
        replica_a.sign_in("ho.yan", "guess three is wrong", now=T0)
    assert locked.value.until == T0 + POLICY.lock_for
    with pytest.raises(LockedOutError):  # the right password does not help while locked
        replica_b.sign_in("ho.yan", PASSWORD, now=T0 + dt.timedelta(minutes=9))
    after = replica_b.sign_in("ho.yan", PASSWORD, now=T0 + POLICY.lock_for)
    assert after.principal.name == "ho.yan"


def test_a_success_resets_the_failure_count(auth: StaffAuth) -> None:
    for _ in range(POLICY.max_failures - 1):
        with pytest.raises(SignInError):
            auth.sign_in("lam.wing", "not the password", now=T0)
    auth.sign_in("lam.wing", PASSWORD, now=T0)
    for _ in range(POLICY.max_failures - 1):  # a fresh count: still not locked
        with pytest.raises(SignInError) as refused:
            auth.sign_in("lam.wing", "not the password", now=T0)
        assert not isinstance(refused.value, LockedOutError)


def test_forged_altered_or_foreign_cookies_open_no_session(
    database: Database, auth: StaffAuth
) -> None:
    issued = auth.sign_in("lam.wing", PASSWORD, now=T0)
    value = issued.cookie_value
    tampered = value[:-2] + ("AA" if not value.endswith("AA") else "BB")
    other_server = StaffAuth(database, SECRET[::-1], POLICY)
    for cookie in (None, "", "garbage", tampered):
        assert auth.sessions.principal(cookie, now=T0) is None
    assert other_server.sessions.principal(value, now=T0) is None  # signed with another secret


def test_sign_out_ends_the_session_everywhere(database: Database, auth: StaffAuth) -> None:
    issued = auth.sign_in("lam.wing", PASSWORD, now=T0)
    other_replica = StaffAuth(database, SECRET, POLICY)
    assert other_replica.sessions.principal(issued.cookie_value, now=T0) is not None
    assert auth.sessions.end(issued.cookie_value)
    assert other_replica.sessions.principal(issued.cookie_value, now=T0) is None
    assert not auth.sessions.end(issued.cookie_value)


def test_a_new_password_signs_the_account_out(auth: StaffAuth) -> None:
    issued = auth.sign_in("lam.wing", PASSWORD, now=T0)
    auth.accounts.set_password("lam.wing", "a brand new passphrase")
    assert auth.sessions.principal(issued.cookie_value, now=T0) is None
    with pytest.raises(SignInError):
        auth.sign_in("lam.wing", PASSWORD, now=T0)
    assert auth.sign_in("lam.wing", "a brand new passphrase", now=T0).principal.name == "lam.wing"


def test_csrf_token_belongs_to_one_session(auth: StaffAuth) -> None:
    first = auth.sign_in("lam.wing", PASSWORD, now=T0)
    second = auth.sign_in("lam.wing", PASSWORD, now=T0)
    sessions = auth.sessions
    assert sessions.csrf_token(first.cookie_value) == first.csrf_token
    assert sessions.csrf_ok(first.cookie_value, first.csrf_token)
    assert not sessions.csrf_ok(first.cookie_value, second.csrf_token)
    assert not sessions.csrf_ok(first.cookie_value, None)
    assert not sessions.csrf_ok(first.cookie_value, "")
    assert not sessions.csrf_ok(None, first.csrf_token)


def test_accounts_names_and_duplicates(auth: StaffAuth) -> None:
    with pytest.raises(StaffExistsError):
        auth.accounts.add("lam.wing", "another long password")
    for bad in ("", "two words", "x" * 101, "semi;colon"):
        with pytest.raises(StaffNameError):
            auth.accounts.add(bad, PASSWORD)
    assert auth.accounts.add("chan@example.org", PASSWORD).name == "chan@example.org"


def test_the_password_is_never_logged_or_shown(
    auth: StaffAuth, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    auth.accounts.add("new.hire", PASSWORD)
    auth.sign_in("new.hire", PASSWORD, now=T0)
    for attempt in ("wrong password one", PASSWORD):  # a password typed into the name field
        with pytest.raises(SignInError) as refused:
            auth.sign_in(attempt if attempt == PASSWORD else "new.hire", attempt, now=T0)
        assert PASSWORD not in str(refused.value) and "wrong password one" not in str(refused.value)
    assert PASSWORD not in caplog.text and "wrong password one" not in caplog.text
    assert PASSWORD not in repr(PasswordProof("new.hire", PASSWORD))
    assert "new.hire" in caplog.text  # the log does say who signed in or failed


def test_the_cookie_is_http_only_same_site_and_expires_with_the_session(auth: StaffAuth) -> None:
    args = auth.sessions.cookie.set_cookie_args("value")
    assert args["httponly"] is True and args["secure"] is True
    assert args["samesite"] in ("strict", "lax")
    assert args["max_age"] == int(POLICY.session_lifetime.total_seconds())
    assert args["path"] == "/staff"
    assert CookiePolicy(max_age_s=60).delete_cookie_args()["key"] == args["key"]


def test_a_short_secret_is_refused(database: Database) -> None:
    with pytest.raises(SecretError):
        StaffAuth(database, "too short")


def test_the_password_authenticator_fits_the_authenticator_seam(database: Database) -> None:
    authenticator: Authenticator[PasswordProof] = PasswordAuthenticator(database, POLICY)
    StaffAuth(database, SECRET, POLICY).accounts.add("seam", PASSWORD)
    assert authenticator.method == "password"
    assert authenticator.verify(PasswordProof("seam", PASSWORD), T0).name == "seam"


def test_removing_an_account_ends_its_sessions(auth: StaffAuth) -> None:
    issued = auth.sign_in(" lam.wing ", PASSWORD, now=T0)  # the name as typed, spaces and all
    auth.accounts.add("second", PASSWORD)
    assert auth.accounts.remove("lam.wing") and not auth.accounts.remove("lam.wing")
    assert auth.sessions.principal(issued.cookie_value, now=T0) is None
    assert auth.accounts.names() == ["second"]


def test_a_new_password_lifts_a_lock_out(auth: StaffAuth) -> None:
    for _ in range(POLICY.max_failures):
        with pytest.raises(SignInError):
            auth.sign_in("lam.wing", "not the password", now=T0)
    auth.accounts.set_password("lam.wing", "reset by an administrator")
    assert auth.sign_in("lam.wing", "reset by an administrator", now=T0).principal.name
