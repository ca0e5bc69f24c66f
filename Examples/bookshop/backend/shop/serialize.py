"""Model rows → the API's TypedDicts (shop.api_types)."""
from decimal import Decimal

from . import api_types as t
from .models import Author, Book, CartItem, Order


def author_summary(author: Author) -> t.AuthorSummary:
    return {"id": author.id, "name": author.name}


def book_summary(book: Book) -> t.BookSummary:
    return {"id": book.id, "title": book.title, "genre": t.Genre(book.genre)}


def book(row: Book, *, include_reviews: bool = False) -> t.Book:
    out: t.Book = {
        "id": row.id, "title": row.title, "author": author_summary(row.author), "genre": t.Genre(row.genre),
        "price": row.price, "published": row.published, "cover": row.cover or False, "tags": list(row.tags),
        "isbn13": row.isbn13, "isbn": row.isbn10, "created_at": row.created_at,
    }
    if row.edition_number is not None:
        out["edition"] = row.edition_number
    elif row.edition_name is not None:
        out["edition"] = row.edition_name
    if include_reviews:
        out["reviews"] = [{"id": r.id, "rating": t.Rating(r.rating), "text": r.text, "created_at": r.created_at}
                          for r in row.reviews.all()]
    if row.attributes:
        out["attributes"] = dict(row.attributes)
    return out


def author(row: Author) -> t.Author:
    return {"id": row.id, "name": row.name, "bio": row.bio,
            "books": [book_summary(b) for b in row.books.order_by("id")]}


def cart(items: list[CartItem]) -> t.Cart:
    lines: list[t.CartItem] = [
        {"book": book_summary(i.book), "quantity": i.quantity, "max_quantity": 10, "unit_price": i.book.price}
        for i in items]
    total = sum((i.book.price * i.quantity for i in items), Decimal("0.00"))
    return {"items": lines, "total": total, "metadata": {"currency": "EUR"}}


def order(row: Order) -> t.Order:
    return {
        "id": row.id, "placed_at": row.placed_at, "status": t.OrderStatus(row.status), "note": row.note,
        "lines": [{"book_id": line.book_id, "title": line.title, "quantity": line.quantity, "unit_price": line.unit_price}
                  for line in row.lines.all()],
    }
