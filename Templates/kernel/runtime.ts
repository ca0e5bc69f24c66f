/**
 * The Mizan kernel runtime: the schema-independent half of every generated kernel.
 *
 * The generated `clients.ts` describes each client as plain data (`ClientSpec`, `InvalidationMap`);
 * this file turns those descriptions into requests, typed errors, canonical query keys and a small
 * query store. Keeping behaviour here rather than in per-client code means every kernel behaves
 * the same and generated files stay short. It needs only `fetch`, `AbortController` and ES2020, so
 * it runs in browsers, Node 18+ and edge workers.
 *
 * @packageDocumentation
 */

// ---- Client descriptions (emitted by the generator) --------------------------------------------

export type Method = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
export type WireType = "string" | "int" | "float" | "bool" | "date" | "datetime" | "uuid" | "decimal" | "json";

/**
 * Where a parameter goes: the path, the query string, a header, a field of the JSON body
 * ("body"), the whole JSON body ("payload"), or the fields of a multipart form ("form").
 * `wire` is the name on the wire when it is not the parameter's name ("X-Request-Id", "page[size]").
 */
export interface ParamSpec {
  readonly in: "path" | "query" | "header" | "body" | "payload" | "form"; readonly wire?: string;
  readonly type: WireType; readonly list: boolean; readonly required: boolean;
}

/** Seconds, as in the schema-export. `context` matters to the edge; this store lives in one caller. */
export interface CachePolicy {
  readonly ttl: number; readonly staleWhileRevalidate: number; readonly context: "public" | "user" | "session";
}

/** A declared error; without `code`, any error with that status is the declared one. */
export interface ErrorSpec { readonly status: number; readonly code?: string }

export interface ClientSpec {
  readonly name: string;
  readonly method: Method;
  readonly path: string;
  readonly params: { readonly [name: string]: ParamSpec };
  readonly cache: CachePolicy | false;
  /** Statuses of a status-branching result, which then arrives as `{ status, data }`. */
  readonly branches: readonly number[] | null;
  readonly errors: readonly ErrorSpec[];
}

/** Where a target parameter's value comes from: a parameter of the mutation, or a literal. */
export type ParamSource = { readonly from: string } | { readonly value: string | number | boolean | null };

/** A target parameter left out of `params` is invalidated for all of its values. */
export interface AffectSpec { readonly client: string; readonly params: { readonly [targetParam: string]: ParamSource } }

export type InvalidationMap = { readonly [mutation: string]: readonly AffectSpec[] };

/** One entry of the generated `ClientTypes`, from which the kernel's signatures are derived. */
export interface ClientTypeEntry { params: object; result: unknown; error: unknown }

type ParamValues = { readonly [name: string]: unknown };
type JsonObject = { readonly [key: string]: unknown };
const NOTHING: JsonObject = {};

function isRecord(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function isList(value: unknown): value is readonly unknown[] {
  return Array.isArray(value);
}

function own<T>(table: { readonly [key: string]: T }, key: string): T | undefined {
  return Object.prototype.hasOwnProperty.call(table, key) ? table[key] : undefined;
}

function describe(cause: unknown): string {
  return cause instanceof Error ? cause.message : String(cause);
}

// ---- Transport & request building --------------------------------------------------------------

export interface TransportRequest {
  method: Method; url: string; headers: Record<string, string>; body?: string | FormData; signal?: AbortSignal;
}

/** The slice of `Response` the kernel reads, so tests and SSR can plug in anything fetch-like. */
export interface TransportResponse {
  status: number; headers: { get(name: string): string | null }; text(): Promise<string>;
}

export type Transport = (request: TransportRequest) => Promise<TransportResponse>;

/** The default transport. `fetch` is looked up per call so a polyfill installed later still applies. */
export const fetchTransport: Transport = (request) => {
  const init: RequestInit = { method: request.method, headers: request.headers };
  if (request.body !== undefined) init.body = request.body;
  if (request.signal !== undefined) init.signal = request.signal;
  return globalThis.fetch(request.url, init);
};

export interface KernelConfig {
  /** Origin (and optional prefix) of the backend, e.g. "http://127.0.0.1:8000"; "" for same-origin. */
  baseUrl: string;
  transport?: Transport;
  /** Called before every request, so credentials can change without rebuilding the kernel. */
  headers?: () => Record<string, string> | Promise<Record<string, string>>;
  /** Millisecond clock; injectable so tests can walk through ttl and stale windows. */
  now?: () => number;
  /** Hears about problems the kernel recovers from: a malformed X-Mizan-Invalidate, a throwing listener. */
  onWarning?: (message: string) => void;
}

export interface CallOptions {
  /** Rejects this call on abort; a request shared with other callers goes on for them. */
  signal?: AbortSignal;
  headers?: Record<string, string>;
  /** For a query: send a request even if the store could answer (the answer still updates the store). */
  fresh?: boolean;
}

interface RawResponse { readonly status: number; readonly headers: TransportResponse["headers"]; readonly body: string }

/** Placeholders filled, then query parameters in name order so equal calls give equal URLs. */
function buildUrl(baseUrl: string, spec: ClientSpec, params: ParamValues): string {
  // An OpenAPI path may carry a fixed query ("/responses?beta=true"); it leads the query string.
  const [template = "", fixed] = spec.path.split("?", 2);
  const path = template.replace(/\{([^}]+)\}/g, (_match: string, wire: string) => {
    const name = paramNamed(spec, wire);
    const value = params[name];
    if (value === undefined || value === null) throw new TypeError(`${spec.name}: missing path parameter "${name}"`);
    return encodeURIComponent(String(value));
  });
  const pairs: string[] = fixed === undefined || fixed === "" ? [] : [fixed];
  for (const name of Object.keys(spec.params).sort()) {
    const param = spec.params[name];
    const value = params[name];
    if (param?.in !== "query") continue;
    const values: readonly unknown[] = param.list && isList(value) ? value : [value];
    for (const item of values) {
      // A query string cannot say null, so null is left out like undefined.
      if (item === undefined || item === null) continue;
      const text = param.type === "json" || typeof item === "object" ? JSON.stringify(item) : String(item);
      pairs.push(`${encodeURIComponent(param.wire ?? name)}=${encodeURIComponent(text)}`);
    }
  }
  return baseUrl.replace(/\/+$/, "") + path + (pairs.length > 0 ? `?${pairs.join("&")}` : "");
}

