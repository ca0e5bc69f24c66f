from mizan_django import Cache, client

from ..api_types import Session


@client("account.get_session", "GET", "/api/session", cache=Cache(ttl=10, context="session"))
def get_session(request) -> Session:
    user = request.user
    return {"user_id": user.id if user.is_authenticated else None,
            "expires_at": request.session.get_expiry_date(),
            "flags": {"new_checkout": user.is_authenticated, "gift_wrap": False}}
