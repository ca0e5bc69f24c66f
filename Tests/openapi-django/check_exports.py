#!/usr/bin/env python3
"""Checks the two exported OpenAPI documents: sound, and still covering what they must.

Usage: check_exports.py DRF_YAML NINJA_JSON

Sound: every local $ref resolves; every discriminator's mapping keys are the strings its
variants' discriminator property admits, and its targets are among the oneOf. (A
PolymorphicProxySerializer given a list of serializers with ChoiceField discriminators maps
`null` to the last variant, with no warning: this catches that.)

Covering: each construct the OpenAPI importer's Django tests rely on is asserted at the
component or path where it is produced, so an edit to the fixture app that loses one fails here
rather than silently thinning the fixtures.
"""
import json
import sys

import yaml


def walk(node, path="#"):
    yield path, node
    if isinstance(node, dict):
        for key, value in node.items():
            yield from walk(value, f"{path}/{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from walk(value, f"{path}/{index}")


def resolve(doc, ref):
    if not ref.startswith("#/"):
        raise AssertionError(f"non-local $ref {ref}")
    node = doc
    for part in ref[2:].split("/"):
        part = part.replace("~1", "/").replace("~0", "~")
        if not isinstance(node, dict) or part not in node:
            raise AssertionError(f"unresolvable $ref {ref}")
        node = node[part]
    return node


def deref(doc, schema):
    while isinstance(schema, dict) and "$ref" in schema:
        schema = resolve(doc, schema["$ref"])
    return schema


def admitted_values(doc, schema):
    """Values a discriminator property admits: enum, const, or through $ref/allOf."""
    schema = deref(doc, schema)
    if "const" in schema:
        return {schema["const"]}
    if "enum" in schema:
        return set(schema["enum"])
    for key in ("allOf", "oneOf", "anyOf"):
        if key in schema:
            return set().union(*(admitted_values(doc, s) for s in schema[key]))
    return set()


def check_sound(name, doc):
    problems = []
    for path, node in walk(doc):
        if not isinstance(node, dict):
            continue
        if isinstance(node.get("$ref"), str):
            try:
                resolve(doc, node["$ref"])
            except AssertionError as error:
                problems.append(f"{path}: {error}")
        disc = node.get("discriminator")
        if isinstance(disc, dict) and "oneOf" in node:
            prop = disc.get("propertyName")
            variants = [v.get("$ref") for v in node["oneOf"]]
            for key, target in (disc.get("mapping") or {}).items():
                if not isinstance(key, str):
                    problems.append(f"{path}: discriminator mapping key {key!r} is not a string")
                    continue
                if target not in variants:
                    problems.append(f"{path}: mapping {key!r} -> {target} is not one of the oneOf")
                    continue
                variant = deref(doc, {"$ref": target})
                prop_schema = variant.get("properties", {}).get(prop)
                if prop_schema is None:
                    problems.append(f"{path}: {target} has no discriminator property {prop!r}")
                elif key not in admitted_values(doc, prop_schema):
                    problems.append(f"{path}: {target}.{prop} does not admit mapping key {key!r}")
    if problems:
        raise SystemExit(f"{name}: unsound document:\n  " + "\n  ".join(problems))


def expect(name, condition, what):
    if not condition:
        raise SystemExit(f"{name}: missing construct: {what}")


def check_drf(doc):
    n = "drf.yaml"
    schemas = doc["components"]["schemas"]
    paths = doc["paths"]
    prop = lambda c, p: schemas[c]["properties"][p]  # noqa: E731
    expect(n, doc["openapi"].startswith("3.0."), "OpenAPI 3.0.x (drf-spectacular's default)")
    # nested: writable (request and response) and read-only list
    expect(n, prop("Book", "author") == {"$ref": "#/components/schemas/Author"}, "Book.author -> Author")
    expect(n, prop("BookRequest", "author") == {"$ref": "#/components/schemas/AuthorRequest"}, "BookRequest.author -> AuthorRequest")
    expect(n, prop("Book", "reviews")["items"] == {"$ref": "#/components/schemas/Review"}, "Book.reviews: list of Review")
    expect(n, prop("Order", "book")["allOf"] == [{"$ref": "#/components/schemas/Book"}], "Order.book: allOf-wrapped read-only Book")
    # nullable and optional
    expect(n, prop("Book", "subtitle").get("nullable") is True, "Book.subtitle nullable")
    expect(n, "subtitle" not in schemas["BookRequest"]["required"], "BookRequest.subtitle optional")
    expect(n, prop("Book", "average_stars").get("nullable") is True, "Book.average_stars nullable")
    # choices
    expect(n, schemas["GenreEnum"]["enum"] == ["fiction", "science", "history"], "GenreEnum")
    expect(n, schemas["StatusEnum"]["type"] == "integer", "StatusEnum (integer enum)")
    expect(n, [s["$ref"].rsplit("/", 1)[1] for s in prop("Book", "format")["oneOf"]] == ["FormatEnum", "BlankEnum", "NullEnum"],
           "Book.format: nullable choice as oneOf FormatEnum | BlankEnum | NullEnum")
    # polymorphic
    for component, suffix in (("Payment", ""), ("PaymentRequest", "Request")):
        mapping = schemas[component]["discriminator"]["mapping"]
        expect(n, schemas[component]["discriminator"]["propertyName"] == "kind", f"{component} discriminated by kind")
        expect(n, mapping == {"card": f"#/components/schemas/CardPayment{suffix}", "bank": f"#/components/schemas/BankPayment{suffix}"},
               f"{component} mapping card/bank")
    expect(n, prop("Order", "payment") == {"$ref": "#/components/schemas/Payment"}, "Order.payment -> Payment")
    expect(n, prop("OrderRequest", "payment") == {"$ref": "#/components/schemas/PaymentRequest"}, "OrderRequest.payment -> PaymentRequest")
    # pagination
    page = paths["/api/books/"]["get"]
    expect(n, page["responses"]["200"]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/PaginatedBookList"},
           "GET /api/books/ -> PaginatedBookList")
    expect(n, {p["name"] for p in page["parameters"]} >= {"page", "page_size"}, "page/page_size query parameters")
    expect(n, schemas["PaginatedBookList"]["properties"]["results"]["items"] == {"$ref": "#/components/schemas/Book"}, "PaginatedBookList.results")
    # file upload
    cover = paths["/api/books/{id}/cover/"]["post"]["requestBody"]["content"]
    expect(n, list(cover) == ["multipart/form-data"], "cover upload is multipart/form-data")
    expect(n, prop("BookCoverRequest", "cover")["format"] == "binary", "BookCoverRequest.cover binary")
    files = prop("AttachmentUploadRequest", "files")
    expect(n, files["type"] == "array" and files["items"]["format"] == "binary", "AttachmentUploadRequest.files: array of binary")
    # read-only / write-only, request/response split
    expect(n, prop("Book", "id").get("readOnly") and "id" not in schemas["BookRequest"]["properties"], "Book.id read-only, absent from BookRequest")
    expect(n, prop("Book", "created_at").get("readOnly"), "Book.created_at read-only")
    expect(n, prop("OrderRequest", "book_id").get("writeOnly") and "book_id" not in schemas["Order"]["properties"], "OrderRequest.book_id write-only")
    # PATCH, DELETE, errors, status branches
    books_id = paths["/api/books/{id}/"]
    expect(n, books_id["patch"]["requestBody"]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/PatchedBookRequest"},
           "PATCH -> PatchedBookRequest")
    expect(n, "required" not in schemas["PatchedBookRequest"], "PatchedBookRequest: nothing required")
    expect(n, set(books_id["delete"]["responses"]) == {"204", "404"}, "DELETE: 204 and 404")
    expect(n, books_id["get"]["responses"]["404"]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Error"}, "404 -> Error")
    bad = books_id["put"]["responses"]["400"]["content"]["application/json"]["schema"]
    expect(n, bad["additionalProperties"]["type"] == "array", "400: map of message lists")
    expect(n, set(paths["/api/orders/{id}/refund/"]["post"]["responses"]) == {"200", "202", "404", "409"}, "refund: 200 | 202 | 404 | 409")


def check_ninja(doc):
    n = "ninja.json"
    schemas = doc["components"]["schemas"]
    paths = doc["paths"]
    prop = lambda c, p: schemas[c]["properties"][p]  # noqa: E731
    null = {"type": "null"}
    expect(n, doc["openapi"].startswith("3.1."), "OpenAPI 3.1.x (django-ninja's)")
    # nested
    expect(n, prop("BookOut", "author") == {"$ref": "#/components/schemas/AuthorOut"}, "BookOut.author -> AuthorOut")
    expect(n, prop("BookIn", "author") == {"$ref": "#/components/schemas/AuthorIn"}, "BookIn.author -> AuthorIn")
    expect(n, prop("OrderOut", "book") == {"$ref": "#/components/schemas/BookOut"}, "OrderOut.book -> BookOut")
    expect(n, set(prop("BookOut", "genre")) == {"$ref", "description"}, "BookOut.genre: $ref with a sibling (3.1)")
    # Optional: nullable (anyOf with null) and required-but-nullable in outputs
    expect(n, null in prop("BookOut", "subtitle")["anyOf"] and "subtitle" in schemas["BookOut"]["required"], "BookOut.subtitle: required, nullable")
    expect(n, null in prop("BookIn", "subtitle")["anyOf"] and "subtitle" not in schemas["BookIn"]["required"], "BookIn.subtitle: optional, nullable")
    expect(n, null in prop("BookPatch", "author")["anyOf"], "BookPatch.author: nullable $ref")
    # choices
    expect(n, schemas["Genre"]["enum"] == ["fiction", "science", "history"], "Genre enum component")
    expect(n, schemas["OrderStatus"]["type"] == "integer", "OrderStatus integer enum")
    expect(n, prop("BookOut", "format")["anyOf"][0]["enum"] == ["hardcover", "paperback", "ebook"], "BookOut.format: nullable Literal")
    expect(n, prop("CardPayment", "kind").get("const") == "card", "CardPayment.kind const")
    # discriminated union: inline in fields and as a whole body
    for where, schema in (
        ("OrderIn.payment", prop("OrderIn", "payment")),
        ("OrderOut.payment", prop("OrderOut", "payment")),
        ("POST /ninja/payments/check body", paths["/ninja/payments/check"]["post"]["requestBody"]["content"]["application/json"]["schema"]),
    ):
        expect(n, schema.get("discriminator", {}).get("propertyName") == "kind" and len(schema["oneOf"]) == 2, f"{where}: oneOf + discriminator")
    # pagination
    listing = paths["/ninja/books/"]["get"]
    expect(n, listing["responses"]["200"]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/PagedBookOut"},
           "GET /ninja/books/ -> PagedBookOut")
    expect(n, {p["name"] for p in listing["parameters"]} >= {"page", "page_size", "genre", "search"}, "paging + filter query parameters")
    # file upload
    cover = paths["/ninja/books/{book_id}/cover"]["post"]["requestBody"]["content"]["multipart/form-data"]["schema"]
    expect(n, cover["properties"]["cover"]["format"] == "binary", "cover upload: binary")
    many = paths["/ninja/orders/{order_id}/attachments"]["post"]["requestBody"]["content"]["multipart/form-data"]["schema"]
    expect(n, many["properties"]["files"]["items"]["format"] == "binary" and many["properties"]["description"]["type"] == "string",
           "attachments: array of binary + form field")
    # path + query
    book = paths["/ninja/books/{book_id}"]
    expect(n, [(p["in"], p["name"]) for p in book["get"]["parameters"]] == [("path", "book_id"), ("query", "include_reviews")],
           "GET /ninja/books/{book_id}: path + query")
    by_author = {p["name"]: p for p in paths["/ninja/books/by-author/{author_id}"]["get"]["parameters"]}
    expect(n, by_author["sort"]["schema"]["enum"] == ["title", "-title", "price", "-price"], "Literal query parameter")
    # read-only, PATCH, DELETE, errors, status branches, auth
    expect(n, prop("BookOut", "average_stars").get("readOnly") is True, "BookOut.average_stars readOnly (computed field)")
    expect(n, "patch" in book and "required" not in schemas["BookPatch"], "PATCH with BookPatch")
    expect(n, set(book["delete"]["responses"]) == {"204", "404"}, "DELETE: 204 and 404")
    expect(n, book["get"]["responses"]["404"]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Error"}, "404 -> Error")
    expect(n, set(paths["/ninja/orders/{order_id}/refund"]["post"]["responses"]) == {"200", "202", "404", "409"}, "refund: 200 | 202 | 404 | 409")
    expect(n, "SessionAuth" in doc["components"]["securitySchemes"], "SessionAuth security scheme")


def main():
    if len(sys.argv) != 3:
        raise SystemExit("usage: check_exports.py DRF_YAML NINJA_JSON")
    with open(sys.argv[1], encoding="utf-8") as f:
        drf = yaml.safe_load(f)
    with open(sys.argv[2], encoding="utf-8") as f:
        ninja = json.load(f)
    for name, doc, check in (("drf.yaml", drf, check_drf), ("ninja.json", ninja, check_ninja)):
        check_sound(name, doc)
        try:
            check(doc)
        except (KeyError, IndexError, TypeError) as error:
            raise SystemExit(f"{name}: missing construct: lookup failed at {error!r}") from None
    print(f"check_exports: drf.yaml (OpenAPI {drf['openapi']}) and ninja.json (OpenAPI {ninja['openapi']}) are sound and complete",
          file=sys.stderr)


if __name__ == "__main__":
    main()
