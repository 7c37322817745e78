"""The values that cross stages: one schema for documents, chunks, hits, passages, citations
and answers. Each `to_dict` is the public JSON shape; the REST models are built from these."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from baybot.errors import DocumentError

# A title longer than this is cut in the embedding text: it would crowd out the passage.
_MAX_TITLE_CHARS = 200


def iso_date(value: date | None) -> str | None:
    return value.isoformat() if value else None


def parse_date(value: object) -> date | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip()[:10])
    except ValueError as exc:
        raise DocumentError(f"invalid date {value!r} (expected YYYY-MM-DD)") from exc


@dataclass(frozen=True)
class Source:
    """Where an announcement was published."""

    url: str
    title: str | None = None
    date: date | None = None


# A measure ending within this many days is flagged with the date it was last checked, so a
# reader knows "no extension announced" is as of that check, not as of today.
ENDING_SOON_DAYS = 180


@dataclass(frozen=True)
class Validity:
    """When a time-limited measure applies (front matter `valid_from`/`valid_until`) and when
    the sheet was last checked against its sources (`reviewed`)."""

    valid_from: date | None = None
    valid_until: date | None = None
    reviewed: date | None = None

    def status(self, today: date) -> tuple[str, date] | None:
        """(kind, date) compared with `today`: `not_yet` (applies from), `ended`, `ending`
        (ends soon; no extension known as of `reviewed`), `valid` (until); None when the
        measure has no end date and has started."""
        if self.valid_from and today < self.valid_from:
            return ("not_yet", self.valid_from)
        if self.valid_until is None:
            return None
        if today > self.valid_until:
            return ("ended", self.valid_until)
        if self.reviewed and (self.valid_until - today).days <= ENDING_SOON_DAYS:
            return ("ending", self.valid_until)
        return ("valid", self.valid_until)

    def to_dict(self) -> dict[str, str | None]:
        return {
            "valid_from": iso_date(self.valid_from),
            "valid_until": iso_date(self.valid_until),
            "reviewed": iso_date(self.reviewed),
        }


def is_government(url: str) -> bool:
    """A page on a government domain: gov.hk, gov.cn, gov.mo (and their subdomains such as
    news.gov.hk or qh.sz.gov.cn), any gov.XX or .gov."""
    labels = (urlparse(url).hostname or "").split(".")
    return "gov" in labels[-2:]


@dataclass(frozen=True)
class Document:
    """One announcement, with the metadata a citation needs."""

    id: str
    title: str
    text: str
    path: str = ""
    issuer: str | None = None
    region: str | None = None
    schemes: tuple[str, ...] = ()
    published: date | None = None
    updated: date | None = None
    language: str = "en"
    sources: tuple[Source, ...] = field(default_factory=tuple)
    reviewed: date | None = None  # last checked against its sources
    valid_from: date | None = None  # of the measure it describes, when time-limited
    valid_until: date | None = None

    @property
    def validity(self) -> Validity:
        return Validity(self.valid_from, self.valid_until, self.reviewed)

    @property
    def url(self) -> str | None:
        """The link a citation shows: the first government page among the http(s) sources (the
        announcement itself, where news, adviser and reprint pages only report it), else the
        first http(s) source."""
        links = [s.url for s in self.sources if s.url.startswith(("http://", "https://"))]
        return next((u for u in links if is_government(u)), links[0] if links else None)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["published"] = iso_date(self.published)
        data["updated"] = iso_date(self.updated)
        data.update(self.validity.to_dict())
        data["schemes"] = list(self.schemes)
        data["sources"] = [{**asdict(s), "date": iso_date(s.date)} for s in self.sources]
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Document:
        return cls(
            id=data["id"],
            title=data["title"],
            text=data["text"],
            path=data.get("path", ""),
            issuer=data.get("issuer"),
            region=data.get("region"),
            schemes=tuple(data.get("schemes") or ()),
            published=parse_date(data.get("published")),
            updated=parse_date(data.get("updated")),
            reviewed=parse_date(data.get("reviewed")),
            valid_from=parse_date(data.get("valid_from")),
            valid_until=parse_date(data.get("valid_until")),
            language=data.get("language", "en"),
            sources=tuple(
                Source(url=s["url"], title=s.get("title"), date=parse_date(s.get("date")))
                for s in data.get("sources") or ()
            ),
        )


@dataclass(frozen=True)
class SourceFile:
    """A corpus file found on disk, before it is parsed: `sidecar` is its NAME.meta.yaml if
    there is one; `url` (where it was fetched from) and `site_lines` (lines its site repeats on
    every page) are filled in for the loader from the sidecar and the file's siblings."""

    path: Path
    relpath: str
    doc_id: str
    sidecar: Path | None = None
    url: str | None = None
    site_lines: frozenset[str] = frozenset()


@dataclass(frozen=True)
class JobStatus:
    """Where the staff's background corpus change (add, remove, edit, re-index) stands:
    `state` is idle, running, done or failed; `step` is a baybot.timing.Step value while it
    runs; `done`/`total` count the step's vectors to compute, `fraction` the whole change's."""

    name: str = ""
    state: str = "idle"
    step: str = ""
    done: int = 0
    total: int = 0
    fraction: float = 0.0
    eta_s: float | None = None
    message: str = ""
    seconds: float = 0.0

    @property
    def running(self) -> bool:
        return self.state == "running"


@dataclass(frozen=True)
class SkippedFile:
    """A corpus file that was not ingested, and why."""

    path: str
    reason: str


@dataclass(frozen=True)
class Chunk:
    """A passage of one document, located by character span."""

    id: str
    doc_id: str
    index: int
    text: str
    start: int
    end: int
    section: str
    title: str
    tokens: int

    @property
    def embedding_text(self) -> str:
        return embedding_text(self.title, self.section, self.text)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Chunk:
        return cls(**data)


