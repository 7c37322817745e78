"""The deployment kit without Docker: the compose file is well-formed and wires what the
README promises (one ingest job, read-only replicas over one index volume, PostgreSQL, a
proxy in front), and the image is CPU-only, non-root and health-checked."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.unit


def test_compose_has_one_ingest_job_read_only_replicas_postgres_and_a_proxy() -> None:
    compose = yaml.safe_load((ROOT / "deploy/compose.yaml").read_text())
    services = compose["services"]
    assert set(services) == {"postgres", "ingest", "baybot", "caddy"}
    assert services["ingest"]["command"] == ["baybot", "ingest"]
    replicas = services["baybot"]
    assert replicas["command"] == ["baybot", "serve", "--read-only"]
    assert replicas["deploy"]["replicas"] >= 2
    index_mounts = [v for v in replicas["volumes"] if v.startswith("index:")]
    assert index_mounts and all(v.endswith(":ro") for v in index_mounts)
    assert any(v.startswith("index:") for v in services["ingest"]["volumes"])
    for name in ("ingest", "baybot"):
        env = services[name]["environment"]
        assert env["BAYBOT_DATABASE_URL"].startswith("postgresql://")
        assert "BAYBOT_SESSION_SECRET" in env
    assert replicas["depends_on"]["ingest"]["condition"] == "service_completed_successfully"
    caddyfile = (ROOT / "deploy/Caddyfile").read_text()
    assert "reverse_proxy baybot:8000" in caddyfile and "lb_policy cookie" in caddyfile


def test_the_image_is_cpu_only_non_root_and_health_checked() -> None:
    lines = (ROOT / "Dockerfile").read_text().splitlines()
    torch = next(i for i, line in enumerate(lines) if "torch==2.13.0" in line)
    baybot = next(i for i, line in enumerate(lines) if line.startswith("RUN pip install ."))
    assert torch < baybot  # CPU torch first, or the CUDA build comes along
    assert any(line.startswith("USER ") and "root" not in line for line in lines)
    assert any(line.startswith("HEALTHCHECK") for line in lines)
    assert any("/healthz" in line for line in lines)
