"""The public Gradio app at `/`: the chat for prospective talent, with a rating (and an
optional comment) on every answer. The staff tools are a separate app behind sign-in (staff.py).

Each question and rating goes through the same per-caller rate limit as the REST API, and the
same question length limit; handlers only translate between widgets and the Python API;
rendering lives in render.py and wording in strings.py.
"""

from __future__ import annotations

import html
import os
from collections.abc import Callable, Iterator
from typing import Any

import gradio as gr
from fastapi import FastAPI

from baybot.answer.assistant import Assistant
from baybot.app.api.guards import Callers, Limiter
from baybot.app.records import AnswerLogger, rate
from baybot.app.web.render import answer_markdown, escape_markdown, sources_html, streaming_markdown
from baybot.app.web.strings import (
    LANGUAGE_NAMES,
    UI_LANGUAGES,
    from_accept_language,
    step_name,
    t,
)
from baybot.config import Settings
from baybot.db import Database
from baybot.db.feedback import MAX_COMMENT_CHARS
from baybot.errors import BayBotError, NotReady
from baybot.search.retriever import MAX_QUERY_CHARS
from baybot.timing import ProgressSnapshot
from baybot.types import Answer, AnswerStream

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
.bb-passage { white-space: pre-wrap; margin: 6px 0 0; font-size: .92em;
  border-left: 3px solid var(--color-accent); padding-left: 8px; }
.bb-more summary { cursor: pointer; font-size: .92em; }
.bb-expand { color: var(--link-text-color); font-size: .85em; white-space: nowrap; }
.bb-more[open] .bb-quote { display: none; }
#bb-status progress { width: min(320px, 60%); vertical-align: middle; margin-right: 8px; }
#bb-hits .table-wrap, #bb-hits table { overflow-x: auto; }
#bb-hits th { white-space: nowrap; }
#bb-hits td { min-width: 4.5em; }
.bb-table { overflow-x: auto; white-space: normal; margin: 4px 0; }
.bb-table table { border-collapse: collapse; font-size: .95em; }
.bb-table th, .bb-table td { border: 1px solid var(--border-color-primary); padding: 2px 6px;
  text-align: left; vertical-align: top; }
