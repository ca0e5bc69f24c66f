"""A small Mizan backend adapter for Django: mark views with `@client(...)`, and
`manage.py mizan_export` writes the schema-export from the code itself: parameter and return
types from the function annotations, cache policy, errors and `affects` from the decorator.

    from mizan_django import client, Cache, Affects, From, Error, ApiError

    @client("books.get_book", "GET", "/api/books/{id}", cache=Cache(ttl=300, context="public"),
            errors=[Error(404, "not_found")])
    def get_book(request, id: int) -> Book: ...

`mizan_django.urls.urlpatterns()` routes every client's path, so the schema and the URLconf
cannot disagree.
"""
from .markers import (
    ALL, MISSING, Affects, ApiError, Branch, Branches, Cache, Deprecated, Doc, Error, From, Named,
    Status, ValidationFailed,
)
from .client import client, invalidate
from .headers import structured_field_list

__all__ = [
    "ALL", "MISSING", "Affects", "ApiError", "Branch", "Branches", "Cache", "Deprecated", "Doc", "Error",
    "From", "Named", "Status", "ValidationFailed", "client", "invalidate", "structured_field_list",
]
