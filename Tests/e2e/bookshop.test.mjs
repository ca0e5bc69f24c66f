// The bookshop end to end: the real Django backend (Examples/bookshop/backend), `mizan dev` in
// front of it, and the kernel `mizan codegen` generated from the backend's own export, compiled
// with tsc --strict and run here as a front end would use it. Each step checks the answer, the
// proxy's Cache-Status and the backend's own request log (GET /_debug/requests on Django).
//
// Run through Scripts/bookshop-e2e.sh (make test does), which starts everything and sets
// DJANGO_URL, MIZAN_URL, MIZAN_TOKEN and KERNEL_DIR; without them this file skips.

import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { pathToFileURL } from "node:url";
import { compileKernel, disposeKernel } from "../kernel/harness.mjs";

const { DJANGO_URL, MIZAN_URL, MIZAN_TOKEN, KERNEL_DIR } = process.env;
const skip = !(DJANGO_URL && MIZAN_URL && KERNEL_DIR) && "run through Scripts/bookshop-e2e.sh (needs DJANGO_URL, MIZAN_URL, KERNEL_DIR)";

let k;          // the compiled kernel (index.js)
let outDir;
const exchanges = []; // every request the kernels made: {method, url, status, headers}

before(async () => {
  if (skip) return;
  outDir = await compileKernel(KERNEL_DIR);
  k = await import(pathToFileURL(join(outDir, "index.js")).href);
});
after(async () => { if (outDir) await disposeKernel(outDir); });

/** A front end: its own kernel, talking to `mizan dev`, with the given credential headers. */
function browser(headers = {}) {
  const transport = async (request) => {
    const response = await k.fetchTransport(request);
    exchanges.push({ method: request.method, url: request.url, status: response.status, headers: response.headers });
    return response;
  };
  return k.createMizan({ baseUrl: MIZAN_URL, transport, headers: () => headers });
}

/** Cache-Status of the last request any kernel made. */
const lastCacheStatus = () => exchanges.at(-1).headers.get("cache-status") ?? "";
const lastHeader = (name) => exchanges.at(-1).headers.get(name);

/** Reads through the proxy, never from the kernel's own store, so each call shows what mizan dev did. */
const fresh = { fresh: true };

/** How many times the backend served `line` ("GET /api/books/1"), from its own log. */
async function served(line) {
  const response = await fetch(`${DJANGO_URL}/_debug/requests`);
  assert.equal(response.status, 200, "the backend's request log must be on (BOOKSHOP_REQUEST_LOG)");
  const { requests } = await response.json();
  return requests.filter((entry) => entry === line).length;
}

/** A plain GET through the proxy, as a browser loading a page. */
async function page(path) {
  const response = await fetch(`${MIZAN_URL}${path}`);
  return { status: response.status, cacheStatus: response.headers.get("cache-status") ?? "", html: await response.text(),
           deps: response.headers.get("x-mizan-deps") };
}

/** Signs in through the proxy (a route the manifest does not know: forwarded untouched). */
async function sessionCookie(token) {
  const response = await fetch(`${MIZAN_URL}/auth/login`, { method: "POST", body: JSON.stringify({ token }) });
  assert.equal(response.status, 200);
  const cookie = /sessionid=([^;]+)/.exec(response.headers.get("set-cookie") ?? "");
  assert.ok(cookie, "login sets the sessionid cookie");
  return `sessionid=${cookie[1]}`;
}

const MISS = /fwd=miss; fwd-status=200; stored/;
const HIT = /^mizan; hit/;

test("list, read, read again: the second read is served by mizan dev", { skip }, async () => {
  const shop = browser();
  const list = await shop.books.listBooks({}, fresh);
  assert.equal(list.total, 8);
  assert.deepEqual(list.items.map((book) => book.title).slice(0, 2), ["The Dune Encyclopedia", "Devotions"], "newest first");
  assert.match(lastCacheStatus(), MISS);

  const dune = await shop.books.getBook({ id: 1 }, fresh);
  assert.equal(dune.title, "Dune");
  assert.equal(dune.author.name, "Frank Herbert");
  assert.equal(dune.price, "9.99");
  assert.match(lastCacheStatus(), MISS);

  const again = await shop.books.getBook({ id: 1 }, fresh);
  assert.deepEqual(again, dune);
  assert.match(lastCacheStatus(), HIT);
  assert.equal(await served("GET /api/books/1"), 1, "the second read never reached Django");
  await shop.books.listBooks({}, fresh);
  assert.match(lastCacheStatus(), HIT);
  assert.equal(await served("GET /api/books"), 1);
});

