"""Follow-up questions: fold the conversation into one standalone search query.

"ok and is it still running now?" names nothing to search for; the user's previous question
does. The query is the last earlier user turn followed by the new question, which keeps the
topic without letting an old answer's wording (often long, and possibly wrong) steer retrieval.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

MAX_CONTEXT_CHARS = 600


def condense(question: str, history: Sequence[Mapping[str, Any]] | None) -> str:
    """The search query for `question` asked after `history` ([{role, content}, ...])."""
    for turn in reversed(history or ()):
        if turn.get("role") == "user" and str(turn.get("content") or "").strip():
            previous = str(turn["content"]).strip()[-MAX_CONTEXT_CHARS:]
            return f"{previous}\n{question.strip()}"
    return question.strip()
