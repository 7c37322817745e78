"""The default backend: an answer made of the sources' own sentences, each cited.

No model, no network, nothing invented: every sentence of the answer is a sentence of a
passage (markdown stripped, Chinese put into the question's script), so amounts, dates and
conditions are exactly as published. Sentences are picked by their similarity to the
question (evidence/), a little lexical overlap and the slots the question asks for (an
amount, a date: analysis.py), from documents that agree with what it names; whole units
(units.py): a list with its lead-in, a table row with its headers, a pronoun with its
antecedent; a comparison side by side; each part of a two-part question answered.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import replace
from datetime import date

from baybot.answer.analysis import QuestionAnalysis, analyse
from baybot.answer.evidence.slots import holds
from baybot.answer.generators.base import QUOTABLE_DOCUMENTS, GenerationRequest
from baybot.answer.units import (
    MAX_SENTENCE_CHARS,
    innermost_heading,
    introduces,
    is_heading,
    is_list_line,
    is_meta,
    lead_in,
    leans_back,
    line_bounds,
    render_row,
    table_header,
    whole_sentence,
)
from baybot.config import Settings
from baybot.text import messages
from baybot.text.glossary import default_glossary
from baybot.text.language import HAN, fold, to_script
from baybot.text.sentences import split_sentences
from baybot.text.terms import tokenize
from baybot.types import Passage, Sentence

MAX_SENTENCES = 6
# Sentences come from the best-ranked document (two for comparisons): on dev, every further
# document cited lowered citation precision more than it added facts.
MAX_DOCUMENTS = 1
MAX_DOCUMENTS_COMPARED = 2
MAX_LIST_ITEMS = 12
# A list run on after its lead-in (when the passage cuts it off) is kept to this many characters
# of items: about three lines of a chat answer.
LIST_RUN_ON_CHARS = 300
ITEM_SENTENCES = 3  # further sentences of the best list item's line quoted with it
# A one-document answer quotes a lower-ranked quotable document when its best sentence scores
# this much above the top document's best (measured on dev + dev2: 0.03 gained 8 questions'
# facts and lost 1, and raised citation precision).
DOCUMENT_SWITCH = 0.03
# Sentence scores are cosine similarities plus the passage prior (about 0-1); the weights below
# were set by hand on the dev set, not fitted (0.05 -> 0.08 for MARGIN in f8cd228, when sentence
# similarity was corrected for language bias, so that a list's items are kept together).
MARGIN = 0.08  # sentences this close to the best one are part of the answer too
LEXICAL_WEIGHT = 0.15  # times the share of the question's terms a sentence contains
TYPE_BONUS = 0.05  # per asked slot (an amount, a date...) a sentence holds the shape of
LANGUAGE_BONUS = 0.03  # a sentence in the reader's language, over an equally good translation
NEWEST_BONUS = 0.03  # the figure for the latest year a document gives, over older ones
# Two sentences state the same thing when their words (numbers left out) overlap this much
# (Jaccard); only then do differing figures count as sources that differ, or as superseded.
SAME_CLAIM_OVERLAP = 0.3
# Across documents the wording differs more and a false match costs a wrong citation: two
# documents' sentences give the same figure only when their words overlap at least this much.
SAME_FIGURE_OVERLAP = 0.5
# Another document's sentence on the same claim is weighed for reconciliation when it scores
# within this much of the answer's best sentence (the one-document MARGIN plus the switch
# margin below: the other document is the one ranked lower).
RECONCILE_WINDOW = 0.15
# A question asking for a slot (an amount, a date) is answered first by the best sentence that
# holds it, when that sentence scores within this much of the best one overall: a sentence that
# only talks about the topic does not answer "until when" or "how much".
SLOT_WINDOW = 0.1
MAX_PARTS = 3  # sub-questions of one question answered each on their own
# A part's own words decide between sentences that all match the whole question about as well.
PART_WEIGHT = 0.3
MAX_SIDES = 3  # named sides a comparison sets side by side
# Best sentences per side: on the 32 comparisons of dev + dev2, 3 against 2 raised fact recall
# 0.594 -> 0.609 and citation precision 0.84 -> 0.85 (the sentence that answers is often a
# side's third: its first two introduce the scheme). Chosen on 5 training folds, 3 won 38 of 40
# folds over 8 seeds; out of fold, fact recall on all answerable questions 0.771-0.773 (in
# fold 0.773).
SIDE_SENTENCES = 3
_YEAR = re.compile(r"(?<!\d)(20[0-4]\d)(?!\d)")

_WORDS = re.compile(r"[A-Za-z0-9]{2,}|[\u3400-\u9fff]")
_LIST_ITEM = re.compile(r"^\s*(?:[-*+•]|\d+[.)]|\|)\s*")
_MARKUP = re.compile(r"\*\*|__|`|^#+\s*")
# A single asterisk of *italic* markup, also when the sentence split left one of the pair
# ("- *Take-up example: …"); an asterisk between spaces or inside a word ("3 * 4") stays.
_EMPHASIS = re.compile(r"(?<![\w*])\*(?=[^\s*])|(?<=[^\s*])\*(?![\w*])")
# A figure, its thousands separated by commas, dots or (as in news.gov.hk) spaces.
_DATE = re.compile(
    r"\d{1,2}\s+[A-Z][a-z]{2,8}\.?,?\s+\d{4}|[A-Z][a-z]{2,8}\.?\s+\d{1,2},?\s+\d{4}"
    r"|[A-Z][a-z]{2,8}\.?\s+\d{4}|\d{4}\s*年(\s*\d{1,2}\s*月)?(\s*\d{1,2}\s*日)?"
    r"|\d{1,2}\s*月\s*\d{1,2}\s*日|\d{4}-\d\d(-\d\d)?|(?<!\d)(19|20)\d\d(?!\d)"
)
_FIGURE = re.compile(r"\d{1,3}(?:[ ,.\u00a0]\d{3})+(?!\d)|\d+(?:\.\d+)?")


class ExtractiveGenerator:
    """Composes an answer from the best sentences of the agreeing passages."""

    name = "extractive"

    def __init__(self, settings: Settings | None = None) -> None:
        """Every backend's factory takes the Settings; extraction needs none of them."""

    def stream(self, request: GenerationRequest) -> Iterator[str]:
        chosen = self.select(request)
        if not chosen:
            yield messages.text("no_answer_found", request.language)
            return
        passages = {p.n: p for p in request.passages}
        lines = [_render(s, passages[s.n], request.language) for s in chosen]
        out: list[str] = []
        # A Chinese reader is told where the quotes turn English (no Chinese source says it).
        framed = not request.language.startswith("zh")
        labels = _side_labels(request, chosen)
        previous = None  # None at the start, else whether the last piece was a list item
        introduced: set[tuple[str, str]] = set()  # (document, lead-in) given once
        said: list[str] = []  # the lines given so far
        last: Sentence | None = None  # the sentence given last, and its passage's text
        last_text = ""
        for sentence, line in zip(chosen, lines, strict=True):
            text = passages[sentence.n].text
            hit = passages[sentence.n].hit
            item = is_list_line(text, sentence.start)
            if not framed and not HAN.search(line):
                framed = True
                frame = messages.text("quoted_from_english", request.language)
                out.append(("" if previous is None else "\n") + frame)
                previous = True
            label = labels.get((sentence.n, sentence.start))
            if label:
                out.append(("" if previous is None else "\n") + f"{label}")
                previous = True
            if item or sentence.text.lstrip().startswith("|"):
                # A list's lead-in line; a table row's table is named by its section heading
                # (often with the date its figures are as of); each once per document, and
                # not when the answer already quotes it.
                heading = innermost_heading(hit.section)
                lead = lead_in(text, sentence.start) if item else heading and f"{heading}:"
                key = (hit.doc_id, lead or "")
                if (
                    lead
                    and key not in introduced
                    and not any(said_line in lead for said_line in said)
                ):
                    introduced.add(key)
                    lead = (
                        to_script(lead, request.language)
                        if request.language.startswith("zh")
                        else lead
                    )
                    out.append(("" if previous is None else "\n") + f"{lead} [{sentence.n}]")
                    previous = True
            said.append(line)
            # List items and the prose after them start new lines; prose runs on, as does the
            # rest of a list item's line.
            same_line = last is not None and (last.n, _line_of(last_text, last)) == (
                sentence.n,
                _line_of(text, sentence),
            )
            separator = (
                ""
                if previous is None
                else " "
                if same_line and not item
                else "\n"
                if item or previous
                else " "
            )
            out.append(
                separator + (f"- {line} [{sentence.n}]" if item else f"{line} [{sentence.n}]")
            )
            previous = item
            last, last_text = sentence, text
        dated = _as_of(request, chosen, passages)
        if dated:
            out.append("\n\n" + dated)
        note = _newer_source_note(chosen, passages, request.language)
        if note:
            out.append("\n\n" + note)
        yield from out

    def select(self, request: GenerationRequest) -> list[Sentence]:
        """The sentences of the answer, in reading order."""
        analysis = request.analysis or analyse(request.question)
        sides = list(request.sides)
        comparing = analysis.asks("comparison")
        limit = MAX_DOCUMENTS_COMPARED if comparing else MAX_DOCUMENTS
        usable = [
            s
            for s in request.sentences
            if _WORDS.search(s.text) and not is_heading(s.text) and not is_meta(s.text)
        ]
        if not usable:
            return []
        ranked = _rerank(analysis, usable, request.passages, request.language)
        passages = {p.n: p for p in request.passages}
        if comparing and len(sides) >= 2:
            picked = _side_by_side(request, ranked, sides)
            if picked:
                return _with_antecedents(picked, request.sentences, passages)
        documents = _documents(request, ranked, limit)
        allowed = {p.n for p in request.passages if p.hit.doc_id in documents}
        everywhere = ranked
        ranked = [(score, s) for score, s in ranked if s.n in allowed]
        if not ranked:
            return []
        candidates = [s for _, s in ranked]
        best_score = ranked[0][0]
        best = _holding_slots(analysis, ranked)
        picked: list[Sentence] = [best]
        if analysis.asks("list") and is_list_line(passages[best.n].text, best.start):
            picked = _list_around(best, candidates, passages[best.n].text)
        else:
            for score, sentence in ranked:
                if len(picked) >= MAX_SENTENCES or score < best_score - MARGIN:
                    break
                if sentence.text.strip() not in {p.text.strip() for p in picked}:
                    picked.append(sentence)
            if analysis.slots & {"number", "amount"}:
                picked = _drop_superseded(picked, passages)
                picked = _newer_figures(request, picked, everywhere, best_score) + picked
            picked += _for_each_part(analysis, ranked, picked, request.passages, request.language)
        picked += _rest_of_item(best, picked, candidates, passages[best.n].text)
        return _with_antecedents(
            _with_lists(_whole_sentences(picked, passages), request.sentences, passages),
            request.sentences,
            passages,
        )


