"""`@client(...)`: registers a view as a Mizan client and turns its annotated parameters into
request parsing — path params from the URL, query params from the query string (GET), body
params from a JSON object (other methods) — and its result into JSON or the error envelope."""
import datetime
import decimal
import enum
import inspect
import json
import re
import typing
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, get_origin

from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt

from .convert import Invalid, convert
from .headers import structured_field_list
from .markers import MISSING, Affects, ApiError, Branches, Cache, Error, Status, ValidationFailed
from .types import unwrap

PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")


@dataclass
class Param:
    name: str
    location: str  # "path", "query" or "body"
    annotation: Any
    optional: bool
    default: Any


@dataclass
class ClientInfo:
    name: str
    method: str
    path: str
    view: Callable[..., Any]
    params: list[Param]
    returns: Any  # an annotation; inspect.Signature.empty for a raw HttpResponse (an HTML page)
    cache: Cache | bool | None
    affects: Sequence[Affects]
    errors: Sequence[Error]
    deprecated: str | bool | None

    @property
    def doc(self) -> str | None:
        text = inspect.getdoc(self.view)
        return " ".join(text.split()) if text else None


REGISTRY: dict[str, ClientInfo] = {}


def client(name: str, method: str, path: str, *, cache: Cache | bool | None = None,
           affects: Sequence[Affects] = (), errors: Sequence[Error] = (),
           deprecated: str | bool | None = None) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Marks `view(request, **params)` as the client `name`. `cache=False` writes `"cache": false`
    (never cached); leaving it out writes nothing (a mutation)."""

    def register(view: Callable[..., Any]) -> Callable[..., Any]:
        if name in REGISTRY:
            raise ValueError(f"client {name} is declared twice ({REGISTRY[name].view.__qualname__}, {view.__qualname__})")
        signature = inspect.signature(view)
        hints = typing.get_type_hints(view, include_extras=True)
        in_path = set(PLACEHOLDER.findall(path))
        params = []
        for parameter in list(signature.parameters.values())[1:]:  # the first is the request
            location = "path" if parameter.name in in_path else ("query" if method == "GET" else "body")
            optional = parameter.default is not inspect.Parameter.empty
            params.append(Param(parameter.name, location, hints.get(parameter.name, Any), optional,
                                parameter.default))
        missing = in_path - {p.name for p in params}
        if missing:
            raise ValueError(f"{view.__qualname__}: path {path} names {', '.join(sorted(missing))}, which it does not take")
        returns = hints.get("return", inspect.Signature.empty)
        if returns is HttpResponse:
            returns = inspect.Signature.empty
        elif returns is type(None):
            returns = None
        info = ClientInfo(name, method, path, view, params, returns, cache, affects, errors, deprecated)
        REGISTRY[name] = info
        handler = csrf_exempt(lambda request, **kwargs: handle(info, request, kwargs))
        handler.mizan_client = info  # type: ignore[attr-defined]
        view.mizan_handler = handler  # type: ignore[attr-defined]
        return view

    return register


def handle(info: ClientInfo, request: HttpRequest, path_values: dict[str, str]) -> HttpResponse:
    try:
        values = read_params(info, request, path_values)
        result = info.view(request, **values)
    except ApiError as error:
        return error_response(error)
    if isinstance(result, HttpResponse):
        response = result
    else:
        status, body = (result.status, result.body) if isinstance(result, Status) else (200, result)
        if body is None and (info.returns is None or status == 204):
            response = HttpResponse(status=204)
        else:
            response = HttpResponse(json.dumps(body, default=_json_default), status=status, content_type="application/json")
    selectors = getattr(request, "_mizan_invalidate", None)
    if selectors:
        response["X-Mizan-Invalidate"] = structured_field_list(selectors)
    return response


def invalidate(request: HttpRequest, client_name: str, **params: Any) -> None:
    """Names data this request changed that the static `affects` graph cannot describe; it goes
    out in `X-Mizan-Invalidate`, which `mizan dev`, the edge and the kernel all purge."""
    selectors = getattr(request, "_mizan_invalidate", None)
    if selectors is None:
        selectors = request._mizan_invalidate = []  # type: ignore[attr-defined]
    selectors.append((client_name, params))


def read_params(info: ClientInfo, request: HttpRequest, path_values: dict[str, str]) -> dict[str, Any]:
    body: dict[str, Any] = {}
    if any(p.location == "body" for p in info.params) and request.body:
        try:
            body = json.loads(request.body)
        except (ValueError, UnicodeDecodeError):
            raise ApiError(400, "bad_request", "The request body is not JSON.") from None
        if not isinstance(body, dict):
            raise ApiError(400, "bad_request", "The request body must be a JSON object.")
    values: dict[str, Any] = {}
    fields: dict[str, list[str]] = {}
    for param in info.params:
        present, raw = _raw(param, request, path_values, body)
        if not present:
            if param.optional:
                values[param.name] = param.default
            else:
                fields[param.name] = ["This field is required."]
            continue
        try:
            values[param.name] = convert(raw, param.annotation, text=param.location != "body")
        except Invalid as error:
            fields[param.name] = [str(error)]
    if fields:
        raise ValidationFailed(fields)
    return values


def _raw(param: Param, request: HttpRequest, path_values: dict[str, str], body: dict[str, Any]) -> tuple[bool, Any]:
    if param.location == "path":
        return param.name in path_values, path_values.get(param.name)
    if param.location == "body":
        return param.name in body, body.get(param.name)
    inner, _, _ = unwrap(param.annotation)
    if get_origin(inner) is list:
        items = request.GET.getlist(param.name)
        return bool(items), items
    return param.name in request.GET, request.GET.get(param.name)


def error_response(error: ApiError) -> HttpResponse:
    envelope: dict[str, Any] = {"code": error.code, "message": error.message}
    if error.fields is not None:
        envelope["fields"] = error.fields
    if error.detail is not None:
        envelope["detail"] = error.detail
    return HttpResponse(json.dumps(envelope, default=_json_default), status=error.status,
                        content_type="application/json")


def _json_default(value: Any) -> Any:
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, enum.Enum):
        return value.value
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


def branches_of(returns: Any) -> Branches | None:
    if get_origin(returns) is typing.Annotated:
        return next((m for m in returns.__metadata__ if isinstance(m, Branches)), None)
    return None

