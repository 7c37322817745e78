"""Answers and sources as the chat shows them: Markdown for the chat bubble, HTML for the
sources panel.

Everything that comes from a document or a model is escaped here, so HTML or script inside a
source or an answer is shown as text and never runs; the only links made are our own, to
http(s) source urls.
"""

from __future__ import annotations

import html
import re
from datetime import date
from urllib.parse import quote, urlsplit

from baybot.answer.validity import status_text
from baybot.app.web.strings import t
from baybot.text import messages
from baybot.types import Answer, Citation

_MARKER = re.compile(r"\s?\[(\d{1,3})\]")
# Characters Markdown (and the chat's LaTeX and HTML) would interpret.
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|~>$:])")
_BULLET = re.compile(r"^\\- ", re.MULTILINE)


def escape_markdown(text: str) -> str:
    """`text` shown literally by a Markdown renderer: HTML escaped, syntax backslashed."""
    escaped = _MARKDOWN_SPECIAL.sub(r"\\\1", html.escape(text, quote=False))
    # The sources' own bullet lists stay lists.
    return _BULLET.sub("- ", escaped.replace("\r", ""))


def safe_url(url: str | None) -> str | None:
    """`url` when it is an absolute http(s) url, made safe inside a Markdown or HTML link;
    None for anything else (javascript:, data:, relative paths)."""
    if not url:
        return None
    url = url.strip()
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    return quote(url, safe=":/?#[]@!$&'*+,;=%~-._")


def _title_attribute(citation: Citation, language: str) -> str:
    bits = [citation.title, citation.issuer or ""]
    if citation.published:
        bits.append(f"{t('published', language)} {citation.published.isoformat()}")
    text = " · ".join(b for b in bits if b)
    return text.replace('"', "'").replace("\\", "/")


def answer_markdown(answer: Answer, language: str) -> str:
    """The chat bubble for a finished answer: the text with each [n] a footnote link to its
    source, then the numbered footnotes (title, issuer, date, link)."""
    if answer.refused:
        return _refusal_markdown(answer, language)
    by_n = {c.n: c for c in answer.citations}
    pieces: list[str] = []
    position = 0
    for marker in _MARKER.finditer(answer.text):
        pieces.append(escape_markdown(answer.text[position : marker.start()]))
        pieces.append(
            " " + _footnote_link(by_n.get(int(marker.group(1))), marker.group(1), language)
        )
        position = marker.end()
    pieces.append(escape_markdown(answer.text[position:]))
    body = "".join(pieces).strip()
    if not answer.supported:
        body = f"**{escape_markdown(t('unsupported', language))}**\n\n{body}"
    if answer.notice:
        body = f"*{escape_markdown(t('fallback', language))}*\n\n{body}"
    by_document: dict[str, list[Citation]] = {}
    for c in answer.citations:
        by_document.setdefault(c.doc_id, []).append(c)
    notes = [_footnote(group) for group in by_document.values()]
    return body + ("\n\n---\n" + "\n".join(notes) if notes else "")


def _footnote_link(citation: Citation | None, n: str, language: str) -> str:
    url = safe_url(citation.url) if citation else None
    if citation is None or url is None:
        return f"\\[{n}\\]"
    return f'[\\[{n}\\]]({url} "{_title_attribute(citation, language)}")'


def _footnote(citations: list[Citation]) -> str:
    """One line per cited document: its markers, title (linked), issuer and date."""
    citation = citations[0]
    title = escape_markdown(citation.title)
    url = safe_url(citation.url)
    linked = f"[{title}]({url})" if url else title
    meta = [escape_markdown(citation.issuer)] if citation.issuer else []
    meta.append(citation.published.isoformat() if citation.published else "undated")
    markers = " ".join(f"\\[{c.n}\\]" for c in citations)
    return f"{markers} {linked}" + (" · " + " · ".join(meta) if meta else "") + "  "


def _refusal_markdown(answer: Answer, language: str) -> str:
    message = answer.text.split("\n\n", 1)[0]
    out = f"**{escape_markdown(t('refused', language))}**\n\n{escape_markdown(message)}"
    if answer.topics:
        lines = []
        for topic in answer.topics:
            title = escape_markdown(topic.title)
            url = safe_url(topic.url)
            line = f"- [{title}]({url})" if url else f"- {title}"
            lines.append(line + (f" ({topic.published})" if topic.published else ""))
        out += f"\n\n{escape_markdown(t('nearest', language))}\n" + "\n".join(lines)
    return out


def streaming_markdown(text: str) -> str:
    """The bubble while the answer is still being written: the raw text, shown literally."""
    return escape_markdown(text) + " ▍"


def sources_html(answer: Answer | None, language: str) -> str:
    """The sources panel: one card per citation with the cited sentences highlighted."""
    if answer is None or not answer.citations:
        return f'<div class="bb-sources-empty">{html.escape(t("sources_empty", language))}</div>'
    return "\n".join(_card(c, language) for c in answer.citations)


