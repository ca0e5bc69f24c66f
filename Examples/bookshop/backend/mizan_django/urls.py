"""URL patterns for every registered client: one Django route per path template, dispatching on
the method, so each client answers exactly at the path its schema-export names."""
from django.http import HttpResponse
from django.urls import path as django_path
from django.views.decorators.csrf import csrf_exempt

from .client import PLACEHOLDER, REGISTRY


def urlpatterns():
    routes: dict[str, dict[str, object]] = {}
    for info in REGISTRY.values():
        routes.setdefault(info.path, {})[info.method] = info.view.mizan_handler  # type: ignore[attr-defined]
    return [django_path(PLACEHOLDER.sub(r"<\1>", template.lstrip("/")), _dispatch(methods))
            for template, methods in routes.items()]


def _dispatch(methods):
    @csrf_exempt
    def view(request, **kwargs):
        handler = methods.get(request.method)
        if handler is None:
            response = HttpResponse(
                '{"code": "method_not_allowed", "message": "%s is not allowed here."}' % request.method,
                status=405, content_type="application/json")
            response["Allow"] = ", ".join(methods)
            return response
        return handler(request, **kwargs)
    return view
