// The generated bookshop kernel (Examples/bookshop/mizan-schema.json), compiled with tsc --strict
// and run under node against a real HTTP server. With $MIZAN_BIN set (make test does), the kernel
// is generated afresh by that mizan binary; otherwise the committed golden output is used, which
// the Swift golden test keeps identical to what mizan generates.
// Run: node --test Tests/kernel/

import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { copyFile, mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { after, before, beforeEach, test } from "node:test";
import { fileURLToPath, pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { TSC_STRICTER_FLAGS, compileKernel, disposeKernel, startBookshopServer, typecheckKernel } from "./harness.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const repo = join(here, "..", "..");
const GOLDEN = join(repo, "Tests", "MizanCodegenTests", "Golden", "bookshop");

let server;
let outDir;
let sourceDir;
let k;     // the compiled index.js
let usage; // the compiled usage.js

/** Generated kernel + usage.ts in one folder, as a user's project would hold them. */
async function prepareSources() {
  const dir = await mkdtemp(join(tmpdir(), "mizan-bookshop-src-"));
  if (process.env.MIZAN_BIN) {
    const generated = join(dir, "generated");
    await promisify(execFile)(process.env.MIZAN_BIN, [
      "codegen", "--schema", join(repo, "Examples", "bookshop", "mizan-schema.json"), "--output", generated,
    ]);
    for (const name of await readdir(generated)) if (name.endsWith(".ts")) await copyFile(join(generated, name), join(dir, name));
    await rm(generated, { recursive: true, force: true });
  } else {
    for (const name of await readdir(GOLDEN)) if (name.endsWith(".ts")) await copyFile(join(GOLDEN, name), join(dir, name));
  }
  await copyFile(join(here, "bookshop-usage", "usage.ts"), join(dir, "usage.ts"));
  return dir;
}

before(async () => {
  sourceDir = await prepareSources();
  [outDir, server] = await Promise.all([compileKernel(sourceDir), startBookshopServer()]);
  k = await import(pathToFileURL(join(outDir, "index.js")).href);
  usage = await import(pathToFileURL(join(outDir, "usage.js")).href);
});

after(async () => {
  await server?.close();
  if (outDir) await disposeKernel(outDir);
  if (sourceDir) await rm(sourceDir, { recursive: true, force: true });
});

beforeEach(() => server?.reset());

test("the generated kernel passes tsc --strict, and stricter flags, with no diagnostics", async () => {
  assert.equal(await typecheckKernel(sourceDir), "");
  assert.equal(await typecheckKernel(sourceDir, [...TSC_STRICTER_FLAGS, "--noUnusedLocals", "--noUnusedParameters"]), "");
});

test("a query, then a second read served by the store", async () => {
  const mizan = k.createMizan({ baseUrl: server.baseUrl });
  const book = await mizan.books.getBook({ id: 1 });
  assert.equal(book.id, 1);
  assert.equal(server.count("books.get_book"), 1);
  const again = await mizan.books.getBook({ id: 1 });
  assert.deepEqual(again, book);
  assert.equal(server.count("books.get_book"), 1, "the second read must not reach the backend");
  // The query key holds only the client name and canonical params ("1" and 1 are one key).
  await mizan.kernel.call("books.get_book", { id: "1" });
  assert.equal(server.count("books.get_book"), 1);
  assert.deepEqual(k.queryKey(k.clientSpecs["books.get_book"], { id: 1 }), ["books.get_book", { id: 1 }]);
});

test("a mutation invalidates per affects with mapped params and leaves unrelated entries alone", async () => {
  const mizan = k.createMizan({ baseUrl: server.baseUrl });
  await mizan.books.getBook({ id: 1 });
  await mizan.books.getBook({ id: 2 });
  await mizan.books.listBooks();
  assert.equal(server.count("books.get_book"), 2);
  assert.equal(server.count("books.list_books"), 1);

  const updated = await mizan.books.updateBook({ id: 1, title: "Dune Messiah" });
  assert.equal(updated.title, "Dune Messiah");

  const reread = await mizan.books.getBook({ id: 1 });
  assert.equal(reread.title, "Dune Messiah", "books.get_book id=1 is invalidated by books.update_book id=1");
  assert.equal(server.count("books.get_book"), 3);
  await mizan.books.getBook({ id: 2 });
  assert.equal(server.count("books.get_book"), 3, "books.get_book id=2 is not affected");
  await mizan.books.listBooks();
  assert.equal(server.count("books.list_books"), 2, "books.list_books (all values) is invalidated");
});

test("a response's X-Mizan-Invalidate header invalidates what it names", async () => {
  const mizan = k.createMizan({ baseUrl: server.baseUrl });
  await mizan.books.getBook({ id: 1 });
  await mizan.books.getBook({ id: 2 });
  server.invalidateHeader = '"books.get_book";id=2';
  await mizan.books.updateBook({ id: 3, title: "Solaris (2nd ed.)" });
  const before = server.count("books.get_book");
  await mizan.books.getBook({ id: 2 });
  assert.equal(server.count("books.get_book"), before + 1, "id=2 named by the header is refetched");
  await mizan.books.getBook({ id: 1 });
  assert.equal(server.count("books.get_book"), before + 1, "id=1 is untouched");
});

test("a validation error arrives as a typed DjangoError with field errors", async () => {
  const mizan = k.createMizan({ baseUrl: server.baseUrl });
  await assert.rejects(mizan.books.updateBook({ id: 1, title: "" }), (error) => {
    assert.ok(error instanceof k.DjangoError);
    assert.ok(k.isBooksUpdateBookError(error));
    assert.equal(error.status, 400);
    assert.equal(error.code, "validation_error");
    assert.deepEqual(error.fields, { title: ["This field may not be blank."] });
    return true;
  });
  // The same through the typed caller in usage.ts, which only compiles if the catch is typed.
  assert.equal(await usage.renameBook(mizan, 1, ""), "400 validation_error: This field may not be blank.");
  assert.equal(await usage.renameBook(mizan, 99, "x"), "404 not_found: No book with id 99.");
  assert.equal(await usage.renameBook(mizan, 2, "Persuasion"), "renamed to Persuasion");
});

test("a status-branching result is a discriminated union", async () => {
  const mizan = k.createMizan({ baseUrl: server.baseUrl });
  const first = await mizan.books.publishBook({ id: 2 });
  assert.equal(first.status, 202);
  assert.equal(usage.describePublish(first), "queued as job-2");
  const second = await mizan.books.publishBook({ id: 2 });
  assert.equal(second.status, 200);
  assert.equal(usage.describePublish(second), "published: Emma");
});

test("a client with cache: false always reaches the backend", async () => {
  const mizan = k.createMizan({ baseUrl: server.baseUrl });
  await mizan.stats.getStats();
  await mizan.stats.getStats();
  assert.equal(server.count("stats.get_stats"), 2);
});
