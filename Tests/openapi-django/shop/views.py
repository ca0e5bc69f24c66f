"""DRF viewsets documented with drf-spectacular.

Pagination (BookViewSet.list), multipart uploads (BookViewSet.cover: one file;
OrderViewSet.attachments: several), PATCH and DELETE, documented 400/404 responses, a response
that branches on status code (OrderViewSet.refund: 200 or 202) and a polymorphic request and
response body (PaymentCheckView).
"""
from django.db.models import Q
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.pagination import PageNumberPagination
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from .models import Attachment, Book, Genre, Order, OrderStatus
from .serializers import (
    PAYMENT_SERIALIZERS,
    AttachmentSerializer,
    AttachmentUploadSerializer,
    BookCoverSerializer,
    BookSerializer,
    ErrorSerializer,
    OrderSerializer,
    PaymentSchema,
    RefundPendingSerializer,
    RefundSerializer,
)

VALIDATION_ERROR_SCHEMA = {
    "type": "object",
    "description": "Field name (or non_field_errors) to the list of its error messages.",
    "additionalProperties": {"type": "array", "items": {"type": "string"}},
}
BAD_REQUEST = OpenApiResponse(response=VALIDATION_ERROR_SCHEMA, description="Invalid input.")
NOT_FOUND = OpenApiResponse(response=ErrorSerializer, description="No such object.")


class BookPagination(PageNumberPagination):
    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 100


@extend_schema_view(
    list=extend_schema(
        summary="List books, a page at a time",
        parameters=[
            OpenApiParameter("genre", enum=[g.value for g in Genre], description="Only books of this genre."),
            OpenApiParameter("search", OpenApiTypes.STR, description="Words in the title."),
        ],
    ),
    create=extend_schema(responses={201: BookSerializer, 400: BAD_REQUEST}),
    retrieve=extend_schema(responses={200: BookSerializer, 404: NOT_FOUND}),
    update=extend_schema(responses={200: BookSerializer, 400: BAD_REQUEST, 404: NOT_FOUND}),
    partial_update=extend_schema(responses={200: BookSerializer, 400: BAD_REQUEST, 404: NOT_FOUND}),
    destroy=extend_schema(responses={204: None, 404: NOT_FOUND}),
)
class BookViewSet(viewsets.ModelViewSet):
    queryset = Book.objects.select_related("author").prefetch_related("reviews").order_by("id")
    serializer_class = BookSerializer
    pagination_class = BookPagination

    def get_queryset(self):
        queryset = super().get_queryset()
        if genre := self.request.query_params.get("genre"):
            queryset = queryset.filter(genre=genre)
        if search := self.request.query_params.get("search"):
            queryset = queryset.filter(Q(title__icontains=search) | Q(subtitle__icontains=search))
        return queryset

    @extend_schema(
        summary="Upload a cover image",
        request=BookCoverSerializer,
        responses={200: BookSerializer, 400: BAD_REQUEST, 404: NOT_FOUND},
    )
    @action(detail=True, methods=["post"], parser_classes=[MultiPartParser], serializer_class=BookCoverSerializer)
    def cover(self, request, pk=None):
        book = self.get_object()
        serializer = BookCoverSerializer(book, data=request.data)
        serializer.is_valid(raise_exception=True)
        serializer.save()
        return Response(BookSerializer(book, context=self.get_serializer_context()).data)


@extend_schema_view(
    list=extend_schema(summary="Every order (not paginated)"),
    create=extend_schema(responses={201: OrderSerializer, 400: BAD_REQUEST}),
    retrieve=extend_schema(responses={200: OrderSerializer, 404: NOT_FOUND}),
)
class OrderViewSet(mixins.ListModelMixin, mixins.CreateModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    queryset = Order.objects.select_related("book__author").order_by("-created_at")
    serializer_class = OrderSerializer

    @extend_schema(
        summary="Attach files to an order",
        request=AttachmentUploadSerializer,
        responses={201: AttachmentSerializer(many=True), 400: BAD_REQUEST, 404: NOT_FOUND},
    )
    @action(detail=True, methods=["post"], parser_classes=[MultiPartParser], serializer_class=AttachmentUploadSerializer)
    def attachments(self, request, pk=None):
        order = self.get_object()
        upload = AttachmentUploadSerializer(data=request.data)
        upload.is_valid(raise_exception=True)
        created = [
            Attachment.objects.create(order=order, file=f, description=upload.validated_data.get("description", ""))
            for f in upload.validated_data["files"]
        ]
        return Response(AttachmentSerializer(created, many=True).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Refund an order: done at once (200) or queued for review (202)",
        request=None,
        responses={
            200: RefundSerializer,
            202: RefundPendingSerializer,
            404: NOT_FOUND,
            409: OpenApiResponse(response=ErrorSerializer, description="Not paid, or already refunded."),
        },
    )
    @action(detail=True, methods=["post"])
    def refund(self, request, pk=None):
        order = self.get_object()
        if order.status != OrderStatus.PAID:
            return Response({"detail": "Order is not paid.", "code": "not_paid"}, status=status.HTTP_409_CONFLICT)
        return Response({"order": str(order.id), "review_url": f"/refunds/{order.id}/"}, status=status.HTTP_202_ACCEPTED)


class PaymentCheckView(APIView):
    """Validates a payment without placing an order."""

    @extend_schema(
        operation_id="payments_check",
        summary="Check a payment (card or bank transfer)",
        request=PaymentSchema,
        responses={200: PaymentSchema, 400: BAD_REQUEST},
    )
    def post(self, request):
        kind = request.data.get("kind") if isinstance(request.data, dict) else None
        if kind not in PAYMENT_SERIALIZERS:
            return Response({"kind": ['Expected "card" or "bank".']}, status=status.HTTP_400_BAD_REQUEST)
        serializer = PAYMENT_SERIALIZERS[kind](data=request.data)
        serializer.is_valid(raise_exception=True)
        return Response(serializer.data)
