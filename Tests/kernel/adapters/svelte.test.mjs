// The generated Svelte adapter over the generated bookshop kernel, against a real HTTP server on
// loopback. Debian has no Svelte: the adapter is compiled with tsc --strict against the minimal
// declarations in ./shims/svelte (setContext/getContext, run by the stand-in beside them). Its
// stores need nothing else from Svelte, since they implement the store contract themselves, so
// the stores here are the ones a Svelte app subscribes to. Run: node --test Tests/kernel/

import assert from "node:assert/strict";
import { after, before, beforeEach, test } from "node:test";
import { startBookshopServer } from "../harness.mjs";
import { buildAdapter, hits, until } from "./support.mjs";

let project;
let server;
let svelte;
let k;
let adapter;

before(async () => {
  project = await buildAdapter("svelte", ["svelte-usage.ts"]);
  server = await startBookshopServer();
  svelte = await project.load("../node_modules/svelte/index.js");
  k = await project.load("index.js");
  adapter = await project.load("svelte.js");
});

after(async () => {
  await server?.close();
  await project?.dispose();
});

beforeEach(() => server?.reset());

/** Subscribes as `$store` does; returns the values seen and the unsubscribe. */
function watch(store) {
  const values = [];
  const stop = store.subscribe((value) => values.push(value));
  return { values, last: () => values.at(-1), stop };
}

test("the Svelte adapter passes tsc --strict against the minimal Svelte declarations, and stricter flags", async () => {
  assert.equal(await project.stricter(), "");
});

test("a query store goes from loading to data, and a typed error arrives in the store", async () => {
  const { getBook } = adapter.mizanStores(k.createMizan({ baseUrl: server.baseUrl }));
  const book = watch(getBook({ id: 1 }));
  assert.equal(book.values[0].isLoading, true, "the store contract: a value at once");
  await until(() => book.last().data !== undefined, "the book");
  assert.equal(book.last().data.title, "Dune");
  assert.equal(book.last().isLoading, false);
  const missing = watch(getBook({ id: 99 }));
  await until(() => missing.last().error !== undefined, "the error");
  assert.equal(missing.last().error.status, 404);
  assert.equal(k.isBooksGetBookError(missing.last().error), true);
  book.stop();
  missing.stop();
  // A store only works while subscribed: no subscriber, no request.
  getBook({ id: 3 });
  await new Promise((resolve) => setTimeout(resolve, 20));
  assert.equal(hits(server, "/api/books/3"), 0);
});

test("a mutation store refetches the subscribed queries it affects, and only those", async () => {
  const mizan = k.createMizan({ baseUrl: server.baseUrl });
  const { getBook, listBooks, updateBook } = adapter.mizanStores(mizan);
  const one = watch(getBook({ id: 1 }));
  const two = watch(getBook({ id: 2 }));
  const list = watch(listBooks());
  await until(() => one.last().data && two.last().data && list.last().data, "the three queries");
  const update = updateBook();
  const progress = watch(update);
  assert.equal(progress.last().status, "idle");
  await update.mutateAsync({ id: 1, title: "Dune Messiah" });
  assert.deepEqual(progress.values.map((value) => value.status), ["idle", "pending", "success"]);
  await until(() => one.last().data.title === "Dune Messiah" && !list.last().isFetching, "the refetch");
  assert.equal(hits(server, "/api/books/1"), 2);
  assert.equal(hits(server, "/api/books"), 2);
  assert.equal(hits(server, "/api/books/2"), 1, "not affected: not refetched");
  update.mutate({ id: 1, title: "" });
  await until(() => progress.last().status === "error", "the validation error");
  assert.equal(progress.last().error.code, "validation_error");
  for (const store of [one, two, list, progress]) store.stop();
});

test("setMizan and getMizan pass one kernel down component context", async () => {
  const mizan = k.createMizan({ baseUrl: server.baseUrl });
  const stores = svelte.__component(() => {
    adapter.setMizan(mizan);
    return svelte.__component(() => adapter.mizanStores());
  });
  const book = watch(stores.getBook({ id: 2 }));
  await until(() => book.last().data !== undefined, "the book");
  assert.equal(mizan.kernel.getState("books.get_book", { id: 2 }).data.title, "Emma", "the child used the parent's kernel");
  book.stop();
  assert.throws(() => svelte.__component(() => adapter.getMizan()), /setMizan/);
});

test("SSR: a hydrated kernel answers the store at once and sends nothing", async () => {
  const onServer = k.createMizan({ baseUrl: server.baseUrl });
  await onServer.kernel.prefetch("books.list_books", {});
  const inBrowser = k.createMizan({ baseUrl: server.baseUrl });
  inBrowser.kernel.hydrate(onServer.kernel.serialize());
  const list = watch(adapter.mizanStores(inBrowser).listBooks());
  assert.equal(list.values[0].data.total, 3, "the first value already holds the server's data");
  await new Promise((resolve) => setTimeout(resolve, 20));
  assert.equal(server.total(), 1, "no second request");
  list.stop();
});
