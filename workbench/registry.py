"""The one shape every plug-in registry has: a name -> object mapping that says what it knows.

Engines, log sources and file formats are each kept in a :class:`Registry`. Built-in entries
are registered at the bottom of the module that defines the registry; a plug-in adds its own
with :meth:`Registry.register`.

>>> from workbench.registry import Registry
>>> colours = Registry("colour")
>>> colours.register("red", "#c1121f")
'#c1121f'
>>> colours.lookup("red")
'#c1121f'
>>> colours.lookup("blue")
Traceback (most recent call last):
...
workbench.errors.UnknownName: unknown colour 'blue'; known: red
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Generic, TypeVar

from workbench.errors import UnknownName
from workbench.words import did_you_mean

T = TypeVar("T")


class Registry(Mapping, Generic[T]):
    """Named objects of one kind, in the order they were registered.

    Parameters
    ----------
    kind : str
        What the entries are, for messages (``"engine"``, ``"log source"``).
    """

    def __init__(self, kind: str):
        self.kind = kind
        self._entries: dict[str, T] = {}

    def register(self, name: str, entry: T) -> T:
        """Add (or replace) ``entry`` under ``name``; returns the entry."""
        self._entries[name] = entry
        return entry

    def lookup(self, name: str) -> T:
        """The entry called ``name`` (``registry.get(name)`` gives ``None`` instead of raising).

        Raises
        ------
        UnknownName
            Naming the entries there are.
        """
        try:
            return self._entries[name]
        except KeyError:
            close = did_you_mean(name, self._entries)
            hint = f"; did you mean {' or '.join(close)}?" if close else ""
            raise UnknownName(f"unknown {self.kind} {name!r}{hint}; known: {', '.join(self._entries)}") from None

    def names(self) -> list[str]:
        """The names, in registration order."""
        return list(self._entries)

    def __getitem__(self, name: str) -> T:
        return self._entries[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._entries)

    def __len__(self) -> int:
        return len(self._entries)

    def __repr__(self) -> str:
        return f"Registry({self.kind!r}: {', '.join(self._entries)})"
