"""The Gradio app: the chat for prospective talent (and the staff tab, staff.py), over one
Assistant.

Handlers only translate between widgets and the Python API (Assistant, Retriever, batch,
feedback); rendering lives in render.py and wording in strings.py.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from typing import Any

import gradio as gr
from fastapi import FastAPI

from baybot.answer.assistant import Assistant
from baybot.app.web.render import answer_markdown, escape_markdown, sources_html, streaming_markdown
from baybot.app.web.staff import staff_tab
from baybot.app.web.strings import LANGUAGE_NAMES, UI_LANGUAGES, from_accept_language, t
from baybot.config import Settings
from baybot.errors import BayBotError, NotReady
from baybot.staff.feedback import FeedbackStore
from baybot.types import AnswerStream

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
                    staff = staff_tab(provider, feedback, settings, language, labelled)
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
        chat[-1] = {"role": "assistant", "content": f"⚠️ {escape_markdown(reason)}"}
        yield "", chat, gr.skip(), history
        return
    chat[-1] = {"role": "assistant", "content": answer_markdown(final, lang)}
    history = [
        *history,
        {"role": "user", "content": text},
        {"role": "assistant", "content": final.text},
    ]
    yield "", chat, sources_html(final, lang), history[-MAX_TURNS:]


def mount_ui(
    app: FastAPI, provider: Provider, settings: Settings, feedback: FeedbackStore | None
) -> FastAPI:
    """Mount the chat at `/` of `app`; routes already on `app` (/v1, /healthz, /docs) win."""
    # Gradio would otherwise report usage to its servers.
    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
    demo = build_ui(provider, settings, feedback)
    return gr.mount_gradio_app(
        app, demo, path="", css=CSS, theme=THEME, footer_links=["api"], ssr_mode=False
    )
