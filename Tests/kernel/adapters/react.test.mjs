// The generated React adapter over the generated bookshop kernel: compiled with tsc --strict
// against Debian's React 18 declarations, rendered with Debian's React 18 (react-test-renderer for
// the browser side, react-dom/server for the server side), against a real HTTP server on loopback.
// Run: node --test Tests/kernel/

import assert from "node:assert/strict";
import { after, before, beforeEach, test } from "node:test";
import { startBookshopServer } from "../harness.mjs";
import { buildAdapter, hits, missingFramework } from "./support.mjs";

const missing = missingFramework("react");
let project;
let server;
let React;
let renderer;
let server_;
let k;
let adapter;

before(async () => {
  if (missing) return;
  project = await buildAdapter("react", ["react-usage.ts"]);
  server = await startBookshopServer();
  // The adapter and these tests must share one copy of React: both resolve it from the project.
  React = await project.load("../node_modules/react/index.js");
  renderer = (await project.load("../node_modules/react-test-renderer/index.js")).default;
  server_ = (await project.load("../node_modules/react-dom/server.js")).default;
  k = await project.load("index.js");
  adapter = await project.load("react.js");
  globalThis.IS_REACT_ACT_ENVIRONMENT = true;
});

after(async () => {
  await server?.close();
  await project?.dispose();
});

beforeEach(() => server?.reset());

const h = (...args) => React.createElement(...args);

/** Renders `element` in a MizanProvider with the test renderer; returns the renderer. */
async function render(element, providerProps) {
  let root;
  await renderer.act(async () => {
    root = renderer.create(h(adapter.MizanProvider, providerProps, element));
  });
  return root;
}

/**
 * Lets React handle what the network delivered until `predicate` holds: each short act() ends by
 * flushing the work React queued meanwhile (a store change, a Suspense retry). Bounded.
 */
