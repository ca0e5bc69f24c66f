from mizan_django import client

from ..models import Book, CartItem, Order


@client("stats.get_stats", "GET", "/api/stats", cache=False)
def get_stats(request) -> dict[str, int]:
    """Live counters by name; never cached."""
    return {"books": Book.objects.count(), "orders": Order.objects.count(),
            "copies_in_carts": sum(CartItem.objects.values_list("quantity", flat=True))}
