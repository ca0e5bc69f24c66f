"""The bookshop's clients. Imported in this order, they appear in the schema-export in this order."""
from . import books, authors, search, cart, account, orders, catalog, stats, pages  # noqa: F401
