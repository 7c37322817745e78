"""The REST contract: request models (validated before any work is done) and response models
built from the shared types (baybot.types), so a shape is written once. FastAPI turns them into
the OpenAPI schema at `/docs`."""

from __future__ import annotations

import dataclasses
import datetime as dt
import types
import typing
from typing import Annotated, Any, Literal, get_args, get_origin

from pydantic import BaseModel, ConfigDict, Field, create_model

from baybot import types as shared
from baybot.search.retriever import MAX_K, MAX_QUERY_CHARS

MAX_TURNS = 20


class FiltersModel(BaseModel):
    """Metadata filters; each list field matches any of its values (glossary-aware)."""

    model_config = ConfigDict(extra="forbid")

    region: list[str] | None = None
    scheme: list[str] | None = None
    language: list[str] | None = None
    since: dt.date | None = None


class SearchRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    query: Annotated[str, Field(min_length=1, max_length=MAX_QUERY_CHARS)]
    k: Annotated[int | None, Field(ge=1, le=MAX_K, description="Hits; default: top_k (5).")] = None
    filters: FiltersModel | None = None


class Turn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    role: Literal["user", "assistant"]
    content: Annotated[str, Field(max_length=8 * MAX_QUERY_CHARS)]


class AnswerRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    question: Annotated[str, Field(min_length=1, max_length=MAX_QUERY_CHARS)]
    history: Annotated[list[Turn], Field(max_length=MAX_TURNS)] = []
    stream: bool = False
    generator: str | None = None
    filters: FiltersModel | None = None


def _public(annotation: Any, nested: dict[type, type[BaseModel]]) -> Any:
    """A dataclass field's type as JSON carries it: tuples become lists, shared types their
    response models."""
    if annotation in nested:
        return nested[annotation]
    origin, args = get_origin(annotation), get_args(annotation)
    if origin is tuple and len(args) == 2 and args[1] is Ellipsis:
        return list[_public(args[0], nested)]  # type: ignore[misc]
    if origin in (typing.Union, types.UnionType):
        return typing.Union[tuple(_public(a, nested) for a in args)]  # noqa: UP007
    return annotation


def response_model(
    cls: type,
    *,
    drop: tuple[str, ...] = (),
    rename: dict[str, str] | None = None,
    retype: dict[str, Any] | None = None,
    add: dict[str, Any] | None = None,
    nested: dict[type, type[BaseModel]] | None = None,
) -> type[BaseModel]:
    """The pydantic model of `cls.to_dict()`: the dataclass fields (less `drop`, renamed,
    retyped) plus the computed keys `add`."""
    hints = typing.get_type_hints(cls)
    fields: dict[str, Any] = {}
    for field in dataclasses.fields(cls):
        if field.name in drop:
            continue
        annotation = (retype or {}).get(field.name) or _public(hints[field.name], nested or {})
        default = None if field.default is None else ...
        fields[(rename or {}).get(field.name, field.name)] = (annotation, default)
    fields.update({name: (annotation, ...) for name, annotation in (add or {}).items()})
    return create_model(f"{cls.__name__}Model", **fields)


HitModel = response_model(shared.Hit, drop=("section", "start", "end", "passage_score"))
ValidityModel = response_model(shared.Validity)
CitationModel = response_model(
    shared.Citation,
    retype={"spans": list[tuple[int, int]]},
    nested={shared.Validity: ValidityModel},
)
TopicModel = response_model(shared.Topic, retype={"published": dt.date | None})
AnswerModel = response_model(
    shared.Answer,
    drop=("features",),  # the evidence check's inputs: for staff and the fitting scripts
    rename={"text": "answer"},
    add={"supported": bool},
    nested={shared.Citation: CitationModel, shared.Topic: TopicModel},
)
SourceModel = response_model(shared.Source)
DocumentModel = response_model(
    shared.Document,
    drop=("path",),
    rename={"id": "doc_id"},
    add={"url": str | None},
    nested={shared.Source: SourceModel},
)


class SearchResponse(BaseModel):
    query: str
    hits: list[HitModel]  # type: ignore[valid-type]


class Health(BaseModel):
    status: Literal["loading", "ready", "failed"]
    version: str
    documents: int | None = None
    passages: int | None = None
    models: list[str] = []
    generator: str | None = None
    index_version: str | None = None
    error: str | None = None
    progress: float | None = Field(
        None,
        description="While loading: share of the load done (each step that computes vectors "
        "weighted by its usual time; never steps back).",
    )
    eta_s: float | None = Field(None, description="While loading: seconds left, when known.")
    step: str | None = Field(None, description="While loading: what it is doing now.")
