// Shared setup of the adapter tests: the bookshop kernel plus one adapter, type-checked and
// compiled with tsc --strict, in a temporary project whose node_modules holds the framework.
//
// React is the real thing: Debian's node-react, node-react-dom and node-react-test-renderer (React
// 18) with their @types. Vue 3 and Svelte are not packaged by Debian, so their adapters compile
// against the minimal declaration files in ./shims (a subset of each framework's real API, with
// the same signatures), and run under node on the small implementations beside them. Those
// implementations exist only so these tests can drive the adapters' composables and stores; they
// are not Vue or Svelte, and what they show is the adapters' logic over the real kernel and a
// real HTTP server, not framework behaviour. docs/adapters.md says the same.
//
// With $MIZAN_BIN set (make test does), the sources are generated afresh by that binary;
// otherwise the committed golden files are used, which the Swift golden tests keep identical to
// what mizan generates.

import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { copyFile, cp, mkdir, mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { TSC_FLAGS, TSC_STRICTER_FLAGS, runTsc } from "../harness.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const repo = join(here, "..", "..", "..");
const GOLDEN = join(repo, "Tests", "MizanCodegenTests", "Golden");

/** Where Debian installs node packages and their @types. */
const SYSTEM_MODULES = process.env.MIZAN_NODE_MODULES ?? "/usr/share/nodejs";

/** What each adapter needs in node_modules: system packages (copied) and shims (ours). */
const FRAMEWORK = {
  react: {
    system: ["react", "react-dom", "react-test-renderer", "react-is", "scheduler", "csstype",
      "@types/react", "@types/react-dom", "@types/react-test-renderer", "@types/scheduler", "@types/prop-types"],
    shims: [],
  },
  vue: { system: [], shims: ["vue"] },
  svelte: { system: [], shims: ["svelte"] },
};

/** Why the adapter's framework is missing here, or null when it is installed. */
export function missingFramework(adapter) {
  const missing = FRAMEWORK[adapter].system.filter((name) => !existsSync(join(SYSTEM_MODULES, name)));
  return missing.length === 0 ? null
    : `needs Debian's ${missing.join(", ")} under ${SYSTEM_MODULES} (Scripts/install-deps.sh installs them)`;
}

/** The kernel and `adapter`'s file, from $MIZAN_BIN or the golden folders, into `dir`. */
async function generate(adapter, dir) {
  if (process.env.MIZAN_BIN) {
    const out = join(dir, "generated");
    await promisify(execFile)(process.env.MIZAN_BIN, [
      "codegen", "--schema", join(repo, "Examples", "bookshop", "mizan-schema.json"), "--output", out, "--adapter", adapter,
    ]);
    for (const name of await readdir(out)) if (name.endsWith(".ts")) await copyFile(join(out, name), join(dir, name));
    await rm(out, { recursive: true, force: true });
    return;
  }
  for (const name of await readdir(join(GOLDEN, "bookshop"))) {
    if (name.endsWith(".ts")) await copyFile(join(GOLDEN, "bookshop", name), join(dir, name));
  }
  await copyFile(join(GOLDEN, "bookshop-adapters", `${adapter}.ts`), join(dir, `${adapter}.ts`));
}

/**
 * Builds the project for `adapter` (react, vue or svelte) with `usage` (.ts files of ./usage,
 * checked with the rest) and returns { root, out, tscOutput(stricter) , dispose }. Throws with
 * tsc's diagnostics if the strict compile reports anything.
 */
export async function buildAdapter(adapter, usage = []) {
  const root = await mkdtemp(join(tmpdir(), `mizan-${adapter}-`));
  const src = join(root, "src");
  const modules = join(root, "node_modules");
  await mkdir(src);
  await mkdir(join(modules, "@types"), { recursive: true });
  // Copies, not symlinks: node resolves a package's own imports (react-dom → react) from its real path.
  for (const name of FRAMEWORK[adapter].system) await cp(join(SYSTEM_MODULES, name), join(modules, name), { recursive: true });
  for (const name of FRAMEWORK[adapter].shims) await cp(join(here, "shims", name), join(modules, name), { recursive: true });
  await generate(adapter, src);
  for (const name of usage) await copyFile(join(here, "usage", name), join(src, name));
  const files = (await readdir(src)).filter((name) => name.endsWith(".ts")).sort();
  const out = join(root, "out");
  const compiled = await runTsc([...TSC_FLAGS, "--outDir", out, "--rootDir", src, ...files], src);
  if (compiled.code !== 0 || compiled.output !== "") {
    await rm(root, { recursive: true, force: true });
    throw new Error(`tsc --strict failed over the ${adapter} adapter (exit ${compiled.code}):\n${compiled.output}`);
  }
  await writeFile(join(out, "package.json"), '{"type":"module"}\n');
  return {
    root,
    /** Imports a compiled module of the project, e.g. load("react.js"). */
    load: (name) => import(pathToFileURL(join(out, name)).href),
    /** tsc --noEmit with the stricter flags some users enable; "" when clean. */
    stricter: async () => (await runTsc([...TSC_FLAGS, ...TSC_STRICTER_FLAGS, "--noEmit", ...files], src)).output,
    dispose: () => rm(root, { recursive: true, force: true }),
  };
}

/** Resolves once `predicate()` holds, checking after each turn of the event loop (bounded). */
export async function until(predicate, what, turns = 2000) {
  for (let i = 0; i < turns; i++) {
    if (predicate()) return;
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** GET requests the server received for one URL path (with query string): the queries sent. */
export function hits(server, url) {
  return server.requests.filter((request) => request.method === "GET" && request.url === url).length;
}
