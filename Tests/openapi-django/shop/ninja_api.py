"""The same shop as a django-ninja API (Pydantic v2 schemas, OpenAPI 3.1).

Constructs covered: nested schemas, Optional (nullable) fields, enum and Literal choices, a
discriminated union (Annotated[Union[...], Field(discriminator="kind")]), ninja's @paginate,
single and multiple file uploads (File[UploadedFile], File[list[UploadedFile]]) mixed with form
fields, path + query parameters (plain and a Query[...] filter schema), PATCH, DELETE (204),
documented error responses, a response that branches on status code, computed read-only fields
and a session-authenticated router.
"""
from datetime import date, datetime
from decimal import Decimal
from enum import Enum, IntEnum
from typing import Annotated, Literal, Optional, Union
from uuid import UUID

from django.shortcuts import get_object_or_404
from ninja import Field, File, FilterSchema, Form, NinjaAPI, Query, Router, Schema, UploadedFile
from ninja.pagination import PageNumberPagination, paginate
from ninja.security import django_auth
from pydantic import computed_field

from .models import Attachment, Author, Book, Order

api = NinjaAPI(
    title="Shop (django-ninja)",
    version="1.0.0",
    description="Fixture API for mizan's OpenAPI importer.",
    urls_namespace="ninja",
)


# --- schemas --------------------------------------------------------------------------------


class Genre(str, Enum):
    FICTION = "fiction"
    SCIENCE = "science"
    HISTORY = "history"


class OrderStatus(IntEnum):
    PENDING = 1
    PAID = 2
    SHIPPED = 3
    CANCELLED = 9


BookFormat = Literal["hardcover", "paperback", "ebook"]


class AuthorIn(Schema):
    name: str = Field(max_length=200)
    bio: str = ""
    born: Optional[date] = None


class AuthorOut(Schema):
    id: int
    name: str
    bio: str
    born: Optional[date]


class ReviewOut(Schema):
    id: int
    stars: int = Field(ge=1, le=5)
    text: str
    created_at: datetime


class BookIn(Schema):
    title: str = Field(max_length=300)
    subtitle: Optional[str] = None
    author: AuthorIn
    genre: Genre
    format: Optional[BookFormat] = None
    price: Decimal = Field(max_digits=8, decimal_places=2)
    published: Optional[date] = None
    tags: list[str] = []


class BookPatch(Schema):
    """Every field optional: a partial update."""

    title: Optional[str] = Field(None, max_length=300)
    subtitle: Optional[str] = None
    author: Optional[AuthorIn] = None
    genre: Optional[Genre] = None
    format: Optional[BookFormat] = None
    price: Optional[Decimal] = None
    published: Optional[date] = None
    tags: Optional[list[str]] = None


class BookOut(Schema):
    id: int
    title: str
    subtitle: Optional[str]
    author: AuthorOut
    genre: Genre = Field(description="Shelf the book is sold from.")
    format: Optional[BookFormat]
    price: Decimal
    published: Optional[date]
    tags: list[str]
    cover: Optional[str] = Field(None, description="URL of the cover image, if any.")
    reviews: list[ReviewOut] = []
    created_at: datetime

    @staticmethod
    def resolve_cover(book: Book) -> Optional[str]:
        return book.cover.url if book.cover else None

    @computed_field  # type: ignore[prop-decorator]
    @property
    def average_stars(self) -> Optional[float]:
        """Read-only: derived from the reviews."""
        return sum(r.stars for r in self.reviews) / len(self.reviews) if self.reviews else None


class CardPayment(Schema):
    kind: Literal["card"]
    amount: Decimal
    brand: Literal["visa", "mastercard", "amex"]
    last4: str = Field(pattern=r"^[0-9]{4}$")


class BankPayment(Schema):
    kind: Literal["bank"]
    amount: Decimal
    iban: str = Field(max_length=34)
    bic: Optional[str] = Field(None, max_length=11)


Payment = Annotated[Union[CardPayment, BankPayment], Field(discriminator="kind")]


class OrderIn(Schema):
    book_id: int
    quantity: int = Field(1, ge=1, le=100)
    payment: Payment
    note: Optional[str] = None


class OrderOut(Schema):
    id: UUID
    book: BookOut
    quantity: int
    status: OrderStatus
    payment: Payment
    note: str
    created_at: datetime


class AttachmentOut(Schema):
    id: int
    file: str
    description: str
    uploaded_at: datetime

    @staticmethod
    def resolve_file(attachment: Attachment) -> str:
        return attachment.file.url


class RefundDone(Schema):
    order: UUID
    amount: Decimal
    refunded_at: datetime


