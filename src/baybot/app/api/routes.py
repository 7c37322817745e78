"""The REST API for integrators: FastAPI routes over one Assistant.

The pydantic models (models.py) are the contract: FastAPI turns them into the OpenAPI schema at
`/docs`, and a request outside them (a question over 2,000 characters, k outside 1-50, an
unknown filter name) is answered 422 with the reason before any work is done.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import logging
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, HTTPException, Path, Request
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse
from sse_starlette.sse import EventSourceResponse
from starlette.concurrency import iterate_in_threadpool, run_in_threadpool

from baybot import __version__
from baybot.answer.assistant import Assistant
from baybot.answer.generators import GenerationError, available_generators
from baybot.app.api.guards import (
    BodyLimit,
    Callers,
    limit_or_raise,
    shorten_reason,
    validation_error,
)
from baybot.app.api.models import (
    AnswerModel,
    AnswerRequest,
    DocumentModel,
    Health,
    SearchRequest,
    SearchResponse,
)
from baybot.app.live import LiveAssistant
from baybot.app.records import AnswerLogger
from baybot.config import Settings
from baybot.db import Database, SharedRateLimiter
from baybot.errors import BayBotError, QueryError
from baybot.types import Answer, AnswerStream, Token

log = logging.getLogger(__name__)


def open_database(settings: Settings) -> Database:
    """The database of `settings` (PostgreSQL, or the SQLite file), migrated."""
    return Database(
        settings.storage_url,
        answer_retention=dt.timedelta(days=settings.answer_retention_days),
    )


def create_app(
    settings: Settings | None = None,
    assistant: Assistant | None = None,
    *,
    ui: bool = True,
    progress: bool = False,
    database: Database | None = None,
) -> FastAPI:
    """The server app: REST under /v1 and, with `ui`, the public chat at `/` and the staff app
    behind sign-in at `/staff`. It loads (and, unless read-only, builds) the index in the
    background on start unless given an Assistant."""
    settings = settings or (assistant.settings if assistant else Settings())
    live = LiveAssistant(settings, assistant, progress=progress)
    database = database or open_database(settings)
    log_answer = AnswerLogger(database, settings.log_answers)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        live.start()
        yield
        live.stop()

    app = FastAPI(
        title="BayBot API",
        version=__version__,
        description="Cited answers about Greater Bay Area talent schemes.",
        lifespan=lifespan,
    )
    app.state.live = live
    app.state.database = database

    callers = Callers.of(settings.api_keys)
    limiter = SharedRateLimiter(database.rate_limits, settings.rate_limit_per_minute)

    def guard(request: Request) -> None:
        """API keys (compared in constant time, never logged) and the per-caller rate limit,
        counted in the database so every replica shares it."""
        caller = callers.identify(request.headers, request.client.host if request.client else None)
        if caller is None:
            raise HTTPException(
                401, detail="missing or unknown API key", headers={"WWW-Authenticate": "Bearer"}
            )
        limit_or_raise(limiter, caller)

    v1 = APIRouter(prefix="/v1", dependencies=[Depends(guard)])

    def ready() -> Assistant:
        if live.assistant is None:
            raise HTTPException(503, detail=live.error or "the index is still loading")
        return live.assistant

    app.add_exception_handler(RequestValidationError, validation_error)  # type: ignore[arg-type]

    @app.exception_handler(QueryError)
    async def query_error(_: Any, exc: QueryError) -> JSONResponse:
        # The reason may quote the offending value (an unknown filter value): never echo it whole.
        return JSONResponse({"detail": shorten_reason(str(exc))}, status_code=422)

    @app.exception_handler(GenerationError)
    async def generation_error(_: Any, exc: GenerationError) -> JSONResponse:
        return JSONResponse({"detail": str(exc)}, status_code=502)

    @app.get("/healthz", response_model=Health)
    def healthz() -> Health:
        a = live.assistant
        if a is None:
            if live.error:
                return Health(status="failed", version=__version__, error=live.error)
            now = live.progress.snapshot()
            return Health(
                status="loading",
                version=__version__,
                progress=round(now.fraction, 3) if now else None,
                eta_s=round(now.eta_s) if now and now.eta_s is not None else None,
                step=now.step if now else None,
            )
        return Health(
            status="ready",
            version=__version__,
            documents=len(a.retriever.index.documents),
            passages=len(a.retriever.index),
            models=[e.name for e in a.retriever.embedders],
            generator=a.settings.generator,
            index_version=a.retriever.index.version,
        )

    @v1.post("/search", response_model=SearchResponse)
    async def search(request: SearchRequest) -> JSONResponse:
        filters = request.filters.model_dump(exclude_none=True) if request.filters else None
        hits = await run_in_threadpool(ready().retriever.search, request.query, request.k, filters)
        # Hit.to_dict is already the SearchResponse shape: skip re-validating it (hot path).
        return JSONResponse({"query": request.query, "hits": [h.to_dict() for h in hits]})

    @v1.post(
        "/answer",
        response_model=AnswerModel,
        responses={200: {"content": {"text/event-stream": {}}}},
    )
    async def answer(request: AnswerRequest) -> Any:
        """With `stream: true`, server-sent events: `token` events ({"text"}) as the answer is
        written, then one `answer` event with the checked answer and its citations (or one
        `error` event)."""
        a = ready()
        if request.generator and request.generator not in available_generators():
            known = ", ".join(available_generators())
            raise HTTPException(
                422, detail=f"unknown generator {request.generator!r}; known: {known}"
            )
        history = [t.model_dump() for t in request.history]
        filters = request.filters.model_dump(exclude_none=True) if request.filters else None
        events = a.stream(request.question, history, generator=request.generator, filters=filters)
        if not request.stream:
            final = await run_in_threadpool(AnswerStream(events).final)
            await run_in_threadpool(log_answer, final)
            return final.to_dict()
        # The first step validates the question and filters: a bad request is still a 4xx.
        first = await run_in_threadpool(next, events)
        return EventSourceResponse(_sse(first, events, log_answer))

    @v1.get("/documents/{doc_id}", response_model=DocumentModel)
    def document(
        doc_id: Annotated[str, Path(min_length=1, max_length=200, pattern=r"^[\w.\-]+$")],
    ) -> dict[str, Any]:
        doc = ready().retriever.index.documents.get(doc_id)
        if doc is None:
            raise HTTPException(404, detail=f"no document {doc_id!r}")
        return {**dataclasses.asdict(doc), "doc_id": doc.id, "url": doc.url}

    app.include_router(v1)
    if ui:
        from baybot.app.web.access import StaffGate, add_sign_in_routes, staff_auth
        from baybot.app.web.chat import mount_ui
        from baybot.app.web.staff import mount_staff

        auth = staff_auth(settings, database)
        add_sign_in_routes(app, auth)
        # before `/`, which takes every path
        mount_staff(app, live.get, settings, database, refresh=live.refresh)
        mount_ui(app, live.get, settings, database, Callers.of(settings.api_keys), limiter)
        app.add_middleware(StaffGate, auth=auth)
    app.add_middleware(BodyLimit, limit=settings.max_request_bytes)
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=list(settings.cors_origins),
            allow_methods=["GET", "POST"],
            allow_headers=["Authorization", "X-API-Key", "Content-Type"],
        )
    return app


def _event(event: Token | Answer) -> dict[str, str]:
    if isinstance(event, Answer):
        return {"event": "answer", "data": json.dumps(event.to_dict(), ensure_ascii=False)}
    return {"event": "token", "data": json.dumps({"text": event.text}, ensure_ascii=False)}


async def _sse(
    first: Token | Answer, rest: Iterator[Any], log_answer: AnswerLogger
) -> AsyncIterator[dict[str, str]]:
    yield _event(first)
    try:
        async for event in iterate_in_threadpool(rest):
            if isinstance(event, Answer):
                await run_in_threadpool(log_answer, event)
            yield _event(event)
    except BayBotError as exc:
        yield {"event": "error", "data": json.dumps({"detail": str(exc)}, ensure_ascii=False)}
