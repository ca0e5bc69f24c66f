"""Request values → the Python values a view's annotations promise, with DRF-style messages for
what does not fit. Query and path values arrive as text; body values as parsed JSON."""
import datetime
import decimal
import enum
import types
import typing
import uuid
from typing import Any, get_args, get_origin, is_typeddict

from .types import named_marker, union_members, unwrap


class Invalid(Exception):
    pass


def convert(value: Any, tp: Any, *, text: bool) -> Any:
    """Converts `value` to `tp`; `text` when it came from a path or query string."""
    tp, _, _ = unwrap(tp)
    if named_marker(tp) is not None:
        tp = tp.__origin__
    members = union_members(tp)
    if members is not None:
        if value is None and types.NoneType in members:
            return None
        for member in (m for m in members if m is not types.NoneType):
            try:
                return convert(value, member, text=text)
            except Invalid:
                continue
        raise Invalid("This value does not match any of the allowed types.")
    if value is None:
        raise Invalid("This field may not be null.")
    if tp is Any:
        return value
    if tp is bool:
        if text and value in ("true", "false"):
            return value == "true"
        if isinstance(value, bool):
            return value
        raise Invalid("Must be a valid boolean.")
    if tp is int:
        if text:
            try:
                return int(value)
            except ValueError:
                raise Invalid("A valid integer is required.") from None
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        raise Invalid("A valid integer is required.")
    if tp is float:
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return float(value)
        if text:
            try:
                return float(value)
            except ValueError:
                pass
        raise Invalid("A valid number is required.")
    if tp is str:
        if isinstance(value, str):
            return value
        raise Invalid("Not a valid string.")
    if tp is decimal.Decimal:
        if isinstance(value, (str, int, float)) and not isinstance(value, bool):
            try:
                result = decimal.Decimal(str(value))
            except decimal.InvalidOperation:
                raise Invalid("A valid number is required.") from None
            if result.is_finite():
                return result
        raise Invalid("A valid number is required.")
    if tp in (datetime.date, datetime.datetime, uuid.UUID):
        parse = {datetime.date: datetime.date.fromisoformat, datetime.datetime: datetime.datetime.fromisoformat,
                 uuid.UUID: uuid.UUID}[tp]
        try:
            return parse(value)
        except (TypeError, ValueError):
            raise Invalid(f"Not a valid {'UUID' if tp is uuid.UUID else tp.__name__}.") from None
    if isinstance(tp, type) and issubclass(tp, enum.Enum):
        for member in tp:
            if member.value == value or (text and str(member.value) == value):
                return member
        raise Invalid(f'"{value}" is not a valid choice.')
    origin, args = get_origin(tp), get_args(tp)
    if origin is typing.Literal:
        if value in args and type(value) in {type(a) for a in args}:
            return value
        raise Invalid(f"Must be {' or '.join(repr(a) for a in args)}.")
    if origin is list:
        if not isinstance(value, list):
            raise Invalid("Expected a list of items.")
        return [convert(item, args[0], text=text) for item in value]
    if origin is dict:
        if not isinstance(value, dict):
            raise Invalid("Expected an object.")
        return {key: convert(item, args[1], text=False) for key, item in value.items()}
    if is_typeddict(tp):
        if not isinstance(value, dict):
            raise Invalid("Expected an object.")
        hints = typing.get_type_hints(tp, include_extras=True)
        missing = [name for name in tp.__required_keys__ if name not in value]
        if missing:
            raise Invalid(f"Missing {', '.join(sorted(missing))}.")
        return {name: convert(value[name], hints[name], text=False) for name in hints if name in value}
    raise Invalid(f"Cannot read a {tp!r}.")
