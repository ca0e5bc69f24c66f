from datetime import date
from decimal import Decimal
from typing import Annotated
from uuid import uuid4

from django.db import transaction
from django.utils import timezone

from mizan_django import ALL, MISSING, Affects, ApiError, Branch, Branches, Cache, Doc, Error, From, Status, ValidationFailed, client

from .. import serialize
from ..api_types import Book, BookPage, Genre, Money, PublishJob
from ..models import Author, Book as BookRow

PAGE_SIZE = 20
NOT_FOUND = Error(404, "not_found")


def find(id: int) -> BookRow:
    try:
        return BookRow.objects.select_related("author").get(pk=id)
    except BookRow.DoesNotExist:
        raise ApiError(404, "not_found", f"No book with id {id}.") from None


def check_price(price: Decimal, fields: dict[str, list[str]]) -> None:
    if price <= 0 or price.as_tuple().exponent < -2 or price >= Decimal("1000000"):
        fields["price"] = ["Must be a positive amount with at most two decimals."]


@client("books.list_books", "GET", "/api/books", cache=Cache(ttl=60, stale_while_revalidate=30, context="public"))
def list_books(request, genre: Genre = MISSING, page: Annotated[int, Doc("1-based; default 1.")] = 1,
               tags: Annotated[list[str], Doc("Books carrying all of these tags.")] = MISSING) -> BookPage:
    """List books, newest first, 20 to a page."""
    if page < 1:
        raise ValidationFailed({"page": ["Must be 1 or more."]})
    rows = BookRow.objects.select_related("author")
    if genre:
        rows = rows.filter(genre=genre.value)
    found = [row for row in rows if not tags or set(tags) <= set(row.tags)]
    items = found[(page - 1) * PAGE_SIZE:page * PAGE_SIZE]
    return {"items": [serialize.book(row) for row in items], "total": len(found),
            "next_page": page + 1 if page * PAGE_SIZE < len(found) else None}


@client("books.get_book", "GET", "/api/books/{id}", cache=Cache(ttl=300, stale_while_revalidate=60, context="public"),
        errors=[Error(404, "not_found", "No book with this id.")])
def get_book(request, id: int, include_reviews: bool = False) -> Book:
    """Get one book."""
    return serialize.book(find(id), include_reviews=include_reviews)


@client("books.get_book_legacy", "GET", "/api/legacy/books/{id}", cache=False, deprecated="use books.get_book")
def get_book_legacy(request, id: int) -> Book:
    return serialize.book(find(id))


@client("books.create_book", "POST", "/api/books", errors=[Error(400, "validation_error")],
        affects=[Affects("books.list_books"), Affects("authors.get_author", author_id=From("author_id"))])
def create_book(request, title: str, author_id: int, genre: Genre, price: Decimal, published: date = MISSING,
                tags: list[str] = MISSING) -> Book:
    """Add a book to the catalogue."""
    fields: dict[str, list[str]] = {}
    if not title.strip():
        fields["title"] = ["This field may not be blank."]
    check_price(price, fields)
    author = Author.objects.filter(pk=author_id).first()
    if author is None:
        fields["author_id"] = [f"No author with id {author_id}."]
    if fields:
        raise ValidationFailed(fields)
    row = BookRow.objects.create(title=title.strip(), author=author, genre=genre.value, price=price,
                                 published=published or None, tags=tags or [], created_at=timezone.now())
    return serialize.book(row)


@client("books.update_book", "PATCH", "/api/books/{id}",
        errors=[NOT_FOUND, Error(400, "validation_error", "See the envelope's fields for what was wrong.")],
        affects=[Affects("books.get_book", id=From("id")), Affects("books.list_books", genre=ALL),
                 Affects("search.search")])
def update_book(request, id: int, title: str = MISSING, price: Money = MISSING, genre: Genre = MISSING) -> Book:
    """Change some fields of a book."""
    row = find(id)
    fields: dict[str, list[str]] = {}
    if title is not MISSING and not title.strip():
        fields["title"] = ["This field may not be blank."]
    if price is not MISSING:
        check_price(price, fields)
    if fields:
        raise ValidationFailed(fields)
    if title is not MISSING:
        row.title = title.strip()
    if price is not MISSING:
        row.price = price
    if genre is not MISSING:
        row.genre = genre.value
    row.save()
    return serialize.book(find(id))


@client("books.delete_book", "DELETE", "/api/books/{id}", errors=[NOT_FOUND],
        affects=[Affects("books.get_book", id=From("id")), Affects("books.list_books")])
def delete_book(request, id: int) -> None:
    find(id).delete()


@client("books.publish_book", "POST", "/api/books/{id}/publish", errors=[NOT_FOUND],
        affects=[Affects("books.get_book", id=From("id"))])
def publish_book(request, id: int) -> Annotated[Book | PublishJob, Branches(
        Branch(200, Book, "Published at once."), Branch(202, PublishJob, "Queued; poll the job."))]:
    """Publish a book: at once when possible, otherwise as a background job."""
    with transaction.atomic():
        row = find(id)
        if row.cover is None:
            # Without a cover the printer has to make one first: that takes a while.
            job: PublishJob = {"job_id": uuid4(), "state": "queued"}
            return Status(202, job)
        row.published = row.published or timezone.now().date()
        row.save()
    return serialize.book(row)
