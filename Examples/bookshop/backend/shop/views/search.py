from typing import Annotated

from mizan_django import MISSING, Cache, Doc, client

from .. import serialize
from ..api_types import SearchHit, SearchKind
from ..models import Author, Book


@client("search.search", "GET", "/api/search", cache=Cache(ttl=30, context="public"))
def search(request, q: Annotated[str, Doc("Words to look for.")], kind: SearchKind = MISSING) -> list[SearchHit]:
    """Full-text search over books and authors."""
    words = q.lower().split()
    hits: list[SearchHit] = []

    def score(text: str) -> float:
        return sum(1.0 for word in words if word in text.lower()) / max(len(words), 1)

    if kind in (MISSING, SearchKind.BOOK):
        for book in Book.objects.order_by("id"):
            if (s := score(book.title)) > 0:
                hits.append({"kind": "book", "book": serialize.book_summary(book), "score": s})
    if kind in (MISSING, SearchKind.AUTHOR):
        for author in Author.objects.order_by("id"):
            if (s := score(author.name)) > 0:
                hits.append({"kind": "author", "author": serialize.author_summary(author), "score": s})
    return sorted(hits, key=lambda hit: -hit["score"])