def _rest_of_item(
    best: Sentence, picked: Sequence[Sentence], sentences: Sequence[Sentence], text: str
) -> list[Sentence]:
    """The sentences after the best one on its list item's line: a bullet is one unit ("- How
    long it lasts. It did not lapse in 2025. It runs for two years from…")."""
    if not is_list_line(text, best.start):
        return []
    line = _line_of(text, best)
    chosen = {(s.n, s.start) for s in picked}
    rest = sorted(
        (
            s
            for s in sentences
            if s.n == best.n
            and s.start > best.start
            and _line_of(text, s) == line
            and (s.n, s.start) not in chosen
        ),
        key=lambda s: s.start,
    )
    return rest[:ITEM_SENTENCES]


def _with_lists(
    picked: Sequence[Sentence], sentences: Sequence[Sentence], passages: dict[int, Passage]
) -> list[Sentence]:
    """A lead-in that ends its line with a colon comes with the list it introduces ("covering
    six areas:" and the six areas): the list lines right below it in its passage, each as its
    own item (its first sentence), up to MAX_LIST_ITEMS; when the passage holds none of them as
    sentences (the list runs on into the next passage, or its items are single words), the
    items from the document, run on after the lead-in. Tables have their own rule."""
    have = {(s.n, s.start) for s in picked}
    out: list[Sentence] = []
    for lead in picked:
        passage = passages[lead.n]
        text = passage.text
        _, line_end = line_bounds(text, lead.start)
        if text[lead.end : line_end].strip() or not introduces(lead.text):
            out.append(lead)
            continue
        firsts = [
            min(on_line, key=lambda t: t.start)
            for start, end in _list_lines(text, line_end)
            for on_line in [[t for t in sentences if t.n == lead.n and start <= t.start < end]]
            if on_line
        ]
        if firsts:
            items = [t for t in firsts if (t.n, t.start) not in have]
            have.update((t.n, t.start) for t in items)
            out += [lead, *items]
        else:
            out.append(_run_on_list(lead, passage.document or text))
    return out


