from django.db import transaction

from mizan_django import Affects, ApiError, Cache, Error, ValidationFailed, client

from .. import serialize
from ..api_types import AddItemResult, Cart, OutOfStockDetail
from ..models import Book, CartItem

MAX_QUANTITY = 10


def signed_in(request):
    if not request.user.is_authenticated:
        raise ApiError(401, "not_authenticated", "Sign in to use a cart.")
    return request.user


def items_of(user) -> list[CartItem]:
    return list(CartItem.objects.filter(user=user).select_related("book"))


@client("cart.get_cart", "GET", "/api/cart", cache=Cache(ttl=30, context="user"))
def get_cart(request) -> Cart:
    return serialize.cart(items_of(signed_in(request)))


@client("cart.add_item", "POST", "/api/cart/items",
        errors=[Error(409, "out_of_stock", "Not enough copies left.", detail=OutOfStockDetail),
                Error(400, "validation_error")],
        affects=[Affects("cart.get_cart")])
def add_item(request, book_id: int, quantity: int) -> AddItemResult:
    user = signed_in(request)
    with transaction.atomic():
        book = Book.objects.filter(pk=book_id).first()
        if book is None:
            raise ValidationFailed({"book_id": [f"No book with id {book_id}."]})
        line = CartItem.objects.filter(user=user, book=book).first()
        total = (line.quantity if line else 0) + quantity
        if quantity < 1 or total > MAX_QUANTITY:
            raise ValidationFailed({"quantity": [f"Between 1 and {MAX_QUANTITY} copies of a book per order."]})
        if total > book.stock:
            available: OutOfStockDetail = {"available": book.stock}
            raise ApiError(409, "out_of_stock", f"Only {book.stock} copies left.", detail=available)
        if line:
            line.quantity = total
            line.save()
        else:
            CartItem.objects.create(user=user, book=book, quantity=quantity)
    return {"ok": True, "cart": serialize.cart(items_of(user))}


@client("cart.clear_cart", "DELETE", "/api/cart", affects=[Affects("cart.get_cart")])
def clear_cart(request) -> None:
    """Remove every item from the cart."""
    CartItem.objects.filter(user=signed_in(request)).delete()