/** The parameter whose wire name is `wire` (path placeholders use wire names). */
function paramNamed(spec: ClientSpec, wire: string): string {
  for (const name of Object.keys(spec.params)) if ((spec.params[name]?.wire ?? name) === wire) return name;
  return wire;
}

/**
 * The request body: a "payload" parameter is the whole JSON body; "form" parameters become
 * multipart fields (files as files, lists repeated, objects as JSON); "body" parameters form one
 * JSON object. GET and DELETE send no body when none is given.
 */
function buildBody(spec: ClientSpec, params: ParamValues): string | FormData | undefined {
  const body: { [name: string]: unknown } = {};
  let form: FormData | undefined;
  for (const name of Object.keys(spec.params)) {
    const param = spec.params[name];
    const value = params[name];
    if (param === undefined || value === undefined) continue;
    if (param.in === "payload") return JSON.stringify(value);
    if (param.in === "form") {
      form ??= new FormData();
      const whole = typeof value === "object" && value !== null && !(value instanceof Blob) && !Array.isArray(value);
      for (const [field, item] of whole ? Object.entries(value) : [[param.wire ?? name, value] as const]) {
        appendFormField(form, String(field), item);
      }
    }
    if (param.in === "body") body[param.wire ?? name] = value;
  }
  if (form !== undefined) return form;
  const empty = Object.keys(body).length === 0;
  return empty && (spec.method === "GET" || spec.method === "DELETE") ? undefined : JSON.stringify(body);
}

function appendFormField(form: FormData, name: string, value: unknown): void {
  if (value === undefined || value === null) return;
  if (value instanceof Blob) form.append(name, value);
  else if (Array.isArray(value)) for (const item of value) appendFormField(form, name, item);
  else if (typeof value === "object") form.append(name, JSON.stringify(value));
  else form.append(name, String(value));
}

/** Header parameters, by wire name. */
function paramHeaders(spec: ClientSpec, params: ParamValues): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const name of Object.keys(spec.params)) {
    const param = spec.params[name];
    const value = params[name];
    if (param?.in === "header" && value !== undefined && value !== null) headers[param.wire ?? name] = String(value);
  }
  return headers;
}

/** Names are lower-cased (HTTP ignores case) so a later source replaces a header instead of doubling it. */
function mergeHeaders(...sources: ReadonlyArray<Readonly<Record<string, string>> | undefined>): Record<string, string> {
  const merged: Record<string, string> = {};
  for (const source of sources) {
    for (const [name, value] of Object.entries(source ?? {})) merged[name.toLowerCase()] = value;
  }
  return merged;
}

// ---- Errors ------------------------------------------------------------------------------------

/**
 * A non-2xx answer from the backend, built from its error envelope. The type parameters let the
 * generated `XxxError` unions narrow on `status` and `code`.
 */
export class DjangoError<S extends number = number, C extends string = string, D = unknown> extends Error {
  readonly client: string;
  readonly status: S;
  readonly code: C;
  readonly fields: { readonly [field: string]: readonly string[] };
  readonly detail: D;

