"""The REST API under /v1 (and /healthz), with the web chat mounted at `/`."""

from baybot.app.api.routes import create_app

__all__ = ["create_app"]
