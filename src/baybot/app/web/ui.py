"""The Gradio app: the chat for prospective talent and the staff tab, over one Assistant.

Handlers only translate between widgets and the Python API (Assistant, Retriever, batch,
feedback); rendering lives in render.py and wording in strings.py.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import gradio as gr
import pandas as pd

from baybot.answer.assistant import Assistant
from baybot.answer.generators import available_generators
from baybot.app.web.render import answer_markdown, escape_markdown, sources_html, streaming_markdown
from baybot.app.web.strings import LANGUAGE_NAMES, UI_LANGUAGES, from_accept_language, t
from baybot.config import Settings
from baybot.errors import BayBotError, NotReady
from baybot.search.retriever import MAX_K
from baybot.staff.batch import COLUMNS as BATCH_COLUMNS
from baybot.staff.batch import answer_all, read_questions, to_csv
from baybot.staff.feedback import COLUMNS as FEEDBACK_COLUMNS
from baybot.staff.feedback import FeedbackStore
from baybot.types import Answer

MAX_TURNS = 20  # earlier turns are dropped; follow-ups need only the last few
EXAMPLES = (
    "Do I need a job offer to apply for the Top Talent Pass Scheme?",
    "What is the GBA 15% individual income tax subsidy?",
    "高才通B類要有幾多年工作經驗？",
    "優才計劃的綜合計分制有哪些評分項目？",
    "港澳青年到前海就业有什么补贴？",
    "横琴对澳门居民有什么个人所得税优惠？",
)
CSS = """
#bb-header h1 { margin-bottom: 0; }
#bb-status { color: var(--body-text-color-subdued); font-size: .85em; }
.bb-source { border: 1px solid var(--border-color-primary); border-radius: 10px;
  padding: 10px 12px; margin-bottom: 10px; background: var(--background-fill-secondary); }
.bb-source header { font-weight: 600; }
.bb-n { display: inline-block; min-width: 1.7em; text-align: center; border-radius: 999px;
  background: var(--color-accent-soft); margin-right: 4px; }
.bb-meta { color: var(--body-text-color-subdued); font-size: .88em; margin: 2px 0 6px; }
.bb-passage { white-space: pre-wrap; margin: 0; font-size: .92em; max-height: 18em;
  overflow: auto; border-left: 3px solid var(--color-accent); padding-left: 8px; }
