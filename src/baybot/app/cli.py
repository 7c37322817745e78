"""`baybot` command line: a thin shell over the Python API.

typer, because options are declared by the same type hints the API uses.
"""

from __future__ import annotations

import json
import logging
import sys
import textwrap
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import typer
from pydantic import ValidationError

from baybot.config import Settings
from baybot.errors import BayBotError

if TYPE_CHECKING:
    from baybot.index.ingest import IngestReport
    from baybot.types import Answer

app = typer.Typer(
    help="BayBot: cited answers about Greater Bay Area talent schemes.",
    no_args_is_help=True,
    add_completion=False,
    # Help texts are plain: rich markup would eat "[n]" and "[env ...]" as tags.
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
)

CorpusOpt = Annotated[
    Path | None, typer.Option("--corpus", help="Corpus folder (env BAYBOT_CORPUS_DIR).")
]
IndexOpt = Annotated[
    Path | None, typer.Option("--index", help="Index folder (env BAYBOT_INDEX_DIR).")
]
ModelOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--model",
        help="Embedding model; repeat to fuse several (env BAYBOT_EMBEDDING_MODELS=a,b).",
    ),
]
WeightOpt = Annotated[
    list[float] | None,
    typer.Option(
        "--weight",
        help="Fusion weight of each --model, in order (default 1 each when --model "
        "is given) (env BAYBOT_EMBEDDING_WEIGHTS).",
    ),
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print one JSON object on stdout.")]


def _settings(
    models: list[str] | None = None, weights: list[float] | None = None, **overrides: Any
) -> Settings:
    if models:
        overrides["embedding_models"] = tuple(models)
        overrides["embedding_weights"] = tuple(weights or [1.0] * len(models))
    elif weights:
        overrides["embedding_weights"] = tuple(weights)
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
    from baybot.index.ingest import ingest
    from baybot.timing import Progress

    settings = _settings(model, corpus_dir=corpus, index_dir=index)
    try:
        progress = None
        if not as_json:
            # Progress lines are INFO even when the rest of the log is not (without --verbose).
            logging.getLogger("baybot.progress").setLevel(logging.INFO)
            progress = Progress(terminal=sys.stderr.isatty())
        report = ingest(settings, progress=progress, rebuild=rebuild)
        if progress:
            progress.close()
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
            f"{report.embedded_chunks} chunks embedded ({report.computed_vectors} vectors "
            f"computed, the rest from the cache) in {report.seconds:.1f} s."
        )
    else:
        typer.echo(
            f"Index is up to date: {report.documents} documents, {report.chunks} chunks "
            f"({report.seconds:.2f} s)."
        )


RegionOpt = Annotated[
    list[str] | None, typer.Option("--region", help="Only these regions (repeatable).")
]
SchemeOpt = Annotated[
    list[str] | None, typer.Option("--scheme", help="Only documents on these schemes.")
]
LanguageOpt = Annotated[
    list[str] | None, typer.Option("--language", help="Only sources in en, zh-Hant, zh-Hans, zh.")
]
SinceOpt = Annotated[
    str | None, typer.Option("--since", help="Only sources published or updated on/after DATE.")
]


