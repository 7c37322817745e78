"""The status of time-limited measures an answer quotes: "valid until …", "ended on …",
"ends on … — no extension announced as of …", judged against today's date.

A sheet that describes a measure with an end date carries `valid_until` (and `valid_from`)
in its front matter; a reader deciding whether to move must not take an ended measure for a
current one, whatever the quoted sentence says.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from baybot.text import messages
from baybot.text.i18n import format_date
from baybot.text.language import to_script
from baybot.types import Citation, Validity


def status_text(validity: Validity | None, language: str, today: date) -> str | None:
    """One sentence on whether the measure applies today, in `language`; None when the
    document has no validity period."""
    status = validity.status(today) if validity else None
    if status is None or validity is None:
        return None
    kind, day = status
    reviewed = format_date(validity.reviewed, language) if validity.reviewed else ""
    return messages.text(
        f"status_{kind}", language, date=format_date(day, language), reviewed=reviewed
    )


def is_stale(citation: Citation, today: date, max_age_days: int) -> bool:
    """The source's newest date (updated, else published) is older than `max_age_days`; an
    undated source cannot be judged and is shown as undated instead."""
    newest = citation.updated or citation.published
    return newest is not None and (today - newest).days > max_age_days


def validity_note(citations: Sequence[Citation], language: str, today: date) -> str | None:
    """A line per cited document with a validity period, in citation order."""
    lines: list[str] = []
    seen: set[str] = set()
    for citation in citations:
        if citation.doc_id in seen:
            continue
        seen.add(citation.doc_id)
        status = status_text(citation.validity, language, today)
        if status:
            title = (
                to_script(citation.title, language) if language.startswith("zh") else citation.title
            )
            separator = messages.text("title_separator", language)
            lines.append(f"{title}{separator}{status} [{citation.n}]")
    return "\n".join(lines) or None