def _list_lines(text: str, after: int) -> list[tuple[int, int]]:
    """The spans of the list lines right below position `after` (blank lines before the first
    allowed), at the first item's indentation (deeper sub-items skipped), up to
    MAX_LIST_ITEMS."""
    out: list[tuple[int, int]] = []
    pos, indent = after + 1, -1
    while pos < len(text) and len(out) < MAX_LIST_ITEMS:
        start, end = line_bounds(text, pos)
        line = text[start:end]
        pos = end + 1
        if not line.strip():
            if out:
                break
            continue
        depth = len(line) - len(line.lstrip())
        if not _LIST_ITEM.match(line) or line.lstrip().startswith("|") or depth < indent:
            break
        if indent < 0:
            indent = depth
        if depth == indent:
            out.append((start, end))
    return out


def _run_on_list(lead: Sentence, document: str) -> Sentence:
    """The lead-in with its document's list items run on after it ("…six areas: age;
    education; …"), within LIST_RUN_ON_CHARS; unchanged when the document has none below."""
    at = document.find(lead.text)
    if at < 0:
        return lead
    _, line_end = line_bounds(document, at)
    chinese = bool(HAN.search(lead.text))
    items: list[str] = []
    for start, end in _list_lines(document, line_end):
        item = _MARKUP.sub("", _LIST_ITEM.sub("", document[start:end])).strip()
        if sum(len(i) for i in items) + len(item) > LIST_RUN_ON_CHARS:
            break
        items.append(item.rstrip("；;。.，,"))
    if len(items) < 2:
        return lead
    joined = ("；" if chinese else "; ").join(items) + ("。" if chinese else ".")
    return replace(lead, text=lead.text.rstrip() + ("" if chinese else " ") + joined)


