"""Rate limits shared by every process that uses one database: fixed-window counters.

Each request is one atomic `INSERT … ON CONFLICT DO UPDATE SET count = count + 1 RETURNING
count`, so concurrent requests on any number of replicas can never both read the same count:
the k-th request in a window sees k, and exactly `limit` of them are allowed. A fixed window
may let up to twice the limit through across a window boundary; that is the price of one
statement per request instead of a log of timestamps per caller.
"""

from __future__ import annotations

import math
import threading
import time
from dataclasses import dataclass

from sqlalchemy import Engine, delete
from sqlalchemy.dialects import postgresql, sqlite

import baybot.db.schema as schema

WINDOW_S = 60  # the REST limit is per minute


@dataclass(frozen=True)
class RateDecision:
    allowed: bool
    count: int  # requests of this key in this window, this one included
    limit: int
    retry_after: int  # seconds until the next window; 0 when allowed


class RateLimitRepository:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        dialect = sqlite if engine.dialect.name == "sqlite" else postgresql
        self._insert = dialect.insert

    def hit(
        self, key: str, *, limit: int, window_s: int = WINDOW_S, now: float | None = None
    ) -> RateDecision:
        """Count one request of `key` and say whether it is within `limit` per window."""
        now = time.time() if now is None else now
        window_start = int(now // window_s) * window_s
        table = schema.rate_limits
        statement = self._insert(table).values(key=key, window_start=window_start, count=1)
        statement = statement.on_conflict_do_update(
            index_elements=[table.c.key, table.c.window_start],
            set_={"count": table.c.count + 1},
        ).returning(table.c.count)
        with self._engine.begin() as connection:
            count = int(connection.execute(statement).scalar_one())
        allowed = count <= limit
        retry_after = 0 if allowed else max(1, math.ceil(window_start + window_s - now))
        return RateDecision(allowed, count, limit, retry_after)

    def purge(self, *, before: float) -> int:
        """Drop the counters of windows that started before `before` (Unix seconds)."""
        with self._engine.begin() as connection:
            return connection.execute(
                delete(schema.rate_limits).where(schema.rate_limits.c.window_start < before)
            ).rowcount


class SharedRateLimiter:
    """`per_minute` requests a minute for each caller across every replica; the same
    `retry_after(caller)` as the in-memory limiter of the API, so either can guard it."""

    def __init__(self, repository: RateLimitRepository, per_minute: int) -> None:
        self.per_minute = per_minute
        self._repository = repository
        self._purged_window = 0.0
        self._lock = threading.Lock()

    def retry_after(self, caller: str, *, now: float | None = None) -> int:
        """0 when the request may go ahead (and is counted), else seconds to wait."""
        if self.per_minute == 0:
            return 0
        now = time.time() if now is None else now
        self._purge_old(now)
        return self._repository.hit(caller, limit=self.per_minute, now=now).retry_after

    def _purge_old(self, now: float) -> None:
        """Once a window per process, drop finished windows so the table stays small."""
        window_start = now // WINDOW_S * WINDOW_S
        with self._lock:
            if window_start <= self._purged_window:
                return
            self._purged_window = window_start
        self._repository.purge(before=window_start)
