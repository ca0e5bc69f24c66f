"""RFC 8941 structured-field lists, the grammar of `X-Mizan-Invalidate` and `X-Mizan-Deps`:
`"books.get_book";id=5, "books.list_books"`."""
from collections.abc import Iterable, Mapping
from typing import Any


def _item(value: Any) -> str:
    if isinstance(value, bool):
        return "?1" if value else "?0"
    if isinstance(value, int):
        return str(value)
    text = str(value)
    if any(ord(c) < 0x20 or ord(c) > 0x7E for c in text):
        raise ValueError(f"{text!r} cannot be carried in a structured-field string")
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def structured_field_list(selectors: Iterable[tuple[str, Mapping[str, Any]]]) -> str:
    """[("books.get_book", {"id": 5}), ("books.list_books", {})] → the header value."""
    members = []
    for client, params in selectors:
        members.append(_item(client) + "".join(f";{name}={_item(value)}" for name, value in params.items()))
    return ", ".join(members)
