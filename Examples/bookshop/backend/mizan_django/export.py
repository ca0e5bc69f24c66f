"""The schema-export (format_version 1, schema/schema-export.v1.json) built from the registered
clients and the project's named types, and written in the layout the committed file uses."""
import inspect
import json
from typing import Any

from .client import REGISTRY, ClientInfo, branches_of
from .markers import ALL, From
from .types import SchemaError, TypeTable, doc_of, unwrap


def build(*, project: str, doc: str | None, schema_url: str | None, declared_types: list[Any]) -> dict[str, Any]:
    table = TypeTable()
    for tp in declared_types:
        table.declare(tp)
    clients = {name: _client(info, table) for name, info in REGISTRY.items()}
    document: dict[str, Any] = {}
    if schema_url:
        document["$schema"] = schema_url
    document["format_version"] = 1
    document["project"] = project
    if doc:
        document["doc"] = doc
    document["types"] = table.definitions()
    document["clients"] = clients
    _check_affects(clients)
    return document


def _client(info: ClientInfo, table: TypeTable) -> dict[str, Any]:
    where = f"{info.name} ({info.view.__module__}.{info.view.__qualname__})"
    out: dict[str, Any] = {"method": info.method, "path": info.path}
    if info.doc:
        out["doc"] = info.doc
    if info.deprecated is not None:
        out["deprecated"] = info.deprecated
    params: dict[str, Any] = {}
    for param in info.params:
        _, metadata, _ = unwrap(param.annotation)
        entry: dict[str, Any] = {"in": param.location, "type": table.expression(param.annotation, f"{where} {param.name}")}
        if param.optional:
            entry["optional"] = True
        if (text := doc_of(metadata)) is not None:
            entry["doc"] = text
        params[param.name] = entry
    if params:
        out["params"] = params
    if info.returns is None:
        out["returns"] = None
    elif info.returns is not inspect.Signature.empty:
        branches = branches_of(info.returns)
        if branches is None:
            out["returns"] = table.expression(info.returns, f"{where} return")
        else:
            out["returns"] = {"branches": [
                {"status": b.status, "type": None if b.type is None else table.expression(b.type, f"{where} {b.status}"),
                 **({"doc": b.doc} if b.doc else {})}
                for b in branches.branches]}
    if info.errors:
        out["errors"] = [
            {"status": e.status, "code": e.code, **({"doc": e.doc} if e.doc else {}),
             **({"detail": table.expression(e.detail, f"{where} {e.code}")} if e.detail is not None else {})}
            for e in info.errors]
    if info.cache is False:
        out["cache"] = False
    elif info.cache is not None and info.cache is not True:
        policy: dict[str, Any] = {"ttl": info.cache.ttl}
        if info.cache.stale_while_revalidate:
            policy["stale_while_revalidate"] = info.cache.stale_while_revalidate
        policy["context"] = info.cache.context
        if info.cache.tags:
            policy["tags"] = list(info.cache.tags)
        out["cache"] = policy
    if info.affects:
        out["affects"] = [
            {"client": a.client, **({"params": {k: _source(v) for k, v in a.params.items()}} if a.params else {})}
            for a in info.affects]
    return out


def _source(value: Any) -> Any:
    if value is ALL:
        return "*"
    if isinstance(value, From):
        return {"from": value.param}
    return {"value": value}


def _check_affects(clients: dict[str, Any]) -> None:
    for name, client in clients.items():
        for affect in client.get("affects", []):
            target = clients.get(affect["client"])
            if target is None:
                raise SchemaError(f"{name} affects {affect['client']}, which is not a client")
            for param, source in affect.get("params", {}).items():
                if param not in target.get("params", {}):
                    raise SchemaError(f"{name} affects {affect['client']} by {param}, which it does not take")
                if isinstance(source, dict) and "from" in source and source["from"] not in client.get("params", {}):
                    raise SchemaError(f"{name} maps {param} from {source['from']}, which it does not take")


# Layout: these containers always take one line per member; anything else stays on one line when
# it fits in WIDTH columns. It is the layout of the hand-written bookshop schema this replaced.
ALWAYS_BROKEN = {"types", "clients", "fields", "params", "errors", "affects", "branches"}
WIDTH = 130


def render(document: dict[str, Any]) -> str:
    return _render(document, 0, None, None, 0, force=True) + "\n"


def _inline(value: Any) -> str:
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{json.dumps(k)}: {_inline(v)}" for k, v in value.items()) + " }" if value else "{}"
    if isinstance(value, list):
        return "[" + ", ".join(_inline(v) for v in value) + "]"
    return json.dumps(value, ensure_ascii=False)


def _render(value: Any, depth: int, key: str | None, parent: str | None, column: int, force: bool = False) -> str:
    broken = force or key in ALWAYS_BROKEN or parent in ("types", "clients") \
        or (key == "returns" and isinstance(value, dict) and "branches" in value)
    if not broken or not isinstance(value, (dict, list)) or not value:
        text = _inline(value)
        if not isinstance(value, (dict, list)) or not value or column + len(text) + 1 <= WIDTH:
            return text
    pad = "  " * depth
    if isinstance(value, dict):
        lines = []
        for k, v in value.items():
            prefix = f"{pad}  {json.dumps(k)}: "
            lines.append(prefix + _render(v, depth + 1, k, key, len(prefix)))
        return "{\n" + ",\n".join(lines) + "\n" + pad + "}"
    lines = [f"{pad}  " + _render(v, depth + 1, None, key, len(pad) + 2) for v in value]
    return "[\n" + ",\n".join(lines) + "\n" + pad + "]"
