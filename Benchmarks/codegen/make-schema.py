#!/usr/bin/env python3
"""Deterministic generator of realistic synthetic schema-exports for the codegen benchmark.

    make-schema.py --clients 5000 --types 2000 [--seed 1] [--output FILE]

The same arguments always give the same bytes. The document uses every part of the
schema-export v1 format (docs/schema-export.md):

* types: objects of 5-15 fields (primitives, references, recursion, lists, maps, nullables,
  optionals, literals, anonymous unions, non-identifier wire names, docs, deprecations), string,
  int and mixed enums, discriminated and plain unions, aliases of scalars and of structured types;
* clients spread over ~50 namespaces (a few nested), in resources with list/get/create/update/
  replace/delete/action/stats/export clients: GET, POST, PUT, PATCH and DELETE; path, query and body
  params (scalars, enums, aliases, lists, structured bodies); cache policies of every context with
  ttl, stale-while-revalidate and tags; declared errors with and without detail; affects with
  mapped (from path, query and body params), literal and "*" params, within and across
  namespaces; branching returns (by status, with typed and empty branches).

Only the Python standard library is used. The output is meant to pass `mizan schema validate`
with no errors and no warnings; `run.sh` checks that.
"""

import argparse
import json
import random
import sys

NAMESPACES = [
    "accounts", "addresses", "analytics", "articles", "assets", "audit", "authors", "billing",
    "bookings", "campaigns", "carts", "catalog", "comments", "companies", "contacts", "content",
    "coupons", "customers", "deliveries", "devices", "documents", "events", "exports", "feeds",
    "files", "forms", "groups", "imports", "inventory", "invoices", "jobs", "labels", "ledger",
    "locations", "media", "messages", "notifications", "orders", "payments", "pricing",
    "products", "projects", "reports", "reviews", "search", "shipping", "subscriptions", "tasks",
    "teams", "tickets",
]
# A few namespaces are nested (admin.users.*): still ~50 namespaces in all.
NESTED = {"audit": "admin.audit", "groups": "admin.groups", "teams": "admin.teams",
          "ledger": "finance.ledger", "pricing": "finance.pricing"}

NOUNS = [
    "widget", "gadget", "order", "item", "entry", "record", "note", "slot", "batch", "plan",
    "quote", "ticket", "asset", "member", "report", "folder", "badge", "rule", "policy", "route",
    "stage", "shift", "venue", "grant", "claim", "lead", "offer", "track", "album", "photo",
    "sheet", "board", "card", "draft", "build", "probe", "alert", "queue", "level", "title",
]
WORDS = [
    "name", "title", "summary", "status", "kind", "owner", "created_at", "updated_at", "price",
    "total", "count", "score", "rank", "label", "color", "weight", "height", "width", "notes",
    "email", "phone", "url", "slug", "code", "region", "country", "currency", "amount", "balance",
    "quantity", "position", "priority", "due_date", "started_at", "finished_at", "version", "tags",
    "metadata", "attributes", "parent", "children", "items", "lines", "author", "reviewer",
    "settings", "flags", "enabled", "archived", "visible", "locale", "timezone", "rating", "source",
    "target", "reference", "external_id", "checksum", "size", "duration", "progress", "comment",
]
ODD_FIELD_NAMES = ["x-request-id", "@id", "content-type", "2fa_enabled", "$ref", "display name"]
STATUS_WORDS = ["draft", "pending", "active", "paused", "archived", "deleted", "review", "approved",
                "rejected", "shipped", "delivered", "cancelled", "failed", "done", "open", "closed"]
PRIMITIVES = ["string", "int", "float", "bool", "date", "datetime", "uuid", "decimal", "any"]
SCALAR_PRIMS = ["string", "int", "float", "bool", "date", "datetime", "uuid", "decimal"]
ERRORS = [  # status, code, with a detail type?
    (400, "validation_error"), (401, "unauthenticated"), (403, "forbidden"), (404, "not_found"),
    (409, "conflict"), (410, "gone"), (422, "unprocessable"), (429, "rate_limited"),
    (503, "unavailable"),
]
CACHE_TAGS = ["catalog", "users", "billing:invoices", "content/pages", "search-index", "stats.daily"]


