import uuid

from django.contrib.auth.models import AbstractUser
from django.db import models


class User(AbstractUser):
    """Ids are UUIDs: `Session.user_id` in the schema-export is one."""
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)


class ApiToken(models.Model):
    """`Authorization: Bearer KEY` signs a request in as `user` (shop.auth)."""
    key = models.CharField(max_length=64, unique=True)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="tokens")


class Author(models.Model):
    name = models.CharField(max_length=200)
    bio = models.TextField(null=True, blank=True)


class Book(models.Model):
    GENRES = [(g, g) for g in ("fiction", "nonfiction", "poetry", "children", "science")]

    title = models.CharField(max_length=300)
    author = models.ForeignKey(Author, on_delete=models.PROTECT, related_name="books")
    genre = models.CharField(max_length=20, choices=GENRES)
    price = models.DecimalField(max_digits=8, decimal_places=2)
    published = models.DateField(null=True, blank=True)
    # Edition is an int or a name: one of the two is set, or neither.
    edition_number = models.IntegerField(null=True, blank=True)
    edition_name = models.CharField(max_length=100, null=True, blank=True)
    cover = models.URLField(null=True, blank=True)
    tags = models.JSONField(default=list)
    isbn13 = models.CharField(max_length=13, null=True, blank=True)
    isbn10 = models.CharField(max_length=10, null=True, blank=True)
    attributes = models.JSONField(default=dict)
    stock = models.IntegerField(default=10)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at", "-id"]


class Review(models.Model):
    book = models.ForeignKey(Book, on_delete=models.CASCADE, related_name="reviews")
    rating = models.IntegerField()
    text = models.TextField()
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["id"]


class CartItem(models.Model):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="cart_items")
    book = models.ForeignKey(Book, on_delete=models.CASCADE)
    quantity = models.IntegerField()

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["user", "book"], name="one_line_per_book")]


class Order(models.Model):
    STATUSES = [(s, s) for s in ("pending", "paid", "shipped", "cancelled")]

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="orders")
    placed_at = models.DateTimeField(auto_now_add=True)
    status = models.CharField(max_length=20, choices=STATUSES, default="pending")
    note = models.TextField(null=True, blank=True)


class OrderLine(models.Model):
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines")
    book = models.ForeignKey(Book, on_delete=models.PROTECT)
    title = models.CharField(max_length=300)
    quantity = models.IntegerField()
    unit_price = models.DecimalField(max_digits=8, decimal_places=2)

    class Meta:
        ordering = ["id"]


class Category(models.Model):
    slug = models.SlugField(unique=True)
    name = models.CharField(max_length=100)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.CASCADE, related_name="children")

    class Meta:
        ordering = ["id"]
