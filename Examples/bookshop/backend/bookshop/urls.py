from django.urls import path

import shop.views  # noqa: F401  (registers the @client views)
from mizan_django.urls import urlpatterns as mizan_urlpatterns
from shop import auth, middleware

urlpatterns = [
    *mizan_urlpatterns(),
    path("auth/login", auth.login),
    path("_debug/requests", middleware.request_log),
]