def _holding_slots(
    analysis: QuestionAnalysis, ranked: Sequence[tuple[float, Sentence]]
) -> Sentence:
    """The best sentence holding the most of the asked slots (an amount, a date...) among those
    within SLOT_WINDOW of the best; the best one when no slot is asked or none holds more."""
    slots = analysis.specific_slots
    top_score, top = ranked[0]
    if not slots:
        return top

    def held(s: Sentence) -> int:
        return sum(holds(slot, s.text) for slot in slots)

    close = [s for score, s in ranked if score >= top_score - SLOT_WINDOW]
    return max(close, key=held) if held(top) < len(slots) else top


def _whole_sentences(picked: Sequence[Sentence], passages: dict[int, Passage]) -> list[Sentence]:
    """Clauses cut at a semicolon widened to their whole sentence (units.whole_sentence), and
    a sentence the passage cuts off completed from its document; a sentence that another
    one's widened span already holds is dropped."""
    widened: list[Sentence] = []
    for s in picked:
        text = passages[s.n].text
        start, end = whole_sentence(text, s.start, s.end)
        if (start, end) != (s.start, s.end):
            s = replace(s, text=text[start:end], start=start, end=end)
        widened.append(_completed(s, passages[s.n]))
    return [
        s
        for i, s in enumerate(widened)
        if not any(
            t.n == s.n
            and t.start <= s.start
            and s.end <= t.end
            and (j < i or (t.start, t.end) != (s.start, s.end))
            for j, t in enumerate(widened)
            if j != i
        )
    ]


