import uuid

from django.db import models


class Genre(models.TextChoices):
    FICTION = "fiction", "Fiction"
    SCIENCE = "science", "Science"
    HISTORY = "history", "History"


class BookFormat(models.TextChoices):
    HARDCOVER = "hardcover", "Hardcover"
    PAPERBACK = "paperback", "Paperback"
    EBOOK = "ebook", "E-book"


class OrderStatus(models.IntegerChoices):
    PENDING = 1, "Pending"
    PAID = 2, "Paid"
    SHIPPED = 3, "Shipped"
    CANCELLED = 9, "Cancelled"


class Author(models.Model):
    name = models.CharField(max_length=200)
    bio = models.TextField(blank=True)
    born = models.DateField(null=True, blank=True)
    website = models.URLField(blank=True)


class Book(models.Model):
    title = models.CharField(max_length=300)
    subtitle = models.CharField(max_length=300, null=True, blank=True)
    author = models.ForeignKey(Author, on_delete=models.PROTECT, related_name="books")
    genre = models.CharField(max_length=20, choices=Genre.choices)
    # A nullable, blankable choice: drf-spectacular emits oneOf [FormatEnum, BlankEnum, NullEnum].
    format = models.CharField(max_length=20, choices=BookFormat.choices, null=True, blank=True)
    price = models.DecimalField(max_digits=8, decimal_places=2)
    published = models.DateField(null=True, blank=True)
    tags = models.JSONField(default=list, blank=True)
    cover = models.FileField(upload_to="covers/", null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)


class Review(models.Model):
    book = models.ForeignKey(Book, on_delete=models.CASCADE, related_name="reviews")
    stars = models.PositiveSmallIntegerField()
    text = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)


class Order(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    book = models.ForeignKey(Book, on_delete=models.PROTECT, related_name="orders")
    quantity = models.PositiveIntegerField(default=1)
    status = models.IntegerField(choices=OrderStatus.choices, default=OrderStatus.PENDING)
    # {"kind": "card", ...} or {"kind": "bank", ...}; see CardPaymentSerializer / BankPaymentSerializer.
    payment = models.JSONField()
    note = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)


class Attachment(models.Model):
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to="attachments/")
    description = models.CharField(max_length=200, blank=True)
    uploaded_at = models.DateTimeField(auto_now_add=True)
