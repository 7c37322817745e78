"""The web chat and staff tab (Gradio), mounted at `/` of the API server."""

from __future__ import annotations

import os

from fastapi import FastAPI

from baybot.app.web.ui import CSS, THEME, Provider, build_ui
from baybot.config import Settings
from baybot.errors import NotReady
from baybot.staff.feedback import FeedbackStore

__all__ = ["NotReady", "mount_ui"]


def mount_ui(
    app: FastAPI, provider: Provider, settings: Settings, feedback: FeedbackStore | None
) -> FastAPI:
    """Mount the chat at `/` of `app`; routes already on `app` (/v1, /healthz, /docs) win."""
    import gradio as gr

    # Gradio would otherwise report usage to its servers.
    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
    demo = build_ui(provider, settings, feedback)
    return gr.mount_gradio_app(
        app, demo, path="", css=CSS, theme=THEME, footer_links=["api"], ssr_mode=False
    )