def _completed(sentence: Sentence, passage: Passage) -> Sentence:
    """A sentence at the end of its passage that its document's line goes on with (chunks end
    at any full stop, so "Cai Shui [2022] No." and "…增至184所；" are cut there), run on to its
    real end from the document; its offsets stay those of the passage, for the quote."""
    document = passage.document
    if document is None or passage.text[sentence.end :].strip():
        return sentence
    at = document.find(sentence.text)
    if at < 0:
        return sentence
    line_start, line_end = line_bounds(document, at)
    line = document[line_start:line_end]
    start, end = at - line_start, at - line_start + len(sentence.text)
    if not line[end:].strip():
        return sentence
    real_end = next((e for s, e in split_sentences(line) if s <= start < e), end)
    _, real_end = whole_sentence(line, start, max(real_end, end))
    if real_end <= end or real_end - start > MAX_SENTENCE_CHARS:
        return sentence
    return replace(sentence, text=line[start:real_end])


def _for_each_part(
    analysis: QuestionAnalysis,
    ranked: Sequence[tuple[float, Sentence]],
    picked: Sequence[Sentence],
    passages: Sequence[Passage],
    language: str,
) -> list[Sentence]:
    """For a question asking two things, the best sentence for each part it asks that the
    answer does not hold yet (judged by the part's own words and slots)."""
    out: list[Sentence] = []
    chosen = {(s.n, s.start) for s in picked}
    sections = {p.n: p.hit.section for p in passages}
    for part in analysis.parts[:MAX_PARTS]:
        sub = analyse(part)
        terms = _own_terms(sub.standard)
        if not terms:
            continue
        scored = []
        for score, s in _rerank(sub, [s for _, s in ranked], passages, language):
            present = set(tokenize(f"{sections.get(s.n, '')}\n{s.text}"))
            scored.append((score + PART_WEIGHT * len(terms & present) / len(terms), s))
        if not scored:
            continue
        best = max(scored, key=lambda pair: pair[0])[1]
        if (best.n, best.start) not in chosen:
            chosen.add((best.n, best.start))
            out.append(best)
    return out


def _drop_superseded(picked: Sequence[Sentence], passages: dict[int, Passage]) -> list[Sentence]:
    """Of two sentences of one document giving a figure for the same thing in different
    years, the older one goes: the newest figure answers "how many so far"."""

    def years(s: Sentence) -> list[int]:
        return [int(y) for y in _YEAR.findall(s.text)]

    out = []
    for s in picked:
        newer = [
            t
            for t in picked
            if t is not s
            and passages[t.n].hit.doc_id == passages[s.n].hit.doc_id
            and years(s)
            and years(t)
            and max(years(t)) > max(years(s))
            and _same_subject(s.text, t.text)
        ]
        if not newer:
            out.append(s)
    return out


def _newer_figures(
    request: GenerationRequest,
    picked: Sequence[Sentence],
    ranked: Sequence[tuple[float, Sentence]],
    best_score: float,
) -> list[Sentence]:
    """For a figure the answer quotes, the best sentence of another agreeing, quotable document
    dated later that gives a different figure for the same thing: the newer figure comes first,
    the quoted one stays as superseded (the note says which is newer). Reconciled by the
    documents' dates, whatever their rank."""
    passages = {p.n: p for p in request.passages}
    retrieved = list(dict.fromkeys(p.hit.doc_id for p in request.passages))
    pool = {d for d in retrieved[:QUOTABLE_DOCUMENTS] if request.agreement.get(d, 0) >= 0}
    out: list[Sentence] = []
    for s in picked:
        dated = _dated(passages[s.n])
        if dated is None or not _figures(s.text):
            continue
        for score, t in ranked:
            if score < best_score - RECONCILE_WINDOW:
                break
            other = passages[t.n]
            later = _dated(other)
            if (
                other.hit.doc_id != passages[s.n].hit.doc_id
                and other.hit.doc_id in pool
                and later is not None
                and later > dated
                and _figures(t.text)
                and _figures(t.text) != _figures(s.text)
                and _same_subject(s.text, t.text, SAME_FIGURE_OVERLAP)
                and t not in out
                and t not in picked
            ):
                out.append(t)
                break
    return out


def _dated(passage: Passage) -> date | None:
    """A document's date for telling newer from older: updated when it says, else published."""
    return passage.updated or passage.hit.published


