"""Two ways to be signed in, the two credentials `mizan dev` keys user caches by (first found
wins: `Authorization`, then the `sessionid` cookie): an API token (`Authorization: Bearer KEY`)
for scripts and apps, and Django's session cookie for browsers (POST /auth/login)."""
import json

from django.contrib.auth import login as django_login
from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from .models import ApiToken


def _user_for(key: str):
    token = ApiToken.objects.select_related("user").filter(key=key).first()
    return token.user if token else None


class BearerTokenMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        header = request.headers.get("Authorization", "")
        if header.startswith("Bearer "):
            user = _user_for(header.removeprefix("Bearer ").strip())
            if user is None:
                return JsonResponse({"code": "bad_token", "message": "Unknown API token."}, status=401)
            request.user = user
        return self.get_response(request)


@csrf_exempt  # JSON only; a real site would keep CSRF on its HTML login form.
@require_POST
def login(request):
    """Demo sign-in: {"token": KEY} starts a session for the token's user (Set-Cookie: sessionid)."""
    try:
        key = json.loads(request.body or b"{}").get("token", "")
    except (ValueError, AttributeError):
        key = ""
    user = _user_for(str(key))
    if user is None:
        return JsonResponse({"code": "bad_token", "message": "Unknown API token."}, status=401)
    django_login(request, user)
    return JsonResponse({"user_id": str(user.id), "username": user.username})
