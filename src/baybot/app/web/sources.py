"""The staff Sources tab: what the index holds (filter, date order), adding files and URLs,
removing a document, editing its sidecar, re-indexing; each change runs in the background
(staff/jobs.py) while a timer shows its progress.

Handlers only translate between widgets and the Python API (staff.documents, staff.edits,
staff.sources, ingest); everything shown is escaped by catalog.py.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import gradio as gr

from baybot.answer.assistant import Assistant
from baybot.app.web.catalog import documents_html, job_html
from baybot.app.web.render import escape_markdown
from baybot.app.web.strings import t
from baybot.config import Settings
from baybot.corpus.loaders import loadable_suffixes
from baybot.corpus.sidecar import parse_sidecar
from baybot.errors import BayBotError
from baybot.index.ingest import IngestReport, ingest
from baybot.staff import edits
from baybot.staff import sources as staff_sources
from baybot.staff.documents import select_documents
from baybot.staff.jobs import IndexJobs
from baybot.timing import Progress

# The longest URL list or sidecar a staff member types (both far below the request limit).
MAX_URLS_CHARS = 20_000
MAX_SIDECAR_CHARS = 20_000


def sources_tab(
    provider: Callable[[], Assistant],
    settings: Settings,
    jobs: IndexJobs,
    language: gr.Radio,
    labelled: Callable[..., Any],
) -> None:
    """The tab's widgets and events, inside the staff app's Tabs."""
    with labelled(gr.Tab(t("tab_sources", "en"), id="sources"), label="tab_sources") as tab:
        if settings.read_only:
            gr.Markdown(t("read_only_sources", "en"), elem_id="bb-src-read-only")
        with gr.Row():
            text = labelled(
                gr.Textbox(label=t("contains", "en"), max_length=200, elem_id="bb-src-text"),
                label="contains",
            )
            region = labelled(
                gr.Dropdown([], multiselect=True, allow_custom_value=True,
                            label=t("region", "en"), elem_id="bb-src-region"),
                label="region",
            )  # fmt: skip
            scheme = labelled(
                gr.Dropdown([], multiselect=True, allow_custom_value=True,
                            label=t("scheme", "en"), elem_id="bb-src-scheme"),
                label="scheme",
            )  # fmt: skip
            order = labelled(
                gr.Radio([(t("newest_first", "en"), "newest"), (t("oldest_first", "en"), "oldest")],
                         value="newest", label=t("sort", "en"), elem_id="bb-src-order"),
                label="sort",
            )  # fmt: skip
        show = labelled(
            gr.Button(t("show", "en"), variant="primary", elem_id="bb-src-show"), value="show"
        )
        count = gr.Markdown(elem_id="bb-src-count")
        table = gr.HTML(elem_id="bb-documents")
        with gr.Row():
            pick = labelled(
                # custom values: an API caller names a document without listing first
                gr.Dropdown(
                    [],
                    label=t("document", "en"),
                    elem_id="bb-src-pick",
                    scale=3,
                    allow_custom_value=True,
                ),
                label="document",
            )
            edit = labelled(gr.Button(t("edit_metadata", "en"), elem_id="bb-src-edit"),
                            value="edit_metadata")  # fmt: skip
            remove = labelled(gr.Button(t("remove", "en"), variant="stop",
                                        elem_id="bb-src-remove"), value="remove")  # fmt: skip
        meta = labelled(
            gr.Textbox(label=t("metadata", "en"), lines=10, max_length=MAX_SIDECAR_CHARS,
                       elem_id="bb-src-meta"),
            label="metadata",
        )  # fmt: skip
        save = labelled(gr.Button(t("save_metadata", "en"), elem_id="bb-src-save"),
                        value="save_metadata")  # fmt: skip
        with labelled(gr.Accordion(t("add_sources", "en"), open=False), label="add_sources"):
            files = labelled(
                gr.File(file_count="multiple", type="filepath", label=t("upload", "en"),
                        file_types=sorted(loadable_suffixes())),
                label="upload",
            )  # fmt: skip
            urls = labelled(
                gr.Textbox(label=t("urls", "en"), lines=3, max_length=MAX_URLS_CHARS,
                           elem_id="bb-src-urls"),
                label="urls",
            )  # fmt: skip
            with gr.Row():
                add_region = labelled(gr.Textbox(label=t("region", "en"), max_length=100),
                                      label="region")  # fmt: skip
                add_scheme = labelled(gr.Textbox(label=t("add_scheme", "en"), max_length=500),
                                      label="add_scheme")  # fmt: skip
            add = labelled(gr.Button(t("add_run", "en"), variant="primary",
                                     elem_id="bb-src-add"), value="add_run")  # fmt: skip
        reindex = labelled(gr.Button(t("reindex", "en"), elem_id="bb-src-reindex"),
                           value="reindex")  # fmt: skip
        job = gr.HTML(elem_id="bb-job")
        timer = gr.Timer(settings.staff_progress_seconds, active=False)

    filters = [text, region, scheme, order, language]

    def listing(
        words: str, regions: list[str] | None, schemes: list[str] | None, sort: str, lang: str
    ) -> tuple:
        try:
            index = provider().retriever.index
            rows = select_documents(
                index, text=words or "", regions=regions or (), schemes=schemes or (),
                oldest_first=sort == "oldest",
            )  # fmt: skip
        except BayBotError as exc:
            raise gr.Error(str(exc)) from exc
        shown = rows[: settings.staff_documents_shown]
        documents = index.documents.values()
        return (
            escape_markdown(t("documents_shown", lang, shown=len(shown),
                              total=len(index.documents))),
            documents_html(shown, lang),
            gr.Dropdown(choices=[r.id for r in rows], value=None),
            gr.Dropdown(choices=sorted({d.region for d in documents if d.region})),
            gr.Dropdown(choices=sorted({s for d in documents for s in d.schemes})),
        )  # fmt: skip

    listed = [count, table, pick, region, scheme]
    show.click(listing, filters, listed, api_name="sources_list")
    tab.select(listing, filters, listed, api_name=False)

    def start(name: str, lang: str, change: Callable[..., IngestReport]) -> tuple:
        """Run `change(embedders=..., progress=...)` in the background; the timer follows it."""
        if settings.read_only:
            raise gr.Error(t("read_only_sources", lang))
        try:
            embedders = provider().retriever.embedders

            def work(progress: Progress) -> str:
                return _summary(change(embedders=embedders, progress=progress), lang)

            status = jobs.start(name, work)
        except BayBotError as exc:
            raise gr.Error(str(exc)) from exc
        return job_html(status, lang), gr.Timer(active=True)

    def on_remove(doc_id: str | None, lang: str) -> tuple:
        if not doc_id:
            raise gr.Error(t("pick_document", lang))
        return start(f"remove {doc_id}", lang,
                     lambda **kw: edits.remove_document(settings, doc_id, **kw))  # fmt: skip

    def on_edit(doc_id: str | None, lang: str) -> str:
        if not doc_id:
            raise gr.Error(t("pick_document", lang))
        try:
            document = provider().retriever.index.documents[doc_id]
            return edits.sidecar_text(settings, document)
        except KeyError as exc:
            raise gr.Error(f"no document {doc_id!r}") from exc
        except BayBotError as exc:
            raise gr.Error(str(exc)) from exc

    def on_save(doc_id: str | None, yaml_text: str, lang: str) -> tuple:
        if not doc_id:
            raise gr.Error(t("pick_document", lang))
        try:  # a mistake is shown at once, not after a background start
            edits.corpus_file(settings, doc_id)
            parse_sidecar(yaml_text, f"{doc_id}.meta.yaml")
        except BayBotError as exc:
            raise gr.Error(str(exc)) from exc
        return start(
            f"metadata of {doc_id}",
            lang,
            lambda **kw: edits.save_sidecar(settings, doc_id, yaml_text, **kw),
        )

    def on_add(
        paths: Sequence[str] | None, url_text: str, where: str, scheme_text: str, lang: str
    ) -> tuple:
        items = [*(paths or ()), *(u.strip() for u in (url_text or "").splitlines() if u.strip())]
        if not items:
            raise gr.Error(t("nothing_to_add", lang))
        schemes = [s.strip() for s in (scheme_text or "").split(",") if s.strip()]

        def change(**kw: Any) -> IngestReport:
            report = staff_sources.add(
                settings, items, region=(where or "").strip() or None, schemes=schemes, **kw
            )
            assert report.ingest is not None
            return report.ingest

        return start(f"add {len(items)}", lang, change)

    def on_reindex(lang: str) -> tuple:
        return start("re-index", lang, lambda **kw: ingest(settings, **kw))

    remove.click(on_remove, [pick, language], [job, timer], api_name="sources_remove")
    edit.click(on_edit, [pick, language], meta, api_name="sources_metadata")
    save.click(on_save, [pick, meta, language], [job, timer], api_name="sources_save_metadata")
    add.click(on_add, [files, urls, add_region, add_scheme, language], [job, timer],
              api_name="sources_add")  # fmt: skip
    reindex.click(on_reindex, [language], [job, timer], api_name="sources_reindex")

    def follow(*values: Any) -> tuple:
        status = jobs.status()
        lang = values[-1]
        if status.running:
            return job_html(status, lang), gr.skip(), *([gr.skip()] * len(listed))
        return job_html(status, lang), gr.Timer(active=False), *listing(*values)

    timer.tick(follow, filters, [job, timer, *listed], api_name=False, queue=False)

    def sources_job() -> dict[str, Any]:
        """The running or last corpus change: name, state, step, done, total, message."""
        status = jobs.status()
        return {**status.__dict__}

    with tab:  # an API-only endpoint, kept inside the tab (Tabs hold only tabs)
        gr.api(sources_job, api_name="sources_job", queue=False)


def _summary(report: IngestReport, lang: str) -> str:
    line = t("job_summary", lang, added=len(report.added), updated=len(report.updated),
             removed=len(report.removed), documents=report.documents,
             passages=report.chunks)  # fmt: skip
    if report.skipped:
        files = "; ".join(f"{s.path} ({s.reason})" for s in report.skipped)
        line += " " + t("job_skipped", lang, files=files)
    return line
