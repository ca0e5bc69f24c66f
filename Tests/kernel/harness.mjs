// Shared harness for kernel tests: compiles a kernel source folder with tsc and runs an in-memory
// bookshop backend on a real node:http server. Uses node built-ins only.
//
// compileKernel(srcDir) works for the hand-written fixture (which has no runtime.ts, so the
// template's is added) and for generated output (which ships its own runtime.ts).

import { execFile } from "node:child_process";
import { copyFile, mkdir, mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:http";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));

/** The runtime every generated kernel ships. */
export const RUNTIME_TEMPLATE = join(here, "..", "..", "Templates", "kernel", "runtime.ts");

/** The tsc to run; override with $TSC (e.g. a TypeScript 5 install). */
export const TSC = process.env.TSC ?? "tsc";

/** The one place the compiler options live: what the brief promises generated code passes. */
export const TSC_FLAGS = Object.freeze([
  "--strict", "--target", "ES2020", "--module", "ES2020", "--moduleResolution", "node", "--lib", "ES2020,DOM",
  "--pretty", "false",
]);

/** Stricter settings some users enable; the kernel should pass them too. */
export const TSC_STRICTER_FLAGS = Object.freeze(["--noUncheckedIndexedAccess", "--exactOptionalPropertyTypes"]);

/** Runs tsc; resolves with its exit code and combined output (never rejects on type errors). */
export function runTsc(args, cwd) {
  return new Promise((resolve, reject) => {
    execFile(TSC, args, { cwd, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error && typeof error.code !== "number") reject(error);
      else resolve({ code: error ? error.code : 0, output: `${stdout}${stderr}`.trim() });
    });
  });
}

/** Copies srcDir's .ts files (plus the template runtime if srcDir has none) into a fresh temp folder. */
async function stage(srcDir) {
  const root = await mkdtemp(join(tmpdir(), "mizan-kernel-"));
  const src = join(root, "src");
  await mkdir(src);
  const names = (await readdir(srcDir)).filter((name) => name.endsWith(".ts") && !name.endsWith(".d.ts"));
  for (const name of names) await copyFile(join(srcDir, name), join(src, name));
  if (!names.includes("runtime.ts")) await copyFile(RUNTIME_TEMPLATE, join(src, "runtime.ts"));
  const files = (await readdir(src)).filter((name) => name.endsWith(".ts")).sort();
  return { root, src, files };
}

/**
 * Type-checks srcDir (+ runtime) without emitting; resolves with tsc's output, "" when clean.
 * Extra flags are appended to TSC_FLAGS.
 */
