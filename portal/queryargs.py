"""List filters read from query parameters: each field declares how it is read, once.

A filter set is a frozen dataclass of `QueryArgs` whose fields are `param(...)`s. `from_args`
reads every field from ``request.args`` without trusting it (an odd value becomes the field's
default, never an error) and `to_args` writes the set ones back, in field order, for the pager's
and the facets' links: that order is the canonical URL, so it is also a cache key.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import field, fields, replace
from typing import Any, Self

# Reads a field's value from the query parameters, given its parameter's name.
Reader = Callable[[Mapping, str], Any]

MAX_REPEATS = 50  # of one repeated parameter, read at most
MAX_CODE_LENGTH = 40
EMPTY = (None, "", ())


def param(read: Reader, default: Any = "", *, key: str = "", write: Callable | None = None):
    """A filter field: how it is read, its default, and (when not the field's name) its
    parameter's name; ``write`` turns a set value back into the parameter's text."""
    return field(default=default, metadata={"read": read, "key": key, "write": write})


def one(parse: Callable[[Any], Any]) -> Reader:
    """A single parameter, through ``parse``."""
    return lambda args, key: parse(args.get(key))


def known(allowed: Iterable[str]) -> Reader:
    """A single code from ``allowed``; anything else reads as ""."""
    codes = frozenset(allowed)

    def read(args: Mapping, key: str) -> str:
        value = str(args.get(key) or "").strip()[:MAX_CODE_LENGTH]
        return value if value in codes else ""

    return read


def repeated(pick: Callable[[list], tuple[str, ...]]) -> Reader:
    """A repeated parameter (``?cathode=NMC&cathode=LFP``), its values through ``pick``."""

    def read(args: Mapping, key: str) -> tuple[str, ...]:
        values = args.getlist(key) if hasattr(args, "getlist") else [args.get(key)]
        return pick(values[:MAX_REPEATS])

    return read


def switch(on: str, *, key: str = ""):
    """A yes/no filter that is on when its parameter is ``on``."""
    return param(lambda args, name: args.get(name) == on, False, key=key, write=lambda _: on)


def _key(spec) -> str:
    return spec.metadata["key"] or spec.name


class QueryArgs:
    """The base of a list's filters: read from query parameters, written back for links."""

    @classmethod
    def from_args(cls, args: Mapping) -> Self:
        """Every field read from ``args`` (a MultiDict or a plain mapping)."""
        return cls(**{spec.name: spec.metadata["read"](args, _key(spec)) for spec in fields(cls)})

    def to_args(self, **changes) -> dict[str, Any]:
        """The filters (with ``changes``) that differ from their defaults, as query parameters."""
        current = replace(self, **changes) if changes else self
        args: dict[str, Any] = {}
        for spec in fields(current):
            value = getattr(current, spec.name)
            if value == spec.default or value in EMPTY:
                continue
            write = spec.metadata["write"]
            args[_key(spec)] = write(value) if write else _as_parameter(value)
        return args


def _as_parameter(value: Any) -> Any:
    return list(value) if isinstance(value, tuple) else value
