"""Adding sources to the corpus by URL or file, and checking URL-backed ones for changes.

Each added file gets a sidecar recording where it came from (url, fetched_at, sha256) and any
region or schemes staff gave; the page itself is stored as fetched. Fetching is polite and
bounded: http(s) only, robots.txt obeyed, a timeout, a size limit and an expected content type.
Ingesting what was added is the caller's step (the index stage comes after this one).
"""

from __future__ import annotations

import hashlib
import re
import shutil
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urljoin, urlsplit
from urllib.robotparser import RobotFileParser

import httpx

from baybot.config import Settings
from baybot.corpus.discovery import discover
from baybot.corpus.loaders import loadable_suffixes
from baybot.corpus.sidecar import Sidecar, read_sidecar, sidecar_path, write_sidecar
from baybot.errors import DocumentError, SourceError

# What a fetched page may be, and the file suffix (hence the loader) each type is stored under.
CONTENT_TYPES = {
    "text/html": ".html",
    "application/xhtml+xml": ".html",
    "application/pdf": ".pdf",
    "text/plain": ".txt",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ".docx",
}
GONE_STATUSES = frozenset({404, 410})
MOVED_STATUSES = frozenset({301, 302, 303, 307, 308})
MAX_REDIRECTS = 5  # enough for http -> https -> canonical host; more is a loop or a trap
# An id is read by people in `baybot documents`: the URL's last words, plus a short hash of the
# whole URL so that two pages named index.html on different sites stay apart.
MAX_SLUG_CHARS = 60
URL_HASH_CHARS = 8


@dataclass(frozen=True)
class Added:
    """One source put into the corpus: `status` is added, updated or unchanged."""

    doc_id: str
    path: str
    source: str
    status: str
    sha256: str


@dataclass(frozen=True)
class Checked:
    """One URL-backed source re-fetched: `status` is unchanged, changed, gone, moved or error;
    `updated` says whether the corpus file was replaced with the new content."""

    doc_id: str
    url: str
    status: str
    detail: str = ""
    location: str | None = None
    updated: bool = False


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def url_doc_id(url: str) -> str:
    """A readable, stable document id for a URL: host and last path words, plus a hash."""
    parts = urlsplit(url)
    words = [parts.hostname or "", *[p for p in parts.path.split("/") if p][-2:]]
    stem = re.sub(r"\.[a-z0-9]{1,5}$", "", "-".join(words), flags=re.IGNORECASE)
    slug = re.sub(r"[^a-z0-9]+", "-", stem.lower()).strip("-")[:MAX_SLUG_CHARS].strip("-")
    return f"{slug or 'page'}-{sha256(url.encode())[:URL_HASH_CHARS]}"


def _check_url(url: str) -> None:
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise SourceError(f"{url}: only http(s) URLs can be added")


def make_client(settings: Settings) -> httpx.Client:
    return httpx.Client(
        timeout=settings.fetch_timeout,
        headers={"User-Agent": settings.fetch_user_agent},
        max_redirects=MAX_REDIRECTS,
    )


def robots_allow(client: httpx.Client, url: str, user_agent: str) -> bool:
    """What the site's robots.txt says about `url` (401/403 on it: nothing allowed; missing or
    unreachable: everything, as urllib.robotparser decides)."""
    parts = urlsplit(url)
    robots_url = f"{parts.scheme}://{parts.netloc}/robots.txt"
    parser = RobotFileParser(robots_url)
    try:
        response = client.get(robots_url, follow_redirects=True)
    except httpx.HTTPError:
        return True
    if response.status_code in (401, 403):
        return False
    if response.status_code >= 400:
        return True
    parser.parse(response.text.splitlines())
    return parser.can_fetch(user_agent, url)


@dataclass(frozen=True)
class Fetched:
    url: str  # after redirects
    status: int
    suffix: str | None
    data: bytes
    location: str | None = None


