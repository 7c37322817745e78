"""Every shell command in the README's code blocks runs from a clone, or is listed in SKIPPED
with the reason. A new command in the README fails this test until it is run or listed.

Commands run against a copy of the small corpus with the default models (each command a new
process: see conftest.DEFAULT_MODELS), with the session's vector cache."""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT, copy_corpus

README = ROOT / "README.md"
# Command prefix -> why the test does not run it.
SKIPPED = {
    "python3 -m venv": "installs from the network into a new environment (.ci/run runs it)",
    "baybot add https://": "fetches a page from the network",
    "baybot add circular.pdf": "an example with the reader's own files",
    "baybot sources check": "re-fetches pages from the network",
    'baybot ask "..." --generator openai': "needs an OpenAI-compatible server",
    "baybot serve": "a server that runs until stopped (tests/app/test_server.py starts it)",
    "baybot eval": "answers all 103 eval questions: minutes (tests/staff/test_evaluation.py)",
    "export POSTGRES_PASSWORD=": "sets the deployment's secrets in the reader's shell",
    "docker compose": (
        "needs a Docker daemon and base images (tests/test_deploy.py checks the file)"
    ),
}
TIMEOUT_S = 300  # one command, on a busy 2-core machine


def readme_commands() -> list[str]:
    blocks = re.findall(r"```bash\n(.*?)```", README.read_text(encoding="utf-8"), re.S)
    commands = []
    for block in blocks:
        for line in block.splitlines():
            command = re.sub(r"\s+#\s.*$", "", line).strip()
            if command:
                commands.append(command)
    return commands


COMMANDS = readme_commands()
RUN = [c for c in COMMANDS if not any(c.startswith(prefix) for prefix in SKIPPED)]


def test_every_skipped_prefix_still_names_a_readme_command() -> None:
    for prefix in SKIPPED:
        assert any(c.startswith(prefix) for c in COMMANDS), f"no README command starts {prefix!r}"


def test_the_readme_has_commands_to_run() -> None:
    assert any(c.startswith("baybot ingest") for c in RUN)
    assert any(c.startswith("baybot ask") for c in RUN)


@pytest.fixture(scope="module")
def clone(tmp_path_factory: pytest.TempPathFactory, cache_dir: Path) -> tuple[Path, dict]:
    """A working folder like a clone's: corpus/, and turns.json for the follow-up example."""
    base = tmp_path_factory.mktemp("readme")
    copy_corpus(base / "corpus")
    turns = [
        {"role": "user", "content": "What are the categories of the Top Talent Pass Scheme?"},
        {"role": "assistant", "content": "Categories A, B and C."},
    ]
    (base / "turns.json").write_text(json.dumps(turns), encoding="utf-8")
    env = {
        **os.environ,
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
        "BAYBOT_CORPUS_DIR": str(base / "corpus"),
        "BAYBOT_INDEX_DIR": str(base / "index"),
        "BAYBOT_CACHE_DIR": str(cache_dir),
    }
    done = subprocess.run(
        ["baybot", "ingest"], cwd=base, env=env, capture_output=True, text=True, timeout=TIMEOUT_S
    )
    assert done.returncode == 0, done.stderr
    return base, env


@pytest.mark.parametrize("command", RUN)
def test_readme_command_runs(command: str, clone: tuple[Path, dict]) -> None:
    folder, env = clone
    done = subprocess.run(
        shlex.split(command), cwd=folder, env=env, capture_output=True, text=True,
        timeout=TIMEOUT_S,
    )  # fmt: skip
    assert done.returncode == 0, f"{command}\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}"
    assert done.stdout.strip(), f"{command} printed nothing"