def _figures(text: str) -> set[str]:
    """The figures a sentence gives, dates left out (digits only, however thousands are
    separated): two dated statements of one rule do not give differing figures."""
    undated = _DATE.sub(" ", text)
    return {re.sub(r"\D", "", m) for m in _FIGURE.findall(undated)} - {""}


def _same_subject(a: str, b: str, overlap: float = SAME_CLAIM_OVERLAP) -> bool:
    words_a = {t for t in tokenize(a) if not t[0].isdigit()}
    words_b = {t for t in tokenize(b) if not t[0].isdigit()}
    union = words_a | words_b
    return bool(union) and len(words_a & words_b) / len(union) >= overlap


def _with_antecedents(
    picked: Sequence[Sentence], sentences: Sequence[Sentence], passages: dict[int, Passage]
) -> list[Sentence]:
    """Picked sentences plus, for one opening on a pronoun, the sentence before it; passages in
    the order of their best sentence, sentences in document order within."""
    out = list(picked)
    for s in picked:
        if not leans_back(s.text):
            continue
        before = [t for t in sentences if t.n == s.n and t.end <= s.start]
        if before:
            previous = max(before, key=lambda t: t.end)
            if all(previous.start != p.start or previous.n != p.n for p in out):
                out.append(previous)
    order = {n: i for i, n in enumerate(dict.fromkeys(s.n for s in picked))}
    return sorted(out, key=lambda s: (order[s.n], s.start))


def _side_terms(group: int) -> list[str]:
    return [fold(t) for t in default_glossary().entries[group]]


def _side_by_side(
    request: GenerationRequest, ranked: Sequence[tuple[float, Sentence]], sides: Sequence[int]
) -> list[Sentence]:
    """Each named side's best sentences, from a passage (title, section or text) naming it."""
    passages = {p.n: p for p in request.passages}
    about = {n: fold(f"{p.hit.title}\n{p.hit.section}\n{p.hit.text}") for n, p in passages.items()}
    picked: list[Sentence] = []
    for side in sides[:MAX_SIDES]:
        terms = _side_terms(side)
        own = [
            (score, s)
            for score, s in ranked
            if request.agreement.get(passages[s.n].hit.doc_id, 0) >= 0
            and any(t in about[s.n] for t in terms)
            and s not in picked
        ]
        if not own:
            return []
        top = own[0][0]
        picked += [s for score, s in own[:SIDE_SENTENCES] if score >= top - MARGIN]
    return picked


def _side_labels(
    request: GenerationRequest, chosen: Sequence[Sentence]
) -> dict[tuple[int, int], str]:
    """For a side-by-side answer, the name of the side above its first sentence."""
    sides = request.sides
    if len(sides) < 2 or request.analysis is None or not request.analysis.asks("comparison"):
        return {}
    passages = {p.n: p for p in request.passages}
    labels: dict[tuple[int, int], str] = {}
    done: set[int] = set()
    for s in chosen:
        about = fold(
            f"{passages[s.n].hit.title}\n{passages[s.n].hit.section}\n{passages[s.n].hit.text}"
        )
        for side in sides:
            if side not in done and any(t in about for t in _side_terms(side)):
                done.add(side)
                labels[(s.n, s.start)] = _side_name(side, request.language) + ":"
                break
    return labels if len(done) >= 2 else {}


def _side_name(group: int, language: str) -> str:
    terms = default_glossary().entries[group]
    if language.startswith("zh"):
        chinese = [t for t in terms if HAN.search(t)]
        if chinese:
            return to_script(chinese[0], language)
    return terms[0]


def _as_of(
    request: GenerationRequest, chosen: Sequence[Sentence], passages: dict[int, Passage]
) -> str | None:
    """A figure's date when the quoted sentences do not give one: the source's date."""
    analysis = request.analysis
    if analysis is None or not analysis.slots & {"number", "amount"}:
        return None
    if any(_YEAR.search(s.text) for s in chosen):
        return None
    published = passages[chosen[0].n].hit.published
    if published is None:
        return None
    return messages.text("as_of", request.language, date=published.isoformat())