class RefundPending(Schema):
    order: UUID
    review_url: str


class Error(Schema):
    detail: str
    code: Optional[str] = None


class BookFilter(FilterSchema):
    genre: Optional[Genre] = None
    search: Optional[str] = Field(None, q=["title__icontains", "subtitle__icontains"])
    published_after: Optional[date] = Field(None, q="published__gte")


# --- books ------------------------------------------------------------------------------------

books = Router(tags=["books"])


@books.get("/", response=list[BookOut])
@paginate(PageNumberPagination, page_size=20)
def list_books(request, filters: Query[BookFilter]):
    """Books, a page at a time, filtered."""
    return filters.filter(Book.objects.select_related("author").prefetch_related("reviews").order_by("id"))


@books.post("/", response={201: BookOut, 400: Error})
def create_book(request, payload: BookIn):
    data = payload.dict()
    author, _ = Author.objects.get_or_create(**data.pop("author"))
    return 201, Book.objects.create(author=author, **data)


@books.get("/{book_id}", response={200: BookOut, 404: Error})
def get_book(request, book_id: int, include_reviews: bool = True):
    """Path parameter plus an optional query parameter."""
    book = Book.objects.filter(pk=book_id).select_related("author").first()
    if book is None:
        return 404, {"detail": "No such book."}
    if not include_reviews:
        book._prefetched_objects_cache = {"reviews": Book.objects.none()}
    return book


@books.patch("/{book_id}", response={200: BookOut, 400: Error, 404: Error})
def update_book(request, book_id: int, payload: BookPatch):
    book = get_object_or_404(Book, pk=book_id)
    data = payload.dict(exclude_unset=True)
    if data.get("author") is not None:
        book.author, _ = Author.objects.get_or_create(**data.pop("author"))
    for name, value in data.items():
        setattr(book, name, value)
    book.save()
    return book


@books.delete("/{book_id}", response={204: None, 404: Error})
def delete_book(request, book_id: int):
    get_object_or_404(Book, pk=book_id).delete()
    return 204, None


@books.post("/{book_id}/cover", response={200: BookOut, 404: Error})
def upload_cover(request, book_id: int, cover: File[UploadedFile]):
    """Single file upload."""
    book = get_object_or_404(Book, pk=book_id)
    book.cover.save(cover.name, cover)
    return book


@books.get("/by-author/{author_id}", response=list[BookOut])
@paginate(PageNumberPagination, page_size=50)
def books_by_author(
    request,
    author_id: int,
    sort: Literal["title", "-title", "price", "-price"] = "title",
    genre: Optional[Genre] = None,
):
    """Path parameter, a Literal query parameter and an optional enum query parameter."""
    queryset = Book.objects.filter(author_id=author_id).select_related("author").order_by(sort)
    return queryset.filter(genre=genre) if genre else queryset


# --- orders (session auth) --------------------------------------------------------------------

orders = Router(tags=["orders"], auth=django_auth)


@orders.post("/", response={201: OrderOut, 400: Error})
def create_order(request, payload: OrderIn):
    book = get_object_or_404(Book, pk=payload.book_id)
    order = Order.objects.create(
        book=book, quantity=payload.quantity, payment=payload.payment.model_dump(mode="json"), note=payload.note or ""
    )
    return 201, order


@orders.get("/{order_id}", response={200: OrderOut, 404: Error})
def get_order(request, order_id: UUID):
    return get_object_or_404(Order, pk=order_id)


@orders.post("/{order_id}/attachments", response={201: list[AttachmentOut], 404: Error})
def upload_attachments(request, order_id: UUID, files: File[list[UploadedFile]], description: Form[str] = ""):
    """Several files plus a form field in one multipart/form-data request."""
    order = get_object_or_404(Order, pk=order_id)
    return 201, [Attachment.objects.create(order=order, file=f, description=description) for f in files]


@orders.post("/{order_id}/refund", response={200: RefundDone, 202: RefundPending, 404: Error, 409: Error})
def refund_order(request, order_id: UUID):
    """Done at once (200) or queued for review (202)."""
    order = get_object_or_404(Order, pk=order_id)
    if order.status != OrderStatus.PAID:
        return 409, {"detail": "Order is not paid.", "code": "not_paid"}
    return 202, {"order": order.id, "review_url": f"/refunds/{order.id}/"}


@api.post("/payments/check", response={200: Payment, 400: Error}, tags=["payments"])
def check_payment(request, payload: Payment):
    """A discriminated union as the whole request and response body."""
    return payload


api.add_router("/books", books)
api.add_router("/orders", orders)
