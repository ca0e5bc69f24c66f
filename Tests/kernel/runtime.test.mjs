// Kernel runtime tests: the hand-written bookshop fixture (shaped like generated code) plus
// Templates/kernel/runtime.ts, compiled with tsc and run against a real HTTP server.
// Run: node --test Tests/kernel/

import assert from "node:assert/strict";
import { createServer } from "node:http";
import { dirname, join } from "node:path";
import { after, before, beforeEach, describe, test } from "node:test";
import { fileURLToPath, pathToFileURL } from "node:url";
import {
  TSC_STRICTER_FLAGS, compileKernel, disposeKernel, startBookshopServer, typecheckKernel,
} from "./harness.mjs";

const FIXTURE = join(dirname(fileURLToPath(import.meta.url)), "fixture");

let server;
let outDir;
let k; // the compiled fixture's index.js module
// Type checks run concurrently with the emit compile; their tests await them.
let strictCheck;
let stricterCheck;

before(async () => {
  strictCheck = typecheckKernel(FIXTURE);
  stricterCheck = typecheckKernel(FIXTURE, TSC_STRICTER_FLAGS);
  strictCheck.catch(() => {});
  stricterCheck.catch(() => {});
  [outDir, server] = await Promise.all([compileKernel(FIXTURE), startBookshopServer()]);
  k = await import(pathToFileURL(join(outDir, "index.js")).href);
});

after(async () => {
  await server?.close();
  if (outDir) await disposeKernel(outDir);
});

beforeEach(() => server?.reset());

/** A kernel on the bookshop server with a hand-driven clock (ms). */
function makeMizan(extra = {}) {
  const clock = { now: 1_000_000 };
  const warnings = [];
  const mizan = k.createMizan({
    baseUrl: server.baseUrl,
    now: () => clock.now,
    onWarning: (message) => warnings.push(message),
    ...extra,
  });
  return { mizan, clock, warnings };
}

