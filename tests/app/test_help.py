"""Every `--help` shows its texts whole: no markup eats `[n]` or `[env ...]`, nothing is cut.
Each command's and option's help text, as declared, must appear in what `--help` prints."""

from __future__ import annotations

import re
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from baybot.app.cli import app

pytestmark = pytest.mark.unit

COMMAND: Any = typer.main.get_command(app)  # a click group (typer's own click or click)


def _flat(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def _declared(command: Any) -> list[str]:
    texts = [command.help or ""] + [getattr(p, "help", None) or "" for p in command.params]
    return [_flat(t) for t in texts if t.strip()]


@pytest.mark.parametrize("name", [None, *sorted(COMMAND.commands)])
def test_help_shows_every_declared_text_whole(name: str | None) -> None:
    command = COMMAND if name is None else COMMAND.commands[name]
    args = ["--help"] if name is None else [name, "--help"]
    result = CliRunner().invoke(app, args, env={"COLUMNS": "100"})
    assert result.exit_code == 0, result.output
    shown = _flat(result.output)
    missing = [text for text in _declared(command) if text not in shown]
    assert not missing, f"`baybot {name or ''} --help` lost: {missing}\n{result.output}"


def test_bracketed_texts_survive() -> None:
    """The failure class that started this: "[n]" read as a markup tag and dropped."""
    result = CliRunner().invoke(app, ["ask", "--help"], env={"COLUMNS": "100"})
    assert "citing each claim as [n]" in _flat(result.output)
