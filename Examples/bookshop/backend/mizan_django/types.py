"""Python annotations → schema-export type expressions, and the named types they reference.

int, str, float, bool, date, datetime, UUID, Decimal and Any are the primitives; `list[T]`,
`dict[str, T]`, `T | None` (nullable), `Literal[v]` and unions map to their expressions; an Enum
is a named enum, a TypedDict a named object (`NotRequired` fields are optional; `Annotated` with
`Doc`/`Deprecated` documents a field), and `Annotated[T, Named(...)]` a named alias or union."""
import datetime
import decimal
import enum
import types
import typing
import uuid
from typing import Any, Union, get_args, get_origin, get_type_hints, is_typeddict

from .markers import Deprecated, Doc, Named

PRIMITIVES: dict[Any, str] = {
    int: "int", str: "string", float: "float", bool: "bool", datetime.date: "date",
    datetime.datetime: "datetime", uuid.UUID: "uuid", decimal.Decimal: "decimal", Any: "any",
}


class SchemaError(Exception):
    """A view or type the export cannot describe; the message names it."""


def unwrap(tp: Any) -> tuple[Any, list[Any], bool]:
    """Strips Annotated / NotRequired / Required: (inner type, metadata, not_required)."""
    metadata: list[Any] = []
    not_required = False
    while True:
        origin = get_origin(tp)
        if origin is typing.Annotated:
            named = [m for m in tp.__metadata__ if isinstance(m, Named)]
            metadata.extend(m for m in tp.__metadata__ if not isinstance(m, Named))
            if named:
                # Annotated flattens: Annotated[Money, Doc(..)] is Annotated[Decimal, Named(..), Doc(..)].
                return typing.Annotated[(tp.__origin__, *named)], metadata, not_required
            tp = tp.__origin__
        elif origin is typing.NotRequired:
            not_required, tp = True, get_args(tp)[0]
        elif origin is typing.Required:
            tp = get_args(tp)[0]
        else:
            return tp, metadata, not_required


def named_marker(tp: Any) -> Named | None:
    if get_origin(tp) is typing.Annotated:
        return next((m for m in tp.__metadata__ if isinstance(m, Named)), None)
    return None


def union_members(tp: Any) -> list[Any] | None:
    if get_origin(tp) in (Union, types.UnionType):
        return list(get_args(tp))
    return None


def doc_of(metadata: list[Any]) -> str | None:
    return next((m.text for m in metadata if isinstance(m, Doc)), None)


def deprecated_of(metadata: list[Any]) -> str | bool | None:
    return next((m.reason for m in metadata if isinstance(m, Deprecated)), None)


class TypeTable:
    """Collects named types as expressions reference them; `definitions()` gives them in the
    order they were declared (`declare`) or, for the rest, first referenced."""

    def __init__(self) -> None:
        self._order: list[str] = []
        self._types: dict[str, Any] = {}

    def declare(self, tp: Any) -> None:
        name = self.name_of(tp)
        if name is None:
            raise SchemaError(f"{tp!r} is not a named type (an Enum, a TypedDict or Annotated[..., Named(...)])")
        self._remember(name, tp)

    def _remember(self, name: str, tp: Any) -> None:
        if name in self._types:
            if self._types[name] is not tp and self._types[name] != tp:
                raise SchemaError(f"two different types are named {name}")
            return
        self._types[name] = tp
        self._order.append(name)

    @staticmethod
    def name_of(tp: Any) -> str | None:
        if (marker := named_marker(tp)) is not None:
            return marker.name
        if isinstance(tp, type) and (issubclass(tp, enum.Enum) or is_typeddict(tp)):
            return tp.__name__
        return None

    def expression(self, tp: Any, where: str) -> Any:
        """The type expression for an annotation; `where` names it in errors."""
        tp, _, _ = unwrap(tp)
        name = self.name_of(tp)
        if name is not None:
            self._remember(name, tp)
            return name
        if tp in PRIMITIVES:
            return PRIMITIVES[tp]
        if tp is None or tp is types.NoneType:
            raise SchemaError(f"{where}: None alone is not a type here (use `T | None`, or `-> None` for no body)")
        members = union_members(tp)
        if members is not None:
            rest = [m for m in members if m is not types.NoneType]
            inner = rest[0] if len(rest) == 1 else Union[tuple(rest)]
            if len(rest) < len(members):
                return {"nullable": self.expression(inner, where)}
            return {"union": [self.expression(m, where) for m in rest]}
        origin, args = get_origin(tp), get_args(tp)
        if origin is typing.Literal:
            if len(args) != 1:
                return {"union": [{"literal": a} for a in args]}
            return {"literal": args[0]}
        if origin is list:
            return {"list": self.expression(args[0], where)}
        if origin is dict:
            if args[0] is not str:
                raise SchemaError(f"{where}: map keys must be str, not {args[0]!r}")
            return {"map": self.expression(args[1], where)}
        raise SchemaError(f"{where}: cannot describe {tp!r} in a schema-export")

    def definitions(self) -> dict[str, Any]:
        """Every named type's definition; referencing a type may add more, so this loops."""
        out: dict[str, Any] = {}
        index = 0
        while index < len(self._order):
            name = self._order[index]
            out[name] = self._definition(name, self._types[name])
            index += 1
        return out

    def _definition(self, name: str, tp: Any) -> dict[str, Any]:
        if (marker := named_marker(tp)) is not None:
            inner = tp.__origin__
            members = union_members(inner)
            definition: dict[str, Any] = {"kind": "union" if members and types.NoneType not in members else "alias"}
            _put(definition, "doc", marker.doc)
            _put(definition, "deprecated", marker.deprecated)
            if definition["kind"] == "union":
                definition["variants"] = [self.expression(m, name) for m in members]
                _put(definition, "discriminator", marker.discriminator)
            else:
                definition["type"] = self.expression(inner, name)
            return definition
        if issubclass(tp, enum.Enum):
            definition = {"kind": "enum"}
            _put(definition, "doc", _docstring(tp))
            definition["values"] = [member.value for member in tp]
            return definition
        definition = {"kind": "object"}
        _put(definition, "doc", _docstring(tp))
        fields: dict[str, Any] = {}
        for field_name, annotation in get_type_hints(tp, include_extras=True).items():
            _, metadata, _ = unwrap(annotation)
            entry: dict[str, Any] = {"type": self.expression(annotation, f"{name}.{field_name}")}
            if field_name in tp.__optional_keys__:
                entry["optional"] = True
            _put(entry, "doc", doc_of(metadata))
            _put(entry, "deprecated", deprecated_of(metadata))
            fields[field_name] = entry
        definition["fields"] = fields
        return definition


def _docstring(tp: type) -> str | None:
    text = tp.__dict__.get("__doc__")
    return " ".join(text.split()) if text else None


def _put(target: dict[str, Any], key: str, value: Any) -> None:
    if value is not None:
        target[key] = value
