"""Staff access over HTTP: the sign-in page, sign-out, and the gate in front of every /staff path.

The gate is ASGI middleware on the whole `/staff` prefix rather than a check inside each
handler, so the staff Gradio app's own routes (its config, API info, queue, uploads, files,
assets) are covered too, including any a later Gradio version adds. Without a valid session a
page request is redirected to the sign-in page and anything else gets 401; a state-changing
request also needs the session's CSRF token in the X-CSRF-Token header (the staff page's
script adds it to every request it makes).
"""

from __future__ import annotations

import datetime as dt
import html
import logging
import secrets
from http.cookies import SimpleCookie
from typing import Annotated, Any

from fastapi import FastAPI, Form, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from baybot.auth import (
    CSRF_HEADER,
    SESSION_COOKIE,
    AuthPolicy,
    LockedOutError,
    SecretError,
    SignInError,
    StaffAuth,
)
from baybot.config import Settings
from baybot.db import Database

log = logging.getLogger(__name__)

PREFIX = "/staff"
LOGIN = f"{PREFIX}/login"
LOGOUT = f"{PREFIX}/logout"
# Readable by the staff page's script (double-submit): it copies it into X-CSRF-Token.
CSRF_COOKIE = "baybot_staff_csrf"
# Ties the sign-in form to the browser that loaded it, before there is a session.
LOGIN_CSRF_COOKIE = "baybot_login_csrf"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# The generated secret's length: 64 URL-safe characters, 384 bits.
GENERATED_SECRET_BYTES = 48

# Adds the CSRF token to every same-origin request the staff page makes (fetch and XHR).
CSRF_SCRIPT = f"""<script>
(() => {{
  const token = () => ((document.cookie.split('; ')
    .find((c) => c.startsWith('{CSRF_COOKIE}=')) || '').split('=')[1] || '');
  const send = window.fetch.bind(window);
  window.fetch = (input, init = {{}}) => {{
    const url = new URL(typeof input === 'string' || input instanceof URL ? input : input.url,
                        location.href);
    if (url.origin === location.origin) {{
      const headers = new Headers(init.headers ||
        (input instanceof Request ? input.headers : undefined));
      headers.set('{CSRF_HEADER}', token());
      init = {{ ...init, headers }};
    }}
    return send(input, init);
  }};
  const xhrSend = XMLHttpRequest.prototype.send;
  XMLHttpRequest.prototype.send = function (body) {{
    try {{ this.setRequestHeader('{CSRF_HEADER}', token()); }} catch (e) {{}}
    return xhrSend.call(this, body);
  }};
}})();
</script>"""
# The sign-out button's click handler (a Gradio `js` function).
SIGN_OUT_JS = f"""() => {{
  fetch('{LOGOUT}', {{ method: 'POST' }}).finally(() => {{ location.href = '{LOGIN}'; }});
}}"""


def session_secret(settings: Settings) -> str:
    """The secret that signs staff cookies. Unset, one process makes its own (sessions then
    end at a restart); replicas must share one, so read-only servers refuse to start."""
    if settings.session_secret is not None:
        return settings.session_secret.get_secret_value()
    if settings.read_only:
        raise SecretError(
            "BAYBOT_SESSION_SECRET must be set (the same on every replica) with --read-only"
        )
    log.warning(
        "BAYBOT_SESSION_SECRET is not set: staff sessions are signed with a random secret of "
        "this process and end when it stops; set it when more than one process serves /staff"
    )
    return secrets.token_urlsafe(GENERATED_SECRET_BYTES)


def staff_auth(settings: Settings, database: Database) -> StaffAuth:
    policy = AuthPolicy(
        max_failures=settings.staff_max_failures,
        lock_for=dt.timedelta(minutes=settings.staff_lock_minutes),
        session_lifetime=dt.timedelta(hours=settings.staff_session_hours),
    )
    return StaffAuth(
        database, session_secret(settings), policy, secure_cookie=settings.staff_cookie_secure
    )


def is_staff_path(path: str) -> bool:
    return path == PREFIX or path.startswith(PREFIX + "/")


def _cookies(scope: dict[str, Any]) -> dict[str, str]:
    jar: SimpleCookie = SimpleCookie()
    for name, value in scope.get("headers", ()):
        if name == b"cookie":
            try:
                jar.load(value.decode("latin-1"))
            except Exception:  # a malformed Cookie header is treated as no cookie
                continue
    return {key: morsel.value for key, morsel in jar.items()}


