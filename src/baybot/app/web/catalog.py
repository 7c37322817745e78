"""HTML of the staff Sources tab: the document table and a corpus change's progress.

Every value a source wrote (titles, ids, regions, schemes, links) and every message is
escaped; the only links are http(s) source urls."""

from __future__ import annotations

import html

from baybot.app.web.render import safe_url
from baybot.app.web.strings import step_name, t
from baybot.index.catalog import DocumentRow
from baybot.timing import Step
from baybot.types import JobStatus

COLUMNS = ("id", "title", "date", "region", "schemes", "language", "source", "chunks")
LINK = '<a href="{}" target="_blank" rel="noopener noreferrer nofollow">{}</a>'


def documents_html(rows: tuple[DocumentRow, ...], language: str) -> str:
    """One table row per document, with the fields `baybot documents` prints."""
    head = "".join(f"<th>{html.escape(t(f'col_{name}', language))}</th>" for name in COLUMNS)
    body = "\n".join(_row(row, language) for row in rows)
    return (
        f'<table class="bb-documents"><thead><tr>{head}</tr></thead>'
        f"<tbody>\n{body}\n</tbody></table>"
    )


def _row(row: DocumentRow, language: str) -> str:
    url = safe_url(row.source)
    source = LINK.format(html.escape(url), html.escape(row.source)) if url else row.source
    date = t("undated", language) if row.date == "undated" else row.date
    cells = (
        f"<code>{html.escape(row.id)}</code>",
        html.escape(row.title),
        html.escape(date),
        html.escape(row.region or ""),
        html.escape(", ".join(row.schemes)),
        html.escape(row.language),
        source if url else html.escape(source),
        str(row.chunks),
    )
    tds = "".join(f"<td>{c}</td>" for c in cells)
    return f'<tr data-doc-id="{html.escape(row.id)}">{tds}</tr>'


def job_html(status: JobStatus, language: str) -> str:
    """The running change as a progress bar with its step and time left, or how it ended."""
    name = html.escape(status.name)
    state = html.escape(status.state)
    if status.state == "idle":
        return f'<div class="bb-job" data-state="idle">{html.escape(t("job_idle", language))}</div>'
    if status.running:
        percent = round(100 * status.fraction)
        step = step_name(Step(status.step), language)
        line = t("job_running", language, step=step, percent=percent)
        if status.eta_s is not None:
            line += " · " + t("eta", language, seconds=round(status.eta_s))
        bar = (
            f'<progress max="1" value="{status.fraction:.3f}"></progress>'
            if status.total or status.fraction
            else "<progress></progress>"
        )
        return (
            f'<div class="bb-job" data-state="running"><strong>{name}</strong> {bar} '
            f"{html.escape(line)}</div>"
        )
    key = "job_done" if status.state == "done" else "job_failed"
    line = t(key, language, seconds=round(status.seconds, 1))
    return (
        f'<div class="bb-job" data-state="{state}"><strong>{name}</strong>: '
        f"{html.escape(line)} {html.escape(status.message)}</div>"
    )
