"""Staff access against a real server: every staff route refused without a session, sign-in
with its CSRF check, lock-out, sign-out, and passwords kept out of the logs; the accounts are
made with `baybot staff add`. Public chat protection: the chat shares the REST rate limit and
the question length limit. Small corpus, hash embedder and echo generator (tests/plugins):
what is tested is access, not answers."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import requests
from gradio_client import Client
from starlette.routing import Mount
from typer.testing import CliRunner

from baybot import Settings, ingest
from baybot.app.api import create_app
from baybot.app.cli import app as cli
from baybot.app.wiring import build_assistant
from tests.conftest import copy_corpus
from tests.servers import serve, sign_in

PASSWORD = "a long enough staff password"
OTHER_PASSWORD = "another staff password, also long"
MAX_FAILURES = 3


@dataclass(frozen=True)
class Server:
    url: str
    app: Any
    settings: Settings


@pytest.fixture(scope="module")
def server(tmp_path_factory, cache_dir, test_plugins) -> Iterator[Server]:
    base = tmp_path_factory.mktemp("staff")
    settings = Settings(
        embedding_models=("hash-test",),
        embedding_weights=(1.0,),
        generator="echo-test",
        corpus_dir=copy_corpus(base / "corpus"),
        index_dir=base / "index",
        cache_dir=cache_dir,
        feedback_db=base / "baybot.db",
        session_secret="s3cret-" * 6,
        staff_cookie_secure=False,
        staff_max_failures=MAX_FAILURES,
        rate_limit_per_minute=0,
    )
    ingest(settings)
    app = create_app(settings, assistant=build_assistant(settings))
    with serve(app) as url:
        yield Server(url, app, settings)


def cli_env(settings: Settings) -> dict[str, str]:
    return {"BAYBOT_FEEDBACK_DB": str(settings.feedback_db), "BAYBOT_INDEX_DIR": "unused"}


def add_staff(settings: Settings, name: str, password: str, monkeypatch) -> Any:
    monkeypatch.setattr("getpass.getpass", lambda prompt="": password)
    return CliRunner().invoke(cli, ["staff", "add", name], env=cli_env(settings))


@pytest.fixture(scope="module")
def staff_routes(server) -> list[tuple[str, str]]:
    """(method, path) of every route under /staff: the sign-out route and each route of the
    mounted staff Gradio app (path parameters filled in), plus each named Gradio endpoint
    through the call and run routes its API info lists."""
    routes: list[tuple[str, str]] = []
    for route in server.app.routes:
        if isinstance(route, Mount) and route.path == "/staff":
            for method, path in walk(route.routes, "/staff"):
                routes.append((method, re.sub(r"\{[^}]+\}", "x", path)))
        elif getattr(route, "path", "").startswith("/staff/") and route.path != "/staff/login":
            routes.extend((m, route.path) for m in sorted(route.methods))
    info = requests.get(
        f"{server.url}/staff/gradio_api/info", headers=signed_in(server), timeout=30
    ).json()
    for name in info["named_endpoints"]:
        routes.append(("POST", f"/staff/gradio_api/call{name}"))
        routes.append(("POST", f"/staff/gradio_api/run{name}"))
    routes += [("GET", "/staff"), ("GET", "/staff/"), ("POST", "/staff/")]
    # /staff/login is the sign-in page itself (ours answers it before Gradio's own would).
    return sorted({r for r in routes if r[1] != "/staff/login"})


def walk(routes: list[Any], prefix: str) -> Iterator[tuple[str, str]]:
    """(method, path) of each route, into mounts and included routers."""
    for route in routes:
        if hasattr(route, "original_router"):  # FastAPI's included router
            yield from walk(route.original_router.routes, prefix + route.include_context.prefix)
        elif isinstance(route, Mount):
            yield from walk(route.routes, prefix + route.path)
        elif hasattr(route, "path"):
            for method in sorted(getattr(route, "methods", None) or {"GET"}):
                yield method, prefix + route.path


_signed_in: dict[str, dict[str, str]] = {}


def signed_in(server: Server) -> dict[str, str]:
    """Headers of one signed-in staff session (made once, for the API info)."""
    if "reviewer" not in _signed_in:
        from baybot.auth import StaffAccounts

        accounts = StaffAccounts(server.app.state.database)
        if "reviewer" not in accounts.names():
            accounts.add("reviewer", PASSWORD)
        _signed_in["reviewer"] = sign_in(server.url, "reviewer", PASSWORD)
    return _signed_in["reviewer"]


def test_every_staff_route_is_refused_without_a_session(server, staff_routes):
    assert len(staff_routes) > 30  # the Gradio app's routes were found
    forged = {"Cookie": "baybot_staff_session=forged.value.here"}
    for method, path in staff_routes:
        for headers in ({}, forged):
            response = requests.request(
                method, server.url + path, headers=headers, allow_redirects=False, timeout=30
            )
            assert response.status_code == 401, (method, path, response.status_code)
    page = requests.get(
        f"{server.url}/staff/", headers={"Accept": "text/html"}, allow_redirects=False, timeout=30
    )
    assert page.status_code == 303 and page.headers["location"] == "/staff/login"
    print("\nstaff routes refused without a session:", *(f"{m} {p}" for m, p in staff_routes),
          sep="\n  ")  # fmt: skip


def test_staff_sign_in_csrf_sign_out_and_logs(server, monkeypatch, caplog):
    caplog.set_level(logging.DEBUG)
    result = add_staff(server.settings, "ana", OTHER_PASSWORD, monkeypatch)
    assert result.exit_code == 0 and OTHER_PASSWORD not in result.output
    listed = CliRunner().invoke(cli, ["staff", "list"], env=cli_env(server.settings))
    assert "ana" in listed.output.split()

    session = requests.Session()
    form = session.get(f"{server.url}/staff/login", timeout=30).text
    token = re.search(r'name="csrf" value="([^"]+)"', form).group(1)
    # A sign-in form posted without the token its page set (another site's form) is refused.
    forged = requests.post(
        f"{server.url}/staff/login",
        data={"name": "ana", "password": OTHER_PASSWORD, "csrf": "guess"},
        allow_redirects=False,
        timeout=30,
    )
    assert forged.status_code == 403 and "baybot_staff_session" not in forged.cookies
    signed = session.post(
        f"{server.url}/staff/login",
        data={"name": "ana", "password": OTHER_PASSWORD, "csrf": token},
        allow_redirects=False,
        timeout=60,
    )
    assert signed.status_code == 303
    cookie = signed.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie and "Path=/staff" in cookie
    assert session.get(f"{server.url}/staff/config", timeout=30).status_code == 200
    csrf = session.cookies["baybot_staff_csrf"]
    join = f"{server.url}/staff/gradio_api/queue/join"
    assert session.post(join, json={}, timeout=30).status_code == 403  # no CSRF header
    bad = session.post(join, json={}, headers={"X-CSRF-Token": "0" * 64}, timeout=30)
    assert bad.status_code == 403
    ok = session.post(join, json={}, headers={"X-CSRF-Token": csrf}, timeout=30)
    assert ok.status_code not in (401, 403)  # reaches Gradio (which wants a real event)

    # The staff app works through the session: a rating list the API can read.
    client = Client(
        server.url + "/staff/", verbose=False, download_files=False,
        headers={"Cookie": f"baybot_staff_session={session.cookies['baybot_staff_session']}; "
                           f"baybot_staff_csrf={csrf}", "X-CSRF-Token": csrf},
    )  # fmt: skip
    count, _ = client.predict("", "", [], "", "", api_name="/feedback")
    assert count.endswith("ratings")

    out = session.post(
        f"{server.url}/staff/logout", headers={"X-CSRF-Token": csrf}, allow_redirects=False
    )
    assert out.status_code == 303 and out.headers["location"] == "/staff/login"
    stale = {"Cookie": f"baybot_staff_session={signed.cookies['baybot_staff_session']}"}
    assert requests.get(f"{server.url}/staff/config", headers=stale, timeout=30).status_code == 401
    logged = "\n".join(r.getMessage() + repr(r.args) for r in caplog.records)
    assert "ana" in logged or "staff" in logged  # the sign-in was logged ...
    assert OTHER_PASSWORD not in logged  # ... without the password


def test_repeated_wrong_passwords_lock_the_account(server, monkeypatch, caplog):
    caplog.set_level(logging.DEBUG)
    assert add_staff(server.settings, "locky", PASSWORD, monkeypatch).exit_code == 0

    def attempt(password: str) -> requests.Response:
        session = requests.Session()
        form = session.get(f"{server.url}/staff/login", timeout=30).text
        token = re.search(r'name="csrf" value="([^"]+)"', form).group(1)
        return session.post(
            f"{server.url}/staff/login",
            data={"name": "locky", "password": password, "csrf": token},
            allow_redirects=False,
            timeout=60,
        )

    statuses = [attempt(f"wrong password number {i}").status_code for i in range(MAX_FAILURES)]
    assert statuses[:-1] == [401] * (MAX_FAILURES - 1) and statuses[-1] == 429
    locked = attempt(PASSWORD)  # even the right password, while locked
    assert locked.status_code == 429 and "too many failed sign-ins" in locked.text
    assert "baybot_staff_session" not in locked.cookies
    assert PASSWORD not in "\n".join(r.getMessage() + repr(r.args) for r in caplog.records)
    removed = CliRunner().invoke(cli, ["staff", "remove", "locky"], env=cli_env(server.settings))
    assert removed.exit_code == 0


def test_the_public_chat_shares_the_rest_rate_limit_and_length_limit(server, tmp_path):
    settings = server.settings.model_copy(
        update={"rate_limit_per_minute": 3, "feedback_db": tmp_path / "limits.db"}
    )
    app = create_app(settings, assistant=server.app.state.live.assistant)
    with serve(app) as url:
        client = Client(url + "/", verbose=False, download_files=False)
        with pytest.raises(Exception, match="2000 characters"):
            client.predict("q" * 2001, [], "en", api_name="/chat")
        import time

        if time.time() % 60 > 45:  # counted per clock minute: keep the four in one
            time.sleep(61 - time.time() % 60)
        body = {"query": "TTPS", "k": 1}
        assert requests.post(f"{url}/v1/search", json=body, timeout=30).status_code == 200
        client.predict("What is the Top Talent Pass Scheme?", [], "en", api_name="/chat")
        assert requests.post(f"{url}/v1/search", json=body, timeout=30).status_code == 200
        with pytest.raises(Exception, match="Too many requests"):
            client.predict("And QMAS?", [], "en", api_name="/chat")
        assert requests.post(f"{url}/v1/search", json=body, timeout=30).status_code == 429


def test_answers_are_logged_only_when_switched_on(server, tmp_path):
    question = "Which scheme is for top earners?"
    for enabled in (False, True):
        settings = server.settings.model_copy(
            update={"log_answers": enabled, "feedback_db": tmp_path / f"log-{enabled}.db"}
        )
        app = create_app(settings, assistant=server.app.state.live.assistant)
        with serve(app) as url:
            answer = requests.post(f"{url}/v1/answer", json={"question": question}, timeout=60)
            assert answer.status_code == 200
            logged = app.state.database.answers.recent()
        assert [entry.question for entry in logged] == ([question] if enabled else [])
        if enabled:
            assert logged[0].answer == answer.json()["answer"]
