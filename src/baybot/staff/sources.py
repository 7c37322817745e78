"""Staff keep the corpus current: add pages by URL or file, re-check URL-backed pages, and
bring the index up to date in the same step (the Python API under `baybot add` and
`baybot sources check`)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

import httpx

from baybot.config import Settings
from baybot.corpus.sources import Added, Checked, add_sources, check_sources
from baybot.index.embedders.base import Embedder
from baybot.index.ingest import IngestReport, ingest
from baybot.timing import Progress


@dataclass(frozen=True)
class SourcesReport:
    added: tuple[Added, ...] = ()
    checked: tuple[Checked, ...] = ()
    ingest: IngestReport | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "added": [asdict(a) for a in self.added],
            "checked": [asdict(c) for c in self.checked],
            "ingest": self.ingest.to_dict() if self.ingest else None,
        }


def add(
    settings: Settings,
    items: Sequence[str],
    *,
    region: str | None = None,
    schemes: Sequence[str] = (),
    embedders: Sequence[Embedder] | None = None,
    client: httpx.Client | None = None,
    progress: Progress | None = None,
) -> SourcesReport:
    """Fetch or copy each item into the corpus, then one incremental ingest."""
    added = add_sources(items, settings, region=region, schemes=schemes, client=client)
    report = ingest(settings, embedders=embedders, progress=progress)
    return SourcesReport(added=added, ingest=report)


def check(
    settings: Settings,
    *,
    update: bool = False,
    embedders: Sequence[Embedder] | None = None,
    client: httpx.Client | None = None,
    progress: Progress | None = None,
) -> SourcesReport:
    """Re-fetch every URL-backed source; with `update`, re-ingest the changed ones."""
    checked = check_sources(settings, update=update, client=client)
    report = None
    if update and any(c.updated for c in checked):
        report = ingest(settings, embedders=embedders, progress=progress)
    return SourcesReport(checked=checked, ingest=report)