class StaffGate:
    """Refuses every /staff request (but the sign-in page) without a valid staff session."""

    def __init__(self, app: Any, auth: StaffAuth) -> None:
        self.app, self.auth = app, auth

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] not in ("http", "websocket") or not is_staff_path(scope["path"]):
            await self.app(scope, receive, send)
            return
        if scope["type"] == "http" and scope["path"] == LOGIN:
            await self.app(scope, receive, send)
            return
        cookie = _cookies(scope).get(SESSION_COOKIE)
        principal = await run_in_threadpool(self.auth.sessions.principal, cookie)
        if scope["type"] == "websocket":
            if principal is None:
                await send({"type": "websocket.close", "code": 1008})
                return
            await self.app(scope, receive, send)
            return
        method = scope["method"]
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        if principal is None:
            response: Response
            if method == "GET" and "text/html" in headers.get("accept", ""):
                response = RedirectResponse(LOGIN, status_code=303)
            else:
                response = JSONResponse(
                    {"detail": f"staff only: sign in at {LOGIN}"}, status_code=401
                )
            await response(scope, receive, send)
            return
        if method not in SAFE_METHODS and not self.auth.sessions.csrf_ok(
            cookie, headers.get(CSRF_HEADER.lower())
        ):
            await JSONResponse(
                {"detail": f"missing or wrong {CSRF_HEADER} header"}, status_code=403
            )(scope, receive, send)
            return
        scope.setdefault("state", {})["staff"] = principal.name
        await self.app(scope, receive, send)


def add_sign_in_routes(app: FastAPI, auth: StaffAuth) -> None:
    """GET/POST /staff/login and POST /staff/logout (the gate checks its session and CSRF)."""
    cookie = auth.sessions.cookie

    def page(message: str = "", status: int = 200) -> HTMLResponse:
        token = secrets.token_urlsafe(32)
        response = HTMLResponse(_login_page(token, message), status_code=status)
        response.set_cookie(
            LOGIN_CSRF_COOKIE, token, path=LOGIN, secure=cookie.secure, httponly=True,
            samesite="strict", max_age=3600,
        )  # fmt: skip
        response.headers["Cache-Control"] = "no-store"
        return response

    @app.get(LOGIN, include_in_schema=False)
    def login_page(request: Request) -> Response:
        if auth.sessions.principal(request.cookies.get(SESSION_COOKIE)) is not None:
            return RedirectResponse(f"{PREFIX}/", status_code=303)
        return page()

    @app.post(LOGIN, include_in_schema=False)
    async def login(
        request: Request,
        name: Annotated[str, Form(max_length=200)] = "",
        password: Annotated[str, Form(max_length=1024)] = "",
        csrf: Annotated[str, Form(max_length=200)] = "",
    ) -> Response:
        expected = request.cookies.get(LOGIN_CSRF_COOKIE) or ""
        if not expected or not secrets.compare_digest(expected.encode(), csrf.encode()):
            return page("The sign-in form expired; please try again.", 403)
        try:
            issued = await run_in_threadpool(auth.sign_in, name, password)
        except LockedOutError as exc:
            return page(str(exc), 429)
        except SignInError:
            return page("Wrong name or password.", 401)
        response = RedirectResponse(f"{PREFIX}/", status_code=303)
        response.set_cookie(**cookie.set_cookie_args(issued.cookie_value))
        response.set_cookie(
            CSRF_COOKIE, issued.csrf_token, path=PREFIX, secure=cookie.secure, httponly=False,
            samesite="strict", max_age=cookie.max_age_s,
        )  # fmt: skip
        response.delete_cookie(LOGIN_CSRF_COOKIE, path=LOGIN)
        return response

    @app.post(LOGOUT, include_in_schema=False)
    async def logout(request: Request) -> Response:
        await run_in_threadpool(auth.sessions.end, request.cookies.get(SESSION_COOKIE))
        response = RedirectResponse(LOGIN, status_code=303)
        response.delete_cookie(**cookie.delete_cookie_args())
        response.delete_cookie(CSRF_COOKIE, path=PREFIX, secure=cookie.secure, samesite="strict")
        return response


def _login_page(token: str, message: str) -> str:
    notice = f'<p class="error" role="alert">{html.escape(message)}</p>' if message else ""
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>BayBot staff sign-in</title>
<style>
body {{ font-family: system-ui, sans-serif; max-width: 22rem; margin: 4rem auto; padding: 0 1rem; }}
label {{ display: block; margin-top: 1rem; }}
input {{ width: 100%; padding: .5rem; box-sizing: border-box; }}
button {{ margin-top: 1.2rem; padding: .5rem 1.2rem; }}
.error {{ color: #b91c1c; }}
</style></head>
<body><h1>BayBot staff</h1>{notice}
<form method="post" action="{LOGIN}">
<input type="hidden" name="csrf" value="{html.escape(token)}">
<label>Name <input id="bb-staff-name" name="name" autocomplete="username" required></label>
<label>Password <input id="bb-staff-password" name="password" type="password"
 autocomplete="current-password" required></label>
<button id="bb-sign-in" type="submit">Sign in</button>
</form></body></html>"""
