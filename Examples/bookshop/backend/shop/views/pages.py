from django.http import HttpResponse
from django.template.loader import render_to_string

from mizan_django import Cache, client, structured_field_list

from .books import find


@client("pages.book_page", "GET", "/books/{id}", cache=Cache(ttl=300, context="public"))
def book_page(request, id: int) -> HttpResponse:
    """The book's HTML page, rendered on the server; X-Mizan-Deps names the data it shows."""
    book = find(id)
    # Rendered without the request: no context processor reads the session or the user, so the
    # page is the same for everyone (a public entry) and Django adds no `Vary: Cookie`.
    response = HttpResponse(render_to_string("shop/book_page.html", {"book": book}))
    # Purging either of these (books.update_book, authors.update_author, ...) purges this page.
    response["X-Mizan-Deps"] = structured_field_list([("books.get_book", {"id": book.id}),
                                                      ("authors.get_author", {"author_id": book.author_id})])
    return response
