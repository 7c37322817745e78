"""The internal import graph of src/baybot: cycles, upward imports and the longest chain.

`python benchmarks/imports.py [SRC]` prints the figures as JSON; tests/test_imports.py asserts
them. Every `import`/`from` of a baybot module counts, also those inside functions and under
TYPE_CHECKING, since each is a dependency a reader has to follow. A package's `__init__` counts
as a module. The stage order (text < corpus < index < search < answer < staff < app) is the
pipeline's; the base modules (config, errors, types, plugins, timing) may be imported from anywhere.
"""

from __future__ import annotations

import ast
import json
import sys
from functools import cache
from pathlib import Path

STAGES = ("text", "corpus", "index", "search", "answer", "staff", "app")
BASE = ("config", "errors", "types", "plugins", "timing")


def module_name(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def graph(root: Path) -> dict[str, set[str]]:
    """Module -> the internal modules it imports."""
    files = {module_name(p, root): p for p in sorted(root.rglob("*.py"))}
    edges: dict[str, set[str]] = {m: set() for m in files}
    for name, path in files.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                    base = ".".join([*anchor, base] if base else anchor)
                targets = [f"{base}.{a.name}" for a in node.names] + [base]
            for target in targets:
                while target and target not in files:
                    target = target.rpartition(".")[0]
                if target and target != name:
                    edges[name].add(target)
    return edges


def stage(module: str) -> int | None:
    parts = module.split(".")
    if len(parts) < 2 or parts[1] in BASE:
        return None
    return STAGES.index(parts[1]) if parts[1] in STAGES else None


def measure(root: Path) -> dict[str, object]:
    edges = graph(root)
    # The package root only re-exports the public API; it is nobody's dependency inside.
    top = root.name
    cycles: list[list[str]] = []
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(m: str) -> None:
        state[m] = 1
        stack.append(m)
        for n in sorted(edges[m]):
            if n == top:
                continue
            if state.get(n) == 1:
                cycles.append([*stack[stack.index(n) :], n])
            elif n not in state:
                visit(n)
        stack.pop()
        state[m] = 2

    for m in sorted(edges):
        if m not in state:
            visit(m)

    @cache
    def chain(m: str) -> tuple[str, ...]:
        best: tuple[str, ...] = ()
        for n in edges[m]:
            if n != top:
                c = chain(n)
                best = c if len(c) > len(best) else best
        return (m, *best)

    longest = max((chain(m) for m in edges), key=len) if not cycles else ()
    upward = sorted(
        f"{m} -> {n}"
        for m, ns in edges.items()
        for n in ns
        if stage(m) is not None and stage(n) is not None and stage(n) > stage(m)  # type: ignore[operator]
    )
    return {
        "modules": len(edges),
        "cycles": cycles,
        "upward": upward,
        # Levels: imports followed along the longest chain (modules in it, less one).
        "depth": max(len(longest) - 1, 0),
        "longest_chain": list(longest),
    }


def main() -> None:
    root = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).parents[1] / "src/baybot"
    print(json.dumps(measure(root), indent=2))


if __name__ == "__main__":
    main()
