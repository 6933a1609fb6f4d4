"""JSON to Python and back: the small runtime the generated models and operations call.

Dates: the API writes ISO 8601 with an offset and up to seven fractional digits (.NET's ``o`` format); Python before
3.11 reads only three or six, so the fraction is normalised before ``datetime.fromisoformat``.
"""
from __future__ import annotations

import dataclasses
import enum
import re
from datetime import date, datetime, timezone
from typing import Any, Callable, Dict, List, Mapping, Optional, Sequence, Type, TypeVar, Union
from uuid import UUID

E = TypeVar("E", bound=enum.Enum)
T = TypeVar("T")

_ISO = re.compile(
    r"^(?P<date>\d{4}-\d{2}-\d{2})[T ](?P<time>\d{2}:\d{2}(?::\d{2})?)(?:\.(?P<fraction>\d+))?"
    r"(?P<offset>Z|z|[+-]\d{2}:?\d{2})?$")


def _datetime(value: Any) -> datetime:
    if isinstance(value, datetime):
        return value
    if not isinstance(value, str):
        raise TypeError(f"expected an ISO 8601 date-time string, got {type(value).__name__}")
    try:
        return datetime.fromisoformat(value)  # Python 3.11 reads the API's every form; earlier ones some
    except ValueError:
        pass
    match = _ISO.match(value.strip())
    if match is None:
        raise ValueError(f"not an ISO 8601 date-time: {value!r}")
    fraction = (match["fraction"] or "")[:6]
    offset = match["offset"] or ""
    if offset in ("Z", "z"):
        offset = "+00:00"
    elif offset and ":" not in offset:
        offset = offset[:3] + ":" + offset[3:]
    text = f"{match['date']}T{match['time']}" + (f".{fraction.ljust(6, '0')}" if fraction else "") + offset
    return datetime.fromisoformat(text)


def _date(value: Any) -> date:
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value))


def _uuid(value: Any) -> UUID:
    return value if isinstance(value, UUID) else UUID(str(value))


def _identity(value: Any) -> Any:
    return value


def _nullable(convert: Callable[[Any], T]) -> Callable[[Any], Optional[T]]:
    def read(value: Any) -> Optional[T]:
        return None if value is None else convert(value)
    return read


def _list_of(convert: Callable[[Any], T]) -> Callable[[Any], List[T]]:
    def read(value: Any) -> List[T]:
        return [convert(item) for item in value]
    return read


def _dict_of(convert: Callable[[Any], T]) -> Callable[[Any], Dict[str, T]]:
    def read(value: Any) -> Dict[str, T]:
        return {key: convert(item) for key, item in value.items()}
    return read


def _discriminated(prop: str, cases: Mapping[str, Callable[[Any], Any]]) -> Callable[[Any], Any]:
    def read(value: Any) -> Any:
        convert = cases.get(str(value.get(prop))) if isinstance(value, Mapping) else None
        return convert(value) if convert else value
    return read


_JSON_TYPES: Dict[str, Callable[[Any], bool]] = {
    "int": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "number": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
    "str": lambda v: isinstance(v, str),
    "bool": lambda v: isinstance(v, bool),
    "list": lambda v: isinstance(v, list),
    "dict": lambda v: isinstance(v, dict),
}


def _expect(json_type: str) -> Callable[[Any], Any]:
    """The value as it is when it is of this JSON type, else TypeError (for _first_fit)."""
    check = _JSON_TYPES[json_type]

    def read(value: Any) -> Any:
        if not check(value):
            raise TypeError(f"expected JSON {json_type}, got {type(value).__name__}")
        return value
    return read


def _first_fit(converters: Sequence[Callable[[Any], Any]]) -> Callable[[Any], Any]:
    """oneOf/anyOf without a discriminator: the first variant that reads the value, else the value as it is."""
    def read(value: Any) -> Any:
        for convert in converters:
            try:
                return convert(value)
            except (TypeError, ValueError, KeyError, AttributeError):
                continue
        return value
    return read


def _missing(model: str, error: KeyError) -> ValueError:
    return ValueError(f"{model}: the API's answer lacks the required member {error.args[0]!r}")


def parse_enum(cls: Type[E], value: Any) -> Union[E, Any]:
    """The member for a value, or the value itself: a newer API may send values this SDK does not know yet."""
    try:
        return cls(value)
    except ValueError:
        return value


def _dump(value: Any) -> Any:
    """A Python value as JSON: models, enums, dates, UUIDs, mappings and sequences, recursively."""
    if value is None or isinstance(value, (str, int, float, bool)) and not isinstance(value, enum.Enum):
        return value
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=timezone.utc)
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, UUID):
        return str(value)
    to_dict = getattr(value, "to_dict", None)
    if callable(to_dict) and dataclasses.is_dataclass(value):
        return to_dict()
    if isinstance(value, Mapping):
        return {str(key): _dump(item) for key, item in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [_dump(item) for item in value]
    raise TypeError(f"cannot send a {type(value).__name__} as JSON")


def query_value(value: Any) -> Any:
    """A query parameter's value as text (lists repeat the parameter; None leaves it out)."""
    if isinstance(value, (list, tuple)):
        return [query_value(item) for item in value]
    if isinstance(value, bool):
        return "true" if value else "false"
    dumped = _dump(value)
    return dumped if isinstance(dumped, str) else str(dumped)
