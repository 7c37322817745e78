"""Dependency audit for CI: pip-audit over the installed packages.

Fails on a known vulnerability unless `.ci/audit-ignore.txt` names it with the reason it does
not apply to BayBot; lists the ignored ones and the packages the advisory service could not
look up, so nothing is skipped silently.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def ignored() -> dict[str, str]:
    """Advisory id -> why it does not apply ("ID  reason" per line, # comments)."""
    out = {}
    for line in (HERE / "audit-ignore.txt").read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            advisory, _, reason = line.partition(" ")
            out[advisory] = reason.strip()
    return out


def main() -> int:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip_audit",
            "--skip-editable",
            "--progress-spinner",
            "off",
            "--format",
            "json",
        ],  # fmt: skip
        capture_output=True,
        text=True,
    )
    try:
        report = json.loads(result.stdout)
    except json.JSONDecodeError:
        print(f"audit: the advisory service could not be reached:\n{result.stderr[-1500:]}")
        return 0
    skip = ignored()
    failing, unaudited = [], []
    for dep in report.get("dependencies", []):
        if "skip_reason" in dep:
            unaudited.append(f"{dep['name']} {dep.get('version', '')}".strip())
        for vuln in dep.get("vulns", []):
            names = {vuln["id"], *vuln.get("aliases", [])}
            fixed = ", ".join(vuln.get("fix_versions", [])) or "no fix yet"
            line = f"{dep['name']} {dep['version']}: {vuln['id']} (fixed in: {fixed})"
            reason = next((skip[n] for n in names if n in skip), None)
            if reason is None:
                failing.append(line)
            else:
                print(f"audit: not applicable: {line}: {reason}")
    if unaudited:
        print(f"audit: {len(unaudited)} packages could not be looked up: {', '.join(unaudited)}")
    for line in failing:
        print(f"audit: VULNERABLE: {line}")
    print(f"audit: {len(report.get('dependencies', []))} packages, {len(failing)} open advisories")
    return 1 if failing else 0


if __name__ == "__main__":
    raise SystemExit(main())
