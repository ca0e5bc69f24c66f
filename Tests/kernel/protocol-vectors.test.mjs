// The cache protocol's conformance vectors (Tests/Conformance/protocol-vectors.json) against the
// kernel runtime (Templates/kernel/runtime.ts compiled with tsc --strict), with node's WebCrypto.
// The Swift module MizanProtocol runs the same file; the two must agree byte for byte.
// Run: node --test Tests/kernel/

import assert from "node:assert/strict";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { after, before, describe, test } from "node:test";
import { fileURLToPath, pathToFileURL } from "node:url";
import { compileKernel, disposeKernel } from "./harness.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const VECTORS = join(here, "..", "Conformance", "protocol-vectors.json");
const vectors = JSON.parse(await readFile(VECTORS, "utf8"));

let empty;
let outDir;
let rt; // the compiled runtime.js

before(async () => {
  empty = await mkdtemp(join(tmpdir(), "mizan-protocol-"));
  outDir = await compileKernel(empty); // an empty folder: just the template runtime
  rt = await import(pathToFileURL(join(outDir, "runtime.js")).href);
});

after(async () => {
  if (outDir) await disposeKernel(outDir);
  if (empty) await rm(empty, { recursive: true, force: true });
});

/** The manifest's param list as the runtime's `{ name: ParamSpec }`. */
function specs(params = []) {
  return Object.fromEntries(params.map((p) => [p.name, {
    in: "query", type: p.type, list: p.list ?? false, required: p.required ?? false, enum: p.enum ?? null,
  }]));
}

function readParams(vector) {
  return rt.readCanonicalParams(specs(vector.params), vector.json ?? {}, vector.text ?? {});
}

/** Runs `body`; returns ["ok", value] or ["error", error]. */
async function outcome(body) {
  try {
    return ["ok", await body()];
  } catch (error) {
    return ["error", error];
  }
}

describe("canonical parameters", () => {
  for (const vector of vectors.canonical) {
    // JSON.parse turns these inputs into binary64 before the runtime sees them; a JavaScript
    // caller passes such numbers as strings or bigints instead.
    const skip = vector.exact_json_numbers === true && "needs JSON numbers read exactly";
    test(vector.name, { skip }, async () => {
      const [status, value] = await outcome(() => readParams(vector));
      if (vector.error) {
        assert.equal(status, "error", `expected ${vector.error.kind}, got ${status === "ok" ? rt.canonicalParamsText(value) : value}`);
        assert.ok(value instanceof rt.CanonicalParamError, String(value));
        assert.equal(value.kind, vector.error.kind, value.message);
        assert.equal(value.param, vector.error.param);
        assert.match(value.message, new RegExp(`'${vector.error.param}'`));
      } else {
        assert.equal(status, "ok", String(value));
        assert.equal(rt.canonicalParamsText(value), vector.expect);
        // A fixed point: canonical values read again are the same bytes.
        const again = rt.readCanonicalParams(specs(vector.params), JSON.parse(vector.expect));
        assert.equal(rt.canonicalParamsText(again), vector.expect);
      }
    });
  }
});

describe("keys", () => {
  for (const vector of vectors.keys) {
    test(vector.name, async () => {
      const [status, value] = await outcome(async () => {
        const secrets = await rt.deriveCacheSecrets(vector.secret);
        const canonical = rt.canonicalParamsText(readParams(vector));
        const caller = vector.context === "public" || vector.credential === null ? null
          : await rt.deriveCallerId(secrets, vector.credential);
        const key = await rt.deriveCacheKey(secrets, vector.client, canonical, vector.context, caller);
        return { canonical, caller, key };
      });
      if (vector.error) {
        assert.equal(status, "error", JSON.stringify(value));
        assert.ok(value instanceof rt.CacheKeyError, String(value));
        assert.equal(value.kind, vector.error.kind);
      } else {
        assert.equal(status, "ok", String(value));
        assert.deepEqual(value, vector.expect);
      }
    });
  }

  test("the params may be given as canonical values instead of text", async () => {
    const secrets = await rt.deriveCacheSecrets(vectors.keys[0].secret);
    const key = await rt.deriveCacheKey(secrets, vectors.keys[0].client, readParams(vectors.keys[0]), "public");
    assert.equal(key, vectors.keys[0].expect.key);
  });
});

describe("key derivation (HKDF-SHA256 with the documented salt and info)", () => {
  const utf8 = new TextEncoder();
  const hkdf = async (secret, info) => {
    const base = await crypto.subtle.importKey("raw", utf8.encode(secret), "HKDF", false, ["deriveBits"]);
    const bits = await crypto.subtle.deriveBits(
      { name: "HKDF", hash: "SHA-256", salt: utf8.encode("mizan-cache/1"), info: utf8.encode(info) }, base, 256);
    return Buffer.from(bits).toString("hex");
  };
  for (const vector of vectors.derivation) {
    test(vector.name, async () => {
      if (vector.error) {
        await assert.rejects(rt.deriveCacheSecrets(vector.secret), (error) => error instanceof rt.CacheKeyError && error.kind === vector.error.kind);
        return;
      }
      assert.equal(await hkdf(vector.secret, "mizan-cache/1 entry-key"), vector.expect.entry_key);
      assert.equal(await hkdf(vector.secret, "mizan-cache/1 caller-id"), vector.expect.caller_key);
    });
  }
});

describe("selectors", () => {
  for (const vector of vectors.selectors) {
    test(vector.name, async () => {
      const [status, value] = await outcome(() =>
        rt.selectorMatches(vector.selector, vector.entry, specs(vector.params), vector.scope ?? {}));
      if (vector.error) {
        assert.equal(status, "error", `expected ${vector.error.kind}, got ${value}`);
        assert.ok(value instanceof rt.CanonicalParamError, String(value));
        assert.equal(value.kind, vector.error.kind);
        assert.equal(value.param, vector.error.param);
      } else {
        assert.equal(status, "ok", String(value));
        assert.equal(value, vector.expect);
      }
    });
  }
});

describe("X-Mizan-Invalidate", () => {
  for (const vector of vectors.headers) {
    test(vector.name, async () => {
      const [status, value] = await outcome(() => rt.parseInvalidateHeader(vector.header));
      if (vector.error) {
        assert.equal(status, "error", JSON.stringify(value));
        assert.ok(value instanceof rt.InvalidateHeaderError, String(value));
        assert.equal(value.kind, vector.error.kind, value.message);
        assert.equal(value.offset, vector.error.offset, value.message);
      } else {
        assert.equal(status, "ok", String(value));
        assert.deepEqual(value, vector.expect);
      }
    });
  }
});
