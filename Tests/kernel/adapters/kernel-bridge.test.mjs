// The kernel methods the adapters stand on — watch, and the SSR bridge (prefetch, dehydrate,
// serialize, hydrate) — on the generated bookshop kernel (golden output, compiled with tsc
// --strict), against a real HTTP server on loopback. Run: node --test Tests/kernel/

import assert from "node:assert/strict";
import { dirname, join } from "node:path";
import { after, before, beforeEach, test } from "node:test";
import { fileURLToPath, pathToFileURL } from "node:url";
import { compileKernel, disposeKernel, startBookshopServer } from "../harness.mjs";
import { hits, until } from "./support.mjs";

const GOLDEN = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "MizanCodegenTests", "Golden", "bookshop");
let outDir;
let server;
let k;

before(async () => {
  [outDir, server] = await Promise.all([compileKernel(GOLDEN), startBookshopServer()]);
  k = await import(pathToFileURL(join(outDir, "index.js")).href);
});

after(async () => {
  await server?.close();
  if (outDir) await disposeKernel(outDir);
});

beforeEach(() => server?.reset());

test("watch subscribes and then reads; enabled: false only subscribes; a failure is state, not a rejection", async () => {
  const { kernel } = k.createMizan({ baseUrl: server.baseUrl });
  const states = [];
  const stop = kernel.watch("books.get_book", { id: 1 }, (state) => states.push(state.status));
  await until(() => states.at(-1) === "success", "the book");
  assert.deepEqual(states, ["loading", "success"]);
  stop();

  const idle = [];
  const stopIdle = kernel.watch("books.get_book", { id: 2 }, (state) => idle.push(state.status), { enabled: false });
  await new Promise((resolve) => setTimeout(resolve, 10));
  assert.deepEqual(idle, []);
  kernel.invalidate({ client: "books.get_book" }); // a disabled query is not refetched …
  await new Promise((resolve) => setTimeout(resolve, 10));
  assert.equal(hits(server, "/api/books/2"), 0);
  await kernel.query("books.get_book", { id: 2 }); // … but hears what others load
  assert.equal(idle.at(-1), "success");
  stopIdle();

  const failed = [];
  const stopFailed = kernel.watch("books.get_book", { id: 99 }, (state) => failed.push(state));
  await until(() => failed.at(-1)?.status === "error", "the error");
  assert.equal(failed.at(-1).error.code, "not_found");
  stopFailed();
});

test("prefetch keeps a failure as state; dehydrate carries only successes", async () => {
  const { kernel } = k.createMizan({ baseUrl: server.baseUrl });
  await kernel.prefetch("books.get_book", { id: 1 });
  await kernel.prefetch("books.get_book", { id: 99 }); // resolves: one failing query must not fail the page
  assert.equal(kernel.getState("books.get_book", { id: 99 }).status, "error");
  const state = kernel.dehydrate();
  assert.deepEqual(state.entries.map((entry) => entry.key), [["books.get_book", { id: 1 }]]);
});

test("serialize is safe inside <script>, and hydrate reads it back exactly", async () => {
  server.books.get(1).title = "</script><script>alert(1)</script>\u2028\u2029";
  const onServer = k.createMizan({ baseUrl: server.baseUrl });
  await onServer.kernel.prefetch("books.get_book", { id: "1" }); // "1" and 1 are one key
  const text = onServer.kernel.serialize();
  assert.doesNotMatch(text, /[<\u2028\u2029]/);
  const inBrowser = k.createMizan({ baseUrl: server.baseUrl });
  inBrowser.kernel.hydrate(text);
  const book = await inBrowser.books.getBook({ id: 1 });
  assert.equal(book.title, "</script><script>alert(1)</script>\u2028\u2029");
  assert.equal(hits(server, "/api/books/1"), 1, "the browser's read is answered by the hydrated entry");
});

test("hydrate ignores malformed input with a warning, and never replaces newer data", async () => {
  const warnings = [];
  const { kernel, books } = k.createMizan({ baseUrl: server.baseUrl, onWarning: (message) => warnings.push(message) });
  kernel.hydrate("{not json");
  assert.match(warnings.at(-1), /not JSON/);
  kernel.hydrate(JSON.stringify({ version: 2, entries: [] }));
  assert.match(warnings.at(-1), /not a dehydrated Mizan state/);
  await books.getBook({ id: 1 });
  const old = { version: 1, entries: [{ key: ["books.get_book", { id: 1 }], data: { id: 1, title: "Old" }, fetchedAt: 1 }] };
  kernel.hydrate(old);
  assert.equal(kernel.getState("books.get_book", { id: 1 }).data.title, "Dune");
});
