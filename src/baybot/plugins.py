"""One registry for the parts a package can add: answer generators, embedders and corpus loaders.

A part is named by a target `"module:attribute"`. Built-ins register in code (`register`, next
to their definitions); another package registers under an entry point group in its metadata:

    [project.entry-points."baybot.generators"]   # factory(Settings) -> Generator
    mine = "my_package:make_generator"
    [project.entry-points."baybot.embedders"]    # factory() -> Embedder, named in embedding_models
    hash = "my_package:HashEmbedder"
    [project.entry-points."baybot.loaders"]      # loader(SourceFile, bytes) -> Document
    rst = "my_package:load_rst"                   # the name is the file suffix it reads

Both are looked up the same way; a built-in name wins over a plugin of the same name. Entry
points are read on every lookup, so a package installed while running is found.
"""

from __future__ import annotations

from importlib import import_module
from importlib.metadata import entry_points
from typing import Any


class Registry:
    """The parts of one entry point group, built-ins first."""

    def __init__(self, group: str) -> None:
        self.group = group
        self._builtin: dict[str, str] = {}

    def register(self, name: str, target: str) -> None:
        """A built-in part: `target` is `"module:attribute"`, imported on first use."""
        self._builtin[name] = target

    def _plugins(self) -> dict[str, str]:
        return {ep.name: ep.value for ep in entry_points(group=self.group)}

    def names(self) -> list[str]:
        """Built-in names in their registration order, then plugins' by name."""
        plugins = self._plugins()
        return [*self._builtin, *(n for n in sorted(plugins) if n not in self._builtin)]

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and self.target(name) is not None

    def target(self, name: str) -> str | None:
        return self._builtin.get(name) or self._plugins().get(name)

    def load(self, name: str) -> Any:
        """The object registered as `name`; KeyError if none is, ImportError if it cannot load."""
        target = self.target(name)
        if target is None:
            raise KeyError(name)
        module, _, attribute = target.partition(":")
        obj: Any = import_module(module)
        for part in attribute.split(".") if attribute else ():
            obj = getattr(obj, part)
        return obj


GENERATORS = Registry("baybot.generators")
EMBEDDERS = Registry("baybot.embedders")
LOADERS = Registry("baybot.loaders")