def _documents(
    request: GenerationRequest, ranked: Sequence[tuple[float, Sentence]], limit: int
) -> list[str]:
    """The documents an answer may quote: the best-retrieved ones that do not contradict the
    question's places and schemes (agreement.py) or, for a one-document answer, the quotable
    one whose best sentence beats theirs by DOCUMENT_SWITCH (the right document is often
    retrieved second or third, yet holds the sentence that answers); plus, when those are not
    in the reader's language, the one among the top few that is and has the best sentences (a
    Chinese reader gets the Chinese version of a notice if it ranks close)."""
    doc_of = {p.n: p.hit.doc_id for p in request.passages}
    retrieved = list(dict.fromkeys(p.hit.doc_id for p in request.passages))
    agreeing = [d for d in retrieved if request.agreement.get(d, 0) >= 0] or retrieved
    # Retrieval order, unless a sentence says otherwise: putting documents that name more of
    # the question first was measured (dev + dev2) and lost more facts than it gained.
    chosen = agreeing[:limit]
    best_of: dict[str, float] = {}
    for score, s in ranked:
        best_of.setdefault(doc_of[s.n], score)
    quotable = [d for d in agreeing if d in retrieved[:QUOTABLE_DOCUMENTS]]
    # A quotable document's reader-language version says the same: it may be switched to.
    quotable += [t for d in quotable for t in request.twins.get(d, ())]
    pool = [d for d in dict.fromkeys(quotable) if d in best_of]
    if limit == 1 and pool and chosen:
        challenger = max(pool, key=lambda d: best_of[d])
        if best_of[challenger] > best_of.get(chosen[0], float("-inf")) + DOCUMENT_SWITCH:
            chosen = [challenger]
    language = {p.hit.doc_id: p.hit.language[:2] for p in request.passages}
    if all(language[d] != request.language[:2] for d in chosen):
        twins = {t for d in chosen for t in request.twins.get(d, ())}
        by_sentence = list(dict.fromkeys(doc_of[s.n] for _, s in ranked))
        # The reader-language version of the chosen notice says the same, alone.
        own_twin = [d for d in by_sentence if d in twins][:1]
        if own_twin:
            return own_twin
        pool = [d for d in agreeing if d in retrieved[:QUOTABLE_DOCUMENTS]]
        chosen += [d for d in by_sentence if d in pool and language[d] == request.language[:2]][:1]
    return chosen


def _terms(question: str) -> set[str]:
    """The question's search terms, with the glossary's other names for what it names."""
    expanded = " ".join([question, *default_glossary().expand(question)])
    return {t for t in tokenize(expanded) if not (HAN.fullmatch(t) and len(t) == 1)}


def _own_terms(part: str) -> set[str]:
    """A part's own words: what it asks beyond the scheme or place the whole question names
    (the answer is about those already; their many glossary names would drown the part's
    "minimum age")."""
    glossary = default_glossary()
    named = {
        t for g in glossary.groups(part) for name in glossary.entries[g] for t in tokenize(name)
    }
    return {
        t
        for t in tokenize(part)
        if t not in named and t not in _ASKING_WORDS and not (HAN.fullmatch(t) and len(t) == 1)
    }


# Words every part is phrased with, which no sentence answers by containing.
_ASKING_WORDS = frozenset(tokenize("what which when who whom how where why much many"))


def _rerank(
    analysis: QuestionAnalysis,
    sentences: Sequence[Sentence],
    passages: Sequence[Passage],
    language: str,
) -> list[tuple[float, Sentence]]:
    """Similarity plus lexical overlap plus a bonus for each asked slot a sentence holds (an
    amount, a date...), and, unless the question names a year, for the newest year its
    document gives for a figure."""
    terms = _terms(analysis.standard)
    sections = {p.n: p.hit.section for p in passages}
    doc_of = {p.n: p.hit.doc_id for p in passages}
    same_language = {p.n for p in passages if p.hit.language[:2] == language[:2]}
    slots = analysis.specific_slots
    newest: dict[str, int] = {}
    if slots & {"number", "amount"}:
        for s in sentences:
            years = [int(y) for y in _YEAR.findall(s.text)]
            if years:
                newest[doc_of[s.n]] = max(newest.get(doc_of[s.n], 0), max(years))
    scored = []
    for s in sentences:
        score = s.score
        if terms:
            present = set(tokenize(f"{sections.get(s.n, '')}\n{s.text}"))
            score += LEXICAL_WEIGHT * len(terms & present) / len(terms)
        if s.n in same_language:
            score += LANGUAGE_BONUS
        score += TYPE_BONUS * sum(holds(slot, s.text) for slot in slots)
        years = [int(y) for y in _YEAR.findall(s.text)]
        # A year asked for names the period: then the newest figure is not preferred (a
        # bonus for the year asked was measured too, and cut answers to one sentence).
        if not analysis.years and years and newest.get(doc_of[s.n]) == max(years):
            score += NEWEST_BONUS
        scored.append((score, s))
    scored.sort(key=lambda pair: (-pair[0], pair[1].n, pair[1].start))
    return scored


