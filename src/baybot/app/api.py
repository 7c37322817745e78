"""The REST API for integrators: FastAPI routes over one Assistant (DESIGN.md shapes).

The pydantic models below are the contract: FastAPI turns them into the OpenAPI schema at
`/docs`, and a request outside them (a question over 2,000 characters, k outside 1-50, an
unknown filter name) is answered 422 with the reason before any work is done.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import logging
import threading
import time
from collections import defaultdict, deque
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, FastAPI, HTTPException, Path, Request
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field
from sse_starlette.sse import EventSourceResponse
from starlette.concurrency import iterate_in_threadpool, run_in_threadpool

from baybot import __version__
from baybot.answer.assistant import Assistant
from baybot.answer.generators import GenerationError, available_generators
from baybot.app.wiring import build_assistant
from baybot.config import Settings
from baybot.errors import BayBotError, QueryError
from baybot.search.retriever import MAX_K, MAX_QUERY_CHARS
from baybot.types import Answer, Token

MAX_TURNS = 20
log = logging.getLogger(__name__)


class FiltersModel(BaseModel):
    """Metadata filters; each list field matches any of its values (glossary-aware)."""

    model_config = ConfigDict(extra="forbid")

    region: list[str] | None = None
    scheme: list[str] | None = None
    language: list[str] | None = None
    since: dt.date | None = None


class SearchRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    query: Annotated[str, Field(min_length=1, max_length=MAX_QUERY_CHARS)]
    k: Annotated[int, Field(ge=1, le=MAX_K)] = 5
    filters: FiltersModel | None = None


class HitModel(BaseModel):
    rank: int
    chunk_id: str
    doc_id: str
    title: str
    score: float
    text: str
    url: str | None
    published: dt.date | None
    language: str


class SearchResponse(BaseModel):
    query: str
    hits: list[HitModel]


class Turn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    role: Literal["user", "assistant"]
    content: Annotated[str, Field(max_length=8 * MAX_QUERY_CHARS)]


class AnswerRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    question: Annotated[str, Field(min_length=1, max_length=MAX_QUERY_CHARS)]
    history: Annotated[list[Turn], Field(max_length=MAX_TURNS)] = []
    stream: bool = False
    generator: str | None = None
    filters: FiltersModel | None = None


class CitationModel(BaseModel):
    n: int
    chunk_id: str
    doc_id: str
    title: str
    url: str | None
    published: dt.date | None
    quote: str
    issuer: str | None
    passage: str
    spans: list[tuple[int, int]]


class TopicModel(BaseModel):
    doc_id: str
    title: str
    url: str | None
    published: dt.date | None


class AnswerResponse(BaseModel):
    question: str
    answer: str
    refused: bool
    citations: list[CitationModel]
    timings_ms: dict[str, float]
    generator: str
    query: str
    language: str
    confidence: float
    supported: bool
    uncited: list[str]
    removed_markers: list[str]
    topics: list[TopicModel]
    notice: str | None = None


class SourceModel(BaseModel):
    url: str
    title: str | None = None
    date: dt.date | None = None


class DocumentResponse(BaseModel):
    doc_id: str
    title: str
    issuer: str | None
    region: str | None
    schemes: list[str]
    published: dt.date | None
    updated: dt.date | None
    language: str
    url: str | None
    sources: list[SourceModel]
    text: str


class Health(BaseModel):
    status: Literal["loading", "ready", "failed"]
    version: str
    documents: int | None = None
    passages: int | None = None
    models: list[str] = []
    generator: str | None = None
    error: str | None = None


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


class _State:
    """The Assistant, built in the background so the server answers /healthz at once."""

    def __init__(self) -> None:
        self.assistant: Assistant | None = None
        self.error: str | None = None
        self.ready = threading.Event()


def create_app(
    settings: Settings | None = None,
    assistant: Assistant | None = None,
    *,
    ui: bool = True,
    progress: bool = False,
) -> FastAPI:
    """The server app: REST under /v1 and, with `ui`, the web chat at `/`. It loads (and if
    needed builds) the index in the background on start unless given an Assistant."""
    settings = settings or (assistant.settings if assistant else Settings())
    state = _State()

    def load() -> None:
        log.info("loading the index from %s (built or updated from %s when needed)",
                 settings.index_dir, settings.corpus_dir)  # fmt: skip
        try:
            state.assistant = build_assistant(settings, progress=progress)
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
            status = "failed" if state.error else "loading"
            return Health(status=status, version=__version__, error=state.error)
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
        response_model=AnswerResponse,
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

    @v1.get("/documents/{doc_id}", response_model=DocumentResponse)
    def document(
        doc_id: Annotated[str, Path(min_length=1, max_length=200, pattern=r"^[\w.\-]+$")],
    ) -> dict[str, Any]:
        doc = ready().retriever.index.documents.get(doc_id)
        if doc is None:
            raise HTTPException(404, detail=f"no document {doc_id!r}")
        return {
            "doc_id": doc.id,
            "title": doc.title,
            "issuer": doc.issuer,
            "region": doc.region,
            "schemes": list(doc.schemes),
            "published": doc.published,
            "updated": doc.updated,
            "language": doc.language,
            "url": doc.url,
            "sources": [{"url": s.url, "title": s.title, "date": s.date} for s in doc.sources],
            "text": doc.text,
        }

    app.include_router(v1)
    app.add_middleware(BodyLimit, limit=settings.max_request_bytes)
    if ui:
        from baybot.app.web import mount_ui
        from baybot.errors import NotReady
        from baybot.staff.feedback import FeedbackStore

        def provider() -> Assistant:
            if state.assistant is None:
                if state.error:
                    raise BayBotError(state.error)
                raise NotReady("the index is still loading")
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
    answer = None
    for event in events:
        if isinstance(event, Answer):
            answer = event
    assert answer is not None
    return answer.to_dict()


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
