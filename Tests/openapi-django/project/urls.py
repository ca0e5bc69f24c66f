from django.urls import include, path

from shop.ninja_api import api

urlpatterns = [
    path("api/", include("shop.urls")),
    path("ninja/", api.urls),
]