  constructor(init: {
    client: string; status: S; code: C; message: string; fields?: { readonly [field: string]: readonly string[] }; detail: D;
  }) {
    super(init.message);
    Object.setPrototypeOf(this, new.target.prototype); // keeps instanceof working if compiled down to ES5
    this.name = "DjangoError";
    this.client = init.client;
    this.status = init.status;
    this.code = init.code;
    this.fields = init.fields ?? {};
    this.detail = init.detail;
  }
}

/** No readable answer: a network failure, an abort, or a 2xx body that is not JSON. */
export class TransportError extends Error {
  constructor(readonly client: string, message: string, readonly cause?: unknown) {
    super(message);
    Object.setPrototypeOf(this, new.target.prototype);
    this.name = "TransportError";
  }
}

export function isDjangoError(error: unknown): error is DjangoError {
  return error instanceof DjangoError;
}

/** A DjangoError of this client with a (status, code) its schema declares; the generated guards use it. */
export function isDeclaredError(error: unknown, spec: ClientSpec): boolean {
  return isDjangoError(error) && error.client === spec.name &&
    spec.errors.some((declared) => declared.status === error.status && (declared.code === undefined || declared.code === error.code));
}

function text(value: unknown): string | undefined {
  return typeof value === "string" ? value : undefined;
}

/** Reads the `{code, message, fields?, detail?}` envelope; anything else becomes code `http_<status>`. */
function errorFromResponse(client: string, status: number, body: string): DjangoError {
  let parsed: unknown = null;
  try {
    if (body !== "") parsed = JSON.parse(body);
  } catch {
    parsed = body;
  }
  const { code, message, fields, detail } = isRecord(parsed) ? parsed : NOTHING;
  if (typeof code !== "string") {
    // Not our envelope (a proxy's HTML page, DRF's {"detail": ...}): the body is kept for debugging.
    return new DjangoError({ client, status, code: `http_${status}`, message: text(detail) ?? `HTTP ${status}`, detail: parsed });
  }
  const fieldErrors: { [field: string]: readonly string[] } = {};
  for (const [field, messages] of Object.entries(isRecord(fields) ? fields : NOTHING)) {
    fieldErrors[field] = (isList(messages) ? messages : [messages]).filter((m): m is string => typeof m === "string");
  }
  return new DjangoError({ client, status, code, message: text(message) ?? `HTTP ${status}`, fields: fieldErrors, detail: detail ?? null });
}

// ---- Canonical params & keys -------------------------------------------------------------------

export type CanonicalValue = string | number | boolean | null | readonly CanonicalValue[] | { readonly [k: string]: CanonicalValue };
export type QueryKey = readonly [client: string, params: { readonly [name: string]: CanonicalValue }];

/** Names a client and, optionally, parameter values an entry must have to be selected. */
export interface Selector { readonly client: string; readonly params?: { readonly [name: string]: unknown } }

const NUMERIC = /^-?\d+(\.\d+)?([eE][+-]?\d+)?$/;

/** JSON with object keys sorted; undefined members dropped and non-finite numbers nulled, as JSON does. */
function canonicalJson(value: unknown): CanonicalValue {
  if (value === null || typeof value === "string" || typeof value === "boolean") return value;
  if (typeof value === "number") return Number.isFinite(value) ? value + 0 : null; // + 0 turns -0 into 0
  if (isList(value)) return value.map((item) => (item === undefined ? null : canonicalJson(item)));
  if (!isRecord(value)) return String(value);
  const out: { [k: string]: CanonicalValue } = {};
  for (const k of Object.keys(value).sort()) {
    if (value[k] !== undefined) out[k] = canonicalJson(value[k]);
  }
  return out;
}

/** A value as its wire type reads it, so spellings the server treats alike share one key. */
function canonicalScalar(type: WireType, value: unknown): CanonicalValue {
  if (value === null) return null;
  switch (type) {
    case "int":
    case "float":
      return typeof value === "string" && NUMERIC.test(value) ? Number(value) + 0 : canonicalJson(value);
    case "bool":
      return value === "true" ? true : value === "false" ? false : canonicalJson(value);
    case "json":
      return canonicalJson(value);
    default:
      // Path and query values travel as text, so 5 and "5" are the same string parameter.
      if (typeof value === "string") return value.normalize("NFC");
      return typeof value === "number" || typeof value === "boolean" ? String(value) : canonicalJson(value);
  }
}

function canonicalValue(param: ParamSpec, value: unknown): CanonicalValue {
  if (value === null || !param.list) return canonicalScalar(param.type, value);
  // A lone value for a list parameter goes on the wire as a one-element list, so it is keyed as one.
  return (isList(value) ? value : [value]).map((item) => canonicalScalar(param.type, item));
}

