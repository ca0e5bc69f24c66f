from django.urls import include, path
from rest_framework.routers import DefaultRouter

from .views import BookViewSet, OrderViewSet, PaymentCheckView

router = DefaultRouter()
router.register("books", BookViewSet)
router.register("orders", OrderViewSet)

urlpatterns = [
    path("", include(router.urls)),
    path("payments/check/", PaymentCheckView.as_view(), name="payment-check"),
]
