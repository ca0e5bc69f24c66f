"""The vocabulary views are written in: annotation markers (`Doc`, `Deprecated`, `Named`,
`Branches`), decorator arguments (`Cache`, `Affects`, `From`, `ALL`, `Error`) and what a view may
raise or return (`ApiError`, `ValidationFailed`, `Status`)."""
from dataclasses import dataclass, field
from typing import Any, Literal


@dataclass(frozen=True)
class Doc:
    """`Annotated[T, Doc("...")]`: the doc comment of a field or parameter."""
    text: str


@dataclass(frozen=True)
class Deprecated:
    """`Annotated[T, Deprecated("use isbn13")]`, or `Deprecated()` for a bare `true`."""
    reason: str | bool = True


@dataclass(frozen=True)
class Named:
    """`Money = Annotated[Decimal, Named("Money", doc=...)]` declares a named alias; on a union of
    TypedDicts or scalars it declares a named union (with an optional discriminator field)."""
    name: str
    doc: str | None = None
    deprecated: str | bool | None = None
    discriminator: str | None = None


@dataclass(frozen=True)
class Branch:
    status: int
    type: Any
    doc: str | None = None


@dataclass(frozen=True)
class Branches:
    """`-> Annotated[Book | PublishJob, Branches(Branch(200, Book), Branch(202, PublishJob))]`:
    the return type depends on the status; the view returns `Status(202, job)` for the second."""
    branches: tuple[Branch, ...]

    def __init__(self, *branches: Branch):
        object.__setattr__(self, "branches", tuple(branches))


@dataclass(frozen=True)
class Cache:
    ttl: int
    context: Literal["public", "user", "session"]
    stale_while_revalidate: int = 0
    tags: tuple[str, ...] = ()


class _All:
    def __repr__(self) -> str:
        return "ALL"


ALL: Any = _All()
"""An `affects` param source meaning every value (written `"*"`)."""


@dataclass(frozen=True)
class From:
    """An `affects` param source: the value this call was made with for `param`."""
    param: str


@dataclass(frozen=True)
class Affects:
    """`Affects("books.get_book", id=From("id"))`; any other value is a literal."""
    client: str
    params: dict[str, Any] = field(default_factory=dict)

    def __init__(self, client: str, **params: Any):
        object.__setattr__(self, "client", client)
        object.__setattr__(self, "params", params)


@dataclass(frozen=True)
class Error:
    status: int
    code: str
    doc: str | None = None
    detail: Any = None


class _Missing:
    def __repr__(self) -> str:
        return "MISSING"

    def __bool__(self) -> bool:
        return False


MISSING: Any = _Missing()
"""Default of an optional parameter the caller left out (as opposed to one sent as null)."""


class ApiError(Exception):
    """Raised by a view; answered with the error envelope `{code, message, fields?, detail?}`."""

    def __init__(self, status: int, code: str, message: str, *, fields: dict[str, list[str]] | None = None,
                 detail: Any = None):
        super().__init__(message)
        self.status, self.code, self.message, self.fields, self.detail = status, code, message, fields, detail


class ValidationFailed(ApiError):
    """400 `validation_error` with per-field messages."""

    def __init__(self, fields: dict[str, list[str]], message: str = "Invalid input."):
        super().__init__(400, "validation_error", message, fields=fields)


@dataclass(frozen=True)
class Status:
    """A view's result with a status other than 200 (a branch such as 202, or 204 with no body)."""
    status: int
    body: Any = None
