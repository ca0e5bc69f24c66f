from typing import Annotated
from uuid import UUID

from django.db import transaction

from mizan_django import MISSING, Affects, ApiError, Branch, Branches, Doc, Error, Status, client

from .. import serialize
from ..api_types import Order
from ..models import Book, CartItem, Order as OrderRow, OrderLine
from .cart import signed_in


@client("orders.place_order", "POST", "/api/orders", errors=[Error(409, "cart_empty")],
        affects=[Affects("cart.get_cart"), Affects("books.list_books", page=1)])
def place_order(request, note: Annotated[str | None, Doc("For the packer.")] = MISSING) -> Order:
    """Turn the cart into an order."""
    user = signed_in(request)
    with transaction.atomic():
        items = list(CartItem.objects.filter(user=user).select_related("book"))
        if not items:
            raise ApiError(409, "cart_empty", "The cart is empty.")
        order = OrderRow.objects.create(user=user, note=note or None)
        for item in items:
            OrderLine.objects.create(order=order, book=item.book, title=item.book.title, quantity=item.quantity,
                                     unit_price=item.book.price)
            Book.objects.filter(pk=item.book_id).update(stock=item.book.stock - item.quantity)
        CartItem.objects.filter(user=user).delete()
    return serialize.order(order)


@client("orders.cancel_order", "POST", "/api/orders/{id}/cancel",
        errors=[Error(404, "not_found"), Error(409, "already_shipped")])
def cancel_order(request, id: UUID) -> Annotated[Order | None, Branches(
        Branch(200, Order, "Cancelled; the order as it is now."), Branch(204, None, "Already cancelled."))]:
    user = signed_in(request)
    with transaction.atomic():
        order = OrderRow.objects.filter(pk=id, user=user).first()
        if order is None:
            raise ApiError(404, "not_found", f"No order {id}.")
        if order.status == "cancelled":
            return Status(204)
        if order.status == "shipped":
            raise ApiError(409, "already_shipped", "This order has left the warehouse.")
        order.status = "cancelled"
        order.save()
    return serialize.order(order)
