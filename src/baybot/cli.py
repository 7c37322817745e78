"""`baybot` command line: a thin shell over the Python API.

typer, because options are declared by the same type hints the API uses.
"""

from __future__ import annotations

import json
import logging
import sys
import textwrap
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer
from pydantic import ValidationError

from .config import Settings
from .errors import BayBotError

app = typer.Typer(
    help="BayBot: cited answers about Greater Bay Area talent schemes.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

CorpusOpt = Annotated[
    Path | None, typer.Option("--corpus", help="Corpus folder [env BAYBOT_CORPUS_DIR].")
]
IndexOpt = Annotated[
    Path | None, typer.Option("--index", help="Index folder [env BAYBOT_INDEX_DIR].")
]
ModelOpt = Annotated[
    str | None, typer.Option("--model", help="Embedding model [env BAYBOT_EMBEDDING_MODEL].")
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print one JSON object on stdout.")]


def _settings(**overrides: Any) -> Settings:
    try:
        return Settings(**{k: v for k, v in overrides.items() if v is not None})
    except ValidationError as exc:
        _fail(f"invalid settings: {exc}")


def _fail(message: str, code: int = 1) -> NoReturn:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code)


def _emit(data: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False) + "\n")


@app.callback()
def _main(
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Log progress details.")] = False,
) -> None:
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING,
        format="%(levelname)s: %(message)s",
        stream=sys.stderr,
    )


@app.command("ingest")
def ingest_cmd(
    corpus: CorpusOpt = None,
    index: IndexOpt = None,
    model: ModelOpt = None,
    rebuild: Annotated[bool, typer.Option("--rebuild", help="Re-embed everything.")] = False,
    as_json: JsonOpt = False,
) -> None:
    """Build or update the index from the corpus (only changed documents are embedded)."""
    from .ingestion import ingest

    settings = _settings(corpus_dir=corpus, index_dir=index, embedding_model=model)
    try:
        report = ingest(settings, progress=not as_json and sys.stderr.isatty(), rebuild=rebuild)
    except BayBotError as exc:
        _fail(str(exc))
    if as_json:
        _emit(report.to_dict())
        return
    if report.changed:
        why = f" ({report.rebuilt})" if report.rebuilt else ""
        typer.echo(
            f"Indexed {report.documents} documents, {report.chunks} chunks{why}: "
            f"{len(report.added)} added, {len(report.updated)} updated, "
            f"{len(report.removed)} removed, {report.unchanged} unchanged; "
            f"{report.embedded_chunks} chunks embedded in {report.seconds:.1f} s."
        )
    else:
        typer.echo(
            f"Index is up to date: {report.documents} documents, {report.chunks} chunks "
            f"({report.seconds:.2f} s)."
        )


@app.command("search")
def search_cmd(
    query: Annotated[str, typer.Argument(help="Question or keywords, any of our languages.")],
    k: Annotated[int, typer.Option("-k", "--k", min=1, max=50, help="Number of hits.")] = 5,
    corpus: CorpusOpt = None,
    index: IndexOpt = None,
    model: ModelOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Retrieve the passages that best match QUERY."""
    from .retrieval import Retriever

    settings = _settings(corpus_dir=corpus, index_dir=index, embedding_model=model)
    try:
        hits = Retriever.from_settings(settings).search(query, k=k)
    except BayBotError as exc:
        _fail(str(exc))
    if as_json:
        _emit({"query": query, "hits": [h.to_dict() for h in hits]})
        return
    if not hits:
        typer.echo("No passages found.")
    for h in hits:
        date = h.published.isoformat() if h.published else "undated"
        typer.echo(f"{h.rank}. {h.title}  [{h.doc_id}, {date}]  score {h.score:.3f}")
        if h.section:
            typer.echo(f"   § {h.section}")
        snippet = " ".join(h.text.split())
        typer.echo(textwrap.indent(textwrap.fill(snippet[:300], width=96), "   "))
        if h.url:
            typer.echo(f"   {h.url}")
        typer.echo("")


def main() -> None:
    app()
