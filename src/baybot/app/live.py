"""The Assistant a server answers with: built in the background so /healthz answers at once,
and, on a read-only replica, replaced when a newer index version is published.

A request takes the current Assistant once (`get`) and finishes on it; a switch only rebinds
the reference, so requests already running keep the old version, which Python frees when the
last of them is done. Versions are immutable folders, so the old one stays readable meanwhile.
"""

from __future__ import annotations

import logging
import threading

from baybot.answer.assistant import Assistant
from baybot.app.wiring import build_assistant
from baybot.config import Settings
from baybot.errors import BayBotError, IndexMissingError, NotReady
from baybot.index.store import IndexStore
from baybot.timing import Progress

log = logging.getLogger(__name__)


class LiveAssistant:
    """Holds the current Assistant; `start` loads it (and, read-only, keeps polling CURRENT)."""

    def __init__(
        self, settings: Settings, assistant: Assistant | None = None, *, progress: bool = False
    ) -> None:
        if settings.read_only:
            settings = settings.model_copy(update={"auto_update": False})
        self.settings = settings
        # The first load's progress: a bar on a terminal, else log lines, and in /healthz.
        self.progress = Progress(terminal=progress)
        self.error: str | None = None
        self.ready = threading.Event()
        self._assistant = assistant
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        if assistant is not None:
            self.ready.set()

    @property
    def assistant(self) -> Assistant | None:
        return self._assistant

    def get(self) -> Assistant:
        """The Assistant to answer this request with; NotReady or BayBotError when none."""
        current = self._assistant
        if current is None:
            if self.error:
                raise BayBotError(self.error)
            raise NotReady("the index is still loading", self.progress.snapshot())
        return current

    def start(self) -> None:
        if self._thread is not None or (self._assistant and not self.settings.read_only):
            return
        self._thread = threading.Thread(target=self._run, name="baybot-index", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()

    def _run(self) -> None:
        if self._assistant is None:
            self._load_first()
        if self.settings.read_only:
            while not self._stop.wait(self.settings.index_poll_seconds):
                self.refresh()

    def _load_first(self) -> None:
        settings = self.settings
        log.info("loading the index from %s%s", settings.index_dir,
                 " (read-only)" if settings.read_only else
                 f" (built or updated from {settings.corpus_dir} when needed)")  # fmt: skip
        while not self._stop.is_set():
            try:
                self._assistant = build_assistant(settings, progress=self.progress)
            except IndexMissingError as exc:
                if not settings.read_only:
                    self.error = str(exc)
                    break
                # A replica may start before the ingest job has published the first version.
                log.info("no index version published in %s yet; waiting", settings.index_dir)
                if self._stop.wait(settings.index_poll_seconds):
                    break
                continue
            except BayBotError as exc:
                self.error = str(exc)
                log.error("cannot load the index: %s", exc)
                # A replica keeps trying: the next published version may load.
                if not settings.read_only or self._stop.wait(settings.index_poll_seconds):
                    break
                continue
            self.error = None
            index = self._assistant.retriever.index
            log.info("ready: %d passages from %d sources (index %s)",
                     len(index), len(index.documents), index.version)  # fmt: skip
            break
        self.ready.set()

    def refresh(self, progress: Progress | None = None) -> bool:
        """Switch to the version CURRENT names if it is newer than the one served; True when
        switched. A version that fails to load is logged and tried again at the next poll
        (staff changes call this after their ingest, reporting to `progress`)."""
        current = self._assistant
        published = IndexStore(self.settings.index_dir).current()
        if current is None or published is None:
            return False
        if published.name == current.retriever.index.version:
            return False
        try:
            fresh = build_assistant(
                self.settings, embedders=current.retriever.embedders, progress=progress
            )
        except BayBotError as exc:
            log.warning("index version %s not loaded (kept %s): %s",
                        published.name, current.retriever.index.version, exc)  # fmt: skip
            return False
        self._assistant = fresh  # one reference rebind: atomic for every reader
        log.info("switched to index %s (%d passages)", fresh.retriever.index.version,
                 len(fresh.retriever.index))  # fmt: skip
        return True
