"""The bookshop's starting data: what the tutorial, the e2e test and the benchmark see."""
from datetime import date, datetime, timezone
from decimal import Decimal

from django.db import migrations

AUTHORS = [
    (1, "Frank Herbert", "American science-fiction author."),
    (2, "Jane Austen", None),
    (3, "Stanisław Lem", "Polish writer of science fiction and essays."),
    (4, "Mary Oliver", "American poet."),
]

# id, title, author, genre, price, published, edition, cover, tags, isbn13, isbn10, stock
BOOKS = [
    (1, "Dune", 1, "fiction", "9.99", date(1965, 8, 1), 1, "https://covers.example/dune.jpg", ["sf", "classic"],
     "9780441013593", "0441013597", 12),
    (2, "Emma", 2, "fiction", "5.50", date(1815, 12, 23), "Collector's", None, ["classic"], "9780141439587", None, 5),
    (3, "Solaris", 3, "fiction", "7.25", date(1961, 6, 1), None, "https://covers.example/solaris.jpg", ["sf"],
     None, None, 3),
    (4, "Children of Dune", 1, "fiction", "10.50", date(1976, 4, 1), None, None, ["sf"], "9780593098240", None, 8),
    (5, "Pride and Prejudice", 2, "fiction", "6.00", date(1813, 1, 28), 2, "https://covers.example/pp.jpg",
     ["classic", "romance"], "9780141439518", None, 20),
    (6, "Summa Technologiae", 3, "science", "18.00", date(1964, 1, 1), None, None, ["essays"], None, None, 2),
    (7, "Devotions", 4, "poetry", "16.00", date(2017, 10, 10), None, "https://covers.example/devotions.jpg",
     ["poems"], "9780399563249", None, 7),
    (8, "The Dune Encyclopedia", 1, "nonfiction", "25.00", None, None, None, ["sf", "reference"], None, None, 1),
]

CATEGORIES = [("all", "All books", None), ("fiction", "Fiction", "all"), ("science-fiction", "Science fiction", "fiction"),
              ("classics", "Classics", "fiction"), ("nonfiction", "Non-fiction", "all"), ("poetry", "Poetry", "all")]

# Two demo users; their API tokens are in the README tutorial.
USERS = [("alice", "alice-token"), ("bob", "bob-token")]


def seed(apps, schema_editor):
    Author, Book, Review = apps.get_model("shop", "Author"), apps.get_model("shop", "Book"), apps.get_model("shop", "Review")
    Category, User, ApiToken = apps.get_model("shop", "Category"), apps.get_model("shop", "User"), apps.get_model("shop", "ApiToken")
    for id, name, bio in AUTHORS:
        Author.objects.create(id=id, name=name, bio=bio)
    for n, (id, title, author, genre, price, published, edition, cover, tags, isbn13, isbn10, stock) in enumerate(BOOKS):
        Book.objects.create(
            id=id, title=title, author_id=author, genre=genre, price=Decimal(price), published=published,
            edition_number=edition if isinstance(edition, int) else None,
            edition_name=edition if isinstance(edition, str) else None, cover=cover, tags=tags, isbn13=isbn13,
            isbn10=isbn10, stock=stock, attributes={"pages": 412} if id == 1 else {},
            created_at=datetime(2024, 1, 1 + n, 12, 0, tzinfo=timezone.utc))
    Review.objects.create(book_id=1, rating=5, text="A desert planet, politics and ecology.",
                          created_at=datetime(2024, 2, 1, tzinfo=timezone.utc))
    Review.objects.create(book_id=1, rating=4, text="Slow start, then unputdownable.",
                          created_at=datetime(2024, 2, 2, tzinfo=timezone.utc))
    by_slug = {}
    for slug, name, parent in CATEGORIES:
        by_slug[slug] = Category.objects.create(slug=slug, name=name, parent=by_slug.get(parent))
    for username, key in USERS:
        user = User.objects.create(username=username, password="!")  # unusable password: tokens only
        ApiToken.objects.create(key=key, user=user)


class Migration(migrations.Migration):
    dependencies = [("shop", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
