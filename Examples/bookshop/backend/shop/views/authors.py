from mizan_django import Affects, ApiError, Cache, Error, From, ValidationFailed, client, invalidate

from .. import serialize
from ..api_types import Author
from ..models import Author as AuthorRow


def find(author_id: int) -> AuthorRow:
    try:
        return AuthorRow.objects.get(pk=author_id)
    except AuthorRow.DoesNotExist:
        raise ApiError(404, "not_found", f"No author with id {author_id}.") from None


@client("authors.get_author", "GET", "/api/authors/{author_id}", cache=Cache(ttl=600, context="public"),
        errors=[Error(404, "not_found")])
def get_author(request, author_id: int) -> Author:
    return serialize.author(find(author_id))


@client("authors.update_author", "PUT", "/api/authors/{author_id}",
        errors=[Error(404, "not_found"), Error(400, "validation_error")],
        affects=[Affects("authors.get_author", author_id=From("author_id")), Affects("search.search")])
def update_author(request, author_id: int, name: str, bio: str | None) -> Author:
    """Replace an author's name and biography."""
    row = find(author_id)
    if not name.strip():
        raise ValidationFailed({"name": ["This field may not be blank."]})
    row.name, row.bio = name.strip(), bio
    row.save()
    # Every book of this author shows the name: which books that is, only the data knows, so the
    # static graph (affects) cannot say it; the response names them in X-Mizan-Invalidate.
    for book_id in row.books.order_by("id").values_list("id", flat=True):
        invalidate(request, "books.get_book", id=book_id)
    return serialize.author(row)