test("an update purges its affected reads and keeps the others; the next read misses, then hits", { skip }, async () => {
  const shop = browser();
  // Warm what the update affects (book 1, the list) and what it does not (book 2, author 1, categories).
  for (const warm of [() => shop.books.getBook({ id: 2 }, fresh), () => shop.authors.getAuthor({ author_id: 1 }, fresh),
                      () => shop.catalog.getCategories(fresh)]) {
    await warm();
    assert.match(lastCacheStatus(), MISS);
  }
  const updated = await shop.books.updateBook({ id: 1, price: "11.00" });
  assert.equal(updated.price, "11.00");
  assert.match(lastCacheStatus(), /fwd=method; fwd-status=200; detail="purged [1-9][0-9]* entries by 3 selectors"/);

  const dune = await shop.books.getBook({ id: 1 }, fresh);
  assert.equal(dune.price, "11.00", "never the stale price");
  assert.match(lastCacheStatus(), MISS);
  assert.equal(await served("GET /api/books/1"), 2);
  await shop.books.getBook({ id: 1 }, fresh);
  assert.match(lastCacheStatus(), HIT);
  assert.equal(await served("GET /api/books/1"), 2);

  const list = await shop.books.listBooks({}, fresh);
  assert.equal(list.items.find((book) => book.id === 1).price, "11.00");
  assert.match(lastCacheStatus(), MISS);

  for (const [read, line] of [[() => shop.books.getBook({ id: 2 }, fresh), "GET /api/books/2"],
                              [() => shop.authors.getAuthor({ author_id: 1 }, fresh), "GET /api/authors/1"],
                              [() => shop.catalog.getCategories(fresh), "GET /api/categories"]]) {
    await read();
    assert.match(lastCacheStatus(), HIT, `${line} is not affected by books.update_book`);
    assert.equal(await served(line), 1, `${line} reached Django once`);
  }
});

test("the HTML page is stored with its X-Mizan-Deps and purged when the book it shows changes", { skip }, async () => {
  const first = await page("/books/5");
  assert.equal(first.status, 200);
  assert.match(first.html, /<h1>Pride and Prejudice<\/h1>/);
  assert.match(first.html, /€6\.00/);
  assert.equal(first.deps, '"books.get_book";id=5, "authors.get_author";author_id=2');
  assert.match(first.cacheStatus, MISS);
  assert.match((await page("/books/5")).cacheStatus, HIT);
  assert.match((await page("/books/7")).cacheStatus, MISS);

  await browser().books.updateBook({ id: 5, price: "7.50" });
  const after = await page("/books/5");
  assert.match(after.cacheStatus, MISS, "the page went with books.get_book id=5");
  assert.match(after.html, /€7\.50/);
  assert.match((await page("/books/5")).cacheStatus, HIT);
  assert.match((await page("/books/7")).cacheStatus, HIT, "a page showing another book stays");
  assert.equal(await served("GET /books/5"), 2);
  assert.equal(await served("GET /books/7"), 1);
});

test("a view that emits X-Mizan-Invalidate purges what the static graph cannot name", { skip }, async () => {
  const shop = browser();
  // Austen's books show her name; Herbert's do not.
  for (const id of [2, 4, 5]) await shop.books.getBook({ id }, fresh);
  assert.match((await page("/books/2")).cacheStatus, MISS);
  const herbertBefore = await served("GET /api/books/4");

  const author = await shop.authors.updateAuthor({ author_id: 2, name: "J. Austen", bio: null });
  assert.equal(author.name, "J. Austen");
  assert.equal(lastHeader("x-mizan-invalidate"), '"books.get_book";id=2, "books.get_book";id=5');
  assert.match(lastCacheStatus(), /fwd=method; fwd-status=200; detail="purged [1-9][0-9]* entries by 4 selectors"/);

  for (const id of [2, 5]) {
    const book = await shop.books.getBook({ id }, fresh);
    assert.equal(book.author.name, "J. Austen");
    assert.match(lastCacheStatus(), MISS);
  }
  await shop.books.getBook({ id: 4 }, fresh);
  assert.match(lastCacheStatus(), HIT, "Herbert's book keeps its entry");
  assert.equal(await served("GET /api/books/4"), herbertBefore);
  const austenPage = await page("/books/2");
  assert.match(austenPage.cacheStatus, MISS, "the page depended on books.get_book id=2");
  assert.match(austenPage.html, /J\. Austen/);
});

