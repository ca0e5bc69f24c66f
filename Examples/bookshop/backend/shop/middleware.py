"""The backend's own record of what reached it: the end-to-end test and the benchmark compare it
with what `mizan dev` says it served from its cache."""
import os

from django.conf import settings
from django.http import HttpResponse, JsonResponse

DEBUG_PREFIX = "/_debug/"


class RequestLogMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if settings.REQUEST_LOG and not request.path.startswith(DEBUG_PREFIX):
            query = request.META.get("QUERY_STRING", "")
            line = f"{request.method} {request.path}{'?' + query if query else ''}\n"
            # One write to an O_APPEND file per request: whole lines, even from several workers.
            fd = os.open(settings.REQUEST_LOG, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
            try:
                os.write(fd, line.encode())
            finally:
                os.close(fd)
        return self.get_response(request)


def request_log(request):
    """GET /_debug/requests: every logged request line, in order (404 without a log)."""
    if not settings.REQUEST_LOG:
        return HttpResponse(status=404)
    try:
        with open(settings.REQUEST_LOG) as log:
            lines = log.read().splitlines()
    except FileNotFoundError:
        lines = []
    return JsonResponse({"requests": lines})