/** Only declared parameters, undefined dropped, sorted by name, each value in its canonical form. */
export function canonicalParams(spec: ClientSpec, params: object): { [name: string]: CanonicalValue } {
  const values = params as ParamValues;
  const out: { [name: string]: CanonicalValue } = {};
  for (const name of Object.keys(spec.params).sort()) {
    const param = spec.params[name];
    if (param !== undefined && values[name] !== undefined) out[name] = canonicalValue(param, values[name]);
  }
  return out;
}

export function queryKey(spec: ClientSpec, params: object): QueryKey {
  return [spec.name, canonicalParams(spec, params)];
}

function stableStringify(value: CanonicalValue): string {
  if (value === null || typeof value !== "object") return JSON.stringify(value);
  if (isList(value)) return `[${value.map((item) => stableStringify(item as CanonicalValue)).join(",")}]`;
  const record = value as { readonly [k: string]: CanonicalValue };
  return `{${Object.keys(record).sort().map((k) => `${JSON.stringify(k)}:${stableStringify(record[k] ?? null)}`).join(",")}}`;
}

/** A string that is equal exactly when two keys are, for use as a Map key. */
export function keyHash(key: QueryKey): string {
  return stableStringify([key[0], key[1]]);
}

/** Selector values in the target's canonical form, so id=5 and id="5" select the same entries. */
function canonicalSelector(spec: ClientSpec | undefined, params: Selector["params"]): { [name: string]: CanonicalValue } {
  const out: { [name: string]: CanonicalValue } = {};
  for (const [name, value] of Object.entries(params ?? {})) {
    if (value === undefined) continue; // e.g. an optional mutation param that was not given: any value
    const param = spec?.params[name];
    out[name] = param === undefined ? canonicalJson(value) : canonicalValue(param, value);
  }
  return out;
}

function matches(params: QueryKey[1], wanted: { readonly [name: string]: CanonicalValue }): boolean {
  return Object.entries(wanted).every(([name, want]) => {
    const have = params[name];
    return have !== undefined && stableStringify(have) === stableStringify(want);
  });
}

// ---- X-Mizan-Invalidate parsing (an RFC 8941 List) ---------------------------------------------

/** The header is not a valid sf-list of client names; `offset` is the 0-based position of the fault. */
export class InvalidateHeaderError extends Error {
  constructor(readonly header: string, readonly offset: number, problem: string) {
    super(`Invalid X-Mizan-Invalidate header at offset ${offset}: ${problem}`);
    Object.setPrototypeOf(this, new.target.prototype);
    this.name = "InvalidateHeaderError";
  }
}

