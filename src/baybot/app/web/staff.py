"""The staff tab: the retrieval inspector with ratings, batch tests and the feedback export.

Handlers only translate between widgets and the Python API (Retriever, batch, feedback).
"""

from __future__ import annotations

import datetime as dt
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import gradio as gr
import pandas as pd

from baybot.answer.assistant import Assistant
from baybot.answer.generators import available_generators
from baybot.app.web.render import answer_markdown, escape_markdown, sources_html
from baybot.app.web.strings import t
from baybot.config import Settings
from baybot.errors import BayBotError
from baybot.search.retriever import MAX_K
from baybot.staff.batch import COLUMNS as BATCH_COLUMNS
from baybot.staff.batch import answer_all, read_questions, to_csv
from baybot.staff.feedback import COLUMNS as FEEDBACK_COLUMNS
from baybot.staff.feedback import FeedbackStore
from baybot.types import Answer


class StaffTab:
    """The staff tab's widgets that the page load fills in."""

    def __init__(self, choices: list[gr.Dropdown]) -> None:
        self.choices = choices


def staff_tab(
    provider: Callable[[], Assistant],
    feedback: FeedbackStore | None,
    settings: Settings,
    language: gr.Radio,
    labelled: Callable[..., Any],
) -> StaffTab:
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
                        label=t("hits", "en"), interactive=False, wrap=True, elem_id="bb-hits"
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
        applied_md = f"**{t('filters_applied', lang)}:** " + escape_markdown(
            "; ".join(chosen) or t("no_filters", lang)
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
            if feedback is None:
                raise gr.Error("feedback is not stored: no feedback database is configured")
            try:
                saved = feedback.record(
                    reply, rating, note, index_version=provider().retriever.index.version
                )
            except BayBotError as exc:
                raise gr.Error(str(exc)) from exc
            return escape_markdown(t("rated", lang, id=saved.id))

        return handler

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
        export = labelled(gr.Button(t("export", "en"), elem_id="bb-export"), value="export")
        export_file = labelled(
            gr.File(label=t("download", "en"), interactive=False), label="download"
        )
        recent = gr.Dataframe(headers=list(FEEDBACK_COLUMNS), interactive=False, wrap=True)

    def export_feedback() -> tuple:
        if feedback is None:
            raise gr.Error("feedback is not stored: no feedback database is configured")
        items = feedback.all(limit=200)
        frame = pd.DataFrame([i.to_dict() for i in items], columns=list(FEEDBACK_COLUMNS))
        return _download(feedback.export_csv(), "baybot-feedback"), frame

    export.click(export_feedback, None, [export_file, recent], api_name="export_feedback")
    return StaffTab([region, scheme])


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