.bb-passage mark { background: #ffe88a; color: #1f2937; border-radius: 3px; }
.bb-sources-empty { color: var(--body-text-color-subdued); padding: 8px 0; }
@media (max-width: 640px) {
  #bb-header h1 { font-size: 1.4em; }
  .bb-passage { max-height: 12em; }
}
"""
THEME = gr.themes.Soft(
    primary_hue="teal",
    # System fonts: the page must not fetch fonts from the internet.
    font=["ui-sans-serif", "system-ui", "-apple-system", "Segoe UI", "sans-serif"],
    font_mono=["ui-monospace", "SFMono-Regular", "Menlo", "monospace"],
)


Provider = Callable[[], Assistant]
Relabel = list[tuple[gr.components.Component | gr.blocks.BlockContext, Callable[[str], dict]]]


def build_ui(provider: Provider, settings: Settings, feedback: FeedbackStore | None) -> gr.Blocks:
    """The whole web UI; `provider` returns the Assistant or raises NotReady / BayBotError."""
    relabel: Relabel = []

    def labelled(component: Any, **keys: str) -> Any:
        relabel.append((component, lambda lang: {attr: t(key, lang) for attr, key in keys.items()}))
        return component

    with gr.Blocks(title="BayBot", analytics_enabled=False) as demo:
        with gr.Row(equal_height=True):
            with gr.Column(scale=4, min_width=280):
                header = gr.Markdown(_header("en"), elem_id="bb-header")
                relabel.append((header, lambda lang: {"value": _header(lang)}))
                status = gr.Markdown(t("status_loading", "en"), elem_id="bb-status")
            with gr.Column(scale=1, min_width=220):
                language = labelled(
                    gr.Radio(
                        [(LANGUAGE_NAMES[code], code) for code in UI_LANGUAGES],
                        value="en",
                        label=t("language", "en"),
                        elem_id="bb-language",
                    ),
                    label="language",
                )
        with gr.Tabs():
            with labelled(
                gr.Tab(t("tab_chat", "en"), id="chat", elem_id="bb-chat-tab"), label="tab_chat"
            ):
                turns = gr.State([])
                with gr.Row():
                    with gr.Column(scale=3, min_width=320):
                        chatbot = labelled(
                            gr.Chatbot(
                                label=t("chat", "en"),
                                elem_id="bb-chat",
                                height=520,
                                latex_delimiters=[],
                                sanitize_html=True,
                                feedback_options=None,
                                placeholder=t("chat_empty", "en"),
                                buttons=["copy"],
                            ),
                            label="chat",
                            placeholder="chat_empty",
                        )
                        with gr.Row():
                            question = labelled(
                                gr.Textbox(
                                    label=t("question", "en"),
                                    placeholder=t("placeholder", "en"),
                                    elem_id="bb-question",
                                    scale=5,
                                    max_lines=6,
                                    max_length=2000,
                                    autofocus=True,
                                ),
                                label="question",
                                placeholder="placeholder",
                            )
                            send = labelled(
                                gr.Button(
                                    t("send", "en"),
                                    variant="primary",
                                    elem_id="bb-send",
                                    scale=1,
                                    min_width=80,
                                ),
                                value="send",
                            )
                        examples = labelled(
                            gr.Dataset(
                                components=[question],
                                samples=[[q] for q in EXAMPLES],
                                label=t("examples", "en"),
                                elem_id="bb-examples",
                            ),
                            label="examples",
                        )
                        clear = labelled(
                            gr.Button(t("new_chat", "en"), size="sm", elem_id="bb-new"),
                            value="new_chat",
                        )
                    with gr.Column(scale=2, min_width=300):
                        sources_heading = gr.Markdown(f"### {t('sources', 'en')}")
                        relabel.append(
                            (sources_heading, lambda lang: {"value": f"### {t('sources', lang)}"})
                        )
                        sources = gr.HTML(sources_html(None, "en"), elem_id="bb-sources")
            if settings.staff_tab:
                with labelled(
                    gr.Tab(t("tab_staff", "en"), id="staff", elem_id="bb-staff-tab"),
                    label="tab_staff",
                ):
                    staff = _staff_tab(provider, feedback, settings, language, labelled)
            else:
                staff = None

        chat_inputs = [question, chatbot, turns, language]
        chat_outputs = [question, chatbot, sources, turns]

        def respond(
            message: str, chat: list[dict], history: list[dict], lang: str
        ) -> Iterator[tuple]:
            yield from _respond(provider, message, chat, history, lang)

        send.click(respond, chat_inputs, chat_outputs, api_name="chat", concurrency_limit=4)
        question.submit(respond, chat_inputs, chat_outputs, api_name=False, concurrency_limit=4)
        examples.click(
            lambda sample: sample[0], examples, question, api_name=False, queue=False
        ).then(respond, chat_inputs, chat_outputs, api_name=False, concurrency_limit=4)
        clear.click(
            lambda lang: ("", [], sources_html(None, lang), []),
            [language],
            chat_outputs,
            api_name=False,
            queue=False,
        )

        targets = [component for component, _ in relabel]

        def on_language(lang: str, shown_sources: str) -> list[Any]:
            updates = [gr.update(**make(lang)) for _, make in relabel]
            empty = "bb-sources-empty" in (shown_sources or "")
            return [
                *updates,
                sources_html(None, lang) if empty else gr.skip(),
                _status(provider, lang),
            ]

        language.change(
            on_language,
            [language, sources],
            [*targets, sources, status],
            api_name=False,
            queue=False,
        )

        timer = gr.Timer(1.0)

        def on_load(request: gr.Request) -> tuple:
            lang = from_accept_language(request.headers.get("accept-language") if request else None)
            return (lang, *_refresh(provider, lang))

        def on_tick(lang: str) -> tuple:
            return _refresh(provider, lang)

        refresh_outputs = [status, timer, *(staff.choices if staff else [])]
        demo.load(on_load, None, [language, *refresh_outputs], api_name=False, queue=False)
        timer.tick(on_tick, [language], refresh_outputs, api_name=False, queue=False)

    demo.queue(default_concurrency_limit=2)
    return demo


def _header(lang: str) -> str:
    return f"# BayBot\n{escape_markdown(t('tagline', lang))}"


def _status(provider: Provider, lang: str) -> str:
    try:
        a = provider()
    except NotReady:
        return t("status_loading", lang)
    except BayBotError as exc:
        return escape_markdown(t("failed", lang, reason=str(exc)))
    index = a.retriever.index
    return escape_markdown(
        t(
            "status_ready",
            lang,
            documents=len(index.documents),
            passages=len(index),
            version=index.version,
        )
    )


def _refresh(provider: Provider, lang: str) -> tuple:
    """Status line, whether to keep polling, and the staff filter choices once loaded."""
    try:
        a = provider()
    except BayBotError:
        return (_status(provider, lang), gr.Timer(active=True), gr.skip(), gr.skip())
    documents = a.retriever.index.documents.values()
    regions = sorted({d.region for d in documents if d.region})
    schemes = sorted({s for d in documents for s in d.schemes})
    return (
        _status(provider, lang),
        gr.Timer(active=False),
        gr.Dropdown(choices=regions),
        gr.Dropdown(choices=schemes),
    )


def _respond(
    provider: Provider, message: str, chat: list[dict], history: list[dict], lang: str
) -> Iterator[tuple]:
    """Stream one chat turn: the bubble grows as the answer is written, then becomes the
    cited answer with footnotes and the sources panel fills."""
    text = (message or "").strip()
    if not text:
        yield "", chat, gr.skip(), history
        return
    chat = [*chat, {"role": "user", "content": escape_markdown(text)}]
    chat.append({"role": "assistant", "content": streaming_markdown("")})
    yield "", chat, gr.skip(), history
    written = ""
    final: Answer | None = None
    try:
        for event in provider().stream(text, history[-MAX_TURNS:]):
            if isinstance(event, Answer):
                final = event
            else:
                written += event.text
                chat[-1] = {"role": "assistant", "content": streaming_markdown(written)}
                yield "", chat, gr.skip(), history
    except NotReady:
        chat[-1] = {"role": "assistant", "content": escape_markdown(t("loading", lang))}
        yield "", chat, gr.skip(), history
        return
    except BayBotError as exc:
        reason = t("failed", lang, reason=str(exc))
        chat[-1] = {"role": "assistant", "content": f"⚠️ {escape_markdown(reason)}"}
        yield "", chat, gr.skip(), history
        return
    assert final is not None
    chat[-1] = {"role": "assistant", "content": answer_markdown(final, lang)}
    history = [
        *history,
        {"role": "user", "content": text},
        {"role": "assistant", "content": final.text},
    ]
    yield "", chat, sources_html(final, lang), history[-MAX_TURNS:]


class _Staff:
    """The staff tab's widgets that the page load fills in."""

    def __init__(self, choices: list[gr.Dropdown]) -> None:
        self.choices = choices


def _staff_tab(
    provider: Provider,
    feedback: FeedbackStore | None,
    settings: Settings,
    language: gr.Radio,
    labelled: Callable[..., Any],
) -> _Staff:
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
    return _Staff([region, scheme])


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