const DIGIT = /^[0-9]$/;
const TOKEN_START = /^[A-Za-z*]$/;
const TOKEN_CHAR = /^[!#$%&'*+\-.^_`|~0-9A-Za-z:/]$/;
const KEY_START = /^[a-z*]$/;
const KEY_CHAR = /^[a-z0-9_\-.*]$/;

/**
 * Parses `"books.get_book";id=5, books.list_books` into selectors, following RFC 8941 strictly but
 * only as far as the header means anything: members are client names (strings or tokens); parameter
 * values are integers, decimals, strings, tokens or booleans. Inner lists and byte sequences are
 * valid sf syntax yet meaningless here, so they are rejected too.
 */
export function parseInvalidateHeader(value: string): Selector[] {
  let pos = 0;
  const peek = (): string => value[pos] ?? ""; // "" at the end matches no character class
  const fail = (problem: string, offset = pos): never => {
    throw new InvalidateHeaderError(value, offset, problem);
  };
  const skip = (chars: string): void => {
    while (pos < value.length && chars.includes(peek())) pos++;
  };
  const span = (start: number, allowed: RegExp): string => {
    while (allowed.test(peek())) pos++;
    return value.slice(start, pos);
  };

  const parseNumber = (): number => {
    const start = pos;
    if (peek() === "-") pos++;
    if (!DIGIT.test(peek())) fail("expected a digit");
    const whole = span(pos, DIGIT);
    if (peek() === ".") {
      if (whole.length > 12) fail("more than 12 integer digits in a decimal", start);
      pos++;
      const fraction = span(pos, DIGIT);
      if (fraction === "") fail("decimal ends with a dot", pos - 1);
      if (fraction.length > 3) fail("more than 3 fractional digits", start);
    } else if (whole.length > 15) {
      fail("integer longer than 15 digits", start);
    }
    return Number(value.slice(start, pos)) + 0;
  };

  const parseString = (): string => {
    let out = "";
    for (pos++; ; pos++) {
      const ch = peek();
      if (ch === "") fail("unterminated string");
      if (ch === '"') break;
      if (ch === "\\") {
        pos++;
        if (peek() !== '"' && peek() !== "\\") fail('only \\" and \\\\ may be escaped', pos - 1);
        out += peek();
      } else if (ch < " " || ch > "~") {
        fail("strings may hold only printable ASCII");
      } else {
        out += ch;
      }
    }
    pos++; // closing quote
    return out;
  };

  const parseBareItem = (): string | number | boolean => {
    const ch = peek();
    if (ch === "-" || DIGIT.test(ch)) return parseNumber();
    if (ch === '"') return parseString();
    if (TOKEN_START.test(ch)) return span(pos++, TOKEN_CHAR); // first character already checked
    if (ch === "?") {
      const digit = value[pos + 1];
      if (digit !== "0" && digit !== "1") fail("a boolean is ?0 or ?1", pos + 1);
      pos += 2;
      return digit === "1";
    }
    if (ch === ":") fail("byte sequences are not supported");
    return fail(ch === "" ? "unexpected end of header" : `unexpected character ${JSON.stringify(ch)}`);
  };

  const parseMember = (): Selector => {
    const start = pos;
    if (peek() === "(") fail("inner lists are not supported");
    if (peek() !== '"' && !TOKEN_START.test(peek())) fail("expected a client name (string or token)");
    const client = String(parseBareItem());
    if (client === "") fail("empty client name", start);
    const params: { [name: string]: string | number | boolean } = {};
    while (peek() === ";") {
      pos++;
      skip(" ");
      if (!KEY_START.test(peek())) fail("expected a parameter name (lowercase letter or *)");
      const key = span(pos, KEY_CHAR);
      let item: string | number | boolean = true; // a bare key means true
      if (peek() === "=") {
        pos++;
        item = parseBareItem();
      }
      params[key] = item; // a repeated key overwrites, as RFC 8941 says
    }
    return Object.keys(params).length > 0 ? { client, params } : { client };
  };

  const selectors: Selector[] = [];
  skip(" ");
  while (pos < value.length) {
    selectors.push(parseMember());
    skip(" \t");
    if (pos >= value.length) break;
    if (peek() !== ",") fail('expected "," between list members');
    pos++;
    skip(" \t");
    if (pos >= value.length) fail("trailing comma");
  }
  return selectors;
}

// ---- Query store -------------------------------------------------------------------------------

export interface QueryState<R, E> {
  readonly data: R | undefined;
  readonly error: E | DjangoError | TransportError | undefined;
  readonly status: "idle" | "loading" | "success" | "error";
  readonly isFetching: boolean;
  readonly isStale: boolean;
  /** When `data` was fetched, on the kernel's clock (ms); 0 before the first success. */
  readonly updatedAt: number;
}

/** Successful entries as plain JSON, to carry a server render's data into the browser. */
export interface DehydratedState { readonly version: 1; readonly entries: readonly DehydratedEntry[] }
export interface DehydratedEntry { readonly key: QueryKey; readonly data: unknown; readonly fetchedAt: number }

/** Sends the request for a key. The kernel supplies it, so entries hold no per-call closures. */
export type QueryFetcher = (
  key: QueryKey, init: { signal: AbortSignal; headers: Record<string, string> | undefined },
) => Promise<unknown>;

export interface QueryStoreOptions {
  readonly specs: { readonly [client: string]: ClientSpec };
  readonly fetch: QueryFetcher;
  readonly now?: () => number;
  readonly onWarning?: (message: string) => void;
}

type Listener = (state: QueryState<unknown, unknown>) => void;

/** One request shared by every caller of a key; aborted only once all its callers have aborted. */
interface Flight {
  readonly promise: Promise<unknown>;
  readonly controller: AbortController;
  waiting: number;
  /** Something that cannot abort depends on it: a caller without a signal, a refresh, a refetch. */
  pinned: boolean;
}

interface Entry {
  readonly key: QueryKey;
  data: unknown;
  error: unknown;
  outcome: "none" | "success" | "error";
  fetchedAt: number | undefined;
  invalidated: boolean;
  flight: Flight | undefined;
  readonly listeners: Set<Listener>;
  /** The last state handed out, reused while nothing changed so UI bindings see a stable object. */
  state: QueryState<unknown, unknown> | undefined;
}

const IDLE: QueryState<unknown, unknown> = Object.freeze({
  data: undefined, error: undefined, status: "idle", isFetching: false, isStale: true, updatedAt: 0,
});

/**
 * Query results by key: fresh data is served as is, stale data is served while one refresh runs,
 * concurrent reads share one request, and invalidated entries refetch. Errors become state but
 * never data, so the next read retries.
 */
export class QueryStore {
  private readonly entries = new Map<string, Entry>();
  private readonly now: () => number;

  constructor(private readonly options: QueryStoreOptions) {
    this.now = options.now ?? (() => Date.now());
  }

  /** Answers a query from the store or the network; `Kernel.query` is the typed front of this. */
  read(key: QueryKey, options: CallOptions = {}): Promise<unknown> {
    const entry = this.entry(key);
    if (options.signal?.aborted === true) return Promise.reject(aborted(entry, options.signal));
    if (options.fresh !== true) {
      const freshness = this.freshness(entry);
      if (freshness === "fresh") return Promise.resolve(entry.data);
      if (freshness === "stale") {
        if (entry.flight === undefined) this.start(entry, undefined, true);
        return Promise.resolve(entry.data);
      }
      if (entry.flight !== undefined) return join(entry, entry.flight, options.signal);
    }
    return join(entry, this.start(entry, options.headers, false), options.signal);
  }

  getState(key: QueryKey): QueryState<unknown, unknown> {
    const entry = this.entries.get(keyHash(key));
    return entry === undefined ? IDLE : this.stateOf(entry);
  }

  /** The listener hears every change of the key's state. Subscribing does not fetch; reading does. */
  subscribe(key: QueryKey, listener: Listener): () => void {
    this.entry(key).listeners.add(listener);
    return () => this.unsubscribe(key, listener);
  }

  unsubscribe(key: QueryKey, listener: Listener): void {
    const entry = this.entries.get(keyHash(key));
    entry?.listeners.delete(listener);
    if (entry?.listeners.size === 0 && entry.outcome === "none" && entry.flight === undefined) this.entries.delete(keyHash(key));
  }

  /**
   * Marks matching entries stale: watched ones refetch now, others on their next read. A request in
   * flight is disowned, since its answer may predate the change that caused the invalidation.
   */
  invalidate(selector: Selector): number {
    const wanted = canonicalSelector(own(this.options.specs, selector.client), selector.params);
    let count = 0;
    for (const entry of this.entries.values()) {
      if (entry.key[0] !== selector.client || !matches(entry.key[1], wanted)) continue;
      count++;
      entry.invalidated = true;
      entry.flight = undefined;
      if (entry.listeners.size > 0) this.start(entry, undefined, true);
      else this.notify(entry);
    }
    return count;
  }

  snapshot(): ReadonlyArray<{ readonly key: QueryKey; readonly state: QueryState<unknown, unknown> }> {
    return [...this.entries.values()].map((entry) => ({ key: entry.key, state: this.stateOf(entry) }));
  }

  /** Forgets all data (e.g. at logout). Watched entries stay, reset to idle, and their listeners hear it. */
  clear(): void {
    for (const [hash, entry] of this.entries) {
      if (entry.listeners.size === 0) {
        this.entries.delete(hash);
      } else {
        Object.assign(entry, { data: undefined, error: undefined, outcome: "none", fetchedAt: undefined, invalidated: false, flight: undefined });
        this.notify(entry);
      }
    }
  }

  /** Invalidated entries are left out, or the receiver would take them for fresh. */
  dehydrate(): DehydratedState {
    const entries: DehydratedEntry[] = [];
    for (const { key, data, fetchedAt, invalidated } of this.entries.values()) {
      if (fetchedAt !== undefined && !invalidated) entries.push({ key, data, fetchedAt });
    }
    return { version: 1, entries };
  }

  /** Takes parsed JSON of unknown origin, so shapes are checked, and newer data is never replaced. */
  hydrate(state: DehydratedState): void {
    const input: unknown = state;
    const { version, entries } = isRecord(input) ? input : NOTHING;
    if (version !== 1 || !isList(entries)) return this.warn("hydrate: not a dehydrated Mizan state; ignored");
    for (const item of entries) {
      const { key, data, fetchedAt } = isRecord(item) ? item : NOTHING;
      const spec = isList(key) && typeof key[0] === "string" ? own(this.options.specs, key[0]) : undefined;
      if (spec === undefined || !isList(key) || !isRecord(key[1]) || typeof fetchedAt !== "number") {
        this.warn("hydrate: skipped a malformed entry or one of an unknown client");
        continue;
      }
      const entry = this.entry(queryKey(spec, key[1])); // canonicalized again: the JSON may be hand-made
      if (entry.fetchedAt !== undefined && entry.fetchedAt >= fetchedAt) continue;
      Object.assign(entry, { data, error: undefined, outcome: "success", fetchedAt, invalidated: false });
      this.notify(entry);
    }
  }

  private entry(key: QueryKey): Entry {
    const hash = keyHash(key);
    let entry = this.entries.get(hash);
    if (entry === undefined) {
      entry = { key, data: undefined, error: undefined, outcome: "none", fetchedAt: undefined, invalidated: false,
        flight: undefined, listeners: new Set(), state: undefined };
      this.entries.set(hash, entry);
    }
    return entry;
  }

  /** `cache: false` counts as ttl 0, so such data is never served without a request. */
  private freshness(entry: Entry): "fresh" | "stale" | "expired" {
    if (entry.fetchedAt === undefined || entry.invalidated) return "expired";
    const policy = own(this.options.specs, entry.key[0])?.cache;
    const ttl = policy ? policy.ttl * 1000 : 0;
    const age = this.now() - entry.fetchedAt;
    return age < ttl ? "fresh" : policy && age < ttl + policy.staleWhileRevalidate * 1000 ? "stale" : "expired";
  }

  private start(entry: Entry, headers: Record<string, string> | undefined, pinned: boolean): Flight {
    const controller = new AbortController();
    let promise: Promise<unknown>;
    try {
      promise = this.options.fetch(entry.key, { signal: controller.signal, headers });
    } catch (error) {
      promise = Promise.reject(error);
    }
    const flight: Flight = { promise, controller, waiting: 0, pinned };
    entry.flight = flight;
    // A superseded flight (a newer request, an invalidation, clear()) no longer speaks for the entry.
    promise.then((data) => {
      if (entry.flight !== flight) return;
      Object.assign(entry, { flight: undefined, data, error: undefined, outcome: "success", fetchedAt: this.now(), invalidated: false });
      this.notify(entry);
    }, (error: unknown) => {
      if (entry.flight !== flight) return;
      entry.flight = undefined;
      if (!controller.signal.aborted) Object.assign(entry, { error, outcome: "error" });
      this.notify(entry);
    });
    this.notify(entry);
    return flight;
  }

  private stateOf(entry: Entry): QueryState<unknown, unknown> {
    const next: QueryState<unknown, unknown> = {
      data: entry.data,
      error: entry.error,
      status: entry.flight !== undefined && entry.fetchedAt === undefined ? "loading"
        : entry.outcome === "none" ? "idle" : entry.outcome,
      isFetching: entry.flight !== undefined,
      isStale: this.freshness(entry) !== "fresh",
      updatedAt: entry.fetchedAt ?? 0,
    };
    const last = entry.state;
    const same = last !== undefined && (Object.keys(next) as Array<keyof typeof next>).every((k) => last[k] === next[k]);
    return same ? last : (entry.state = Object.freeze(next));
  }

  private notify(entry: Entry): void {
    const state = this.stateOf(entry);
    for (const listener of [...entry.listeners]) {
      try {
        listener(state);
      } catch (error) {
        this.warn(`a listener of ${entry.key[0]} threw: ${describe(error)}`);
      }
    }
  }

  private warn(message: string): void {
    this.options.onWarning?.(message);
  }
}

/** This caller's view of a shared flight: its own abort rejects only it. */
function join(entry: Entry, flight: Flight, signal: AbortSignal | undefined): Promise<unknown> {
  if (signal === undefined) {
    flight.pinned = true;
    return flight.promise;
  }
  flight.waiting++;
  return new Promise((resolve, reject) => {
    const onAbort = (): void => {
      if (--flight.waiting === 0 && !flight.pinned) flight.controller.abort();
      reject(aborted(entry, signal));
    };
    signal.addEventListener("abort", onAbort, { once: true });
    flight.promise.then(resolve, reject).finally(() => signal.removeEventListener("abort", onAbort));
  });
}

function aborted(entry: Entry, signal: AbortSignal): TransportError {
  return new TransportError(entry.key[0], `${entry.key[0]}: request aborted`, signal.reason);
}

// ---- Kernel ------------------------------------------------------------------------------------

type StateOf<M extends { [K in keyof M]: ClientTypeEntry }, K extends keyof M> = QueryState<M[K]["result"], M[K]["error"]>;

/**
 * Runs the clients of one generated kernel. `M` is the generated `ClientTypes`; its constraint is a
 * mapped type so that interfaces satisfy it as well as type aliases.
 */
export class Kernel<M extends { [K in keyof M]: ClientTypeEntry }> {
  readonly store: QueryStore;
  private readonly specs: { readonly [client: string]: ClientSpec };

  constructor(
    specs: { readonly [K in keyof M]: ClientSpec },
    private readonly invalidation: InvalidationMap,
    private readonly config: KernelConfig,
  ) {
    this.specs = specs;
    this.store = new QueryStore({
      specs,
      fetch: (key, init) => this.fetchQuery(key, init.headers, init.signal),
      now: config.now ?? (() => Date.now()),
      onWarning: (message) => this.warn(message),
    });
  }

  /** What the generated functions call: GET clients are queries, all others mutations. */
  call<K extends keyof M & string>(client: K, params: M[K]["params"], options?: CallOptions): Promise<M[K]["result"]> {
    return this.spec(client).method === "GET" ? this.query(client, params, options) : this.mutate(client, params, options);
  }

  /** Reads through the store: fresh data, stale-while-revalidate, one request for concurrent reads. */
  query<K extends keyof M & string>(client: K, params: M[K]["params"], options?: CallOptions): Promise<M[K]["result"]> {
    return this.store.read(queryKey(this.spec(client), params), options) as Promise<M[K]["result"]>;
  }

  /**
   * Sends the request, then applies the declared `affects` and the response's X-Mizan-Invalidate.
   * Both happen before the body is decoded: the change happened even if the body turns out unreadable.
   */
  async mutate<K extends keyof M & string>(client: K, params: M[K]["params"], options: CallOptions = {}): Promise<M[K]["result"]> {
    const spec = this.spec(client);
    const response = await this.send(spec, params, options.headers, options.signal);
    if (spec.method !== "GET" && response.status >= 200 && response.status < 400) {
      if (response.status < 300) this.applyAffects(spec, params as ParamValues);
      this.applyInvalidateHeader(response.headers.get("X-Mizan-Invalidate"));
    }
    return this.decode(spec, response) as M[K]["result"];
  }

  subscribe<K extends keyof M & string>(client: K, params: M[K]["params"], listener: (state: StateOf<M, K>) => void): () => void {
    return this.store.subscribe(queryKey(this.spec(client), params), listener as Listener);
  }

  getState<K extends keyof M & string>(client: K, params: M[K]["params"]): StateOf<M, K> {
    return this.store.getState(queryKey(this.spec(client), params)) as StateOf<M, K>;
  }

  invalidate(selector: Selector): number {
    return this.store.invalidate(selector);
  }

  /** Checked at run time too, since plain JavaScript callers can pass any name. */
  private spec(client: string): ClientSpec {
    const spec = own(this.specs, client);
    if (spec === undefined) throw new TypeError(`Unknown Mizan client "${client}"`);
    return spec;
  }

  /** Canonical params go on the wire, so a stored answer is exactly the answer to its key. */
  private async fetchQuery(key: QueryKey, headers: Record<string, string> | undefined, signal: AbortSignal): Promise<unknown> {
    const spec = this.spec(key[0]);
    return this.decode(spec, await this.send(spec, key[1], headers, signal));
  }

  private async send(
    spec: ClientSpec, params: object, headers: Record<string, string> | undefined, signal: AbortSignal | undefined,
  ): Promise<RawResponse> {
    const url = buildUrl(this.config.baseUrl, spec, params as ParamValues);
    const body = buildBody(spec, params as ParamValues);
    const base: Record<string, string> = { accept: "application/json" };
    // FormData sets its own multipart content type, with the boundary.
    if (typeof body === "string") base["content-type"] = "application/json";
    const request: TransportRequest = {
      method: spec.method, url, headers: mergeHeaders(base, paramHeaders(spec, params as ParamValues), await this.config.headers?.(), headers),
    };
    if (body !== undefined) request.body = body;
    if (signal !== undefined) request.signal = signal;
    let response: TransportResponse;
    try {
      response = await (this.config.transport ?? fetchTransport)(request);
    } catch (cause) {
      const reason = signal?.aborted === true ? "request aborted" : describe(cause);
      throw new TransportError(spec.name, `${spec.name}: ${spec.method} ${url} failed: ${reason}`, cause);
    }
    try {
      return { status: response.status, headers: response.headers, body: await response.text() };
    } catch (cause) {
      throw new TransportError(spec.name, `${spec.name}: could not read the response body: ${describe(cause)}`, cause);
    }
  }

  /** 2xx gives the JSON body (undefined when empty), as `{status, data}` for a branching result. */
  private decode(spec: ClientSpec, response: RawResponse): unknown {
    if (response.status < 200 || response.status >= 300) throw errorFromResponse(spec.name, response.status, response.body);
    let data: unknown;
    try {
      data = response.body === "" ? undefined : JSON.parse(response.body);
    } catch (cause) {
      throw new TransportError(spec.name, `${spec.name}: response body is not JSON`, cause);
    }
    if (spec.branches === null) return data;
    if (!spec.branches.includes(response.status)) this.warn(`${spec.name}: undeclared status ${response.status}`);
    return { status: response.status, data };
  }

  private applyAffects(spec: ClientSpec, params: ParamValues): void {
    for (const affect of own(this.invalidation, spec.name) ?? []) {
      const selected: { [name: string]: unknown } = {};
      for (const [target, source] of Object.entries(affect.params)) {
        selected[target] = "from" in source ? params[source.from] : source.value;
      }
      this.store.invalidate({ client: affect.client, params: selected });
    }
  }

  private applyInvalidateHeader(header: string | null): void {
    if (header === null) return;
    let selectors: Selector[];
    try {
      selectors = parseInvalidateHeader(header);
    } catch (error) {
      return this.warn(`ignored X-Mizan-Invalidate: ${describe(error)}`);
    }
    for (const selector of selectors) {
      if (own(this.specs, selector.client) === undefined) this.warn(`X-Mizan-Invalidate names unknown client "${selector.client}"`);
      this.store.invalidate(selector);
    }
  }

  private warn(message: string): void {
    this.config.onWarning?.(message);
  }
}