def _card(citation: Citation, language: str) -> str:
    url = safe_url(citation.url)
    title = html.escape(citation.title)
    link = '<a href="{}" target="_blank" rel="noopener noreferrer nofollow">{}</a>'
    heading = link.format(html.escape(url), title) if url else title
    meta = []
    if citation.issuer:
        meta.append(html.escape(citation.issuer))
    if citation.published:
        day = citation.published.isoformat()
        label = html.escape(t("published", language))
        meta.append(f'<time datetime="{day}">{label} {day}</time>')
    else:
        meta.append(html.escape(t("undated", language)))
    meta.extend(html.escape(line) for line in _dates(citation, language))
    doc_id = html.escape(citation.doc_id)
    passage = passage_html(citation.passage, citation.spans)
    more = html.escape(t("full_passage", language))
    return (
        f'<article class="bb-source" id="bb-source-{citation.n}" data-doc-id="{doc_id}">'
        f'<header><span class="bb-n">{citation.n}</span> {heading}</header>'
        f'<div class="bb-meta">{" · ".join(meta)}</div>'
        f'<details class="bb-more"><summary><span class="bb-quote">{_quote(citation)}</span>'
        f' <span class="bb-expand">{more}</span></summary>'
        f'<blockquote class="bb-passage">{passage}</blockquote></details>'
        "</article>"
    )


QUOTE_PREVIEW_CHARS = 200  # of a passage without quoted sentences, shown before it is opened


def _quote(citation: Citation) -> str:
    """What a closed card shows: the quoted sentences, highlighted (else the passage's start);
    the whole passage opens below, so nothing is cut with no way to read it."""
    text = citation.passage
    quoted = [
        f"<mark>{_plain(text[max(0, a) : min(b, len(text))])}</mark>"
        for a, b in sorted(citation.spans)
        if a < b
    ]
    if quoted:
        return " … ".join(quoted)
    preview = text[:QUOTE_PREVIEW_CHARS]
    return _plain(preview) + ("…" if len(text) > len(preview) else "")


def _dates(citation: Citation, language: str) -> list[str]:
    """Updated, checked on, and the measure's status today, for a source card."""
    out = []
    if citation.updated and citation.updated != citation.published:
        out.append(messages.text("updated_on", language, date=citation.updated.isoformat()))
    validity = citation.validity
    if validity and validity.reviewed:
        day = validity.reviewed.isoformat()
        out.append(messages.text("checked_on", language, date=day))
    status = status_text(validity, language, date.today())
    if status:
        out.append(status.rstrip(".。"))
    if citation.stale:
        out.append(t("stale", language))
    return out


def highlighted(
    text: str, spans: tuple[tuple[int, int], ...], start: int = 0, end: int | None = None
) -> str:
    """`text[start:end]` escaped, with each span (offsets into `text`) wrapped in <mark> where
    it falls in that range (and Markdown bold marks dropped)."""
    end = len(text) if end is None else end
    out: list[str] = []
    position = start
    for a, b in sorted(spans):
        a, b = max(a, position), min(b, end)
        if a >= b:
            continue
        out.append(_plain(text[position:a]))
        out.append(f"<mark>{_plain(text[a:b])}</mark>")
        position = b
    out.append(_plain(text[position:end]))
    return "".join(out)


_TABLE_ROW = re.compile(r"[ \t]*\|.*\|[ \t]*")
_TABLE_RULE = re.compile(r"[ \t]*\|?(?:[ \t]*:?-{3,}:?[ \t]*\|)+(?:[ \t]*:?-{3,}:?[ \t]*)?")


def passage_html(text: str, spans: tuple[tuple[int, int], ...]) -> str:
    """A passage for its card: Markdown tables as HTML tables (a header row when a rule line
    follows it), the rest as escaped text; quoted spans highlighted in both."""
    out: list[str] = []
    rows: list[tuple[int, int]] = []  # the current table's lines, as offsets
    position = 0
    for match in re.finditer(r"[^\n]*\n?", text):
        line_end = match.end() - (1 if match.group().endswith("\n") else 0)
        if match.start() == len(text):
            break
        if _TABLE_ROW.fullmatch(text, match.start(), line_end):
            if not rows:
                out.append(highlighted(text, spans, position, match.start()))
            rows.append((match.start(), line_end))
            position = match.end()
            continue
        if rows:
            out.append(_table(text, rows, spans))
            rows = []
    if rows:
        out.append(_table(text, rows, spans))
    else:
        out.append(highlighted(text, spans, position))
    return "".join(out)


def _table(text: str, rows: list[tuple[int, int]], spans: tuple[tuple[int, int], ...]) -> str:
    """One Markdown table's lines as an HTML table; cells keep their highlights."""
    header = len(rows) > 1 and bool(_TABLE_RULE.fullmatch(text, *rows[1]))
    body = [r for r in rows if not _TABLE_RULE.fullmatch(text, *r)]
    html_rows = []
    for i, (start, end) in enumerate(body):
        tag = "th" if header and i == 0 else "td"
        line = text[start:end]
        first, last = line.index("|"), line.rindex("|")
        cells, cell_start = [], start + first + 1
        for piece in line[first + 1 : last].split("|"):
            a, b = cell_start, cell_start + len(piece)
            a += len(piece) - len(piece.lstrip())
            b -= len(piece) - len(piece.rstrip())
            cells.append(f"<{tag}>{highlighted(text, spans, a, max(a, b))}</{tag}>")
            cell_start += len(piece) + 1
        html_rows.append(f"<tr>{''.join(cells)}</tr>")
    return f'<div class="bb-table"><table>{"".join(html_rows)}</table></div>'


def _plain(text: str) -> str:
    return html.escape(text.replace("**", ""))