def embedding_text(title: str, section: str, text: str) -> str:
    """What gets embedded: the passage under its title and section, so context travels with it."""
    head = title[:_MAX_TITLE_CHARS]
    if section:
        head = f"{head} — {section}"
    return f"{head}\n{text}"


@dataclass(frozen=True)
class Hit:
    """One retrieved passage, ready to be shown and cited."""

    rank: int
    chunk_id: str
    doc_id: str
    title: str
    score: float
    text: str
    url: str | None
    published: date | None
    language: str
    section: str
    start: int
    end: int
    # The passage's own fused score before the document signal moved its document (None when
    # the signal is off): the answer's sentence prior reads this, since the lift would tip
    # the composer to one document on top of ordering the hits.
    passage_score: float | None = None

    @property
    def own_score(self) -> float:
        return self.score if self.passage_score is None else self.passage_score

    def to_dict(self) -> dict[str, Any]:
        """The public hit shape: exactly these keys."""
        return {
            "rank": self.rank,
            "chunk_id": self.chunk_id,
            "doc_id": self.doc_id,
            "title": self.title,
            "score": round(self.score, 4),
            "text": self.text,
            "url": self.url,
            "published": self.published.isoformat() if self.published else None,
            "language": self.language,
        }


@dataclass(frozen=True)
class Passage:
    """A retrieved passage as given to a backend: cite it as [n]."""

    n: int
    hit: Hit
    issuer: str | None = None
    updated: date | None = None  # of its document
    validity: Validity | None = None  # of its document
    document: str | None = None  # the whole document's text, for what the passage cut off

    @property
    def text(self) -> str:
        return self.hit.text


@dataclass(frozen=True)
class Sentence:
    """One sentence of a passage with its relevance to the question (evidence.py)."""

    n: int
    text: str
    start: int  # offsets into the passage text, so the quote can be highlighted
    end: int
    score: float  # similarity plus the passage's retrieval prior: what answers rank by
    similarity: float = 0.0  # to the question alone


@dataclass(frozen=True)
class Citation:
    """A numbered source of an answer, with the passage and the exact sentences quoted."""

    n: int
    chunk_id: str
    doc_id: str
    title: str
    url: str | None
    published: date | None
    issuer: str | None
    quote: str
    passage: str
    spans: tuple[tuple[int, int], ...]  # of the quoted sentences within `passage`
    updated: date | None = None
    validity: Validity | None = None
    stale: bool = False  # older than stale_after_days: "may be out of date"

    def to_dict(self) -> dict[str, Any]:
        return {
            "n": self.n,
            "chunk_id": self.chunk_id,
            "doc_id": self.doc_id,
            "title": self.title,
            "url": self.url,
            "published": self.published.isoformat() if self.published else None,
            "quote": self.quote,
            "issuer": self.issuer,
            "passage": self.passage,
            "spans": [list(span) for span in self.spans],
            "updated": iso_date(self.updated),
            "validity": self.validity.to_dict() if self.validity else None,
            "stale": self.stale,
        }


@dataclass(frozen=True)
class Topic:
    """A document offered instead of an answer the sources do not give."""

    doc_id: str
    title: str
    url: str | None
    published: str | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "doc_id": self.doc_id,
            "title": self.title,
            "url": self.url,
            "published": self.published,
        }


@dataclass(frozen=True)
class Answer:
    question: str
    text: str
    refused: bool
    citations: tuple[Citation, ...]
    generator: str
    query: str  # what was searched: the question made standalone
    language: str
    confidence: float  # calibrated chance that this answer (or refusal) is right (confidence.py)
    timings_ms: dict[str, float] = field(default_factory=dict)
    uncited: tuple[str, ...] = ()
    removed_markers: tuple[str, ...] = ()
    topics: tuple[Topic, ...] = ()
    notice: str | None = None  # set when another backend had to answer
    features: dict[str, float] = field(default_factory=dict)  # the evidence check's inputs

    @property
    def supported(self) -> bool:
        """A refusal, or an answer with at least one valid citation; False flags an answer
        (from a language model) whose claims cite nothing that was given."""
        return self.refused or bool(self.citations)

    def to_dict(self) -> dict[str, Any]:
        """The public answer shape, plus what staff need to judge it."""
        return {
            "question": self.question,
            "answer": self.text,
            "refused": self.refused,
            "citations": [c.to_dict() for c in self.citations],
            "timings_ms": self.timings_ms,
            "generator": self.generator,
            "query": self.query,
            "language": self.language,
            "confidence": round(self.confidence, 4),
            "supported": self.supported,
            "uncited": list(self.uncited),
            "removed_markers": list(self.removed_markers),
            "topics": [t.to_dict() for t in self.topics],
            "notice": self.notice,
        }


@dataclass(frozen=True)
class Token:
    """A piece of answer text as the backend produced it (before the citation check)."""

    text: str


class AnswerStream:
    """What `Assistant.stream` yields, taken apart: iterate for the Tokens as the backend
    writes them; the final, checked Answer is `answer` once the stream is done."""

    def __init__(self, events: Iterable[Token | Answer]) -> None:
        self._events = events
        self.answer: Answer | None = None

    def __iter__(self) -> Iterator[Token]:
        for event in self._events:
            if isinstance(event, Answer):
                self.answer = event
            else:
                yield event

    def final(self) -> Answer:
        """Run the rest of the stream; the Answer it ends with."""
        for _ in self:
            pass
        assert self.answer is not None, "an answer stream ends with its Answer"
        return self.answer
