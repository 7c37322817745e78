"""BayBot's exceptions: one base, so every shell (CLI, API, UI) turns them into a clear message."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from baybot.timing import ProgressSnapshot


class BayBotError(Exception):
    """A problem the user can act on; its message says what and why."""


class DocumentError(BayBotError, ValueError):
    """A file that cannot be read or parsed as an announcement."""


class CorpusNotFoundError(BayBotError, FileNotFoundError):
    """The corpus folder does not exist."""


class EncodingUnavailableError(BayBotError):
    """A tiktoken encoding that is neither shipped nor cached, and cannot be downloaded."""


class ModelUnavailableError(BayBotError):
    """The configured embedding model cannot be loaded here."""


class IndexStoreError(BayBotError):
    """The index cannot be read or written."""


class IndexMissingError(IndexStoreError):
    """No index has been built yet."""


class IndexCorruptError(IndexStoreError):
    """The index on disk fails its checks; it must be rebuilt, never used."""


class IndexStaleError(IndexStoreError):
    """The index was built with other settings and auto-update is off."""


class QueryError(BayBotError, ValueError):
    """A query the retriever refuses, with the reason."""


class GenerationError(BayBotError):
    """A backend could not produce an answer (server down, timed out, unusable output)."""


class NotReady(BayBotError):
    """The index is still loading; `progress` says how far it is, when known."""

    def __init__(self, message: str, progress: ProgressSnapshot | None = None) -> None:
        super().__init__(message)
        self.progress = progress


class SourceError(BayBotError):
    """A source could not be added: bad URL, refused by robots.txt, wrong type, too large,
    unreachable."""


class BusyError(BayBotError):
    """A staff corpus change was asked for while another one is still running."""
