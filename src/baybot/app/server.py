"""Running the one server (web chat at `/`, REST under `/v1`) with uvicorn."""

from __future__ import annotations

import logging
import sys

from baybot.app.api.routes import create_app
from baybot.config import Settings


def run_server(settings: Settings) -> None:
    """Serve until interrupted; the index loads (or builds: a progress bar on a terminal,
    else a progress line every few seconds) in the background while /healthz already answers.
    Read-only, it is loaded, never built."""
    import uvicorn

    logging.basicConfig(level=logging.INFO, format="%(levelname)s:     %(message)s")
    app = create_app(settings, progress=sys.stderr.isatty())
    url = f"http://{settings.host}:{settings.port}"
    print(f"BayBot: chat at {url}/ · API docs at {url}/docs · readiness at {url}/healthz",
          file=sys.stderr, flush=True)  # fmt: skip
    # Behind the reverse proxy, X-Forwarded-For names the client (for the rate limit); uvicorn
    # trusts it from the addresses in FORWARDED_ALLOW_IPS (default 127.0.0.1).
    uvicorn.run(app, host=settings.host, port=settings.port, log_level="info", proxy_headers=True)
