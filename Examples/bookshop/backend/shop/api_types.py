"""The bookshop's API types. `manage.py mizan_export` writes them into the schema-export in the
order they are defined here: Enums become enums, TypedDicts objects, `Annotated[..., Named(...)]`
aliases and unions."""
from datetime import date, datetime
from decimal import Decimal
from enum import Enum, IntEnum
from typing import Annotated, Any, Literal, NotRequired, TypedDict
from uuid import UUID

from mizan_django import Deprecated, Doc, Named


class Genre(str, Enum):
    """Shelf a book is sold under."""
    FICTION = "fiction"
    NONFICTION = "nonfiction"
    POETRY = "poetry"
    CHILDREN = "children"
    SCIENCE = "science"


class Rating(IntEnum):
    """Stars given in a review."""
    ONE = 1
    TWO = 2
    THREE = 3
    FOUR = 4
    FIVE = 5


class OrderStatus(str, Enum):
    PENDING = "pending"
    PAID = "paid"
    SHIPPED = "shipped"
    CANCELLED = "cancelled"


class SearchKind(str, Enum):
    """What a search looks for."""
    BOOK = "book"
    AUTHOR = "author"


Money = Annotated[Decimal, Named("Money", doc='An amount in euros as a decimal string, such as "12.50".')]
Isbn10 = Annotated[str, Named("Isbn10", doc="A ten-digit ISBN.", deprecated="ISBN-10 is no longer issued; use ISBN-13")]
Edition = Annotated[int | str, Named("Edition", doc='An edition number, or a named edition such as "Collector\'s".')]


class AuthorSummary(TypedDict):
    id: int
    name: str


class BookSummary(TypedDict):
    """What lists and search hits show of a book."""
    id: int
    title: str
    genre: Genre


class Review(TypedDict):
    id: int
    rating: Rating
    text: str
    created_at: datetime


class Book(TypedDict):
    """A book in the catalogue."""
    id: int
    title: str
    author: AuthorSummary
    genre: Genre
    price: Money
    published: Annotated[date | None, Doc("Publication date; null when not yet published.")]
    edition: NotRequired[Edition]
    cover: Annotated[str | Literal[False], Doc("Cover image URL, or false when the book has no cover.")]
    tags: list[str]
    isbn13: str | None
    isbn: Annotated[Isbn10 | None, Deprecated("use isbn13")]
    reviews: NotRequired[Annotated[list[Review], Doc("Present only when the request asked for include_reviews.")]]
    attributes: NotRequired[Annotated[dict[str, Any], Doc("Publisher-specific attributes, free-form JSON.")]]
    created_at: datetime


class BookPage(TypedDict):
    """One page of books."""
    items: list[Book]
    total: Annotated[int, Doc("Number of books across all pages.")]
    next_page: Annotated[int | None, Doc("null on the last page.")]


class PublishJob(TypedDict):
    """A publication that will finish in the background."""
    job_id: UUID
    state: Literal["queued"]


class Author(TypedDict):
    id: int
    name: str
    bio: str | None
    books: list[BookSummary]


class BookHit(TypedDict):
    kind: Literal["book"]
    book: BookSummary
    score: float


class AuthorHit(TypedDict):
    kind: Literal["author"]
    author: AuthorSummary
    score: float


SearchHit = Annotated[BookHit | AuthorHit, Named("SearchHit", doc="A search result; `kind` tells which.", discriminator="kind")]


class CartItem(TypedDict):
    book: BookSummary
    quantity: int
    max_quantity: Annotated[Literal[10], Doc("Most copies of one book per order.")]
    unit_price: Money
    price: NotRequired[Annotated[Money, Deprecated()]]


class Cart(TypedDict):
    """The caller's shopping cart."""
    items: list[CartItem]
    total: Decimal
    metadata: dict[str, str]


class AddItemResult(TypedDict):
    ok: Literal[True]
    cart: Cart


class OutOfStockDetail(TypedDict):
    available: Annotated[int, Doc("Copies left in stock.")]


class Session(TypedDict):
    user_id: Annotated[UUID | None, Doc("null for an anonymous session.")]
    expires_at: datetime
    flags: Annotated[dict[str, bool], Doc("Feature flags by name.")]


class OrderLine(TypedDict):
    book_id: int
    title: str
    quantity: int
    unit_price: Money


class Order(TypedDict):
    id: UUID
    placed_at: datetime
    lines: list[OrderLine]
    status: OrderStatus
    note: str | None


class Category(TypedDict):
    """A node of the category tree."""
    slug: str
    name: str
    children: list["Category"]
