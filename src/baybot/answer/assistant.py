"""Assistant: a question (and the conversation so far) in, a checked, cited Answer out.

    question ─ rewrite follow-up ─▶ Retriever ─▶ EvidenceChecker ─┬─▶ Generator ─▶ citations
                                                                 └─▶ refusal (too weak)

Every shell (CLI, REST, chat UI) calls `ask` or `stream`; `stream` yields the text as the
backend writes it and then the final Answer, whose text is the checked one.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import replace
from datetime import date
from typing import Any

from baybot.answer.analysis import analyse
from baybot.answer.citations import check_citations
from baybot.answer.confidence import calibrated
from baybot.answer.conversation import condense
from baybot.answer.evidence.checker import Evidence, EvidenceChecker
from baybot.answer.evidence.refusal import RefusalModel
from baybot.answer.generators import (
    GenerationError,
    GenerationRequest,
    PassageSelector,
    QuestionRewriter,
    load_generator,
)
from baybot.answer.generators.extractive import ExtractiveGenerator
from baybot.answer.validity import is_stale, validity_note
from baybot.config import Settings
from baybot.errors import QueryError
from baybot.search.filters import Filters
from baybot.search.retriever import Retriever
from baybot.text import messages
from baybot.text.language import HAN, to_script
from baybot.text.questions import clean_question
from baybot.timing import Stopwatch
from baybot.types import Answer, AnswerStream, Citation, Passage, Token, Topic

NEAREST_TOPICS = 3
log = logging.getLogger(__name__)


class Assistant:
    """One per process: holds the retriever, the evidence checker and loaded backends."""

    def __init__(
        self,
        retriever: Retriever,
        settings: Settings | None = None,
        *,
        evidence: EvidenceChecker | None = None,
    ) -> None:
        self.retriever = retriever
        self.settings = settings or retriever.settings
        model = RefusalModel.load()
        if self.settings.refusal_threshold is not None:
            model = replace(model, threshold=self.settings.refusal_threshold)
        # Sentences are scored by the first (main) dense model of the index.
        self.evidence = evidence or EvidenceChecker(
            retriever.index, retriever.embedders[0], model, calibrator=retriever.calibrator
        )

    def ask(
        self,
        question: str,
        history: Sequence[Mapping[str, Any]] | None = None,
        *,
        generator: str | None = None,
        filters: Filters | Mapping[str, Any] | None = None,
    ) -> Answer:
        return AnswerStream(
            self.stream(question, history, generator=generator, filters=filters)
        ).final()

    def stream(
        self,
        question: str,
        history: Sequence[Mapping[str, Any]] | None = None,
        *,
        generator: str | None = None,
        filters: Filters | Mapping[str, Any] | None = None,
    ) -> Iterator[Token | Answer]:
        """Tokens as they are written, then the checked Answer (always last)."""
        question = clean_question(question)
        history = _valid_history(history)
        backend = load_generator(generator or self.settings.generator, self.settings)
        watch = Stopwatch()
        timings, lap = watch.laps, watch.lap
        query = self._standalone(question, history, backend)
        analysis = analyse(question, _previous_question(history), self.evidence.glossary)
        lap("rewrite")
        result = self.retriever.run(query, self.settings.answer_passages, filters)
        lap("retrieve")
        evidence = self.evidence.assess(
            question,
            query,
            result.hits,
            expand_documents=self.settings.expand_documents,
            expand_passages=self.settings.expand_passages,
            analysis=analysis,
        )
        passages = evidence.passages
        lap("evidence")
        language = analysis.language  # of the question as asked, never of the folded query
        request = GenerationRequest(
            question=query,
            language=language,
            passages=passages,
            sentences=evidence.sentences,
            history=tuple(history),
            analysis=analysis,
            agreement=evidence.verdicts or {},
            sides=self.evidence.judge.sides(analysis),
            twins=evidence.twins or {},
        )
        if self.settings.refusal and not evidence.answerable:
            yield from self._refusal(request, query, evidence, backend.name, watch)
            return
        pieces: list[str] = []
        first_token = None
        notice = None
        try:
            for piece in backend.stream(request):
                if first_token is None:
                    first_token = watch.now()
                pieces.append(piece)
                yield Token(piece)
        except GenerationError as exc:
            fallback = self.settings.fallback_generator
            if not fallback or fallback == backend.name:
                raise
            notice = f"the {backend.name} backend failed ({exc}); {fallback} answered instead"
            log.warning("%s", notice)
            backend = load_generator(fallback, self.settings)
            pieces = []
            for piece in backend.stream(request):
                first_token = first_token or watch.now()
                pieces.append(piece)
                yield Token(piece)
        lap("generate")
        shown = backend.shown(request) if isinstance(backend, PassageSelector) else None
        checked = check_citations("".join(pieces), passages, evidence.sentences, shown)
        text = checked.text
        today = self.settings.today or date.today()
        citations = tuple(
            replace(c, stale=is_stale(c, today, self.settings.stale_after_days))
            for c in checked.citations
        )
        note = validity_note(citations, language, today)
        if note:
            yield Token("\n\n" + note)
            text += "\n\n" + note
        lap("check")
        timings["first_token"] = watch.since_start(first_token or watch.last)
        timings["total"] = watch.since_start()
        yield Answer(
            question=question,
            text=text,
            refused=False,
            citations=citations,
            generator=backend.name,
            query=query,
            language=language,
            confidence=calibrated(evidence.features, evidence.probability, refused=False),
            timings_ms=timings,
            uncited=checked.uncited,
            removed_markers=checked.removed_markers,
            notice=notice,
            features=evidence.features,
        )

    def _standalone(
        self, question: str, history: Sequence[Mapping[str, Any]], backend: object
    ) -> str:
        """A follow-up as a question that stands alone: the backend's LLM rewrites it when it
        has one, else the previous question is folded in (conversation.py)."""
        if not history:
            return question
        if isinstance(backend, QuestionRewriter):
            try:
                return backend.rewrite(question, history)
            except GenerationError:
                pass  # the deterministic rewrite below still answers the question
        return condense(question, history)

    def _refusal(
        self,
        request: GenerationRequest,
        query: str,
        evidence: Evidence,
        generator: str,
        watch: Stopwatch,
    ) -> Iterator[Token | Answer]:
        """No answer from the sources. When the agreeing documents cover the topic but not
        what is asked (a fee, an age limit, a later year), say which and quote what they do
        say, marked as related; otherwise the nearest topics."""
        language = request.language
        question = request.analysis.text if request.analysis else request.question
        citations: tuple[Citation, ...] = ()
        topics: tuple[Topic, ...] = ()
        later_year = evidence.features.get("year_beyond", 0.0) and request.analysis
        covered = not evidence.missing_places and not evidence.features.get("none_agree")
        if (evidence.missing_slots or later_year) and covered:
            slots = [
                s
                for s in evidence.missing_slots
                if s != "amount" or "fee" not in evidence.missing_slots
            ]
            wanted = [messages.text(f"slot_{slot}", language) for slot in slots]
            if later_year:
                years = "/".join(str(y) for y in request.analysis.years)  # type: ignore[union-attr]
                wanted.append(messages.text("slot_year", language, year=years))
            what = messages.text("place_separator", language).join(wanted)
            related = "".join(ExtractiveGenerator().stream(request))
            checked = check_citations(related, request.passages, evidence.sentences)
            citations = checked.citations
            text = messages.text("not_stated", language, what=what)
            if citations:
                text += "\n\n" + messages.text("related", language) + "\n" + checked.text
        else:
            parts = [messages.text("refusal", language)]
            if evidence.missing_places:
                separator = messages.text("place_separator", language)
                places = separator.join(evidence.missing_places)
                parts.append(messages.text("refusal_places", language, places=places))
            elif evidence.features.get("none_agree"):
                parts.append(messages.text("none_agree", language))
            topics = self._topics(evidence.passages)
            text = " ".join(parts)
            if topics:
                lines = [
                    f"- {to_script(t.title, language)}"
                    + (f" ({t.published})" if t.published else "")
                    for t in topics
                ]
                heading = messages.text("nearest_topics", language)
                if language.startswith("zh") and not all(HAN.search(t.title) for t in topics):
                    heading += messages.text("titles_in_english", language)
                text += "\n\n" + heading + "\n" + "\n".join(lines)
        yield Token(text)
        timings = watch.laps
        timings["first_token"] = timings["total"] = watch.since_start()
        yield Answer(
            question=question,
            text=text,
            refused=True,
            citations=citations,
            generator=generator,
            query=query,
            language=language,
            confidence=calibrated(evidence.features, evidence.probability, refused=True),
            timings_ms=timings,
            topics=topics,
            features=evidence.features,
        )

    def _topics(self, passages: Sequence[Passage]) -> tuple[Topic, ...]:
        seen: dict[str, Topic] = {}
        for p in passages:
            hit = p.hit
            if hit.doc_id not in seen:
                published = hit.published.isoformat() if hit.published else None
                seen[hit.doc_id] = Topic(hit.doc_id, hit.title, hit.url, published)
        return tuple(seen.values())[:NEAREST_TOPICS]


def _previous_question(history: Sequence[Mapping[str, str]]) -> str:
    """The last earlier user turn: what a follow-up's constraints (scheme, place) come from."""
    return next((t["content"] for t in reversed(history) if t["role"] == "user"), "")


def _valid_history(history: Sequence[Mapping[str, Any]] | None) -> list[dict[str, str]]:
    """Turns as {role, content}; anything else is a clear error, not silently dropped."""
    out = []
    for i, turn in enumerate(history or ()):
        if not isinstance(turn, Mapping):
            raise QueryError(f"history turn {i + 1} is not an object with role and content")
        role, content = turn.get("role"), turn.get("content")
        if role not in ("user", "assistant") or not isinstance(content, str):
            raise QueryError(
                f"history turn {i + 1} needs role 'user' or 'assistant' and a text content"
            )
        out.append({"role": role, "content": content})
    return out