def _line_of(text: str, sentence: Sentence) -> tuple[int, int]:
    start = text.rfind("\n", 0, sentence.start) + 1
    end = text.find("\n", sentence.end)
    return start, len(text) if end < 0 else end


def _list_around(best: Sentence, sentences: Sequence[Sentence], text: str) -> list[Sentence]:
    """The list items of the passage around the best one (the block of list lines it is in)."""
    items = sorted(
        (s for s in sentences if s.n == best.n and is_list_line(text, s.start)),
        key=lambda s: s.start,
    )
    index = next(i for i, s in enumerate(items) if s.start == best.start)
    low = high = index
    while low > 0 and _adjacent(text, items[low - 1], items[low]):
        low -= 1
    while high + 1 < len(items) and _adjacent(text, items[high], items[high + 1]):
        high += 1
    block = items[low : high + 1]
    if len(block) > MAX_LIST_ITEMS:
        centre = block.index(items[index])
        first = max(0, min(centre - MAX_LIST_ITEMS // 2, len(block) - MAX_LIST_ITEMS))
        block = block[first : first + MAX_LIST_ITEMS]
    return block


def _adjacent(text: str, a: Sentence, b: Sentence) -> bool:
    """b's line follows a's line directly (blank lines allowed)."""
    between = text[_line_of(text, a)[1] : _line_of(text, b)[0]]
    return not between.strip()


def _render(sentence: Sentence, passage: Passage, language: str) -> str:
    """The sentence as answer text: markup removed, a table row as "column: value" pairs, in
    the reader's script."""
    line = sentence.text.strip()
    line = _LIST_ITEM.sub("", line) if not line.startswith("|") else line
    if line.startswith("|"):
        header = table_header(passage.text, sentence.start)
        if not header and passage.document:
            # The passage starts mid-table: the header is in the document above it.
            at = passage.document.find(sentence.text.strip())
            header = table_header(passage.document, at) if at >= 0 else []
        line = render_row(line, header)
    line = _EMPHASIS.sub("", _MARKUP.sub("", line)).strip()
    if HAN.search(line) and language.startswith("zh"):
        line = to_script(line, language)
    return line


def _newer_source_note(
    chosen: Sequence[Sentence], passages: dict[int, Passage], language: str
) -> str | None:
    """Two cited documents giving different figures for the same thing: say which is newer."""
    for i, a in enumerate(chosen):
        for b in chosen[i + 1 :]:
            pa, pb = passages[a.n], passages[b.n]
            date_a, date_b = _dated(pa), _dated(pb)
            if pa.hit.doc_id == pb.hit.doc_id or not (date_a and date_b) or date_a == date_b:
                continue
            figures_a, figures_b = _figures(a.text), _figures(b.text)
            if not figures_a or not figures_b or figures_a == figures_b:
                continue
            if not _same_subject(a.text, b.text, SAME_FIGURE_OVERLAP):
                continue
            (newer, newer_date), (older, older_date) = sorted(
                ((pa, date_a), (pb, date_b)), key=lambda pair: pair[1], reverse=True
            )
            return messages.text(
                "sources_differ",
                language,
                newer=f"[{newer.n}]",
                newer_date=newer_date.isoformat(),
                older=f"[{older.n}]",
                older_date=older_date.isoformat(),
            )
    return None
