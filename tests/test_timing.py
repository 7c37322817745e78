"""Progress: the figures a person waits on (log lines off a terminal, /healthz, the page)."""

from __future__ import annotations

import logging
import re
import time

import pytest

from baybot.timing import Progress

pytestmark = pytest.mark.unit

LINE = re.compile(
    r"^embedding \(3 models\): [\d,]+/1,000 vectors \(\d+%\), [\d.]+/s, about \d+ s left$"
)


def test_progress_lines_come_at_the_interval_even_without_advances(caplog) -> None:
    caplog.set_level(logging.INFO, logger="baybot.progress")
    progress = Progress(terminal=False, interval_s=0.2)
    progress.step("embedding", "3 models")
    assert caplog.messages == ["embedding (3 models)"]
    progress.add(1000)
    progress.advance(250)
    time.sleep(0.7)  # one slow batch: the ticker still writes lines
    lines = [m for m in caplog.messages[1:] if LINE.match(m)]
    assert len(lines) >= 2, caplog.messages
    assert "250/1,000 vectors (25%)" in lines[-1]
    snapshot = progress.snapshot()
    assert snapshot.fraction == 0.25
    assert snapshot.rate is not None and snapshot.eta_s is not None
    assert snapshot.eta_s == pytest.approx(750 / snapshot.rate)
    progress.advance(750)
    progress.close()
    count = len(caplog.messages)
    time.sleep(0.5)
    assert len(caplog.messages) == count  # closed: no more lines
    assert progress.snapshot().fraction == 1.0


def test_a_terminal_gets_a_bar_not_log_lines(caplog, capsys) -> None:
    caplog.set_level(logging.INFO, logger="baybot.progress")
    progress = Progress(terminal=True, interval_s=0.05)
    progress.step("embedding")
    progress.add(10)
    progress.advance(4)
    time.sleep(0.2)
    progress.close()
    assert caplog.messages == []
    assert "4/10" in capsys.readouterr().err


def test_no_eta_before_anything_is_done() -> None:
    progress = Progress()
    assert progress.snapshot().eta_s is None
    progress.add(5)
    assert progress.snapshot().eta_s is None and progress.snapshot().fraction == 0.0
    progress.close()
