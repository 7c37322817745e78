"""`python app.py`: the BayBot web chat and REST API on the shipped corpus.

Builds or updates `index/` from `corpus/` in the background (with progress on a terminal),
then serves the chat at http://127.0.0.1:8000/ (BAYBOT_HOST, BAYBOT_PORT), the REST API under
/v1 and its docs at /docs.
"""

from __future__ import annotations

import os
from pathlib import Path

from baybot import Settings
from baybot.app.server import run_server

ROOT = Path(__file__).resolve().parent


def main() -> None:
    run_server(
        Settings(
            corpus_dir=Path(os.environ.get("BAYBOT_CORPUS_DIR", ROOT / "corpus")),
            index_dir=Path(os.environ.get("BAYBOT_INDEX_DIR", ROOT / "index")),
        )
    )


if __name__ == "__main__":
    main()
