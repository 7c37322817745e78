"""The staff app at /staff (behind sign-in, access.py): the retrieval inspector with ratings,
batch tests, the public and staff feedback with filters and export, and the Sources tab
(sources.py).

Handlers only translate between widgets and the Python API (Retriever, batch, database).
"""

from __future__ import annotations

import datetime as dt
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import gradio as gr
import pandas as pd
from fastapi import FastAPI

from baybot.answer.assistant import Assistant
from baybot.answer.generators import available_generators
from baybot.app.records import rate as store_rating
from baybot.app.web.access import CSRF_SCRIPT, PREFIX, SIGN_OUT_JS
from baybot.app.web.render import answer_markdown, escape_markdown, sources_html
from baybot.app.web.sources import sources_tab
from baybot.app.web.strings import LANGUAGE_NAMES, UI_LANGUAGES, t
from baybot.config import Settings
from baybot.db import Database, FeedbackFilter
from baybot.db.feedback import COLUMNS as FEEDBACK_COLUMNS
from baybot.errors import BayBotError
from baybot.search.retriever import MAX_K
from baybot.staff.batch import COLUMNS as BATCH_COLUMNS
from baybot.staff.batch import answer_all, read_questions, to_csv
from baybot.staff.jobs import IndexJobs
from baybot.timing import Progress
from baybot.types import Answer

# Ratings shown in the feedback table at once; the export has them all.
FEEDBACK_ROWS = 200
Relabel = list[tuple[Any, Callable[[str], dict]]]


def build_staff_ui(
    provider: Callable[[], Assistant],
    settings: Settings,
    database: Database,
    refresh: Callable[[Progress], object] | None = None,
) -> gr.Blocks:
    """The staff app; `provider` returns the Assistant or raises NotReady / BayBotError;
    `refresh` switches the server to a new index version after a staff corpus change."""
    relabel: Relabel = []
    jobs = IndexJobs(after=refresh)

    def labelled(component: Any, **keys: str) -> Any:
        relabel.append((component, lambda lang: {attr: t(key, lang) for attr, key in keys.items()}))
        return component

    with gr.Blocks(title="BayBot staff", analytics_enabled=False) as demo:
        with gr.Row(equal_height=True):
            with gr.Column(scale=4):
                gr.Markdown("# BayBot staff")
            with gr.Column(scale=2, min_width=220):
                language = labelled(
                    gr.Radio(
                        [(LANGUAGE_NAMES[code], code) for code in UI_LANGUAGES],
                        value="en",
                        label=t("language", "en"),
                        elem_id="bb-staff-language",
                    ),
                    label="language",
                )
            with gr.Column(scale=1, min_width=120):
                sign_out = labelled(
                    gr.Button(t("sign_out", "en"), size="sm", elem_id="bb-sign-out"),
                    value="sign_out",
                )
        sign_out.click(None, js=SIGN_OUT_JS, api_name=False, queue=False)
        with gr.Tabs():
            choices = _staff_tabs(provider, database, settings, language, labelled)
            sources_tab(provider, settings, jobs, language, labelled)

        def on_language(lang: str) -> list[Any]:
            return [gr.update(**make(lang)) for _, make in relabel]

        language.change(
            on_language, [language], [c for c, _ in relabel], api_name=False, queue=False
        )

        def on_load() -> tuple:
            try:
                documents = provider().retriever.index.documents.values()
            except BayBotError:
                return gr.skip(), gr.skip()
            regions = sorted({d.region for d in documents if d.region})
            schemes = sorted({s for d in documents for s in d.schemes})
            return gr.Dropdown(choices=regions), gr.Dropdown(choices=schemes)

        demo.load(on_load, None, choices, api_name=False, queue=False)
    demo.queue(default_concurrency_limit=2)
    return demo


