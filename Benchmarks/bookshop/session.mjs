// The bookshop's scripted session for Benchmarks/bookshop/run.sh: VISITS visits by two signed-in
// users (alternating), each a handful of reads (lists, books, a book's HTML page, search, an
// author, the category tree, the cart) and now and then a mutation (a cart item added and the
// cart cleared; a price change), in a fixed pseudo-random order, one request at a time.
//   node session.mjs KERNEL_DIR BASE_URL VISITS   → one JSON line on stdout
// Every read is timed from the call to the parsed answer (the kernel's `fresh` option: each read
// is a request, never the kernel's own store).
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { compileKernel, disposeKernel } from "../../Tests/kernel/harness.mjs";

const [kernelDir, baseUrl, visitsArg] = process.argv.slice(2);
const visits = Number(visitsArg ?? "150");
const outDir = await compileKernel(kernelDir);
const k = await import(pathToFileURL(join(outDir, "index.js")).href);

let seed = 42;
const random = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
// A few books are much more popular than the rest.
const popularBook = () => [1, 1, 1, 1, 5, 5, 5, 2, 2, 3, 4, 6, 7, 8][Math.floor(random() * 14)];
const fresh = { fresh: true };
const readTimes = [];
let mutations = 0;

async function timed(read) {
  const start = performance.now();
  await read();
  readTimes.push(performance.now() - start);
}

const users = ["alice-token", "bob-token"].map((token) =>
  k.createMizan({ baseUrl, headers: () => ({ Authorization: `Bearer ${token}` }) }));

for (let visit = 0; visit < visits; visit++) {
  const shop = users[visit % 2];
  const book = popularBook();
  await timed(() => shop.books.listBooks(random() < 0.2 ? { genre: "fiction" } : {}, fresh));
  await timed(() => shop.books.getBook({ id: book }, fresh));
  await timed(async () => {
    const response = await fetch(`${baseUrl}/books/${book}`);
    if (response.status !== 200) throw new Error(`page ${book}: ${response.status}`);
    await response.text();
  });
  await timed(() => shop.books.getBook({ id: popularBook() }, fresh));
  await timed(() => shop.search.search({ q: ["dune", "austen", "solaris", "devotions"][visit % 4] }, fresh));
  await timed(() => shop.authors.getAuthor({ author_id: 1 + (book % 4) }, fresh));
  await timed(() => shop.catalog.getCategories(fresh));
  await timed(() => shop.cart.getCart(fresh));
  if (visit % 5 === 4) {
    await shop.cart.addItem({ book_id: book, quantity: 1 });
    await timed(() => shop.cart.getCart(fresh));
    await shop.cart.clearCart();
    mutations += 2;
  }
  if (visit % 20 === 19) {
    const { price } = await shop.books.getBook({ id: book }, fresh);
    await shop.books.updateBook({ id: book, price: price === "12.00" ? "12.50" : "12.00" });
    mutations += 1;
  }
}

await disposeKernel(outDir);
const sorted = [...readTimes].sort((a, b) => a - b);
const pick = (q) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
console.log(JSON.stringify({ visits, reads: sorted.length, mutations, median_ms: pick(0.5), p90_ms: pick(0.9),
                             p99_ms: pick(0.99), max_ms: sorted.at(-1),
                             total_read_ms: sorted.reduce((a, b) => a + b, 0) }));
