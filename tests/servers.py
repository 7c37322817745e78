"""Helpers for the generator and server tests: requests over made-up passages, a real
llama.cpp server, misbehaving fake servers and our own app on uvicorn, all on 127.0.0.1.
"""

from __future__ import annotations

import re
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import requests
import uvicorn
from fastapi import FastAPI

from baybot.answer.generators import GenerationRequest
from baybot.types import Hit, Passage

TTPS = (
    "The Top Talent Pass Scheme lets people with an annual income of at least HK$2.5 million, "
    "or graduates of the world's top 100 universities, live and work in Hong Kong for two years."
)

Responder = Callable[[BaseHTTPRequestHandler], None]


def make_request(
    texts: Sequence[str] = (TTPS,),
    question: str = "How long can I stay under the Top Talent Pass Scheme?",
    language: str = "en",
) -> GenerationRequest:
    """A request over made-up passages numbered from 1, without building an index."""
    passages = tuple(
        Passage(
            n=n,
            hit=Hit(
                rank=n,
                chunk_id=f"doc-{n}#0",
                doc_id=f"doc-{n}",
                title=f"Scheme notice {n}",
                score=1.0 / n,
                text=text,
                url=None,
                published=date(2024, 1, n),
                language=language,
                section="",
                start=0,
                end=len(text),
            ),
            issuer="Immigration Department",
        )
        for n, text in enumerate(texts, start=1)
    )
    return GenerationRequest(question=question, language=language, passages=passages)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: object, client_address: object) -> None:
        """Clients that gave up (timeouts) close sockets mid-answer; that is the point here."""


@contextmanager
def fake_server(respond: Responder) -> Iterator[str]:
    """A server on 127.0.0.1 answering every POST with `respond`; yields its /v1 base URL."""

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            respond(self)

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = _QuietServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/v1"
    finally:
        server.shutdown()
        server.server_close()


def reply(
    handler: BaseHTTPRequestHandler, status: int, content_type: str, body: bytes | str
) -> None:
    data = body.encode() if isinstance(body, str) else body
    handler.send_response(status)
    handler.send_header("Content-Type", content_type)
    handler.send_header("Content-Length", str(len(data)))
    handler.end_headers()
    handler.wfile.write(data)


def _ready(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return bool(response.status == 200)
    except OSError:
        return False


@contextmanager
def llama_server(model: Path, log: Path, deadline_s: float = 120.0) -> Iterator[str]:
    """`python -m llama_cpp.server` on a free local port; yields its /v1 base URL."""
    port = free_port()
    base = f"http://127.0.0.1:{port}/v1"
    command = [
        sys.executable,
        "-m",
        "llama_cpp.server",
        "--model",
        str(model),
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--n_ctx",
        "2048",
    ]
    with log.open("wb") as output:
        process = subprocess.Popen(command, stdout=output, stderr=subprocess.STDOUT)
        try:
            until = time.monotonic() + deadline_s
            while not _ready(f"{base}/models"):
                if process.poll() is not None or time.monotonic() > until:
                    raise RuntimeError(
                        f"llama_cpp.server did not start (exit code {process.poll()}):\n"
                        + log.read_text(errors="replace")[-3000:]
                    )
                time.sleep(0.25)
            yield base
        finally:
            stop(process)


def stop(process: subprocess.Popen, grace_s: float = 20) -> None:
    """Terminate, then kill if it has not exited within `grace_s`."""
    process.terminate()
    try:
        process.wait(timeout=grace_s)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


# Seconds a finished test's server waits for connections its clients left open (Gradio's event
# streams, keep-alive) before it stops: without a limit it waited for the join below to give up.
SHUTDOWN_GRACE_S = 1
SHUTDOWN_JOIN_S = 10


@contextmanager
def serve(app: FastAPI) -> Iterator[str]:
    """Run `app` on a real uvicorn server on 127.0.0.1; yields its base URL."""
    port = free_port()
    config = uvicorn.Config(
        app, host="127.0.0.1", port=port, log_level="warning",
        timeout_graceful_shutdown=SHUTDOWN_GRACE_S,
    )  # fmt: skip
    instance = uvicorn.Server(config)
    thread = threading.Thread(target=instance.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not instance.started:
        assert time.monotonic() < deadline, "server did not start"
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        instance.should_exit = True
        thread.join(timeout=SHUTDOWN_JOIN_S)
        assert not thread.is_alive(), "server did not stop"


@dataclass
class Route:
    """What the page server answers on one path: a page, a status with no body, or a redirect."""

    status: int = 200
    content_type: str = "text/html; charset=utf-8"
    body: bytes = b""
    location: str | None = None


@contextmanager
def page_server(routes: dict[str, Route]) -> Iterator[str]:
    """A web server on 127.0.0.1 answering GETs from `routes` (path -> Route, changeable while
    it runs; unknown paths are 404); yields its base URL without a trailing slash."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            route = routes.get(self.path.split("?")[0], Route(status=404))
            self.send_response(route.status)
            if route.location:
                self.send_header("Location", route.location)
            self.send_header("Content-Type", route.content_type)
            self.send_header("Content-Length", str(len(route.body)))
            self.end_headers()
            self.wfile.write(route.body)

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = _QuietServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def sign_in(url: str, name: str = "reviewer", password: str = "a long enough staff password"
            ) -> dict[str, str]:  # fmt: skip
    """Sign in at `url`/staff/login as a browser does; the headers a signed-in client sends
    (the session cookie and the CSRF token)."""
    session = requests.Session()
    page = session.get(f"{url}/staff/login", timeout=30).text
    match = re.search(r'name="csrf" value="([^"]+)"', page)
    assert match, page[:500]
    response = session.post(
        f"{url}/staff/login",
        data={"name": name, "password": password, "csrf": match.group(1)},
        allow_redirects=False,
        timeout=60,
    )
    assert response.status_code == 303, response.text[:500]
    cookies = session.cookies.get_dict()
    return {
        "Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items()),
        "X-CSRF-Token": cookies["baybot_staff_csrf"],
    }
