"""What stands before the REST routes: the per-caller rate limit and the request size limit."""

from __future__ import annotations

import threading
import time
from collections import defaultdict, deque
from typing import Any

from fastapi import HTTPException
from fastapi.responses import JSONResponse


class RateLimiter:
    """At most `per_minute` requests in any 60 s for one caller (a sliding window in memory:
    one process serves the API, and its state need not survive a restart)."""

    def __init__(self, per_minute: int) -> None:
        self.per_minute = per_minute
        self._seen: dict[str, deque[float]] = defaultdict(deque)
        self._lock = threading.Lock()

    def retry_after(self, caller: str) -> int:
        """0 when the request may go ahead (and is counted), else seconds to wait."""
        if self.per_minute == 0:
            return 0
        now = time.monotonic()
        with self._lock:
            window = self._seen[caller]
            while window and now - window[0] >= 60:
                window.popleft()
            if len(window) >= self.per_minute:
                return max(1, int(60 - (now - window[0])) + 1)
            window.append(now)
            return 0


class BodyLimit:
    """413 for a REST request body over `limit` bytes: refused from its Content-Length, or
    stopped as it streams in, before the app has read it all."""

    def __init__(self, app: Any, limit: int, prefix: str = "/v1") -> None:
        self.app, self.limit, self.prefix = app, limit, prefix

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http" or not scope["path"].startswith(self.prefix):
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
