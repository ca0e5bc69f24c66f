from mizan_django import Cache, client

from ..api_types import Category
from ..models import Category as CategoryRow


@client("catalog.get_categories", "GET", "/api/categories",
        cache=Cache(ttl=3600, stale_while_revalidate=600, context="public", tags=("catalog",)))
def get_categories(request) -> Category:
    """The whole category tree."""
    rows = list(CategoryRow.objects.all())
    children: dict[int | None, list[CategoryRow]] = {}
    for row in rows:
        children.setdefault(row.parent_id, []).append(row)

    def node(row: CategoryRow) -> Category:
        return {"slug": row.slug, "name": row.name, "children": [node(c) for c in children.get(row.id, [])]}

    return node(children[None][0])