.bb-passage mark { background: #ffe88a; color: #1f2937; border-radius: 3px; }
.bb-sources-empty { color: var(--body-text-color-subdued); padding: 8px 0; }
@media (max-width: 640px) {
  #bb-header h1 { font-size: 1.4em; }
}
"""
# Once the asked question is in the chat, scroll it to the top of the chat box and leave it
# there while the answer streams below it (Gradio's autoscroll would follow the bottom).
SCROLL_TO_QUESTION = """(asked) => {
  const words = (asked || '').trim().slice(0, 24);
  let tries = 0;
  const timer = setInterval(() => {
    const rows = document.querySelectorAll('#bb-chat .message-row.user-row');
    const row = rows[rows.length - 1];
    const there = row && row.innerText.includes(words);
    if (!there && ++tries < 200) return;  // up to 10 s for a busy server
    clearInterval(timer);
    let box = row && row.parentElement;
    while (box && box.scrollHeight <= box.clientHeight) box = box.parentElement;
    if (box) box.scrollTop += row.getBoundingClientRect().top - box.getBoundingClientRect().top;
  }, 50);
  return asked;
}"""
THEME = gr.themes.Soft(
    primary_hue="teal",
    # System fonts: the page must not fetch fonts from the internet.
    font=["ui-sans-serif", "system-ui", "-apple-system", "Segoe UI", "sans-serif"],
    font_mono=["ui-monospace", "SFMono-Regular", "Menlo", "monospace"],
)


Provider = Callable[[], Assistant]
Relabel = list[tuple[gr.components.Component | gr.blocks.BlockContext, Callable[[str], dict]]]


class PublicGuard:
    """The REST API's per-caller rate limit, applied to each chat question and rating."""

    def __init__(self, callers: Callers, limiter: Limiter) -> None:
        self.callers, self.limiter = callers, limiter

    def check(self, request: gr.Request | None, lang: str) -> None:
        """gr.Error (shown to the visitor) once this caller has used its allowance."""
        client = request.client.host if request and request.client else None
        headers = dict(request.headers) if request else {}
        wait = self.limiter.retry_after(self.callers.address(headers, client))
        if wait:
            raise gr.Error(t("rate_limited", lang, seconds=wait))


def build_ui(
    provider: Provider, settings: Settings, database: Database, guard: PublicGuard
) -> gr.Blocks:
    """The public web UI; `provider` returns the Assistant or raises NotReady / BayBotError."""
    relabel: Relabel = []
    log_answer = AnswerLogger(database, settings.log_answers)

    def labelled(component: Any, **keys: str) -> Any:
        relabel.append((component, lambda lang: {attr: t(key, lang) for attr, key in keys.items()}))
        return component

    with gr.Blocks(title="BayBot", analytics_enabled=False) as demo:
        with gr.Row(equal_height=True):
            with gr.Column(scale=4, min_width=280):
                header = gr.Markdown(_header("en"), elem_id="bb-header")
                relabel.append((header, lambda lang: {"value": _header(lang)}))
                # Empty until the page's first refresh fills it from the server's state, so a
                # ready server never shows "loading" for a moment.
                status = gr.HTML("", elem_id="bb-status")
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
        with (
            gr.Tabs(),
            labelled(
                gr.Tab(t("tab_chat", "en"), id="chat", elem_id="bb-chat-tab"), label="tab_chat"
            ),
        ):
            turns = gr.State([])
            with gr.Row():
                with gr.Column(scale=3, min_width=320):
                    chatbot = labelled(
                        gr.Chatbot(
                            label=t("chat", "en"),
                            show_label=False,  # a floating label would cover the text
                            autoscroll=False,  # SCROLL_TO_QUESTION keeps the question in view
                            elem_id="bb-chat",
                            height=520,
                            latex_delimiters=[],
                            sanitize_html=True,
                            feedback_options=("Like", "Dislike"),
                            placeholder=t("chat_empty", "en"),
                            buttons=["copy"],
                        ),
                        label="chat",
                        placeholder="chat_empty",
                    )
                    with gr.Row(visible=False, elem_id="bb-comment-row") as comment_row:
                        comment = labelled(
                            gr.Textbox(
                                label=t("public_comment", "en"),
                                elem_id="bb-comment",
                                scale=4,
                                max_lines=4,
                                max_length=MAX_COMMENT_CHARS,
                            ),
                            label="public_comment",
                        )
                        send_comment = labelled(
                            gr.Button(t("send_comment", "en"), elem_id="bb-send-comment", scale=1),
                            value="send_comment",
                        )
                    rated_note = gr.Markdown(elem_id="bb-rated-note")
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
            # Below both columns, so on a phone the sources follow the answer directly.
            examples = labelled(
                gr.Dataset(
                    components=[question],
                    samples=[[q] for q in EXAMPLES],
                    label=t("examples", "en"),
                    elem_id="bb-examples",
                ),
                label="examples",
            )

        answers = gr.State({})  # chat message position -> its Answer, for ratings
        rated_id = gr.State(None)
        chat_inputs = [question, chatbot, turns, language, answers]
        chat_outputs = [question, chatbot, sources, turns, answers]

        def respond(
            message: str,
            chat: list[dict],
            history: list[dict],
            lang: str,
            shown: dict[int, Answer],
            request: gr.Request,
        ) -> Iterator[tuple]:
            if len(message or "") > MAX_QUERY_CHARS:
                raise gr.Error(t("too_long", lang, limit=MAX_QUERY_CHARS))
            guard.check(request, lang)
            for update in _respond(provider, message, chat, history, lang):
                if isinstance(update[-1], Answer):
                    final = update[-1]
                    log_answer(final)
                    shown = {**shown, len(update[1]) - 1: final}
                yield (*update[:4], shown)

        send.click(respond, chat_inputs, chat_outputs, api_name="chat", concurrency_limit=4)
        question.submit(respond, chat_inputs, chat_outputs, api_name=False, concurrency_limit=4)
        send.click(None, question, None, js=SCROLL_TO_QUESTION, api_name=False)
        question.submit(None, question, None, js=SCROLL_TO_QUESTION, api_name=False)
        examples.click(
            lambda sample: sample[0], examples, question, api_name=False, queue=False
        ).then(respond, chat_inputs, chat_outputs, api_name=False, concurrency_limit=4)
        clear.click(
            lambda lang: ("", [], sources_html(None, lang), [], {}),
            [language],
            chat_outputs,
            api_name=False,
            queue=False,
        )

        def on_rate(
            data: gr.LikeData, shown: dict[int, Answer], lang: str, request: gr.Request
        ) -> tuple:
            position = data.index if isinstance(data.index, int) else data.index[0]
            answer = shown.get(position)
            if answer is None or data.liked not in (True, False):
                return gr.skip(), gr.skip(), gr.skip(), gr.skip()
            guard.check(request, lang)
            try:
                version = provider().retriever.index.version
                saved = rate(database, answer, "up" if data.liked else "down", "",
                             index_version=version, source="public")  # fmt: skip
            except BayBotError as exc:
                raise gr.Error(str(exc)) from exc
            return saved.id, gr.Row(visible=True), "", escape_markdown(t("public_rated", lang))

        chatbot.like(
            on_rate,
            [answers, language],
            [rated_id, comment_row, comment, rated_note],
            api_name=False,
            queue=False,
        )

        def on_comment(note: str, feedback_id: int | None, lang: str, request: gr.Request) -> tuple:
            if feedback_id is None or not (note or "").strip():
                return gr.skip(), gr.skip(), gr.skip()
            guard.check(request, lang)
            try:
                database.feedback.set_comment(feedback_id, note)
            except BayBotError as exc:
                raise gr.Error(str(exc)) from exc
            return "", gr.Row(visible=False), escape_markdown(t("comment_saved", lang))

        send_comment.click(
            on_comment,
            [comment, rated_id, language],
            [comment, comment_row, rated_note],
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

        refresh_outputs = [status, timer]
        demo.load(on_load, None, [language, *refresh_outputs], api_name=False, queue=False)
        timer.tick(on_tick, [language], refresh_outputs, api_name=False, queue=False)

    demo.queue(default_concurrency_limit=2)
    return demo


def _header(lang: str) -> str:
    return f"# BayBot\n{escape_markdown(t('tagline', lang))}"


def _status(provider: Provider, lang: str) -> str:
    """The status line as HTML: a progress bar with the /healthz figures while loading, the
    index size once ready (the index version is for staff, in the inspector)."""
    try:
        a = provider()
    except NotReady as exc:
        return _progress_html(exc.progress, lang)
    except BayBotError as exc:
        return html.escape(t("failed", lang, reason=str(exc)))
    index = a.retriever.index
    return html.escape(t("status_ready", lang, documents=len(index.documents), passages=len(index)))


def _progress_html(progress: ProgressSnapshot | None, lang: str) -> str:
    if progress is None:
        return html.escape(t("status_loading", lang))
    step = step_name(progress.step, lang)
    if not progress.total and not progress.fraction:
        return html.escape(t("status_step", lang, step=step))
    percent = round(progress.fraction * 100)
    text = t("status_progress", lang, step=step, percent=percent)
    if progress.eta_s is not None:
        text += " · " + t("eta", lang, seconds=round(progress.eta_s))
    return (
        f'<progress max="1" value="{progress.fraction:.3f}" aria-label="{percent}%"></progress>'
        f"<span>{html.escape(text)}</span>"
    )


def _refresh(provider: Provider, lang: str) -> tuple:
    """Status line, and whether to keep polling (until the index is loaded)."""
    try:
        provider()
    except BayBotError:
        return (_status(provider, lang), gr.Timer(active=True))
    return (_status(provider, lang), gr.Timer(active=False))


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
    try:
        stream = AnswerStream(provider().stream(text, history[-MAX_TURNS:]))
        for token in stream:
            written += token.text
            chat[-1] = {"role": "assistant", "content": streaming_markdown(written)}
            yield "", chat, gr.skip(), history
        final = stream.final()
    except NotReady:
        chat[-1] = {"role": "assistant", "content": escape_markdown(t("loading", lang))}
        yield "", chat, gr.skip(), history
        return
    except BayBotError as exc:
        reason = t("failed", lang, reason=str(exc))
        chat[-1] = {"role": "assistant", "content": f"**{escape_markdown(reason)}**"}
        yield "", chat, gr.skip(), history
        return
    chat[-1] = {"role": "assistant", "content": answer_markdown(final, lang)}
    history = [
        *history,
        {"role": "user", "content": text},
        {"role": "assistant", "content": final.text},
    ]
    yield "", chat, sources_html(final, lang), history[-MAX_TURNS:], final


def mount_ui(
    app: FastAPI,
    provider: Provider,
    settings: Settings,
    database: Database,
    callers: Callers,
    limiter: Limiter,
) -> FastAPI:
    """Mount the chat at `/` of `app`; routes already on `app` (/v1, /healthz, /docs, /staff)
    win."""
    # Gradio would otherwise report usage to its servers.
    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
    demo = build_ui(provider, settings, database, PublicGuard(callers, limiter))
    return gr.mount_gradio_app(
        app,
        demo,
        path="",
        css=CSS,
        theme=THEME,
        footer_links=["api"],
        ssr_mode=False,
        max_file_size=settings.max_request_bytes,
    )