def mount_staff(
    app: FastAPI,
    provider: Callable[[], Assistant],
    settings: Settings,
    database: Database,
    refresh: Callable[[Progress], object] | None = None,
) -> FastAPI:
    """Mount the staff app at /staff of `app` (the gate in access.py guards every path)."""
    from baybot.app.web.chat import CSS, THEME

    return gr.mount_gradio_app(
        app,
        build_staff_ui(provider, settings, database, refresh),
        path=PREFIX,
        css=CSS,
        theme=THEME,
        head=CSRF_SCRIPT,
        footer_links=[],
        ssr_mode=False,
        max_file_size=settings.max_request_bytes,
    )


def _staff_tabs(
    provider: Callable[[], Assistant],
    database: Database,
    settings: Settings,
    language: gr.Radio,
    labelled: Callable[..., Any],
) -> list[gr.Dropdown]:
    """The inspector, batch and feedback tabs; returns the filter choices the load fills."""
    generators = available_generators()
    last = gr.State(None)
    with labelled(gr.Tab(t("inspector", "en"), id="inspector"), label="inspector"):
        with gr.Row():
            query = labelled(
                gr.Textbox(
                    label=t("question", "en"), elem_id="bb-staff-question", scale=4, max_length=2000
                ),
                label="question",
            )
            generator = labelled(
                gr.Dropdown(
                    generators, value=settings.generator, label=t("generator", "en"), scale=1
                ),
                label="generator",
            )
        with gr.Row():
            k = labelled(
                gr.Slider(1, MAX_K, value=settings.answer_passages, step=1, label=t("k", "en")),
                label="k",
            )
            region = labelled(
                gr.Dropdown([], multiselect=True, allow_custom_value=True, label=t("region", "en")),
                label="region",
            )
            scheme = labelled(
                gr.Dropdown([], multiselect=True, allow_custom_value=True, label=t("scheme", "en")),
                label="scheme",
            )
            doc_language = labelled(
                gr.Dropdown(
                    ["en", "zh", "zh-Hant", "zh-Hans"],
                    multiselect=True,
                    label=t("doc_language", "en"),
                ),
                label="doc_language",
            )
            since = labelled(gr.Textbox(label=t("since", "en"), max_length=10), label="since")
        run = labelled(
            gr.Button(t("run", "en"), variant="primary", elem_id="bb-inspect"), value="run"
        )
        with gr.Row():
            with gr.Column(scale=3):
                answer = labelled(
                    gr.Markdown(label=t("answer", "en"), elem_id="bb-staff-answer"), label="answer"
                )
                applied = gr.Markdown(elem_id="bb-filters-applied")
                hits = labelled(
                    gr.Dataframe(
                        headers=list(HIT_COLUMNS),
                        label=t("hits", "en"),
                        interactive=False,
                        wrap=True,
                        max_chars=HIT_TEXT_CHARS,
                        elem_id="bb-hits",
                    ),
                    label="hits",
                )
                timings = gr.JSON(label="timings_ms")
            with gr.Column(scale=2):
                cited = gr.HTML(elem_id="bb-staff-sources")
        with gr.Row():
            comment = labelled(
                gr.Textbox(label=t("comment", "en"), scale=3, max_length=4000), label="comment"
            )
            up = labelled(gr.Button(t("rate_up", "en"), elem_id="bb-up"), value="rate_up")
            down = labelled(gr.Button(t("rate_down", "en"), elem_id="bb-down"), value="rate_down")
        rated = gr.Markdown(elem_id="bb-rated")

    def inspect(
        text: str, gen: str, k_value: float, regions: list[str], schemes: list[str],
        languages: list[str], since_text: str, lang: str,
    ) -> tuple:  # fmt: skip
        filters = {
            key: value
            for key, value in (
                ("region", regions),
                ("scheme", schemes),
                ("language", languages),
                ("since", (since_text or "").strip()),
            )  # fmt: skip
            if value
        }
        try:
            a = provider()
            result = a.retriever.run(text, int(k_value), filters, explain=True)
            reply = a.ask(text, generator=gen or None, filters=filters)
        except BayBotError as exc:
            raise gr.Error(str(exc)) from exc
        table = _hits_table(result)
        chosen = [f"{key}: {value}" for key, value in result.filters.to_dict().items() if value]
        applied_md = (
            f"**{t('filters_applied', lang)}:** "
            + escape_markdown("; ".join(chosen) or t("no_filters", lang))
            + f" · {escape_markdown(t('index_version', lang, version=a.retriever.index.version))}"
        )
        return (
            answer_markdown(reply, lang),
            applied_md,
            table,
            {**reply.timings_ms, "search": result.timings_ms},
            sources_html(reply, lang),
            reply,
            "",
        )

    run.click(
        inspect,
        [query, generator, k, region, scheme, doc_language, since, language],
        [answer, applied, hits, timings, cited, last, rated],
        api_name="inspect",
    )

    def rate(rating: str) -> Callable[..., str]:
        def handler(reply: Answer | None, note: str, lang: str) -> str:
            if reply is None:
                return escape_markdown(t("nothing_to_rate", lang))
            try:
                version = provider().retriever.index.version
                saved = store_rating(
                    database, reply, rating, note, index_version=version, source="staff"
                )
            except BayBotError as exc:
                raise gr.Error(str(exc)) from exc
            return escape_markdown(t("rated", lang, id=saved.id))

        return handler  # type: ignore[return-value]

    up.click(rate("up"), [last, comment, language], rated, api_name="rate_up")
    down.click(rate("down"), [last, comment, language], rated, api_name="rate_down")

    with labelled(gr.Tab(t("batch", "en"), id="batch"), label="batch"):
        upload = labelled(
            gr.File(label=t("batch_file", "en"), file_types=[".csv", ".jsonl"], type="filepath"),
            label="batch_file",
        )
        batch_generator = labelled(
            gr.Dropdown(generators, value=settings.generator, label=t("generator", "en")),
            label="generator",
        )
        batch_run = labelled(
            gr.Button(t("batch_run", "en"), variant="primary", elem_id="bb-batch-run"),
            value="batch_run",
        )
        batch_table = labelled(
            gr.Dataframe(
                headers=list(BATCH_COLUMNS),
                label=t("batch_result", "en"),
                interactive=False,
                wrap=True,
            ),
            label="batch_result",
        )
        batch_file = labelled(
            gr.File(label=t("download", "en"), interactive=False), label="download"
        )

    def run_batch(
        path: str | None,
        gen: str,
        lang: str,
        progress: gr.Progress = gr.Progress(),  # noqa: B008 (Gradio injects it)
    ) -> tuple:
        if not path:
            raise gr.Error(t("no_file", lang))
        try:
            questions = read_questions(Path(path))
            a = provider()
        except BayBotError as exc:
            raise gr.Error(str(exc)) from exc
        progress(0, total=len(questions))
        rows = answer_all(
            a, questions, generator=gen or None, progress=lambda n: progress((n, len(questions)))
        )
        frame = pd.DataFrame([r.to_dict() for r in rows], columns=list(BATCH_COLUMNS))
        return frame, _download(to_csv(rows), "baybot-batch")

    batch_run.click(
        run_batch, [upload, batch_generator, language], [batch_table, batch_file], api_name="batch"
    )

    with labelled(gr.Tab(t("feedback", "en"), id="feedback"), label="feedback"):
        with gr.Row():
            rating_filter = labelled(
                gr.Dropdown(["", "up", "down"], value="", label=t("rating", "en")), label="rating"
            )
            source_filter = labelled(
                gr.Dropdown(["", "public", "staff"], value="", label=t("source", "en")),
                label="source",
            )
            language_filter = labelled(
                gr.Dropdown(
                    ["en", "zh-Hant", "zh-Hans"], multiselect=True, label=t("doc_language", "en")
                ),
                label="doc_language",
            )
            text_filter = labelled(
                gr.Textbox(label=t("contains", "en"), max_length=200), label="contains"
            )
            since_filter = labelled(
                gr.Textbox(label=t("since", "en"), max_length=10), label="since"
            )
        with gr.Row():
            show = labelled(
                gr.Button(t("show", "en"), variant="primary", elem_id="bb-feedback-show"),
                value="show",
            )
            export = labelled(gr.Button(t("export", "en"), elem_id="bb-export"), value="export")
        shown = gr.Markdown(elem_id="bb-feedback-count")
        recent = gr.Dataframe(
            headers=list(FEEDBACK_COLUMNS), interactive=False, wrap=True, elem_id="bb-feedback"
        )
        export_file = labelled(
            gr.File(label=t("download", "en"), interactive=False), label="download"
        )

    filter_inputs = [rating_filter, source_filter, language_filter, text_filter, since_filter]

    def show_feedback(*values: Any) -> tuple:
        where = _feedback_filter(*values)
        items = database.feedback.list(where, limit=FEEDBACK_ROWS)
        frame = pd.DataFrame([_feedback_row(i) for i in items], columns=list(FEEDBACK_COLUMNS))
        return f"{database.feedback.count(where)} ratings", frame

    def export_feedback(*values: Any) -> tuple:
        where = _feedback_filter(*values)
        return (
            *show_feedback(*values),
            _download(database.feedback.export_csv(where), "baybot-feedback"),
        )

    show.click(show_feedback, filter_inputs, [shown, recent], api_name="feedback")
    export.click(
        export_feedback, filter_inputs, [shown, recent, export_file], api_name="export_feedback"
    )
    return [region, scheme]