class Generator:
    def __init__(self, clients, types, seed):
        self.n_clients = clients
        self.n_types = types
        self.r = random.Random(seed)
        self.types = {}        # name -> declaration (insertion order = output order)
        self.kind = {}         # name -> "object" | "enum-s" | "enum-i" | "enum-m" | "union" | "alias-s" | "alias-x"
        self.scalar_wire = {}  # scalar alias name -> primitive it resolves to
        self.enum_values = {}
        self.objects = []      # object names (all, including variants and pages)
        self.entities = []     # object names reserved as resource entities
        self.clients = {}

    # ---------- types ----------

    def plan_types(self):
        """Decide the name and kind of every type before filling any in, so that object fields
        can refer to any object (forward references and recursion)."""
        m = self.n_types
        n_resources = max(1, self.n_clients // 6)
        counts = {
            "enum": round(m * 0.14),
            "alias": round(m * 0.10),
            "disc": max(1, round(m * 0.035)),   # groups: 1 union + 2-4 variant objects
            "union": round(m * 0.03),
            "page": round(m * 0.05),
            "job": max(1, round(m * 0.01)),
        }
        self.plan = []
        idx = 0

        def new_name(stem):
            nonlocal idx
            idx += 1
            return f"{stem}{idx}"

        # Entities first (every resource gets one; with more resources than entities they share).
        n_entities = min(n_resources, m // 3)
        for _ in range(n_entities):
            noun = self.r.choice(NOUNS).capitalize()
            name = new_name(noun)
            self.plan.append(("object", name))
            self.entities.append(name)
        for _ in range(counts["enum"]):
            self.plan.append(("enum", new_name(self.r.choice(["Status", "Kind", "Level", "Mode", "Tier", "Grade"]))))
        for _ in range(counts["alias"]):
            self.plan.append(("alias", new_name(self.r.choice(["Money", "Slug", "Handle", "Ref", "Stamp", "Ids", "Lookup"]))))
        self.disc_groups = []
        for _ in range(counts["disc"]):
            variants = [new_name(self.r.choice(NOUNS).capitalize() + "Hit") for _ in range(self.r.randint(2, 4))]
            union = new_name("Hit")
            self.disc_groups.append((union, variants))
            for v in variants:
                self.plan.append(("variant", v))
            self.plan.append(("disc", union))
        for _ in range(counts["union"]):
            self.plan.append(("union", new_name("Either")))
        self.pages = []
        for _ in range(counts["page"]):
            name = new_name("Page")
            self.pages.append(name)
            self.plan.append(("page", name))
        self.jobs = []
        for _ in range(counts["job"]):
            name = new_name("Job")
            self.jobs.append(name)
            self.plan.append(("job", name))
        while len(self.plan) < m:
            self.plan.append(("object", new_name(self.r.choice(["Detail", "Info", "Part", "Line", "Spec", "Summary"]))))
        self.plan = self.plan[:m]
        # Objects can be referenced from anywhere; record them before any body is written.
        self.objects = [name for k, name in self.plan if k in ("object", "variant", "page", "job")]
        self.plain_objects = [name for k, name in self.plan if k == "object"]
        self.pages = [p for p in self.pages if p in set(self.objects)]
        self.jobs = [j for j in self.jobs if j in set(self.objects)]

    def doc(self, p=0.3):
        if self.r.random() < p:
            words = self.r.sample(WORDS, self.r.randint(3, 9))
            return " ".join(words).capitalize().replace("_", " ") + "."
        return None

    def field_type(self, depth=0):
        """A type expression for an object field, from the types declared so far (for enums,
        aliases and unions) and all objects."""
        r = self.r.random()
        if r < 0.38:
            return self.r.choice(PRIMITIVES[:-1]) if self.r.random() < 0.95 else "any"
        if r < 0.50 and self.objects:
            return self.r.choice(self.objects)
        if r < 0.58 and self.declared_enums:
            return self.r.choice(self.declared_enums)
        if r < 0.64 and self.declared_aliases:
            return self.r.choice(self.declared_aliases)
        if r < 0.67 and self.declared_unions:
            return self.r.choice(self.declared_unions)
        if depth < 2:
            if r < 0.77:
                return {"list": self.field_type(depth + 1)}
            if r < 0.83:
                return {"map": self.r.choice(["string", "int", "bool", "any", {"list": "string"}] + self.objects[:1])}
            if r < 0.93:
                inner = self.field_type(depth + 1)
                if isinstance(inner, dict) and "nullable" in inner:
                    return inner
                return {"nullable": inner}
            if r < 0.96:
                return {"literal": self.r.choice(["v1", 10, True, False, "fixed"])}
            return {"union": [self.r.choice(["string", "int"]), {"literal": False}]}
        return self.r.choice(SCALAR_PRIMS)

    def object_fields(self, count, fixed=None):
        fields = dict(fixed or {})
        names = self.r.sample(WORDS, min(len(WORDS), count + 2))
        fields.setdefault("id", {"type": self.r.choice(["int", "int", "uuid"])})
        for fname in names:
            if len(fields) >= count:
                break
            if fname in fields:
                continue
            f = {"type": self.field_type()}
            if self.r.random() < 0.2:
                f["optional"] = True
            d = self.doc(0.15)
            if d:
                f["doc"] = d
            if self.r.random() < 0.02:
                f["deprecated"] = self.r.choice([True, "use " + self.r.choice(WORDS)])
            fields[fname] = f
        if self.r.random() < 0.05 and len(fields) < 15:
            fields[self.r.choice(ODD_FIELD_NAMES)] = {"type": "string", "optional": True}
        return fields

    def fill_types(self):
        self.declared_enums = []        # any enum (fields)
        self.string_enums = []          # usable as params
        self.int_enums = []
        self.declared_aliases = []
        self.scalar_aliases = []        # alias resolving to a scalar primitive (usable as params)
        self.declared_unions = []
        variant_of = {v: (u, i) for u, vs in self.disc_groups for i, v in enumerate(vs)}
        disc_literals = {}
        for u, vs in self.disc_groups:
            words = self.r.sample(NOUNS, len(vs))
            for v, w in zip(vs, words):
                disc_literals[v] = w
        for kind, name in self.plan:
            decl = None
            if kind == "enum":
                r = self.r.random()
                if r < 0.75:
                    values = self.r.sample(STATUS_WORDS, self.r.randint(2, 8))
                    self.string_enums.append(name)
                    self.enum_values[name] = values
                elif r < 0.95:
                    values = list(range(1, self.r.randint(3, 7)))
                    self.int_enums.append(name)
                    self.enum_values[name] = values
                else:
                    values = ["auto", 0, 1, "max"]
                decl = {"kind": "enum", "values": values}
                self.declared_enums.append(name)
            elif kind == "alias":
                r = self.r.random()
                if r < 0.6 or not self.objects:
                    prim = self.r.choice(["decimal", "string", "uuid", "datetime", "date", "int"])
                    if self.scalar_aliases and self.r.random() < 0.15:
                        target = self.r.choice(self.scalar_aliases)  # alias of an alias
                        prim = self.scalar_wire[target]
                        decl = {"kind": "alias", "type": target}
                    else:
                        decl = {"kind": "alias", "type": prim}
                    self.scalar_wire[name] = prim
                    self.scalar_aliases.append(name)
                else:
                    obj = self.r.choice(self.objects)
                    decl = {"kind": "alias", "type": self.r.choice([{"list": obj}, {"nullable": obj}, {"map": obj}])}
                self.declared_aliases.append(name)
            elif kind == "disc":
                variants = next(vs for u, vs in self.disc_groups if u == name)
                decl = {"kind": "union", "variants": variants, "discriminator": "kind"}
                self.declared_unions.append(name)
            elif kind == "union":
                pool = self.objects + self.declared_enums + self.declared_unions
                variants = self.r.sample(pool, min(len(pool), self.r.randint(2, 3)))
                if len(variants) < 2:
                    variants = ["int", "string"]
                if self.r.random() < 0.3:
                    variants = variants[:1] + [self.r.choice(["string", "int", {"list": "string"}])]
                decl = {"kind": "union", "variants": variants}
                self.declared_unions.append(name)
            elif kind == "variant":
                fixed = {"kind": {"type": {"literal": disc_literals[name]}}}
                decl = {"kind": "object", "fields": self.object_fields(self.r.randint(3, 8), fixed)}
            elif kind == "page":
                item = self.r.choice(self.entities or self.objects)
                decl = {"kind": "object", "doc": f"One page of {item}.", "fields": {
                    "items": {"type": {"list": item}},
                    "total": {"type": "int", "doc": "Across all pages."},
                    "next_page": {"type": {"nullable": "int"}},
                    "previous_page": {"type": {"nullable": "int"}},
                    "page_size": {"type": "int"},
                }}
            elif kind == "job":
                decl = {"kind": "object", "fields": {
                    "job_id": {"type": "uuid"},
                    "state": {"type": {"literal": "queued"}},
                    "eta_seconds": {"type": {"nullable": "int"}},
                    "queued_at": {"type": "datetime"},
                    "links": {"type": {"map": "string"}, "optional": True},
                }}
            else:  # object
                decl = {"kind": "object", "fields": self.object_fields(self.r.randint(5, 15))}
                if self.r.random() < 0.1:  # recursion
                    decl["fields"]["children"] = {"type": {"list": name}, "optional": True}
            d = self.doc(0.35)
            if d:
                decl = {"kind": decl.pop("kind"), "doc": d, **decl}
            if self.r.random() < 0.01:
                decl["deprecated"] = "superseded"
            self.types[name] = decl

    # ---------- clients ----------

    def scalar_param_type(self, family):
        """A param type for 'int', 'string' or 'any' families: primitives, scalar aliases, enums."""
        r = self.r.random()
        if family == "int":
            if r < 0.8:
                return "int"
            ints = [a for a in self.scalar_aliases if self.scalar_wire[a] == "int"]
            return self.r.choice(ints) if ints else "int"
        if family == "string":
            if r < 0.6:
                return self.r.choice(["string", "uuid", "string"])
            strs = [a for a in self.scalar_aliases if self.scalar_wire[a] in ("string", "uuid")]
            return self.r.choice(strs) if strs else "string"
        # any scalar
        if r < 0.5:
            return self.r.choice(SCALAR_PRIMS)
        if r < 0.7 and self.string_enums:
            return self.r.choice(self.string_enums)
        if r < 0.8 and self.int_enums:
            return self.r.choice(self.int_enums)
        if r < 0.9 and self.scalar_aliases:
            return self.r.choice(self.scalar_aliases)
        return {"list": self.r.choice(["string", "int"] + self.string_enums[:3])}

    def errors(self, base):
        errs = []
        for status, code in base:
            e = {"status": status, "code": code}
            if code == "validation_error" and self.r.random() < 0.5:
                e["detail"] = {"map": {"list": "string"}}
            elif code == "conflict" and self.plain_objects:
                e["detail"] = self.r.choice(self.plain_objects)
            if self.r.random() < 0.2:
                e["doc"] = self.doc(1.0)
            errs.append(e)
        extra = self.r.sample(ERRORS, self.r.randint(0, 2))
        seen = {(e["status"], e["code"]) for e in errs}
        for status, code in extra:
            if (status, code) not in seen:
                seen.add((status, code))
                errs.append({"status": status, "code": code})
        return errs

    def cache(self):
        r = self.r.random()
        if r < 0.2:
            return False
        context = "public" if r < 0.65 else "user" if r < 0.88 else "session"
        c = {"ttl": self.r.choice([0, 5, 30, 60, 300, 3600, 86400])}
        if self.r.random() < 0.5:
            c["stale_while_revalidate"] = self.r.choice([10, 60, 600])
        c["context"] = context
        if self.r.random() < 0.3:
            c["tags"] = self.r.sample(CACHE_TAGS, self.r.randint(1, 2))
        return c

    def body_params(self, entity, optional):
        params = {}
        for fname in self.r.sample(WORDS, self.r.randint(1, 6)):
            p = {"in": "body", "type": self.field_type(1)}
            if optional or self.r.random() < 0.25:
                p["optional"] = True
            params[fname] = p
        if self.r.random() < 0.3:
            params["payload"] = {"in": "body", "type": self.r.choice(self.objects), "optional": optional}
        if self.r.random() < 0.15:
            params["note"] = {"in": "body", "type": {"nullable": "string"}}
        return params

    def make_clients(self):
        n = self.n_clients
        ns_list = [NESTED.get(ns, ns) for ns in NAMESPACES]
        kinds = ["list", "get", "create", "update", "delete", "action", "replace", "stats", "export"]
        made = 0
        res_index = 0
        resources = []  # (ns, rname, entity, info)
        while made < n:
            ns = ns_list[res_index % len(ns_list)]
            noun = self.r.choice(NOUNS)
            rname = f"{noun}_{res_index}"
            entity = self.entities[res_index % len(self.entities)] if self.entities else self.r.choice(self.objects)
            res_index += 1
            count = min(n - made, self.r.randint(4, len(kinds)))
            wanted = kinds[:2] + self.r.sample(kinds[2:], count - 2) if count >= 2 else kinds[:count]
            base = "/api/" + ns.replace(".", "/") + "/" + rname.replace("_", "-")
            id_type = self.scalar_param_type(self.r.choice(["int", "int", "string"]))
            status_enum = self.r.choice(self.string_enums) if self.string_enums and self.r.random() < 0.7 else None
            info = {"ns": ns, "rname": rname, "list": None, "get": None, "id_type": id_type, "status_enum": status_enum}
            resources.append(info)
            for k in kinds:
                if k not in wanted:
                    continue
                cname = f"{ns}.{k}_{rname}"
                c = self.client(k, base, entity, info, resources)
                self.clients[cname] = c
                if k in ("list", "get"):
                    info[k] = cname
                made += 1
                if made >= n:
                    break

    def client(self, k, base, entity, info, resources):
        id_type = info["id_type"]
        status_enum = info["status_enum"]
        c = {}
        if k == "list":
            c = {"method": "GET", "path": base + "/"}
            params = {
                "page": {"in": "query", "type": "int", "optional": True, "doc": "1-based page number."},
                "page_size": {"in": "query", "type": "int", "optional": True},
            }
            if status_enum:
                params["status"] = {"in": "query", "type": status_enum, "optional": True}
            for _ in range(self.r.randint(0, 4)):
                qname = self.r.choice(WORDS)
                if qname not in params:
                    params[qname] = {"in": "query", "type": self.scalar_param_type("any"), "optional": self.r.random() < 0.8}
            if self.r.random() < 0.3:
                params["tags"] = {"in": "query", "type": {"list": "string"}, "optional": True}
            c["params"] = params
            c["returns"] = self.r.choice(self.pages) if self.pages and self.r.random() < 0.4 else {"list": entity}
            c["errors"] = self.errors([])
            c["cache"] = self.cache()
        elif k == "get":
            c = {"method": "GET", "path": base + "/{id}", "params": {"id": {"in": "path", "type": id_type}}}
            if self.r.random() < 0.4:
                c["params"]["expand"] = {"in": "query", "type": "bool", "optional": True}
            c["returns"] = entity
            c["errors"] = self.errors([(404, "not_found")])
            c["cache"] = self.cache()
        elif k == "stats":
            c = {"method": "GET", "path": base + "/stats", "params": {
                "since": {"in": "query", "type": "date"},
                "until": {"in": "query", "type": "date", "optional": True},
            }, "returns": {"map": "float"}}
            c["cache"] = self.cache()
        elif k == "export":
            c = {"method": "GET", "path": base + "/{id}/export.{format}", "params": {
                "id": {"in": "path", "type": id_type},
                "format": {"in": "path", "type": self.r.choice(self.string_enums) if self.string_enums else "string"},
            }, "returns": "string", "errors": self.errors([(404, "not_found")])}
            c["cache"] = self.cache()
        elif k == "create":
            c = {"method": "POST", "path": base + "/", "params": self.body_params(entity, optional=False)}
            if status_enum:
                c["params"]["status"] = {"in": "body", "type": status_enum}
            c["returns"] = entity
            c["errors"] = self.errors([(400, "validation_error"), (409, "conflict")])
        elif k in ("update", "replace"):
            method = "PATCH" if k == "update" else "PUT"
            params = {"id": {"in": "path", "type": id_type}}
            params.update(self.body_params(entity, optional=(k == "update")))
            c = {"method": method, "path": base + "/{id}", "params": params, "returns": entity,
                 "errors": self.errors([(404, "not_found"), (400, "validation_error")])}
        elif k == "delete":
            c = {"method": "DELETE", "path": base + "/{id}", "params": {"id": {"in": "path", "type": id_type}},
                 "returns": None, "errors": self.errors([(404, "not_found"), (403, "forbidden")])}
        elif k == "action":
            verb = self.r.choice(["publish", "approve", "archive", "retry", "sync", "close"])
            c = {"method": "POST", "path": base + "/{id}/" + verb, "params": {
                "id": {"in": "path", "type": id_type},
                "dry_run": {"in": "query", "type": "bool", "optional": True},
            }}
            if self.r.random() < 0.5 and self.jobs:
                c["returns"] = {"branches": [
                    {"status": 200, "type": entity, "doc": "Done at once."},
                    {"status": 202, "type": self.r.choice(self.jobs), "doc": "Queued."},
                ]}
            elif self.r.random() < 0.5:
                c["returns"] = {"branches": [{"status": 200, "type": entity}, {"status": 204, "type": None}]}
            else:
                c["returns"] = self.r.choice(self.declared_unions) if self.declared_unions else entity
            c["errors"] = self.errors([(404, "not_found"), (409, "conflict")])
        # docs and deprecation
        d = self.doc(0.6)
        if d:
            c["doc"] = d
        if self.r.random() < 0.01:
            c["deprecated"] = self.r.choice([True, "use the v2 endpoint"])
        # affects: mutations only
        if c["method"] != "GET":
            affects = []
            if info["get"] and "id" in c["params"] and c["params"]["id"]["in"] == "path":
                affects.append({"client": info["get"], "params": {"id": {"from": "id"}}})
            if info["list"]:
                a = {"client": info["list"]}
                r = self.r.random()
                if r < 0.25:
                    a["params"] = {"page": {"value": 1}}
                elif r < 0.45:
                    a["params"] = {"page": "*", "page_size": "*"}
                elif r < 0.7 and status_enum and c["params"].get("status", {}).get("type") == status_enum:
                    a["params"] = {"status": {"from": "status"}}  # mapped from a body param
                elif r < 0.85 and status_enum:
                    a["params"] = {"status": {"value": self.r.choice(self.enum_values[status_enum])}}
                affects.append(a)
            if self.r.random() < 0.2 and len(resources) > 1:  # cross-resource, often cross-namespace
                other = self.r.choice(resources[:-1])
                if other["list"]:
                    affects.append({"client": other["list"]})
                if other["get"] and "id" in c["params"] and other["id_type"] == id_type and self.r.random() < 0.5:
                    affects.append({"client": other["get"], "params": {"id": {"from": "id"}}})
            if affects:
                c["affects"] = affects
        # drop empty optional keys the way a tidy exporter would
        for key in ("params", "errors"):
            if key in c and not c[key]:
                del c[key]
        return c

    def document(self):
        self.plan_types()
        self.fill_types()
        self.make_clients()
        return {
            "$schema": "../../schema/schema-export.v1.json",
            "format_version": 1,
            "project": f"synthetic-{self.n_clients}",
            "doc": f"Synthetic benchmark API: {self.n_clients} clients, {self.n_types} types.",
            "types": self.types,
            "clients": self.clients,
        }


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--clients", type=int, required=True)
    ap.add_argument("--types", type=int, required=True)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--output", "-o", help="file to write (default: stdout)")
    args = ap.parse_args()
    if args.types < 10 or args.clients < 2:
        ap.error("need at least 10 types and 2 clients")
    doc = Generator(args.clients, args.types, args.seed).document()
    assert len(doc["clients"]) == args.clients, len(doc["clients"])
    assert len(doc["types"]) == args.types, len(doc["types"])
    text = json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
    if args.output:
        with open(args.output, "w", encoding="utf-8") as f:
            f.write(text)
    else:
        sys.stdout.write(text)


if __name__ == "__main__":
    main()