def _read_limited(response: httpx.Response, max_bytes: int, url: str) -> bytes:
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        raise SourceError(
            f"{url}: {int(declared) / 1e6:.1f} MB is over the {max_bytes / 1e6:.1f} MB limit"
        )
    data = bytearray()
    for piece in response.iter_bytes():
        data += piece
        if len(data) > max_bytes:
            raise SourceError(f"{url}: larger than the {max_bytes / 1e6:.1f} MB limit")
    return bytes(data)


def fetch(
    client: httpx.Client, url: str, settings: Settings, *, follow_redirects: bool = True
) -> Fetched:
    """GET `url` within the limits; a non-success status is returned, not raised, with no body."""
    _check_url(url)
    if not robots_allow(client, url, settings.fetch_user_agent):
        raise SourceError(f"{url}: robots.txt does not allow fetching it")
    max_bytes = int(settings.max_file_mb * 1e6)
    try:
        with client.stream("GET", url, follow_redirects=follow_redirects) as response:
            final = str(response.url)
            if response.status_code in MOVED_STATUSES:
                location = urljoin(final, response.headers.get("location", ""))
                return Fetched(final, response.status_code, None, b"", location)
            if response.status_code != 200:
                return Fetched(final, response.status_code, None, b"")
            kind = response.headers.get("content-type", "").split(";")[0].strip().lower()
            if kind not in CONTENT_TYPES:
                raise SourceError(
                    f"{url}: content type {kind or '(none)'} is not one of "
                    + ", ".join(sorted(CONTENT_TYPES))
                )
            return Fetched(final, 200, CONTENT_TYPES[kind], _read_limited(response, max_bytes, url))
    except httpx.TooManyRedirects as exc:
        raise SourceError(f"{url}: more than {MAX_REDIRECTS} redirects") from exc
    except httpx.HTTPError as exc:
        raise SourceError(f"{url}: {type(exc).__name__}: {exc}") from exc


def _sidecar_update(path: Path, **fields: object) -> None:
    """Set provenance fields, keeping whatever staff wrote in the sidecar before."""
    side = sidecar_path(path)
    current = read_sidecar(side).model_dump(exclude_unset=True) if side.exists() else {}
    current.update({k: v for k, v in fields.items() if v not in (None, (), [])})
    write_sidecar(side, Sidecar.model_validate(current))


def _store(target: Path, data: bytes) -> str:
    """Write `data` at `target` unless identical; the status of the write."""
    if target.exists():
        if sha256(target.read_bytes()) == sha256(data):
            return "unchanged"
        status = "updated"
    else:
        status = "added"
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".part")
    partial.write_bytes(data)
    partial.replace(target)  # an ingest running now sees the old file or the new, never half
    return status


def _existing(corpus: Path, doc_id: str) -> Path | None:
    return next(
        (p for p in corpus.glob(f"{doc_id}.*") if not p.name.endswith((".yaml", ".part"))), None
    )


def add_url(
    client: httpx.Client,
    url: str,
    settings: Settings,
    *,
    region: str | None = None,
    schemes: Sequence[str] = (),
) -> Added:
    """Fetch `url` into the corpus folder, with its sidecar."""
    fetched = fetch(client, url, settings)
    if fetched.status != 200 or fetched.suffix is None:
        raise SourceError(f"{url}: HTTP {fetched.status}")
    corpus = Path(settings.corpus_dir)
    doc_id = url_doc_id(url)
    old = _existing(corpus, doc_id)
    target = corpus / f"{doc_id}{fetched.suffix}"
    if old is not None and old != target:
        old.unlink()  # the page changed type (HTML -> PDF): one file per document
    status = _store(target, fetched.data)
    digest = sha256(fetched.data)
    _sidecar_update(
        target,
        url=fetched.url,
        fetched_at=_now(),
        sha256=digest,
        region=region,
        schemes=tuple(schemes),
    )
    return Added(doc_id, target.relative_to(corpus).as_posix(), url, status, digest)