async function until(predicate, what, timeoutMs = 2000) {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

async function rejection(promise) {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  assert.fail("expected the promise to reject");
}

describe("tsc", () => {
  test("fixture + runtime pass tsc --strict --noEmit", async () => {
    assert.equal(await strictCheck, "");
  });

  test("fixture + runtime pass --noUncheckedIndexedAccess --exactOptionalPropertyTypes", async () => {
    assert.equal(await stricterCheck, "");
  });
});

describe("queries", () => {
  test("a query returns the parsed body and sends the expected request", async () => {
    const { mizan } = makeMizan({ headers: () => ({ Authorization: "Bearer config", "X-Trace": "1" }) });
    const book = await mizan.books.getBook({ id: 1 }, { headers: { authorization: "Bearer call" } });
    assert.deepEqual(book, { id: 1, title: "Dune", price: "9.99", genre: "sf", published: true });
    const [request] = server.requests;
    assert.equal(request.url, "/api/books/1");
    assert.equal(request.method, "GET");
    assert.equal(request.headers.accept, "application/json");
    assert.equal(request.headers.authorization, "Bearer call"); // per-call headers win, case-insensitively
    assert.equal(request.headers["x-trace"], "1");
    assert.equal(request.headers["content-type"], undefined);
    assert.equal(mizan.kernel.getState("books.get_book", { id: 1 }).status, "success");
  });

  test("a second read is served by the store", async () => {
    const { mizan, clock } = makeMizan();
    const first = await mizan.books.getBook({ id: 1 });
    clock.now += 299_000;
    const second = await mizan.books.getBook({ id: 1 });
    assert.equal(second, first);
    assert.equal(server.count("books.get_book"), 1);
    assert.equal(mizan.kernel.getState("books.get_book", { id: 1 }).isStale, false);
  });

  test("concurrent reads share one request", async () => {
    const { mizan } = makeMizan();
    const results = await Promise.all([1, 2, 3, 4, 5].map(() => mizan.books.listBooks({ genre: "sf" })));
    assert.equal(server.count("books.list_books"), 1);
    assert.ok(results.every((page) => page === results[0]));
    assert.equal(results[0].total, 2);
  });

  test("stale-while-revalidate serves stale data and refreshes once in the background", async () => {
    const { mizan, clock } = makeMizan();
    const key = ["books.get_book", { id: 1 }];
    await mizan.books.getBook({ id: 1 });
    server.books.get(1).title = "Dune (2nd ed.)";

    clock.now += 330_000; // past ttl 300, inside ttl + swr 60
    const [a, b] = await Promise.all([mizan.books.getBook({ id: 1 }), mizan.books.getBook({ id: 1 })]);
    assert.equal(a.title, "Dune");
    assert.equal(b.title, "Dune");
    const during = mizan.kernel.getState(...key);
    assert.equal(during.isStale, true);
    assert.equal(during.isFetching, true);
    await until(() => !mizan.kernel.getState(...key).isFetching, "the background refresh");
    assert.equal(server.count("books.get_book"), 2);
    assert.equal(mizan.kernel.getState(...key).data.title, "Dune (2nd ed.)");
    assert.equal(mizan.kernel.getState(...key).updatedAt, clock.now);

    assert.equal((await mizan.books.getBook({ id: 1 })).title, "Dune (2nd ed.)");
    assert.equal(server.count("books.get_book"), 2);

    clock.now += 361_000; // past ttl + swr: the read waits for a new response
    server.books.get(1).title = "Dune (3rd ed.)";
    assert.equal((await mizan.books.getBook({ id: 1 })).title, "Dune (3rd ed.)");
    assert.equal(server.count("books.get_book"), 3);
  });

  test("cache: false always refetches", async () => {
    const { mizan } = makeMizan();
    const first = await mizan.stats.getStats();
    const second = await mizan.stats.getStats();
    assert.equal(server.count("stats.get_stats"), 2);
    assert.ok(second.requests > first.requests);
    assert.equal(mizan.kernel.getState("stats.get_stats", {}).isStale, true);
  });

  test("fresh: true bypasses the store and updates it", async () => {
    const { mizan } = makeMizan();
    await mizan.books.getBook({ id: 2 });
    server.books.get(2).title = "Emma!";
    assert.equal((await mizan.books.getBook({ id: 2 }, { fresh: true })).title, "Emma!");
    assert.equal((await mizan.books.getBook({ id: 2 })).title, "Emma!");
    assert.equal(server.count("books.get_book"), 2);
  });

  test("an aborted call rejects with TransportError; the shared request still serves the others", async () => {
    const { mizan } = makeMizan();
    server.delayMs = 100;
    const controller = new AbortController();
    const aborted = mizan.books.getBook({ id: 3 }, { signal: controller.signal });
    const kept = mizan.books.getBook({ id: 3 });
    controller.abort();
    const error = await rejection(aborted);
    assert.ok(error instanceof k.TransportError);
    assert.equal(error.client, "books.get_book");
    assert.equal((await kept).title, "Solaris");
    assert.equal(server.count("books.get_book"), 1);
  });
});

describe("invalidation", () => {
  test("a mutation invalidates its affects with mapped params", async () => {
    const { mizan } = makeMizan();
    await mizan.books.getBook({ id: 1 });
    await mizan.books.getBook({ id: 2 });
    await mizan.books.listBooks();
    await mizan.books.listBooks({ genre: "sf", page: 1 });

    const updated = await mizan.books.updateBook({ id: 1, title: "Dune Messiah" });
    assert.equal(updated.title, "Dune Messiah");
    const patch = server.requests.find((r) => r.route === "books.update_book");
    assert.equal(patch.method, "PATCH");
    assert.equal(patch.url, "/api/books/1");
    assert.equal(patch.headers["content-type"], "application/json");
    assert.deepEqual(JSON.parse(patch.body), { title: "Dune Messiah" });

    assert.equal(mizan.kernel.getState("books.get_book", { id: 1 }).isStale, true);
    assert.equal(mizan.kernel.getState("books.get_book", { id: 2 }).isStale, false);
    assert.equal((await mizan.books.getBook({ id: 1 })).title, "Dune Messiah");
    await mizan.books.getBook({ id: 2 });
    assert.equal(server.count("books.get_book"), 3); // id 1 twice, id 2 once
    await mizan.books.listBooks();
    await mizan.books.listBooks({ genre: "sf", page: 1 });
    assert.equal(server.count("books.list_books"), 4); // both pages refetched
  });

  test("X-Mizan-Invalidate from a response invalidates what it names", async () => {
    const { mizan } = makeMizan();
    await mizan.books.getBook({ id: 1 });
    await mizan.books.getBook({ id: 2 });
    await mizan.books.publishBook({ id: 2 }); // responds with: "books.get_book";id=2
    assert.equal(mizan.kernel.getState("books.get_book", { id: 2 }).isStale, true);
    assert.equal(mizan.kernel.getState("books.get_book", { id: 1 }).isStale, false);
    assert.equal((await mizan.books.getBook({ id: 2 })).published, true);
    await mizan.books.getBook({ id: 1 });
    assert.equal(server.count("books.get_book"), 3);
  });

  test("a malformed X-Mizan-Invalidate is ignored and reported through onWarning", async () => {
    const { mizan, warnings } = makeMizan();
    await mizan.books.getBook({ id: 3 });
    server.invalidateHeader = '"books.get_book";id=3,';
    const updated = await mizan.books.updateBook({ id: 2, price: "6.00" });
    assert.equal(updated.price, "6.00");
    assert.equal(warnings.length, 1);
    assert.match(warnings[0], /X-Mizan-Invalidate.*offset 22/);
    assert.equal(mizan.kernel.getState("books.get_book", { id: 3 }).isStale, false);
  });

  test("an answer already in flight when invalidation hits is not stored as fresh", async () => {
    const { mizan } = makeMizan();
    server.delayMs = 80;
    const pending = mizan.books.getBook({ id: 1 });
    await until(() => server.count("books.get_book") === 1, "the request to arrive");
    assert.equal(mizan.kernel.invalidate({ client: "books.get_book", params: { id: 1 } }), 1);
    assert.equal((await pending).title, "Dune"); // its caller still gets the answer
    server.delayMs = 0;
    assert.equal(mizan.kernel.getState("books.get_book", { id: 1 }).isStale, true);
    await mizan.books.getBook({ id: 1 });
    assert.equal(server.count("books.get_book"), 2);
  });

  test("subscribers are notified and active queries refetch at once", async () => {
    const { mizan } = makeMizan();
    const seen = [];
    const unsubscribe = mizan.kernel.subscribe("books.get_book", { id: 1 }, (state) => seen.push(state));
    await mizan.books.getBook({ id: 1 });
    assert.deepEqual(seen.map((s) => [s.status, s.isFetching]), [["loading", true], ["success", false]]);

    seen.length = 0;
    assert.equal(mizan.kernel.invalidate({ client: "books.get_book", params: { id: "1" } }), 1);
    assert.equal(seen[0].isFetching, true);
    assert.equal(seen[0].isStale, true);
    assert.equal(seen[0].data.title, "Dune"); // stale data stays visible while refetching
    await until(() => seen.length === 2, "the refetch");
    assert.equal(seen[1].isFetching, false);
    assert.equal(seen[1].isStale, false);
    assert.equal(server.count("books.get_book"), 2);

    // A mutation's affects reach subscribers too, with no read in between.
    await mizan.books.updateBook({ id: 1, title: "Children of Dune" });
    await until(() => mizan.kernel.getState("books.get_book", { id: 1 }).data.title === "Children of Dune", "refetch after mutation");
    assert.equal(server.count("books.get_book"), 3);

    unsubscribe();
    const count = seen.length;
    mizan.kernel.invalidate({ client: "books.get_book" });
    assert.equal(seen.length, count);
    assert.equal(server.count("books.get_book"), 3); // nobody watches: refetch waits for a read
  });
});

describe("errors", () => {
  test("a 400 becomes a DjangoError narrowed by the generated guard", async () => {
    const { mizan } = makeMizan();
    await mizan.books.getBook({ id: 1 });
    const error = await rejection(mizan.books.updateBook({ id: 1, price: "lots" }));
    assert.ok(error instanceof k.DjangoError);
    assert.ok(k.isDjangoError(error));
    assert.ok(k.isBooksUpdateBookError(error));
    assert.equal(k.isBooksGetBookError(error), false); // declared by another client
    assert.equal(error.client, "books.update_book");
    assert.equal(error.status, 400);
    assert.equal(error.code, "validation_error");
    assert.equal(error.message, "Invalid input.");
    assert.deepEqual(error.fields, { price: ["A valid number is required."] });
    assert.equal(error.detail, null);
    // A failed mutation invalidates nothing.
    assert.equal(mizan.kernel.getState("books.get_book", { id: 1 }).isStale, false);
  });

  test("a 404 becomes DjangoError(404, not_found) and is not cached", async () => {
    const { mizan } = makeMizan();
    const error = await rejection(mizan.books.getBook({ id: 42 }));
    assert.ok(k.isBooksGetBookError(error));
    assert.equal(error.status, 404);
    assert.equal(error.code, "not_found");
    assert.equal(error.message, "No book with id 42.");
    const state = mizan.kernel.getState("books.get_book", { id: 42 });
    assert.equal(state.status, "error");
    assert.equal(state.error, error);
    assert.equal(state.data, undefined);
    await rejection(mizan.books.getBook({ id: 42 }));
    assert.equal(server.count("books.get_book"), 2);
  });

  test("a network failure becomes TransportError", async () => {
    const closed = createServer();
    await new Promise((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const { port } = closed.address();
    await new Promise((resolve) => closed.close(resolve));
    const mizan = k.createMizan({ baseUrl: `http://127.0.0.1:${port}` });
    const error = await rejection(mizan.books.getBook({ id: 1 }));
    assert.ok(error instanceof k.TransportError);
    assert.equal(k.isDjangoError(error), false);
    assert.equal(error.client, "books.get_book");
    assert.ok(error.cause !== undefined);
    assert.equal(mizan.kernel.getState("books.get_book", { id: 1 }).status, "error");
  });

  test("a response without the envelope becomes http_<status>", async () => {
    const transport = async () => ({ status: 502, headers: { get: () => null }, text: async () => "<h1>Bad Gateway</h1>" });
    const mizan = k.createMizan({ baseUrl: "", transport });
    const error = await rejection(mizan.books.getBook({ id: 1 }));
    assert.ok(error instanceof k.DjangoError);
    assert.equal(error.code, "http_502");
    assert.equal(error.status, 502);
    assert.equal(k.isBooksGetBookError(error), false);
  });
});

describe("results and requests", () => {
  test("a branching result arrives as {status, data}", async () => {
    const { mizan } = makeMizan();
    const first = await mizan.books.publishBook({ id: 3 });
    assert.deepEqual(first, { status: 202, data: { job_id: "job-3", status: "queued" } });
    const again = await mizan.books.publishBook({ id: 3 });
    assert.equal(again.status, 200);
    assert.equal(again.data.title, "Solaris");
    const post = server.requests.find((r) => r.route === "books.publish_book");
    assert.equal(post.body, "{}");
  });

  test("request building: sorted query, repeated lists, booleans, JSON body, base URL slash", async () => {
    const sent = [];
    const transport = async (request) => {
      sent.push(request);
      return { status: 204, headers: { get: () => null }, text: async () => "" };
    };
    const spec = {
      name: "t.search", method: "DELETE", path: "/api/{kind}/items",
      params: {
        kind: { in: "path", type: "string", list: false, required: true },
        zeta: { in: "query", type: "bool", list: false, required: false },
        alpha: { in: "query", type: "string", list: true, required: false },
        skip: { in: "query", type: "int", list: false, required: false },
        note: { in: "body", type: "string", list: false, required: false },
      },
      cache: false, branches: null, errors: [],
    };
    const kernel = new k.Kernel({ "t.search": spec }, {}, { baseUrl: "http://x.test/", transport });
    const result = await kernel.call("t.search", { kind: "a b/c", zeta: false, alpha: ["x", "y&z"], skip: undefined, extra: 1 });
    assert.equal(result, undefined);
    assert.equal(sent[0].url, "http://x.test/api/a%20b%2Fc/items?alpha=x&alpha=y%26z&zeta=false");
    assert.equal(sent[0].body, undefined);
    await kernel.call("t.search", { kind: "k", note: null });
    assert.equal(sent[1].body, '{"note":null}');
    assert.equal(sent[1].headers["content-type"], "application/json");
  });
});

describe("canonical params", () => {
  test("equal parameter sets give one key whatever their order or spelling", () => {
    const { clientSpecs, queryKey, keyHash, canonicalParams } = k;
    const getBook = clientSpecs["books.get_book"];
    const listBooks = clientSpecs["books.list_books"];
    assert.equal(keyHash(queryKey(getBook, { id: "5" })), keyHash(queryKey(getBook, { id: 5 })));
    assert.equal(
      keyHash(queryKey(listBooks, { page: 2, genre: "sf" })),
      keyHash(queryKey(listBooks, { genre: "sf", page: "2" })),
    );
    assert.notEqual(keyHash(queryKey(listBooks, { page: 2 })), keyHash(queryKey(listBooks, { page: 3 })));
    assert.deepEqual(queryKey(getBook, { include_reviews: "true", id: "7", junk: 1 }), ["books.get_book", { id: 7, include_reviews: true }]);
    assert.deepEqual(canonicalParams(listBooks, { genre: undefined, page: null }), { page: null });
    assert.deepEqual(
      canonicalParams(listBooks, { genre: "Cafe\u0301" }),
      canonicalParams(listBooks, { genre: "Caf\u00e9" }),
    );
    const json = { name: "t.j", method: "GET", path: "/j", cache: false, branches: null, errors: [],
      params: { filter: { in: "query", type: "json", list: false, required: true },
                tags: { in: "query", type: "string", list: true, required: false } } };
    assert.equal(
      keyHash(queryKey(json, { filter: { b: 1, a: { d: 2, c: 3 } }, tags: "x" })),
      keyHash(queryKey(json, { tags: ["x"], filter: { a: { c: 3, d: 2 }, b: 1 } })),
    );
  });

  test("the kernel keys \"5\" and 5 as one query", async () => {
    const { mizan } = makeMizan();
    await mizan.books.getBook({ id: 1 });
    await mizan.books.getBook({ id: "1" });
    await mizan.kernel.query("books.list_books", { page: "1", genre: "sf" });
    await mizan.kernel.query("books.list_books", { genre: "sf", page: 1 });
    assert.equal(server.count("books.get_book"), 1);
    assert.equal(server.count("books.list_books"), 1);
  });
});

describe("parseInvalidateHeader", () => {
  const valid = [
    ['"books.get_book";id=5, "books.list_books"',
      [{ client: "books.get_book", params: { id: 5 } }, { client: "books.list_books" }]],
    ["books.get_book;id=5", [{ client: "books.get_book", params: { id: 5 } }]],
    ["", []],
    ["   ", []],
    ['  "a.b"  ', [{ client: "a.b" }]],
    ['"a.b"\t,\t"c.d"', [{ client: "a.b" }, { client: "c.d" }]],
    ['"a.b",c.d', [{ client: "a.b" }, { client: "c.d" }]],
    ['"a.b";  id=1', [{ client: "a.b", params: { id: 1 } }]],
    ['"a.b";x=-12;y=3.25;z="s \\"q\\" \\\\";t=tok/x:1;on=?1;off=?0;flag',
      [{ client: "a.b", params: { x: -12, y: 3.25, z: 's "q" \\', t: "tok/x:1", on: true, off: false, flag: true } }]],
    ['"a.b";id=1;id=2', [{ client: "a.b", params: { id: 2 } }]],
    ['"a.b";*k=1;k-2.x_y=2', [{ client: "a.b", params: { "*k": 1, "k-2.x_y": 2 } }]],
    ['"a.b";n=123456789012345;d=123456789012.123', [{ client: "a.b", params: { n: 123456789012345, d: 123456789012.123 } }]],
  ];
  for (const [input, expected] of valid) {
    test(`accepts ${JSON.stringify(input)}`, () => {
      assert.deepEqual(k.parseInvalidateHeader(input), expected);
    });
  }

  const invalid = [
    ['"a.b",', 6, /trailing comma/],
    ['"a.b" "c.d"', 6, /","/],
    ['"a.b" ;id=1', 6, /","/],
    ['"a.b";id =1', 9, /","/],
    ['"a.b";\tid=1', 6, /parameter name/],
    ['"a.b";ID=1', 6, /parameter name/],
    ['"a.b', 4, /unterminated/],
    ['"a\\n"', 2, /escaped/],
    ['"caf\u00e9"', 4, /ASCII/],
    ["5", 0, /client name/],
    ["?1", 0, /client name/],
    ['("a.b" "c.d")', 0, /inner list/],
    ['""', 0, /empty client/],
    ['"a.b";id=1.2345', 9, /fractional/],
    ['"a.b";id=1.', 10, /dot/],
    ['"a.b";id=1234567890123456', 9, /15 digits/],
    ['"a.b";id=-', 10, /digit/],
    ['"a.b";id=?2', 10, /\?0 or \?1/],
    ['"a.b";id=:YQ==:', 9, /byte sequence/],
    ['"a.b";id=', 9, /end of header/],
    ['\t"a.b"', 0, /client name/],
    ['"a.b",,"c.d"', 6, /client name/],
  ];
  for (const [input, offset, problem] of invalid) {
    test(`rejects ${JSON.stringify(input)} at offset ${offset}`, () => {
      assert.throws(() => k.parseInvalidateHeader(input), (error) => {
        assert.ok(error instanceof k.InvalidateHeaderError);
        assert.equal(error.offset, offset, error.message);
        assert.match(error.message, problem);
        assert.match(error.message, new RegExp(`offset ${offset}`));
        return true;
      });
    });
  }
});

describe("SSR", () => {
  test("dehydrate then hydrate into a new kernel serves without a request", async () => {
    const serverSide = makeMizan();
    await serverSide.mizan.books.getBook({ id: 1 });
    await serverSide.mizan.books.listBooks({ genre: "sf" });
    await serverSide.mizan.books.getBook({ id: 2 });
    serverSide.mizan.kernel.invalidate({ client: "books.get_book", params: { id: 2 } });
    const wire = JSON.stringify(serverSide.mizan.store.dehydrate());
    assert.equal(JSON.parse(wire).entries.length, 2); // the invalidated entry stays behind
    assert.equal(server.total(), 3);

    const browser = makeMizan();
    browser.clock.now = serverSide.clock.now + 1_000;
    const seen = [];
    browser.mizan.kernel.subscribe("books.get_book", { id: 1 }, (state) => seen.push(state.status));
    browser.mizan.store.hydrate(JSON.parse(wire));
    assert.deepEqual(seen, ["success"]);
    assert.equal((await browser.mizan.books.getBook({ id: 1 })).title, "Dune");
    assert.equal((await browser.mizan.books.listBooks({ genre: "sf" })).total, 2);
    assert.equal(server.total(), 3);

    browser.mizan.store.hydrate({ version: 2, entries: [] });
    assert.match(browser.warnings.at(-1), /not a dehydrated Mizan state/);
  });
});
