"""Progress: the figures a person waits on (log lines off a terminal, /healthz, the page)."""

from __future__ import annotations

import logging
import re
import time

import pytest

from baybot.timing import STEP_WEIGHTS, Progress, Step

pytestmark = pytest.mark.unit

LINE = re.compile(
    r"^embedding passages \(3 models\): [\d,]+/1,000 vectors, [\d.]+/s; "
    r"\d+% of the load done, about \d+ s left$"
)


def test_progress_lines_come_at_the_interval_even_without_advances(caplog) -> None:
    caplog.set_level(logging.INFO, logger="baybot.progress")
    progress = Progress(terminal=False, interval_s=0.2)
    progress.step(Step.PASSAGES, "3 models")
    assert caplog.messages == ["embedding passages (3 models)"]
    progress.add(1000)
    progress.advance(250)
    time.sleep(0.7)  # one slow batch: the ticker still writes lines
    lines = [m for m in caplog.messages[1:] if LINE.match(m)]
    assert len(lines) >= 2, caplog.messages
    assert "250/1,000 vectors" in lines[-1]
    snapshot = progress.snapshot()
    share = STEP_WEIGHTS[Step.PASSAGES] * 0.25  # the sentences are still to come
    assert snapshot.fraction == pytest.approx(share)
    assert f"{share:.0%} of the load done" in lines[-1]
    assert snapshot.rate is not None and snapshot.eta_s is not None
    # The time left counts the sentence step too, at the pace of this one.
    assert snapshot.eta_s == pytest.approx((1 - share) / share * 250 / snapshot.rate)
    progress.advance(750)
    progress.close()
    count = len(caplog.messages)
    time.sleep(0.5)
    assert len(caplog.messages) == count  # closed: no more lines
    assert progress.snapshot().fraction == 1.0


def test_the_share_done_never_steps_back_over_a_whole_load() -> None:
    """More sentences than passages: a share of all vectors so far would fall when the
    sentence step adds its total."""
    progress = Progress()
    seen = [progress.snapshot().fraction]

    def run(step: Step, total: int = 0, batch: int = 10) -> None:
        progress.step(step)
        seen.append(progress.snapshot().fraction)
        progress.add(total)
        for _ in range(0, total, batch):
            progress.advance(batch)
            seen.append(progress.snapshot().fraction)

    for step in (Step.MODELS, Step.READING, Step.CHUNKING):
        run(step)
    run(Step.PASSAGES, total=100)
    run(Step.WRITING)
    run(Step.OPENING)
    assert progress.snapshot().fraction == pytest.approx(STEP_WEIGHTS[Step.PASSAGES])
    assert progress.snapshot().eta_s is not None  # between steps: at the last step's pace
    run(Step.SENTENCES, total=400)
    progress.close()
    seen.append(progress.snapshot().fraction)
    assert seen == sorted(seen) and seen[0] == 0.0 and seen[-1] == 1.0, seen
    assert len(set(seen)) > 20  # it moves within the steps, not only between them


@pytest.mark.parametrize("passages", ["all cached", "index unchanged"])
def test_a_step_with_nothing_to_compute_gives_its_share_to_the_others(passages) -> None:
    progress = Progress()
    progress.step(Step.MODELS)
    if passages == "all cached":
        progress.step(Step.PASSAGES)
        progress.add(0)
    progress.step(Step.OPENING)
    progress.step(Step.SENTENCES)
    progress.add(10)
    progress.advance(5)
    assert progress.snapshot().fraction == pytest.approx(0.5)
    progress.close()
    assert progress.snapshot().fraction == 1.0


def test_a_terminal_gets_a_bar_per_step_not_log_lines(caplog, capsys) -> None:
    caplog.set_level(logging.INFO, logger="baybot.progress")
    progress = Progress(terminal=True, interval_s=0.05)
    progress.step(Step.PASSAGES)
    progress.add(10)
    progress.advance(4)
    progress.step(Step.SENTENCES)
    progress.add(30)
    progress.advance(30)
    time.sleep(0.2)
    progress.close()
    assert caplog.messages == []
    err = capsys.readouterr().err
    assert "embedding passages" in err and "4/10" in err
    assert "embedding sentences" in err and "30/30" in err


def test_no_eta_before_anything_is_done() -> None:
    progress = Progress()
    assert progress.snapshot().eta_s is None
    progress.step(Step.PASSAGES)
    progress.add(5)
    assert progress.snapshot().eta_s is None and progress.snapshot().fraction == 0.0
    progress.close()
