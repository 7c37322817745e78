"""What stands before the REST routes and the public chat: who the caller is (an API key or a
client address), the per-caller rate limit shared by both, the request size limit, and 422
bodies that never echo a whole input back."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from fastapi import HTTPException
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import SecretStr

# Characters of an offending input a 422 shows: enough to recognise it, not a 10,000-character
# question sent straight back (the client has it; logs and proxies need not carry it twice).
ECHO_CHARS = 100


class Limiter(Protocol):
    per_minute: int

    def retry_after(self, caller: str) -> int: ...


class UnknownKeyError(Exception):
    """An API key was sent but is not one the server accepts."""


@dataclass(frozen=True)
class Callers:
    """Names the caller of a request for the rate limit: `key:<sha256>` for an accepted API key
    (never the key itself), else `address:<client address>`."""

    keys: tuple[bytes, ...]

    @classmethod
    def of(cls, keys: Sequence[SecretStr]) -> Callers:
        return cls(tuple(k.get_secret_value().encode() for k in keys))

    def identify(self, headers: Mapping[str, str], client: str | None) -> str | None:
        """The caller, or None when keys are set and no accepted one was sent."""
        given = sent_key(headers)
        if given and any(hmac.compare_digest(given.encode(), key) for key in self.keys):
            return "key:" + hashlib.sha256(given.encode()).hexdigest()
        if self.keys:
            return None
        return f"address:{client or 'unknown'}"

    def address(self, headers: Mapping[str, str], client: str | None) -> str:
        """The caller where a key is optional (the public chat): its key if it sent an
        accepted one, else its address."""
        return self.identify(headers, client) or f"address:{client or 'unknown'}"


def sent_key(headers: Mapping[str, str]) -> str:
    """The API key in `X-API-Key` or `Authorization: Bearer`, or ""."""
    given = headers.get("x-api-key") or ""
    scheme, _, token = (headers.get("authorization") or "").partition(" ")
    if scheme.lower() == "bearer":
        given = token.strip()
    return given


def limit_or_raise(limiter: Limiter, caller: str) -> None:
    """429 with Retry-After once `caller` has used its allowance."""
    wait = limiter.retry_after(caller)
    if wait:
        raise HTTPException(
            429,
            detail=f"rate limit of {limiter.per_minute} requests a minute reached",
            headers={"Retry-After": str(wait)},
        )


def shorten(value: Any) -> Any:
    """`value` with every long string cut to ECHO_CHARS characters (and long lists to their
    first items), for echoing back in an error."""
    if isinstance(value, str):
        if len(value) <= ECHO_CHARS:
            return value
        return f"{value[:ECHO_CHARS]}… ({len(value)} characters)"
    if isinstance(value, Mapping):
        return {k: shorten(v) for k, v in list(value.items())[:20]}
    if isinstance(value, list | tuple):
        return [shorten(v) for v in value[:20]]
    return value


# An error's reason (which may quote what was sent) is cut here: long enough for the list of
# known filter values that follows an unknown one, far shorter than any abusive input.
REASON_CHARS = 600


def shorten_reason(reason: str) -> str:
    if len(reason) <= REASON_CHARS:
        return reason
    return f"{reason[:REASON_CHARS]}… ({len(reason)} characters)"


async def validation_error(_: Any, exc: RequestValidationError) -> JSONResponse:
    """FastAPI's 422 shape, with the offending inputs shortened."""
    errors = [{**e, "input": shorten(e.get("input"))} for e in exc.errors()]
    for error in errors:
        if isinstance(error.get("ctx"), dict):
            error["ctx"] = shorten(error["ctx"])
    return JSONResponse({"detail": jsonable_encoder(errors)}, status_code=422)


class BodyLimit:
    """413 for a request body over `limit` bytes: refused from its Content-Length, or stopped
    as it streams in, before the app has read it all. Guards every route (REST, chat, staff)."""

    def __init__(self, app: Any, limit: int) -> None:
        self.app, self.limit = app, limit

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        detail = f"request body is larger than {self.limit} bytes"
        length = dict(scope["headers"]).get(b"content-length", b"")
        if length.isdigit() and int(length) > self.limit:
            await JSONResponse({"detail": detail}, status_code=413)(scope, receive, send)
            return
        received = 0

        async def limited() -> Any:
            nonlocal received
            message = await receive()
            received += len(message.get("body", b""))
            if received > self.limit:
                raise HTTPException(413, detail=detail)  # FastAPI answers it, the app goes on
            return message

        await self.app(scope, limited, send)
