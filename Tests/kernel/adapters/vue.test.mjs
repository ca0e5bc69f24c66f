// The generated Vue 3 adapter over the generated bookshop kernel, against a real HTTP server on
// loopback. Debian has no Vue 3: the adapter is compiled with tsc --strict against the minimal
// Vue declarations in ./shims/vue, and its composables run on the small stand-ins beside them
// (refs, watch, provide/inject, effect scopes). This tests the composables' logic over the real
// kernel, not Vue itself. Run: node --test Tests/kernel/

import assert from "node:assert/strict";
import { after, before, beforeEach, test } from "node:test";
import { startBookshopServer } from "../harness.mjs";
import { buildAdapter, hits, until } from "./support.mjs";

let project;
let server;
let vue;
let k;
let adapter;

before(async () => {
  project = await buildAdapter("vue", ["vue-usage.ts"]);
  server = await startBookshopServer();
  vue = await project.load("../node_modules/vue/index.js");
  k = await project.load("index.js");
  adapter = await project.load("vue.js");
});

after(async () => {
  await server?.close();
  await project?.dispose();
});

beforeEach(() => server?.reset());

/** Runs `setup` as a component of an app using the plugin; returns its result and the scope. */
function mount(plugin, setup) {
  const app = vue.createApp({}).use(plugin);
  const scope = vue.effectScope();
  const result = app.runWithContext(() => scope.run(setup));
  return { result, stop: () => scope.stop() };
}

test("the Vue adapter passes tsc --strict against the minimal Vue declarations, and stricter flags", async () => {
  assert.equal(await project.stricter(), "");
});

test("useMizan refs go from loading to data; a typed error arrives as a ref", async () => {
  const plugin = adapter.createMizanPlugin({ baseUrl: server.baseUrl });
  const { result: book, stop } = mount(plugin, () => adapter.useGetBook({ id: 1 }));
  assert.equal(book.isLoading.value, true);
  await until(() => book.data.value !== undefined, "the book");
  assert.equal(book.data.value.title, "Dune");
  assert.equal(book.isLoading.value, false);
  assert.equal(book.status.value, "success");

  const { result: missing, stop: stopMissing } = mount(plugin, () => adapter.useGetBook({ id: 99 }));
  await until(() => missing.error.value !== undefined, "the error");
  assert.equal(missing.error.value.status, 404);
  assert.equal(missing.error.value.code, "not_found");
  assert.equal(k.isBooksGetBookError(missing.error.value), true);
  assert.equal(missing.isLoading.value, false);
  stop();
  stopMissing();
});

test("parameters as a ref or getter: a new key queries again, an equal one does not", async () => {
  const plugin = adapter.createMizanPlugin({ baseUrl: server.baseUrl });
  const id = vue.ref(1);
  const { result: book, stop } = mount(plugin, () => adapter.useGetBook(() => ({ id: id.value })));
  await until(() => book.data.value?.title === "Dune", "book 1");
  id.value = 2;
  await until(() => book.data.value?.title === "Emma", "book 2");
  assert.deepEqual([hits(server, "/api/books/1"), hits(server, "/api/books/2")], [1, 1]);
  id.value = 1; // back to a fresh entry: the store answers
  await until(() => book.data.value?.title === "Dune", "book 1 again");
  assert.equal(hits(server, "/api/books/1"), 1);
  stop();
  // After the scope ends, the composable no longer follows its parameters.
  id.value = 3;
  await vue.nextTick();
  await new Promise((resolve) => setTimeout(resolve, 10));
  assert.equal(hits(server, "/api/books/3"), 0);
});

test("enabled as a ref: nothing is sent until it turns true", async () => {
  const plugin = adapter.createMizanPlugin({ baseUrl: server.baseUrl });
  const ready = vue.ref(false);
  const { result: book, stop } = mount(plugin, () => adapter.useGetBook({ id: 3 }, { enabled: ready }));
  await new Promise((resolve) => setTimeout(resolve, 20));
  assert.equal(hits(server, "/api/books/3"), 0);
  assert.equal(book.isLoading.value, false);
  ready.value = true;
  await until(() => book.data.value?.title === "Solaris", "the enabled query");
  assert.equal(hits(server, "/api/books/3"), 1);
  stop();
});

test("a mutation refetches the queries it affects and leaves the others alone", async () => {
  const plugin = adapter.createMizanPlugin({ baseUrl: server.baseUrl });
  const { result, stop } = mount(plugin, () => ({
    one: adapter.useGetBook({ id: 1 }),
    two: adapter.useGetBook({ id: 2 }),
    list: adapter.useListBooks(),
    update: adapter.useUpdateBook(),
  }));
  await until(() => result.one.data.value && result.two.data.value && result.list.data.value, "the three queries");
  const data = await result.update.mutateAsync({ id: 1, title: "Dune Messiah" });
  assert.equal(data.title, "Dune Messiah");
  assert.equal(result.update.status.value, "success");
  await until(() => result.one.data.value.title === "Dune Messiah" && !result.list.isFetching.value, "the refetch");
  assert.equal(hits(server, "/api/books/1"), 2, "affected: refetched");
  assert.equal(hits(server, "/api/books"), 2, "affected: refetched");
  assert.equal(hits(server, "/api/books/2"), 1, "not affected: not refetched");

  result.update.mutate({ id: 1, price: "abc" });
  assert.equal(result.update.isPending.value, true);
  await until(() => result.update.status.value === "error", "the validation error");
  assert.equal(result.update.error.value.code, "validation_error");
  assert.equal(k.isBooksUpdateBookError(result.update.error.value), true);
  stop();
});

test("SSR: a server kernel's state hydrates the plugin, and the first read sends nothing", async () => {
  const onServer = k.createMizan({ baseUrl: server.baseUrl });
  await onServer.kernel.prefetch("books.get_book", { id: 2 });
  const state = onServer.kernel.serialize();
  assert.equal(server.total(), 1);
  const plugin = adapter.createMizanPlugin({ baseUrl: server.baseUrl, state });
  const { result: book, stop } = mount(plugin, () => adapter.useGetBook({ id: 2 }));
  assert.equal(book.data.value.title, "Emma", "data at setup, before any request");
  assert.equal(book.isLoading.value, false);
  await new Promise((resolve) => setTimeout(resolve, 20));
  assert.equal(server.total(), 1, "no second request");
  stop();
});