def _feedback_filter(
    rating: str, source: str, languages: list[str] | None, text: str, since: str
) -> FeedbackFilter:
    try:
        start = dt.datetime.fromisoformat(since.strip()).replace(tzinfo=dt.UTC) if since else None
    except ValueError as exc:
        raise gr.Error(f"since must be a date like 2026-01-31, not {since[:20]!r}") from exc
    return FeedbackFilter(
        rating=rating or None,  # type: ignore[arg-type]
        source=source or None,  # type: ignore[arg-type]
        languages=tuple(languages) if languages else None,
        since=start,
        text=(text or "").strip() or None,
    )


def _feedback_row(item: Any) -> dict[str, Any]:
    row = {name: getattr(item, name) for name in FEEDBACK_COLUMNS}
    row["created"] = item.created.isoformat(timespec="seconds")
    row["citations"] = ", ".join(f"[{c.n}] {c.doc_id}" for c in item.citations)
    return row


HIT_COLUMNS = ("rank", "doc_id", "title", "language", "published", "fused score", "text")
HIT_TEXT_CHARS = 120  # a cell shows this much of a passage; the full text is in the sources


def _hits_table(result: Any) -> pd.DataFrame:
    """One row per hit: its identity, then each retriever's score and rank."""
    rows = []
    for hit, signals in zip(result.hits, result.signals, strict=True):
        row: dict[str, Any] = {
            "rank": hit.rank,
            "doc_id": hit.doc_id,
            "title": hit.title,
            "language": hit.language,
            "published": hit.published.isoformat() if hit.published else "",
        }
        for name, signal in signals.items():
            row[f"{name} score"] = None if signal.score is None else round(signal.score, 4)
            row[f"{name} rank"] = signal.rank
        row["text"] = hit.text[:300]
        rows.append(row)
    return pd.DataFrame(rows)


def _download(text: str, stem: str) -> str:
    """`text` in a fresh CSV file for the browser to download (Gradio serves it from its
    cache and deletes it later)."""
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%d-%H%M%S")
    folder = Path(tempfile.mkdtemp(prefix="baybot-"))
    path = folder / f"{stem}-{stamp}.csv"
    path.write_text(text, encoding="utf-8-sig")
    return str(path)