@app.command("search")
def search_cmd(
    query: Annotated[str, typer.Argument(help="Question or keywords, any of our languages.")],
    k: Annotated[
        int | None,
        typer.Option("-k", "--k", min=1, max=50, help="Number of hits (default: BAYBOT_TOP_K, 5)."),
    ] = None,
    region: RegionOpt = None,
    scheme: SchemeOpt = None,
    language: LanguageOpt = None,
    since: SinceOpt = None,
    corpus: CorpusOpt = None,
    index: IndexOpt = None,
    model: ModelOpt = None,
    weight: WeightOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Retrieve the passages that best match QUERY."""
    from baybot.app.wiring import build_retriever
    from baybot.search.filters import Filters

    settings = _settings(model, weight, corpus_dir=corpus, index_dir=index)
    raw = {"region": region, "scheme": scheme, "language": language, "since": since}
    try:
        filters = Filters.parse({key: v for key, v in raw.items() if v})
        hits = build_retriever(settings).search(query, k=k, filters=filters)
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


GeneratorOpt = Annotated[
    str | None,
    typer.Option(
        "--generator",
        help="Answer backend: extractive, openai, llamacpp or a plugin (env BAYBOT_GENERATOR).",
    ),
]


@app.command("ask")
def ask_cmd(
    question: Annotated[str, typer.Argument(help="A question, in English or Chinese.")],
    generator: GeneratorOpt = None,
    history: Annotated[
        Path | None,
        typer.Option("--history", help="JSON file of earlier turns: [{role, content}, ...]."),
    ] = None,
    corpus: CorpusOpt = None,
    index: IndexOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Answer QUESTION from the sources, citing each claim as [n]; say so when they do not
    cover it."""
    from baybot.app.wiring import build_assistant
    from baybot.types import AnswerStream

    settings = _settings(corpus_dir=corpus, index_dir=index, generator=generator)
    try:
        turns = json.loads(history.read_text("utf-8")) if history else None
    except (OSError, ValueError) as exc:
        _fail(f"cannot read the history file {history}: {exc}")
    streamed: list[str] = []
    try:
        stream = AnswerStream(build_assistant(settings).stream(question, turns))
        for token in stream:
            if not as_json:
                streamed.append(token.text)
                typer.echo(token.text, nl=False)
        answer = stream.final()
    except BayBotError as exc:
        _fail(str(exc))
    if as_json:
        _emit(answer.to_dict())
        return
    if answer.text != "".join(streamed).strip():
        typer.echo(
            "\n\nChecked answer (markers that named no source removed):\n" + answer.text, nl=False
        )
    typer.echo("")
    echo_sources(answer)


def echo_sources(answer: Answer) -> None:
    """The numbered sources of an answer, for a terminal: title, issuer, date, link, quote."""
    if answer.citations:
        typer.echo("\nSources:")
    for c in answer.citations:
        date = c.published.isoformat() if c.published else "undated"
        if c.updated and c.updated != c.published:
            date += f", updated {c.updated.isoformat()}"
        if c.validity and c.validity.reviewed:
            date += f", checked on {c.validity.reviewed.isoformat()}"
        if c.stale:
            date += ", may be out of date"
        issuer = f" — {c.issuer}" if c.issuer else ""
        typer.echo(f"[{c.n}] {c.title}{issuer} ({date})")
        if c.url:
            typer.echo(f"    {c.url}")
        quote = textwrap.fill(f"“{' '.join(c.quote.split())}”", width=96)
        typer.echo(textwrap.indent(quote, "    "))


@app.command("eval")
def eval_cmd(
    file: Annotated[Path, typer.Argument(help="Questions, one JSON object a line.")],
    k: Annotated[int, typer.Option("-k", "--k", min=1, max=50, help="Hits per question.")] = 10,
    report: Annotated[
        Path | None, typer.Option("--report", help="Also write metrics.json, a chart and HTML.")
    ] = None,
    corpus: CorpusOpt = None,
    index: IndexOpt = None,
    model: ModelOpt = None,
    weight: WeightOpt = None,
    generator: GeneratorOpt = None,
    answers: Annotated[
        bool, typer.Option("--answers/--no-answers", help="Also answer and score the answers.")
    ] = True,
    as_json: JsonOpt = False,
) -> None:
    """Measure retrieval (recall@k, MRR@10, nDCG@10) and answers (fact recall, citation
    precision, refusals) on FILE, with latency; per kind and language."""
    from baybot.app.wiring import build_assistant, build_retriever
    from baybot.staff.evaluation import evaluate, load_questions, render_table, write_report

    # No query-vector cache: each question's search and answer are timed as if asked first.
    settings = _settings(
        model, weight, corpus_dir=corpus, index_dir=index, generator=generator, query_cache_size=0
    )
    try:
        questions = load_questions(file)
        if answers:
            assistant = build_assistant(settings)
            result = evaluate(assistant.retriever, questions, k=k, assistant=assistant)
        else:
            result = evaluate(build_retriever(settings), questions, k=k)
    except BayBotError as exc:
        _fail(str(exc))
    written = write_report(result, report) if report else []
    if as_json:
        _emit(result.to_dict())
    else:
        typer.echo(render_table(result))
    for path in written:
        typer.echo(f"wrote {path}", err=True)


@app.command("serve")
def serve_cmd(
    host: Annotated[
        str | None, typer.Option("--host", help="Interface to listen on. [env BAYBOT_HOST]")
    ] = None,
    port: Annotated[
        int | None, typer.Option("--port", min=1, max=65535, help="TCP port. [env BAYBOT_PORT]")
    ] = None,
    corpus: CorpusOpt = None,
    index: IndexOpt = None,
    read_only: Annotated[
        bool,
        typer.Option(
            "--read-only",
            help="Replica mode: serve the newest published index version, never write it, and "
            "switch to newer versions as `baybot ingest` publishes them. [env BAYBOT_READ_ONLY]",
        ),
    ] = False,
) -> None:
    """Serve the web chat at /, the staff app at /staff and the REST API under /v1 (OpenAPI
    docs at /docs, readiness at /healthz); the index is loaded, or built, in the background."""
    from baybot.app.server import run_server

    settings = _settings(
        corpus_dir=corpus, index_dir=index, host=host, port=port, read_only=read_only or None
    )
    try:
        run_server(settings)
    except BayBotError as exc:
        _fail(str(exc))


staff_app = typer.Typer(help="Staff accounts for the /staff pages.", no_args_is_help=True)
app.add_typer(staff_app, name="staff")


def _accounts() -> Any:
    from baybot.app.api.routes import open_database
    from baybot.auth import StaffAccounts

    return StaffAccounts(open_database(_settings()))


@staff_app.command("add")
def staff_add(
    name: Annotated[str, typer.Argument(help="Sign-in name (letters, digits, . _ @ + -).")],
    reset: Annotated[
        bool, typer.Option("--reset", help="Set a new password for an existing account.")
    ] = False,
) -> None:
    """Create a staff account (or, with --reset, change its password); the password is asked
    for twice on the terminal and never shown."""
    import getpass

    password = getpass.getpass(f"Password for {name}: ")
    if getpass.getpass("Again: ") != password:
        _fail("the passwords differ")
    try:
        accounts = _accounts()
        if reset:
            accounts.set_password(name, password)
        else:
            accounts.add(name, password)
    except BayBotError as exc:
        _fail(str(exc))
    typer.echo(f"Staff account {name} {'updated' if reset else 'added'}.")


@staff_app.command("remove")
def staff_remove(name: Annotated[str, typer.Argument(help="Sign-in name.")]) -> None:
    """Delete a staff account and end its sessions."""
    try:
        removed = _accounts().remove(name)
    except BayBotError as exc:
        _fail(str(exc))
    if not removed:
        _fail(f"no staff account is named {name!r}")
    typer.echo(f"Staff account {name} removed.")


@staff_app.command("list")
def staff_list() -> None:
    """The staff accounts' names, one a line."""
    try:
        names = _accounts().names()
    except BayBotError as exc:
        _fail(str(exc))
    for name in names:
        typer.echo(name)


@app.command("documents")
def documents_cmd(
    corpus: CorpusOpt = None, index: IndexOpt = None, as_json: JsonOpt = False
) -> None:
    """List the indexed documents: id, title, date (or "undated"), region, schemes, language,
    source and number of passages, newest first."""
    from baybot.index.catalog import list_documents

    try:
        rows = list_documents(_settings(corpus_dir=corpus, index_dir=index))
    except BayBotError as exc:
        _fail(f"{exc} (run `baybot ingest` first)")
    if as_json:
        _emit({"documents": [r.to_dict() for r in rows]})
        return
    for r in rows:
        typer.echo(f"{r.id}  {r.date}  {r.region or '-'}  {r.language}  {r.chunks} chunks")
        typer.echo(f"    {r.title}")
        typer.echo(f"    schemes: {', '.join(r.schemes) or '-'}  source: {r.source}")
    typer.echo(f"{len(rows)} documents", err=True)


def _echo_ingest(report: IngestReport | None) -> None:
    if report is None:
        return
    typer.echo(
        f"Ingest: {len(report.added)} added, {len(report.updated)} updated, "
        f"{report.embedded_chunks} chunks embedded in {report.seconds:.1f} s; "
        f"{report.documents} documents, {report.chunks} chunks."
    )
    for s in report.skipped:
        typer.echo(f"skipped {s.path}: {s.reason}", err=True)


@app.command("add")
def add_cmd(
    items: Annotated[list[str], typer.Argument(help="http(s) URLs or local files to add.")],
    region: Annotated[
        str | None, typer.Option("--region", help="Region of these sources (else inferred).")
    ] = None,
    scheme: Annotated[
        list[str] | None, typer.Option("--scheme", help="Scheme they are about (repeatable).")
    ] = None,
    corpus: CorpusOpt = None,
    index: IndexOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Fetch URLs (robots.txt obeyed) or copy files into the corpus, each with a sidecar
    NAME.meta.yaml recording its source, then update the index incrementally."""
    from baybot.staff.sources import add

    settings = _settings(corpus_dir=corpus, index_dir=index)
    try:
        result = add(settings, items, region=region, schemes=tuple(scheme or ()))
    except BayBotError as exc:
        _fail(str(exc))
    if as_json:
        _emit(result.to_dict())
        return
    for a in result.added:
        typer.echo(f"{a.status}: {a.source} -> {a.path}")
    _echo_ingest(result.ingest)


sources_app = typer.Typer(help="Sources fetched from the web: check them for changes.")
app.add_typer(sources_app, name="sources")


@sources_app.command("check")
def sources_check_cmd(
    update: Annotated[
        bool, typer.Option("--update", help="Replace changed pages and re-ingest them.")
    ] = False,
    corpus: CorpusOpt = None,
    index: IndexOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Re-fetch every URL-backed source and report it changed, gone (404/410), moved
    (redirect) or unchanged."""
    from baybot.staff.sources import check

    settings = _settings(corpus_dir=corpus, index_dir=index)
    try:
        result = check(settings, update=update)
    except BayBotError as exc:
        _fail(str(exc))
    if as_json:
        _emit(result.to_dict())
        return
    for c in result.checked:
        where = f" -> {c.location}" if c.location else ""
        detail = f" ({c.detail})" if c.detail else ""
        done = " [updated]" if c.updated else ""
        typer.echo(f"{c.status}: {c.doc_id} {c.url}{where}{detail}{done}")
    _echo_ingest(result.ingest)


def main() -> None:
    app()
