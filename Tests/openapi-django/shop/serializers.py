"""DRF serializers, annotated for drf-spectacular.

Constructs covered (see Tests/Fixtures/openapi/django/README.md for where each lands):
nested serializers (one and many, read-only and writable), nullable and optional fields,
model and explicit choices (enums, including a nullable one), a polymorphic field (oneOf with a
discriminator), files, read-only and write-only fields, decimals, dates, uuids, free-form JSON
and string maps.
"""
from django.db import transaction
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import PolymorphicProxySerializer, extend_schema_field
from rest_framework import serializers

from .models import Attachment, Author, Book, Order, Review


class AuthorSerializer(serializers.ModelSerializer):
    class Meta:
        model = Author
        fields = ["id", "name", "bio", "born", "website"]
        read_only_fields = ["id"]


class ReviewSerializer(serializers.ModelSerializer):
    class Meta:
        model = Review
        fields = ["id", "stars", "text", "created_at"]
        read_only_fields = ["id", "created_at"]
        extra_kwargs = {"stars": {"min_value": 1, "max_value": 5}}


class BookSerializer(serializers.ModelSerializer):
    # Writable nested object: BookRequest.author is AuthorRequest, Book.author is Author.
    author = AuthorSerializer()
    # Read-only list of nested objects: only in the response component.
    reviews = ReviewSerializer(many=True, read_only=True)
    # Nullable and optional (allow_null + required=False).
    subtitle = serializers.CharField(allow_null=True, required=False, max_length=300)
    tags = serializers.ListField(child=serializers.CharField(max_length=40), required=False)
    # Read-only computed value, nullable.
    average_stars = serializers.SerializerMethodField()

    class Meta:
        model = Book
        fields = [
            "id", "title", "subtitle", "author", "genre", "format", "price", "published",
            "tags", "cover", "reviews", "average_stars", "created_at", "updated_at",
        ]
        read_only_fields = ["id", "cover", "created_at", "updated_at"]

    @extend_schema_field(serializers.FloatField(allow_null=True))
    def get_average_stars(self, book):
        stars = [r.stars for r in book.reviews.all()]
        return sum(stars) / len(stars) if stars else None

    @transaction.atomic
    def create(self, validated_data):
        author, _ = Author.objects.get_or_create(**validated_data.pop("author"))
        return Book.objects.create(author=author, **validated_data)

    @transaction.atomic
    def update(self, instance, validated_data):
        if "author" in validated_data:
            instance.author, _ = Author.objects.get_or_create(**validated_data.pop("author"))
        return super().update(instance, validated_data)


class BookCoverSerializer(serializers.ModelSerializer):
    """Single file upload (multipart/form-data)."""

    cover = serializers.FileField()

    class Meta:
        model = Book
        fields = ["id", "cover"]
        read_only_fields = ["id"]


# --- polymorphic payment ------------------------------------------------------------------


class CardPaymentSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=["card"])
    amount = serializers.DecimalField(max_digits=10, decimal_places=2)
    brand = serializers.ChoiceField(choices=[("visa", "Visa"), ("mastercard", "Mastercard"), ("amex", "Amex")])
    last4 = serializers.RegexField(r"^[0-9]{4}$")


class BankPaymentSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=["bank"])
    amount = serializers.DecimalField(max_digits=10, decimal_places=2)
    iban = serializers.CharField(max_length=34)
    bic = serializers.CharField(max_length=11, allow_null=True, required=False)


PAYMENT_SERIALIZERS = {"card": CardPaymentSerializer, "bank": BankPaymentSerializer}

# The mapping is given explicitly: from a list, drf-spectacular reads each variant's value as
# `fields["kind"].to_representation(None)`, which a ChoiceField answers with None.
PaymentSchema = PolymorphicProxySerializer(
    component_name="Payment",
    serializers=PAYMENT_SERIALIZERS,
    resource_type_field_name="kind",
)


@extend_schema_field(PaymentSchema)
class PaymentField(serializers.JSONField):
    """A JSON value validated by the serializer its `kind` names."""

    def to_internal_value(self, data):
        data = super().to_internal_value(data)
        if not isinstance(data, dict) or data.get("kind") not in PAYMENT_SERIALIZERS:
            raise serializers.ValidationError('Expected an object whose "kind" is "card" or "bank".')
        serializer = PAYMENT_SERIALIZERS[data["kind"]](data=data)
        serializer.is_valid(raise_exception=True)
        return {**serializer.validated_data, "amount": str(serializer.validated_data["amount"])}


class OrderSerializer(serializers.ModelSerializer):
    # Read-only nested object in responses; a write-only id in requests.
    book = BookSerializer(read_only=True)
    book_id = serializers.PrimaryKeyRelatedField(source="book", queryset=Book.objects.all(), write_only=True)
    payment = PaymentField()
    quantity = serializers.IntegerField(min_value=1, max_value=100)
    note = serializers.CharField(required=False, allow_blank=True)
    attachments = serializers.SerializerMethodField()

    class Meta:
        model = Order
        fields = ["id", "book", "book_id", "quantity", "status", "payment", "note", "attachments", "created_at"]
        read_only_fields = ["id", "status", "created_at"]

    @extend_schema_field(OpenApiTypes.INT)
    def get_attachments(self, order):
        return order.attachments.count()


class AttachmentSerializer(serializers.ModelSerializer):
    class Meta:
        model = Attachment
        fields = ["id", "file", "description", "uploaded_at"]
        read_only_fields = fields


class AttachmentUploadSerializer(serializers.Serializer):
    """Several files in one multipart/form-data request."""

    files = serializers.ListField(child=serializers.FileField(), min_length=1, max_length=10)
    description = serializers.CharField(required=False, allow_blank=True, max_length=200)


class RefundSerializer(serializers.Serializer):
    order = serializers.UUIDField(read_only=True)
    amount = serializers.DecimalField(max_digits=10, decimal_places=2)
    refunded_at = serializers.DateTimeField(read_only=True)


class RefundPendingSerializer(serializers.Serializer):
    order = serializers.UUIDField(read_only=True)
    review_url = serializers.URLField(read_only=True)


# --- errors -------------------------------------------------------------------------------


class ErrorSerializer(serializers.Serializer):
    """DRF's shape for 401/403/404: {"detail": "..."}."""

    detail = serializers.CharField()
    code = serializers.CharField(required=False)


# DRF's 400 body, {"title": ["This field is required."], "non_field_errors": [...]}, is an open
# map of message lists: documented inline (a map type) in views.py as VALIDATION_ERROR_SCHEMA.
