"""Frozen dataclasses to and from plain JSON values, read from their type hints (pure).

Handles what the policy's records are made of: ``str``, ``int``, ``float``, ``bool``, ``None``
unions, ``tuple[X, ...]``, ``datetime.date`` and ``datetime.datetime`` (ISO 8601 strings; a
datetime must carry its UTC offset) and nested dataclasses. A value of the wrong shape raises
:class:`CodecError` naming its path (``document.fields.birth_date``), so a stored record that
no longer fits the code says where.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import types
import typing
from functools import cache
from typing import Any, TypeVar

T = TypeVar("T")


class CodecError(ValueError):
    def __init__(self, path: str, reason: str):
        super().__init__(f"{path or '<root>'}: {reason}")
        self.path = path
        self.reason = reason


def to_plain(value: Any) -> Any:
    """A dataclass (or any value built of the supported types) as JSON-ready values."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {field.name: to_plain(getattr(value, field.name)) for field in dataclasses.fields(value)}
    if isinstance(value, tuple | list):
        return [to_plain(item) for item in value]
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return value


def from_plain(cls: type[T], data: Any, path: str = "") -> T:
    """Build ``cls`` from :func:`to_plain` output; missing keys take the field's default."""
    return _convert(cls, data, path)


@cache
def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)


def _convert(hint: Any, data: Any, path: str) -> Any:
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        options = typing.get_args(hint)
        if data is None and type(None) in options:
            return None
        present = [option for option in options if option is not type(None)]
        if len(present) == 1:  # X | None: the inner error keeps its own path
            return _convert(present[0], data, path)
        errors = []
        for option in present:
            try:
                return _convert(option, data, path)
            except CodecError as exc:
                errors.append(exc.reason)
        raise CodecError(path, " or ".join(errors))
    if origin is tuple:
        if not isinstance(data, list | tuple):
            raise CodecError(path, f"expected a list, got {type(data).__name__}")
        args = typing.get_args(hint)
        if len(args) == 2 and args[1] is Ellipsis:
            args = (args[0],) * len(data)
        elif len(data) != len(args):
            raise CodecError(path, f"expected {len(args)} items, got {len(data)}")
        return tuple(
            _convert(item, value, f"{path}[{index}]")
            for index, (item, value) in enumerate(zip(args, data, strict=True))
        )
    if dataclasses.is_dataclass(hint):
        return _dataclass(hint, data, path)
    return _scalar(hint, data, path)


def _dataclass(cls: Any, data: Any, path: str) -> Any:
    if not isinstance(data, dict):
        raise CodecError(path, f"expected an object, got {type(data).__name__}")
    hints = _hints(cls)
    names = {field.name for field in dataclasses.fields(cls)}
    unknown = sorted(set(data) - names)
    if unknown:
        raise CodecError(path, f"unknown key(s) {', '.join(unknown)}")
    values = {}
    for field in dataclasses.fields(cls):
        sub = f"{path}.{field.name}" if path else field.name
        if field.name in data:
            values[field.name] = _convert(hints[field.name], data[field.name], sub)
        elif field.default is dataclasses.MISSING and field.default_factory is dataclasses.MISSING:
            raise CodecError(sub, "is required")
    try:
        return cls(**values)
    except CodecError:
        raise
    except ValueError as exc:  # a record's own check (__post_init__)
        raise CodecError(path, str(exc)) from None


def _scalar(hint: Any, data: Any, path: str) -> Any:
    if hint is Any:
        return data
    if hint is dt.datetime:
        if not isinstance(data, str):
            raise CodecError(path, "expected an ISO 8601 date-time string")
        try:
            value = dt.datetime.fromisoformat(data)
        except ValueError:
            raise CodecError(path, f"{data!r} is not an ISO 8601 date-time") from None
        if value.tzinfo is None:
            raise CodecError(path, f"{data!r} has no UTC offset")
        return value
    if hint is dt.date:
        if not isinstance(data, str):
            raise CodecError(path, "expected an ISO 8601 date string (YYYY-MM-DD)")
        try:
            return dt.date.fromisoformat(data)
        except ValueError:
            raise CodecError(path, f"{data!r} is not a date (YYYY-MM-DD)") from None
    if hint is float:
        if isinstance(data, bool) or not isinstance(data, int | float):
            raise CodecError(path, f"expected a number, got {data!r}")
        return float(data)
    if hint is int:
        if isinstance(data, bool) or not isinstance(data, int):
            raise CodecError(path, f"expected a whole number, got {data!r}")
        return data
    if hint in (str, bool):
        if not isinstance(data, hint):
            raise CodecError(path, f"expected {'a string' if hint is str else 'true or false'}, got {data!r}")
        return data
    raise CodecError(path, f"unsupported type {hint!r}")  # a programming error in a record class