def add_file(
    source: Path, settings: Settings, *, region: str | None = None, schemes: Sequence[str] = ()
) -> Added:
    """Copy a local file into the corpus folder, with its sidecar."""
    source = Path(source)
    if not source.is_file():
        raise SourceError(f"{source}: no such file")
    if source.suffix.lower() not in loadable_suffixes():
        raise SourceError(
            f"{source}: unsupported file type {source.suffix or '(none)'}; readable: "
            + ", ".join(sorted(loadable_suffixes()))
        )
    size = source.stat().st_size
    if size > settings.max_file_mb * 1e6:
        raise SourceError(
            f"{source}: {size / 1e6:.1f} MB is over the {settings.max_file_mb} MB limit"
        )
    corpus = Path(settings.corpus_dir)
    target = corpus / source.name
    data = source.read_bytes()
    if target.resolve() == source.resolve():
        status = "unchanged"
    else:
        status = _store(target, data)
        if sidecar_path(source).is_file() and not sidecar_path(target).exists():
            shutil.copyfile(sidecar_path(source), sidecar_path(target))  # staff's own metadata
    digest = sha256(data)
    _sidecar_update(target, fetched_at=_now(), sha256=digest, region=region, schemes=tuple(schemes))
    return Added(target.stem, target.relative_to(corpus).as_posix(), str(source), status, digest)


def add_sources(
    items: Sequence[str],
    settings: Settings,
    *,
    region: str | None = None,
    schemes: Sequence[str] = (),
    client: httpx.Client | None = None,
) -> tuple[Added, ...]:
    """Each item is a URL (http/https) or a local file; the first failure stops with its reason."""
    Path(settings.corpus_dir).mkdir(parents=True, exist_ok=True)
    out = []
    with client or make_client(settings) as http:
        for item in items:
            if re.match(r"^[a-z][a-z0-9+.-]*://", item, re.IGNORECASE):
                out.append(add_url(http, item, settings, region=region, schemes=schemes))
            else:
                out.append(add_file(Path(item), settings, region=region, schemes=schemes))
    return tuple(out)


def url_sources(settings: Settings) -> Iterator[tuple[str, Path, Sidecar]]:
    """(doc_id, file, sidecar) of every corpus file whose sidecar names the URL it came from."""
    files, _ = discover(Path(settings.corpus_dir), int(settings.max_file_mb * 1e6))
    for file in files:
        if file.sidecar is None:
            continue
        try:
            sidecar = read_sidecar(file.sidecar)
        except DocumentError:
            continue  # ingest reports a broken sidecar
        if sidecar.fetch_url():
            yield file.doc_id, file.path, sidecar


def check_sources(
    settings: Settings, *, update: bool = False, client: httpx.Client | None = None
) -> tuple[Checked, ...]:
    """Re-fetch every URL-backed source (redirects not followed, so a move shows) and compare
    it with the corpus file; with `update`, a changed page replaces the file."""
    out = []
    with client or make_client(settings) as http:
        for doc_id, path, sidecar in url_sources(settings):
            url = sidecar.fetch_url() or ""
            try:
                fetched = fetch(http, url, settings, follow_redirects=False)
            except SourceError as exc:
                out.append(Checked(doc_id, url, "error", str(exc)))
                continue
            if fetched.status in GONE_STATUSES:
                out.append(Checked(doc_id, url, "gone", f"HTTP {fetched.status}"))
            elif fetched.status in MOVED_STATUSES:
                out.append(
                    Checked(doc_id, url, "moved", f"HTTP {fetched.status}", fetched.location)
                )
            elif fetched.status != 200:
                out.append(Checked(doc_id, url, "error", f"HTTP {fetched.status}"))
            elif sha256(fetched.data) == sha256(path.read_bytes()):
                out.append(Checked(doc_id, url, "unchanged"))
            else:
                if update:
                    _store(path, fetched.data)
                    _sidecar_update(path, fetched_at=_now(), sha256=sha256(fetched.data))
                out.append(Checked(doc_id, url, "changed", updated=update))
    return tuple(out)