export async function typecheckKernel(srcDir, extraFlags = []) {
  const { root, src, files } = await stage(srcDir);
  try {
    const { output } = await runTsc([...TSC_FLAGS, ...extraFlags, "--noEmit", ...files], src);
    return output;
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

/**
 * Compiles srcDir (+ runtime) to ES2020 modules and returns the output folder, which holds a
 * package.json {"type":"module"} so node imports the .js files as ES modules. Throws with tsc's
 * output on any diagnostic. Remove it with disposeKernel(outDir).
 */
export async function compileKernel(srcDir) {
  const { root, src, files } = await stage(srcDir);
  const outDir = join(root, "out");
  const { code, output } = await runTsc([...TSC_FLAGS, "--outDir", outDir, "--rootDir", src, ...files], src);
  if (code !== 0 || output !== "") {
    await rm(root, { recursive: true, force: true });
    throw new Error(`tsc failed (exit ${code}):\n${output}`);
  }
  await writeFile(join(outDir, "package.json"), '{"type":"module"}\n');
  return outDir;
}

/** Removes what compileKernel created. */
export async function disposeKernel(outDir) {
  await rm(dirname(outDir), { recursive: true, force: true });
}

// ---------------------------------------------------------------------------------------------
// Bookshop backend
// ---------------------------------------------------------------------------------------------

const SEED = [
  { id: 1, title: "Dune", price: "9.99", genre: "sf", published: true },
  { id: 2, title: "Emma", price: "5.50", genre: "classic", published: false },
  { id: 3, title: "Solaris", price: "7.25", genre: "sf", published: false },
];

const PAGE_SIZE = 2;

/**
 * Starts the bookshop backend on 127.0.0.1 (port 0). The returned handle exposes:
 *   baseUrl, books (Map id -> book, editable without counting), requests (log of
 *   {route, method, url, headers, body}), count(route) per client name (e.g. "books.get_book"),
 *   total(), reset() (seed data, counters, settings), close();
 *   settings: delayMs (before each response), invalidateHeader (added to PATCH responses).
 */
export async function startBookshopServer() {
  const state = {
    books: new Map(),
    requests: [],
    counts: new Map(),
    delayMs: 0,
    invalidateHeader: null,
  };
  const reset = () => {
    state.books = new Map(SEED.map((book) => [book.id, { ...book }]));
    state.requests.length = 0;
    state.counts.clear();
    state.delayMs = 0;
    state.invalidateHeader = null;
  };
  reset();

  const server = createServer((req, res) => {
    let body = "";
    req.setEncoding("utf8");
    req.on("data", (chunk) => { body += chunk; });
    req.on("end", () => {
      const url = new URL(req.url ?? "/", "http://localhost");
      const answer = route(state, req.method ?? "GET", url, body);
      state.requests.push({ route: answer.route, method: req.method, url: req.url, headers: req.headers, body });
      state.counts.set(answer.route, (state.counts.get(answer.route) ?? 0) + 1);
      const send = () => {
        const headers = { ...answer.headers };
        if (answer.json !== undefined) headers["Content-Type"] = "application/json";
        res.writeHead(answer.status, headers);
        res.end(answer.json === undefined ? answer.text ?? "" : JSON.stringify(answer.json));
      };
      if (state.delayMs > 0) setTimeout(send, state.delayMs);
      else send();
    });
  });
  // Keep-alive sockets would hold close() open; the kernel's fetch reuses them otherwise.
  server.keepAliveTimeout = 1;
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address();

  return {
    baseUrl: `http://127.0.0.1:${port}`,
    get books() { return state.books; },
    requests: state.requests,
    count: (routeName) => state.counts.get(routeName) ?? 0,
    total: () => state.requests.length,
    reset,
    set delayMs(ms) { state.delayMs = ms; },
    set invalidateHeader(value) { state.invalidateHeader = value; },
    close: () => new Promise((resolve) => {
      server.closeAllConnections?.();
      server.close(() => resolve());
    }),
  };
}

function notFound(id) {
  return { status: 404, json: { code: "not_found", message: `No book with id ${id}.` } };
}

/** The bookshop's endpoints; returns {route, status, json | text, headers}. */
function route(state, method, url, body) {
  const path = url.pathname;
  let match;
  if (method === "GET" && path === "/api/stats") {
    return { route: "stats.get_stats", status: 200, json: { requests: state.requests.length + 1 } };
  }
  if (method === "GET" && path === "/api/books") {
    const genre = url.searchParams.get("genre");
    const page = Number(url.searchParams.get("page") ?? "1");
    const all = [...state.books.values()].filter((book) => genre === null || book.genre === genre);
    const items = all.slice((page - 1) * PAGE_SIZE, page * PAGE_SIZE);
    return { route: "books.list_books", status: 200, json: { items, page, total: all.length } };
  }
  if ((match = /^\/api\/books\/(\d+)$/.exec(path)) && method === "GET") {
    const book = state.books.get(Number(match[1]));
    return { route: "books.get_book", ...(book ? { status: 200, json: book } : notFound(match[1])) };
  }
  if ((match = /^\/api\/books\/(\d+)$/.exec(path)) && method === "PATCH") {
    const answer = updateBook(state, Number(match[1]), body);
    if (state.invalidateHeader !== null) answer.headers = { "X-Mizan-Invalidate": state.invalidateHeader };
    return { route: "books.update_book", ...answer };
  }
  if ((match = /^\/api\/books\/(\d+)\/publish$/.exec(path)) && method === "POST") {
    const id = Number(match[1]);
    const book = state.books.get(id);
    if (!book) return { route: "books.publish_book", ...notFound(id) };
    const headers = { "X-Mizan-Invalidate": `"books.get_book";id=${id}` };
    if (book.published) return { route: "books.publish_book", status: 200, json: book, headers };
    book.published = true;
    return { route: "books.publish_book", status: 202, json: { job_id: `job-${id}`, status: "queued" }, headers };
  }
  return { route: "unknown", status: 404, text: "<h1>Not Found</h1>" };
}

function updateBook(state, id, body) {
  const book = state.books.get(id);
  if (!book) return notFound(id);
  let changes;
  try {
    changes = JSON.parse(body);
  } catch {
    return { status: 400, json: { code: "bad_request", message: "Body is not JSON." } };
  }
  const fields = {};
  if ("title" in changes && (typeof changes.title !== "string" || changes.title.trim() === "")) {
    fields.title = ["This field may not be blank."];
  }
  if ("price" in changes && !/^\d+(\.\d{1,2})?$/.test(String(changes.price))) {
    fields.price = ["A valid number is required."];
  }
  if (Object.keys(fields).length > 0) {
    return { status: 400, json: { code: "validation_error", message: "Invalid input.", fields } };
  }
  if (typeof changes.title === "string") book.title = changes.title;
  if (typeof changes.price === "string") book.price = changes.price;
  return { status: 200, json: book };
}