async function settle(predicate, what) {
  for (let i = 0; i < 1000; i++) {
    if (predicate()) return;
    await renderer.act(() => new Promise((resolve) => setTimeout(resolve, 2)));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** A component that shows one hook's result and hands it to the test. */
function probe(useHook, seen) {
  return function Probe() {
    const result = useHook();
    seen.push(result);
    const text = result.isLoading ? "loading" : result.error ? `error ${result.error.status} ${result.error.code}` : `title ${result.data?.title}`;
    return h("p", null, text);
  };
}

test("the React adapter passes tsc --strict against React's declarations, and stricter flags", { skip: missing ?? false }, async () => {
  assert.equal(await project.stricter(), "");
});

test("useMizan goes from loading to data, and a second component reads the store", { skip: missing ?? false }, async () => {
  const seen = [];
  const Book = probe(() => adapter.useGetBook({ id: 1 }), seen);
  const root = await render(h(Book), { baseUrl: server.baseUrl });
  assert.equal(seen[0].isLoading, true, "the first render has no data yet");
  assert.equal(seen[0].data, undefined);
  await settle(() => seen.at(-1).data !== undefined, "the book");
  const last = seen.at(-1);
  assert.equal(last.data.title, "Dune");
  assert.equal(last.isLoading, false);
  assert.equal(last.isStale, false);
  assert.equal(last.error, undefined);
  assert.deepEqual(root.toJSON().children, ["title Dune"]);
  assert.equal(hits(server, "/api/books/1"), 1);
  // The same hook with equal params in another component: the store answers, no request.
  const again = [];
  const Twin = probe(() => adapter.useMizan("books.get_book", { id: "1" }), again);
  await renderer.act(async () => root.update(h(adapter.MizanProvider, { baseUrl: server.baseUrl }, h(Book), h(Twin))));
  assert.equal(again[0].data.title, "Dune", "equal params share the entry from the first render on");
  assert.equal(hits(server, "/api/books/1"), 1);
  await renderer.act(async () => root.unmount());
});

test("a declared error arrives typed: status, code and the generated guard", { skip: missing ?? false }, async () => {
  const seen = [];
  const Missing = probe(() => adapter.useGetBook({ id: 99 }), seen);
  const root = await render(h(Missing), { baseUrl: server.baseUrl });
  await settle(() => seen.at(-1).error !== undefined, "the error");
  const { error, data, isLoading, status } = seen.at(-1);
  assert.ok(error instanceof k.DjangoError);
  assert.equal(error.status, 404);
  assert.equal(error.code, "not_found");
  assert.equal(k.isBooksGetBookError(error), true);
  assert.equal(status, "error");
  assert.equal(isLoading, false);
  assert.equal(data, undefined);
  assert.deepEqual(root.toJSON().children, ["error 404 not_found"]);
  await renderer.act(async () => root.unmount());
});

test("a mutation refetches the queries it affects and leaves the others alone", { skip: missing ?? false }, async () => {
  const one = [];
  const two = [];
  const list = [];
  let mutation;
  const BookOne = probe(() => adapter.useGetBook({ id: 1 }), one);
  const BookTwo = probe(() => adapter.useGetBook({ id: 2 }), two);
  const List = () => {
    const page = adapter.useListBooks();
    list.push(page);
    return h("p", null, String(page.data?.total));
  };
  const Editor = () => {
    mutation = adapter.useUpdateBook();
    return h("p", null, mutation.status);
  };
  const root = await render([h(BookOne, { key: 1 }), h(BookTwo, { key: 2 }), h(List, { key: 3 }), h(Editor, { key: 4 })], { baseUrl: server.baseUrl });
  await settle(() => one.at(-1).data && two.at(-1).data && list.at(-1).data, "the three queries");
  assert.deepEqual([hits(server, "/api/books/1"), hits(server, "/api/books/2"), hits(server, "/api/books")], [1, 1, 1]);

  let result;
  await renderer.act(async () => { result = await mutation.mutateAsync({ id: 1, title: "Dune Messiah" }); });
  assert.equal(result.title, "Dune Messiah");
  await settle(() => one.at(-1).data.title === "Dune Messiah" && list.at(-1).isFetching === false, "the refetch");
  assert.equal(mutation.status, "success");
  assert.equal(hits(server, "/api/books/1"), 2, "books.get_book id=1 is affected (id from the mutation) and refetched");
  assert.equal(hits(server, "/api/books"), 2, "books.list_books is affected for all params and refetched");
  assert.equal(hits(server, "/api/books/2"), 1, "books.get_book id=2 is not affected and not refetched");
  assert.equal(two.at(-1).data.title, "Emma");

  // A failed mutation: the typed error is state, and nothing is invalidated.
  await renderer.act(async () => { mutation.mutate({ id: 1, title: " " }); });
  await settle(() => mutation.status === "error", "the validation error");
  assert.equal(mutation.error.code, "validation_error");
  assert.deepEqual(mutation.error.fields, { title: ["This field may not be blank."] });
  assert.equal(k.isBooksUpdateBookError(mutation.error), true);
  assert.equal(hits(server, "/api/books/1"), 2);
  await renderer.act(async () => root.unmount());
});

test("enabled: false sends nothing until enabled; refetch always asks", { skip: missing ?? false }, async () => {
  const seen = [];
  let enabled = false;
  const Book = probe(() => adapter.useGetBook({ id: 3 }, { enabled }), seen);
  const root = await render(h(Book), { baseUrl: server.baseUrl });
  await renderer.act(() => new Promise((resolve) => setTimeout(resolve, 20)));
  assert.equal(hits(server, "/api/books/3"), 0);
  assert.equal(seen.at(-1).isLoading, false);
  assert.equal(seen.at(-1).status, "idle");
  enabled = true;
  await renderer.act(async () => root.update(h(adapter.MizanProvider, { baseUrl: server.baseUrl }, h(Book))));
  await settle(() => seen.at(-1).data !== undefined, "the enabled query");
  assert.equal(hits(server, "/api/books/3"), 1);
  await renderer.act(async () => { await seen.at(-1).refetch(); });
  assert.equal(hits(server, "/api/books/3"), 2);
  await renderer.act(async () => root.unmount());
});

test("suspense: the fallback shows until the data is there", { skip: missing ?? false }, async () => {
  const Book = () => h("p", null, `title ${adapter.useGetBook({ id: 2 }, { suspense: true }).data.title}`);
  server.delayMs = 50; // the answer cannot arrive within the first act()
  const root = await render(h(React.Suspense, { fallback: h("p", null, "waiting") }, h(Book)), { baseUrl: server.baseUrl });
  assert.deepEqual(root.toJSON().children, ["waiting"]);
  await settle(() => JSON.stringify(root.toJSON()).includes("title Emma"), "the suspended component");
  assert.equal(hits(server, "/api/books/2"), 1);
  await renderer.act(async () => root.unmount());
});

test("headers: the provider's headers function is called for every request, the latest one passed", { skip: missing ?? false }, async () => {
  const seen = [];
  const Book = probe(() => adapter.useGetBook({ id: 1 }), seen);
  const root = await render(h(Book), { baseUrl: server.baseUrl, headers: () => ({ Authorization: "Bearer one" }) });
  await settle(() => seen.at(-1).data !== undefined, "the book");
  assert.equal(server.requests[0].headers.authorization, "Bearer one");
  await renderer.act(async () => root.update(h(adapter.MizanProvider, { baseUrl: server.baseUrl, headers: () => ({ Authorization: "Bearer two" }) }, h(Book))));
  await renderer.act(async () => { await seen.at(-1).refetch(); });
  assert.equal(server.requests[1].headers.authorization, "Bearer two");
  await renderer.act(async () => root.unmount());
});

// React warns here about "multiple renderers concurrently rendering the same context provider":
// this test alone uses react-dom/server and the test renderer on one context in one process.
test("SSR: prefetch and render on the server, hydrate in the browser with no second request", { skip: missing ?? false }, async () => {
  const Page = () => {
    const book = adapter.useGetBook({ id: 1 });
    const page = adapter.useListBooks({ page: 1 });
    return h("main", null, h("h1", null, book.data?.title ?? "loading"), h("p", null, `${page.data?.total ?? "?"} books`));
  };
  // Server: one kernel per request, prefetched, rendered, serialized into the page.
  const onServer = k.createMizan({ baseUrl: server.baseUrl });
  await Promise.all([onServer.kernel.prefetch("books.get_book", { id: 1 }), onServer.kernel.prefetch("books.list_books", { page: 1 })]);
  const html = server_.renderToString(h(adapter.MizanProvider, { mizan: onServer }, h(Page)));
  assert.equal(html, "<main><h1>Dune</h1><p>3 books</p></main>");
  const script = onServer.kernel.serialize();
  assert.doesNotMatch(script, /</, "safe inside <script>");
  assert.equal(server.total(), 2);

  // Browser: a new kernel hydrated from the page's script renders the same markup at once …
  const browserHtml = server_.renderToString(h(adapter.MizanProvider, { baseUrl: server.baseUrl, state: script }, h(Page)));
  assert.equal(browserHtml, html, "the first render matches the server's markup");
  const root = await render(h(Page), { baseUrl: server.baseUrl, state: script });
  assert.deepEqual(root.toJSON().children.map((child) => child.children.join("")), ["Dune", "3 books"]);
  // … and, its effects run and the network given time, asks the server nothing.
  await renderer.act(() => new Promise((resolve) => setTimeout(resolve, 30)));
  assert.equal(server.total(), 2, "hydrated fresh data costs no request");
  await renderer.act(async () => root.unmount());

  // Without the state the same page does ask: the test above can fail.
  const cold = await render(h(Page), { baseUrl: server.baseUrl });
  await settle(() => server.total() === 4, "the cold page's requests");
  await renderer.act(async () => cold.unmount());
});
