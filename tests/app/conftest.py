"""Fixtures shared by the browser tests: headless Chromium from PATH, driven by Playwright."""

from __future__ import annotations

import shutil
from collections.abc import Iterator

import pytest

CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _chromium() -> str:
    """Debian's Chromium from PATH; tests never install system packages (.ci/run does)."""
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if not found:
        pytest.skip(
            "Chromium is not on PATH: apt-get install chromium fonts-wqy-zenhei "
            "(the font for readable Chinese screenshots)"
        )
    return found


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    """One browser per test module (each module serves its own site)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=_chromium(), args=CHROMIUM_FLAGS)
        yield instance
        instance.close()
