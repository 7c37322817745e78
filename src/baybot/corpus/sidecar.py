"""Sidecar files (`NAME.meta.yaml` beside `NAME.html`): staff fix or complete what the loaders
and inference got wrong without editing the page, and `baybot add` records where a page came
from (url, fetched_at, sha256) in the same file."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError, field_validator

from baybot.errors import DocumentError
from baybot.text.language import normalise_language
from baybot.types import Document, Source

SUFFIX = ".meta.yaml"

# Fields a sidecar may set on the document; the rest (fetched_at, sha256) is provenance.
DOCUMENT_FIELDS = ("title", "issuer", "region", "schemes", "published", "updated", "language")


class SidecarSource(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    url: str
    title: str | None = None
    date: dt.date | None = None


class Sidecar(BaseModel):
    """The metadata a sidecar holds; a field it leaves out keeps the loader's value, a field set
    to null clears it (`published: null` marks a page undated on purpose)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    title: str | None = None
    issuer: str | None = None
    region: str | None = None
    schemes: tuple[str, ...] = ()
    published: dt.date | None = None
    updated: dt.date | None = None
    language: str | None = None
    url: str | None = None
    sources: tuple[SidecarSource, ...] = ()
    fetched_at: dt.datetime | None = None
    sha256: str | None = None

    @field_validator("schemes", mode="before")
    @classmethod
    def _one_or_many(cls, value: object) -> object:
        return (value,) if isinstance(value, str) else (value or ())

    @field_validator("sources", mode="before")
    @classmethod
    def _urls_or_entries(cls, value: object) -> object:
        if isinstance(value, str):
            value = [value]
        return [{"url": v} if isinstance(v, str) else v for v in value or ()]

    def fetch_url(self) -> str | None:
        """Where the file was fetched from: `url`, else the first source."""
        return self.url or next((s.url for s in self.sources), None)


def sidecar_path(path: Path) -> Path:
    """The sidecar of a corpus file: `NAME.html` -> `NAME.meta.yaml`."""
    return path.with_name(path.stem + SUFFIX)


def is_sidecar(path: Path) -> bool:
    return path.name.endswith(SUFFIX)


def read_sidecar(path: Path) -> Sidecar:
    try:
        text = path.read_text("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise DocumentError(f"unreadable sidecar {path.name}: {exc}".splitlines()[0]) from exc
    return parse_sidecar(text, path.name)


def parse_sidecar(text: str, name: str) -> Sidecar:
    """The sidecar written as `text` (YAML); DocumentError naming `name` and each problem."""
    try:
        loaded = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise DocumentError(f"unreadable sidecar {name}: {exc}".splitlines()[0]) from exc
    if loaded is not None and not isinstance(loaded, dict):
        raise DocumentError(f"sidecar {name} is not a mapping")
    try:
        return Sidecar.model_validate(loaded or {})
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        raise DocumentError(f"sidecar {name}: {problems}") from exc


def write_sidecar(path: Path, sidecar: Sidecar) -> None:
    """Only the fields that were set, in a stable order, so staff can read and edit it."""
    data = sidecar.model_dump(mode="json", exclude_unset=True, exclude_defaults=False)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), "utf-8")


def apply_sidecar(document: Document, sidecar: Sidecar) -> Document:
    """The document with every field the sidecar sets replaced."""
    given = sidecar.model_fields_set
    changes: dict[str, Any] = {n: getattr(sidecar, n) for n in DOCUMENT_FIELDS if n in given}
    if "title" in changes and not changes["title"]:
        del changes["title"]  # a document always has a title
    if "language" in changes:
        language = normalise_language(changes["language"])
        if language is None:
            raise DocumentError(f"sidecar: unknown language {changes['language']!r}")
        changes["language"] = language
    if "sources" in given:
        changes["sources"] = tuple(Source(s.url, s.title, s.date) for s in sidecar.sources)
    if "url" in given and sidecar.url:
        rest = changes.get("sources", document.sources)
        changes["sources"] = (Source(sidecar.url, changes.get("title", document.title)),) + tuple(
            s for s in rest if s.url != sidecar.url
        )
    return dataclasses.replace(document, **changes)