test("two users' carts are never mixed: a session cookie and a bearer token", { skip }, async () => {
  const alice = browser({ Cookie: await sessionCookie("alice-token") });
  const bob = browser({ Authorization: "Bearer bob-token" });
  await alice.cart.addItem({ book_id: 1, quantity: 2 });
  await bob.cart.addItem({ book_id: 3, quantity: 1 });

  const aliceCart = await alice.cart.getCart(fresh);
  assert.deepEqual(aliceCart.items.map((item) => [item.book.title, item.quantity]), [["Dune", 2]]);
  assert.equal(aliceCart.total, "22.00");
  assert.match(lastCacheStatus(), MISS);
  const bobCart = await bob.cart.getCart(fresh);
  assert.deepEqual(bobCart.items.map((item) => [item.book.title, item.quantity]), [["Solaris", 1]]);
  assert.match(lastCacheStatus(), MISS, "bob never gets alice's entry");
  assert.deepEqual(await alice.cart.getCart(fresh), aliceCart);
  assert.match(lastCacheStatus(), HIT);
  assert.deepEqual(await bob.cart.getCart(fresh), bobCart);
  assert.match(lastCacheStatus(), HIT);
  assert.equal(await served("GET /api/cart"), 2);

  // Alice's change purges her cart only.
  await alice.cart.addItem({ book_id: 7, quantity: 1 });
  assert.equal((await alice.cart.getCart(fresh)).items.length, 2);
  assert.match(lastCacheStatus(), MISS);
  assert.deepEqual(await bob.cart.getCart(fresh), bobCart);
  assert.match(lastCacheStatus(), HIT);

  // No credential: neither served from nor stored in the cache.
  await assert.rejects(browser().cart.getCart(fresh), (error) => {
    assert.ok(k.isDjangoError(error));
    assert.equal(error.status, 401);
    assert.equal(error.code, "not_authenticated");
    return true;
  });
  assert.match(lastCacheStatus(), /fwd=bypass/);

  // The session cache is per session: bob signed in with a cookie has another one.
  const aliceSession = await alice.account.getSession(fresh);
  assert.match(lastCacheStatus(), MISS);
  assert.deepEqual(await alice.account.getSession(fresh), aliceSession);
  assert.match(lastCacheStatus(), HIT);
  const bobSession = await browser({ Cookie: await sessionCookie("bob-token") }).account.getSession(fresh);
  assert.match(lastCacheStatus(), MISS);
  assert.notEqual(bobSession.user_id, aliceSession.user_id);
  assert.equal(await served("GET /api/session"), 2);
});

test("a validation error arrives as a typed DjangoError with field errors, and nothing is purged", { skip }, async () => {
  const shop = browser();
  await shop.books.getBook({ id: 3 }, fresh);
  await assert.rejects(shop.books.updateBook({ id: 3, title: " ", price: "-2" }), (error) => {
    assert.ok(error instanceof k.DjangoError);
    assert.ok(k.isBooksUpdateBookError(error), "a declared error of books.update_book");
    assert.equal(error.status, 400);
    assert.equal(error.code, "validation_error");
    assert.deepEqual(error.fields, { title: ["This field may not be blank."],
                                     price: ["Must be a positive amount with at most two decimals."] });
    return true;
  });
  assert.match(lastCacheStatus(), /fwd=method; fwd-status=400/);
  await shop.books.getBook({ id: 3 }, fresh);
  assert.match(lastCacheStatus(), HIT, "a failed mutation purges nothing");

  const alice = browser({ Authorization: "Bearer alice-token" });
  await assert.rejects(alice.cart.addItem({ book_id: 6, quantity: 3 }), (error) => {
    assert.ok(k.isCartAddItemError(error));
    assert.equal(error.code, "out_of_stock");
    assert.deepEqual(error.detail, { available: 2 });
    return true;
  });
});

test("a cache: false endpoint is never stored", { skip }, async () => {
  const shop = browser();
  const before = await served("GET /api/stats");
  for (let i = 0; i < 3; i++) {
    const stats = await shop.stats.getStats(fresh);
    assert.equal(stats.books, 8);
    assert.match(lastCacheStatus(), /fwd=bypass; fwd-status=200; detail="not-cacheable"/);
    assert.equal(lastHeader("cache-control"), "no-store");
  }
  assert.equal(await served("GET /api/stats") - before, 3);
});

test("mizan dev's counters agree with the backend's own log", { skip: skip || !MIZAN_TOKEN }, async () => {
  const response = await fetch(`${MIZAN_URL}/_mizan/stats`, { headers: { Authorization: `Bearer ${MIZAN_TOKEN}` } });
  assert.equal(response.status, 200);
  const stats = await response.json();
  const { requests } = await (await fetch(`${DJANGO_URL}/_debug/requests`)).json();
  assert.equal(stats.upstream_requests, requests.length, "every request Django served came through mizan dev, and no more");
  assert.equal(stats.requests - stats.hits, requests.length, "everything else was a hit");
  assert.ok(stats.hits >= 15, `hits: ${stats.hits}`);
  assert.ok(stats.per_client["pages.book_page"] >= 2);
  assert.equal((await fetch(`${MIZAN_URL}/_mizan/stats`)).status, 401, "the management API needs the token");
});
