"""The REST API for integrators: FastAPI routes over one Assistant.

The pydantic models (models.py) are the contract: FastAPI turns them into the OpenAPI schema at
`/docs`, and a request outside them (a question over 2,000 characters, k outside 1-50, an
unknown filter name) is answered 422 with the reason before any work is done.
"""

from __future__ import annotations

import dataclasses
import hashlib
import hmac
import json
import logging
import threading
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, HTTPException, Path, Request
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse
from sse_starlette.sse import EventSourceResponse
from starlette.concurrency import iterate_in_threadpool, run_in_threadpool

from baybot import __version__
from baybot.answer.assistant import Assistant
from baybot.answer.generators import GenerationError, available_generators
from baybot.app.api.guards import BodyLimit, RateLimiter
from baybot.app.api.models import (
    AnswerModel,
    AnswerRequest,
    DocumentModel,
    Health,
    SearchRequest,
    SearchResponse,
)
from baybot.app.wiring import build_assistant
from baybot.config import Settings
from baybot.errors import BayBotError, QueryError
from baybot.timing import Progress
from baybot.types import Answer, AnswerStream, Token

log = logging.getLogger(__name__)


class _State:
    """The Assistant, built in the background so the server answers /healthz at once."""

    def __init__(self) -> None:
        self.assistant: Assistant | None = None
        self.error: str | None = None
        self.progress: Progress | None = None
        self.ready = threading.Event()


def create_app(
    settings: Settings | None = None,
    assistant: Assistant | None = None,
    *,
    ui: bool = True,
    progress: bool = False,
) -> FastAPI:
    """The server app: REST under /v1 and, with `ui`, the web chat at `/`. It loads (and if
    needed builds) the index in the background on start unless given an Assistant; progress
    shows as a bar on a terminal (`progress`), else as log lines, and in /healthz."""
    settings = settings or (assistant.settings if assistant else Settings())
    state = _State()
    state.progress = Progress(terminal=progress)

    def load() -> None:
        log.info("loading the index from %s (built or updated from %s when needed)",
                 settings.index_dir, settings.corpus_dir)  # fmt: skip
        try:
            state.assistant = build_assistant(settings, progress=state.progress)
            index = state.assistant.retriever.index
            log.info("ready: %d passages from %d sources", len(index), len(index.documents))
        except BayBotError as exc:
            state.error = str(exc)
            log.error("cannot load the index: %s", exc)
        finally:
            state.ready.set()

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        if assistant is not None:
            state.assistant = assistant
            state.ready.set()
        else:
            threading.Thread(target=load, name="baybot-load", daemon=True).start()
        yield

    app = FastAPI(
        title="BayBot API",
        version=__version__,
        description="Cited answers about Greater Bay Area talent schemes.",
        lifespan=lifespan,
    )

    keys = [k.get_secret_value().encode() for k in settings.api_keys]
    limiter = RateLimiter(settings.rate_limit_per_minute)

    def guard(request: Request) -> None:
        """API keys (compared in constant time, never logged) and the per-caller rate limit."""
        given = request.headers.get("x-api-key") or ""
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() == "bearer":
            given = token.strip()
        caller = f"address:{request.client.host if request.client else 'unknown'}"
        if keys:
            if not any(hmac.compare_digest(given.encode(), key) for key in keys):
                raise HTTPException(
                    401, detail="missing or unknown API key", headers={"WWW-Authenticate": "Bearer"}
                )
            caller = "key:" + hashlib.sha256(given.encode()).hexdigest()
        wait = limiter.retry_after(caller)
        if wait:
            raise HTTPException(
                429,
                detail=f"rate limit of {limiter.per_minute} requests a minute reached",
                headers={"Retry-After": str(wait)},
            )

    v1 = APIRouter(prefix="/v1", dependencies=[Depends(guard)])

    def ready() -> Assistant:
        if state.assistant is None:
            reason = state.error or "the index is still loading"
            raise HTTPException(503, detail=reason)
        return state.assistant

    @app.exception_handler(QueryError)
    async def query_error(_: Any, exc: QueryError) -> JSONResponse:
        return JSONResponse({"detail": str(exc)}, status_code=422)

    @app.exception_handler(GenerationError)
    async def generation_error(_: Any, exc: GenerationError) -> JSONResponse:
        return JSONResponse({"detail": str(exc)}, status_code=502)

    @app.get("/healthz", response_model=Health)
    def healthz() -> Health:
        if state.assistant is None:
            if state.error:
                return Health(status="failed", version=__version__, error=state.error)
            now = state.progress.snapshot() if state.progress else None
            return Health(
                status="loading",
                version=__version__,
                progress=round(now.fraction, 3) if now else None,
                eta_s=round(now.eta_s) if now and now.eta_s is not None else None,
                step=now.step if now else None,
            )
        a = state.assistant
        return Health(
            status="ready",
            version=__version__,
            documents=len(a.retriever.index.documents),
            passages=len(a.retriever.index),
            models=[e.name for e in a.retriever.embedders],
            generator=a.settings.generator,
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
            return await run_in_threadpool(_final, events)
        # The first step validates the question and filters: a bad request is still a 4xx.
        first = await run_in_threadpool(next, events)
        return EventSourceResponse(_sse(first, events))

    @v1.get("/documents/{doc_id}", response_model=DocumentModel)
    def document(
        doc_id: Annotated[str, Path(min_length=1, max_length=200, pattern=r"^[\w.\-]+$")],
    ) -> dict[str, Any]:
        doc = ready().retriever.index.documents.get(doc_id)
        if doc is None:
            raise HTTPException(404, detail=f"no document {doc_id!r}")
        return {**dataclasses.asdict(doc), "doc_id": doc.id, "url": doc.url}

    app.include_router(v1)
    app.add_middleware(BodyLimit, limit=settings.max_request_bytes)
    if ui:
        from baybot.app.web.chat import mount_ui
        from baybot.errors import NotReady
        from baybot.staff.feedback import FeedbackStore

        def provider() -> Assistant:
            if state.assistant is None:
                if state.error:
                    raise BayBotError(state.error)
                snapshot = state.progress.snapshot() if state.progress else None
                raise NotReady("the index is still loading", snapshot)
            return state.assistant

        mount_ui(app, provider, settings, FeedbackStore(settings.feedback_path))
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=list(settings.cors_origins),
            allow_methods=["GET", "POST"],
            allow_headers=["Authorization", "X-API-Key", "Content-Type"],
        )
    return app


def _final(events: Iterator[Any]) -> dict[str, Any]:
    return AnswerStream(events).final().to_dict()


def _event(event: Token | Answer) -> dict[str, str]:
    if isinstance(event, Answer):
        return {"event": "answer", "data": json.dumps(event.to_dict(), ensure_ascii=False)}
    return {"event": "token", "data": json.dumps({"text": event.text}, ensure_ascii=False)}


async def _sse(first: Token | Answer, rest: Iterator[Any]) -> AsyncIterator[dict[str, str]]:
    yield _event(first)
    try:
        async for event in iterate_in_threadpool(rest):
            yield _event(event)
    except BayBotError as exc:
        yield {"event": "error", "data": json.dumps({"detail": str(exc)}, ensure_ascii=False)}
