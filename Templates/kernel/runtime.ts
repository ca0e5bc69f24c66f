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
  /** The declared values (the edge manifest's `enum`); the generated kernel leaves it out. */
  readonly enum?: readonly (string | number | boolean | null)[] | null;
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

// ---- Canonical params & keys (docs/protocol.md) ------------------------------------------------

export type CanonicalValue = string | number | boolean | null | readonly CanonicalValue[] | { readonly [k: string]: CanonicalValue };
export type QueryKey = readonly [client: string, params: { readonly [name: string]: CanonicalValue }];

/** Names a client and, optionally, parameter values an entry must have to be selected. */
export interface Selector { readonly client: string; readonly params?: { readonly [name: string]: unknown } }

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

/**
 * Why a parameter set does not canonicalize. The edge forwards such a request uncached and lets
 * the backend answer; `kind` is one of docs/protocol.md's error kinds.
 */
export class CanonicalParamError extends Error {
  constructor(
    readonly param: string,
    readonly kind: "unknown" | "missing" | "repeated" | "type" | "range" | "enum",
    message: string,
  ) {
    super(message);
    Object.setPrototypeOf(this, new.target.prototype);
    this.name = "CanonicalParamError";
  }
}

/** One value that does not read; the caller adds the parameter's name. */
class ValueFault {
  constructor(readonly kind: CanonicalParamError["kind"], readonly problem: string) {}
}

const MAX_JSON_DEPTH = 64;
const MAX_WRITTEN_EXPONENT = 1000;
const DECIMAL_TEXT = /^(-?)([0-9]+)(?:\.([0-9]+))?(?:[eE]([+-]?)([0-9]+))?$/;
const INTEGER_TEXT = /^-?[0-9]+$/;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function quote(text: string): string {
  const shown = JSON.stringify(text.length > 40 ? text.slice(0, 40) : text);
  return text.length > 40 ? `${shown.slice(0, -1)}…"` : shown;
}

/** An exact decimal: `digits` × 10^`exponent`, digits without leading or trailing zeros ("" for 0). */
interface DecimalText { readonly negative: boolean; readonly digits: string; readonly exponent: number }

function readDecimal(text: string, integerOnly: boolean): DecimalText | "syntax" | "exponent" {
  const match = (integerOnly ? INTEGER_TEXT : DECIMAL_TEXT).exec(text);
  if (match === null) return "syntax";
  if (integerOnly) return decimalOf(text.startsWith("-"), text.replace(/^-/, ""), 0);
  const [, sign = "", whole = "", fraction = "", expSign = "", expDigits] = match;
  let written = 0;
  if (expDigits !== undefined) {
    const trimmed = expDigits.replace(/^0+/, "");
    if (trimmed.length > 4 || Number(trimmed) > MAX_WRITTEN_EXPONENT) return "exponent";
    written = expSign === "-" ? -Number(trimmed) : Number(trimmed);
  }
  return decimalOf(sign === "-", whole + fraction, written - fraction.length);
}

function decimalOf(negative: boolean, allDigits: string, exponent: number): DecimalText {
  const lead = allDigits.replace(/^0+/, "");
  const digits = lead.replace(/0+$/, "");
  return digits === "" ? { negative: false, digits: "", exponent: 0 }
    : { negative, digits, exponent: exponent + lead.length - digits.length };
}

/** Plain notation: no exponent, no leading zeros, no trailing fractional zeros; "0" for zero. */
function plainDecimal(d: DecimalText): string {
  if (d.digits === "") return "0";
  const sign = d.negative ? "-" : "";
  if (d.exponent >= 0) return sign + d.digits + "0".repeat(d.exponent);
  const fraction = -d.exponent;
  if (fraction < d.digits.length) return `${sign}${d.digits.slice(0, d.digits.length - fraction)}.${d.digits.slice(d.digits.length - fraction)}`;
  return `${sign}0.${"0".repeat(fraction - d.digits.length)}${d.digits}`;
}

/** A number up to 2^53 - 1 in magnitude; beyond, the exact digits as a string. */
function integerValue(d: DecimalText): number | string {
  const digits = d.digits === "" ? "0" : d.digits + "0".repeat(d.exponent);
  const safe = digits.length < 16 || (digits.length === 16 && digits <= "9007199254740991");
  const text = (d.negative ? "-" : "") + digits;
  return safe ? Number(text) + 0 : text;
}

/** Wire text must be `-?[0-9]+`; a number's text (`fromNumber`) may have a fraction or exponent if its value is whole. */
function readInteger(text: string, fromNumber: boolean): number | string {
  const d = readDecimal(text, !fromNumber);
  if (d === "exponent") throw new ValueFault("range", `${text} has an exponent beyond ±${MAX_WRITTEN_EXPONENT}`);
  if (d === "syntax" || d.exponent < 0) throw new ValueFault("type", `${fromNumber ? text : quote(text)} is not an integer`);
  return integerValue(d);
}

function readDecimalValue(text: string): string {
  const d = readDecimal(text, false);
  if (d === "syntax") throw new ValueFault("type", `${quote(text)} is not a decimal number`);
  if (d === "exponent") throw new ValueFault("range", `${quote(text)} has an exponent beyond ±${MAX_WRITTEN_EXPONENT}`);
  return plainDecimal(d);
}

function finite(value: number, shown: string): number {
  if (!Number.isFinite(value)) throw new ValueFault("range", `${shown} is beyond the range of a float`);
  return value + 0; // -0 is 0
}

function wellFormed(text: string): string {
  if (LONE_SURROGATE.test(text)) throw new ValueFault("type", `${quote(text)} holds a lone surrogate (not Unicode text)`);
  return text;
}

const twoDigits = (text: string, at: number): number => (/^[0-9]{2}$/.test(text.slice(at, at + 2)) ? Number(text.slice(at, at + 2)) : NaN);
const pad = (n: number, width = 2): string => String(n).padStart(width, "0");

function daysIn(month: number, year: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/** `YYYY-MM-DD`, a real date in 0001–9999; undefined otherwise. */
function readDateFields(text: string): [number, number, number] | undefined {
  if (!/^[0-9]{4}-[0-9]{2}-[0-9]{2}/.test(text)) return undefined;
  const year = Number(text.slice(0, 4));
  const month = twoDigits(text, 5);
  const day = twoDigits(text, 8);
  return year >= 1 && month >= 1 && month <= 12 && day >= 1 && day <= daysIn(month, year) ? [year, month, day] : undefined;
}

function readDate(text: string): string {
  if (text.length !== 10 || readDateFields(text) === undefined) throw new ValueFault("type", `${quote(text)} is not a date (YYYY-MM-DD)`);
  return text;
}

/** Days since 1970-01-01, proleptic Gregorian (Howard Hinnant's algorithm), and back. */
function daysFromCivil(y: number, m: number, d: number): number {
  y -= m <= 2 ? 1 : 0;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (m > 2 ? m - 3 : m + 9) + 2) / 5) + d - 1;
  return era * 146097 + yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy - 719468;
}

function civilFromDays(days: number): [number, number, number] {
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  return [yoe + era * 400 + (m <= 2 ? 1 : 0), m, d];
}

const DATETIME = /^([0-9]{4}-[0-9]{2}-[0-9]{2})[Tt ]([0-9]{2}):([0-9]{2}):([0-9]{2})(?:\.([0-9]{1,9}))?(?:([Zz])|([+-])([0-9]{2}):([0-9]{2}))?$/;

/** RFC 3339; with an offset written in UTC with Z, without one left local; fraction zeros dropped. */
function readDateTime(text: string): string {
  const m = DATETIME.exec(text);
  const date = m === null ? undefined : readDateFields(m[1] ?? "");
  if (m === null || date === undefined) throw new ValueFault("type", `${quote(text)} is not an RFC 3339 datetime`);
  const [, , hh, mi, ss, fraction = "", zulu, sign, oh, om] = m;
  const hour = Number(hh), minute = Number(mi), second = Number(ss);
  const offsetHours = Number(oh ?? "0"), offsetMinutes = Number(om ?? "0");
  if (hour > 23 || minute > 59 || second > 59 || offsetHours > 23 || offsetMinutes > 59) {
    throw new ValueFault("type", `${quote(text)} is not an RFC 3339 datetime`);
  }
  const hasOffset = zulu !== undefined || sign !== undefined;
  let [year, month, day] = date;
  let minuteOfDay = hour * 60 + minute - (sign === "-" ? -1 : 1) * (offsetHours * 60 + offsetMinutes);
  if (minuteOfDay < 0 || minuteOfDay >= 1440) {
    [year, month, day] = civilFromDays(daysFromCivil(year, month, day) + (minuteOfDay < 0 ? -1 : 1));
    minuteOfDay += minuteOfDay < 0 ? 1440 : -1440;
    if (year < 1 || year > 9999) throw new ValueFault("range", `${quote(text)} falls outside the years 0001-9999 in UTC`);
  }
  const trimmed = fraction.replace(/0+$/, "");
  return `${pad(year, 4)}-${pad(month)}-${pad(day)}T${pad(Math.floor(minuteOfDay / 60))}:${pad(minuteOfDay % 60)}:${pad(second)}` +
    (trimmed === "" ? "" : `.${trimmed}`) + (hasOffset ? "Z" : "");
}

function readUuid(text: string): string {
  if (!/^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}$/.test(text)) {
    throw new ValueFault("type", `${quote(text)} is not a UUID`);
  }
  return text.toLowerCase();
}

/** Text (a query value, or a JSON string) read as a wire type. */
function readText(type: WireType, text: string): CanonicalValue {
  switch (type) {
    case "string": return wellFormed(text).normalize("NFC");
    case "int": return readInteger(text, false);
    case "float":
      if (!DECIMAL_TEXT.test(text)) throw new ValueFault("type", `${quote(text)} is not a number`);
      return finite(Number(text), quote(text));
    case "decimal": return readDecimalValue(text);
    case "bool":
      if (text === "true" || text === "1") return true;
      if (text === "false" || text === "0") return false;
      throw new ValueFault("type", `${quote(text)} is not true, false, 1 or 0`);
    case "date": return readDate(text);
    case "datetime": return readDateTime(text);
    case "uuid": return readUuid(text);
    case "json": {
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch {
        throw new ValueFault("type", `${quote(text)} is not JSON`);
      }
      return strictJson(parsed, 1);
    }
  }
}

/** RFC 8785: binary64 numbers, keys in UTF-16 order (sort's default), strings as they are. */
function strictJson(value: unknown, depth: number): CanonicalValue {
  if (value === null || typeof value === "boolean") return value;
  if (typeof value === "string") return wellFormed(value);
  if (typeof value === "number") {
    if (!Number.isFinite(value)) throw new ValueFault("range", `${value} is beyond the range of a JSON number (binary64)`);
    return value + 0;
  }
  const container = isList(value) || (isRecord(value) && [Object.prototype, null].includes(Object.getPrototypeOf(value)));
  if (!container) throw new ValueFault("type", `a ${typeof value} is not JSON`);
  if (depth > MAX_JSON_DEPTH) throw new ValueFault("range", `the value is nested deeper than ${MAX_JSON_DEPTH} levels`);
  // As JSON.stringify sends them: undefined elements become null, undefined members are left out.
  if (isList(value)) return value.map((item) => (item === undefined ? null : strictJson(item, depth + 1)));
  const record = value as JsonObject;
  const out: { [k: string]: CanonicalValue } = {};
  for (const k of Object.keys(record).sort()) {
    if (record[k] !== undefined) out[wellFormed(k)] = strictJson(record[k], depth + 1);
  }
  return out;
}

/** A JavaScript value (never undefined, never a list) read as a wire type. */
function readValue(type: WireType, value: unknown): CanonicalValue {
  if (value === null) return null;
  if (type === "json") return strictJson(value, 1);
  if (typeof value === "string") return readText(type, value);
  if (typeof value === "number" || typeof value === "bigint") {
    const isNumber = typeof value === "number";
    if (isNumber && !Number.isFinite(value)) throw new ValueFault("range", `${value} is not a finite number`);
    // Number#toString is the shortest text that reads back as the same number: what JSON.stringify sends.
    const text = String(isNumber ? value + 0 : value);
    switch (type) {
      case "int": return readInteger(text, true);
      case "bool": {
        const n = readInteger(text, true);
        if (n === 0 || n === 1) return n === 1;
        throw new ValueFault("type", `${text} is not true, false, 1 or 0`);
      }
      case "float": return finite(Number(value), text);
      case "decimal": return readDecimalValue(text);
      case "string": return text;
      default: throw new ValueFault("type", `the number ${text} is not a ${type}`);
    }
  }
  if (typeof value === "boolean") {
    if (type === "bool") return value;
    if (type === "string") return String(value);
    throw new ValueFault("type", `${String(value)} is not a${type === "int" ? "n" : ""} ${type}`);
  }
  throw new ValueFault("type", isList(value) ? `an array is not a single ${type}` : `an object is not a ${type}`);
}

/** The canonical text of `enum` literals, per parameter spec (computed once per spec object). */
const allowedCache = new WeakMap<ParamSpec, readonly string[] | null>();

function allowedValues(param: ParamSpec): readonly string[] | null {
  let allowed = allowedCache.get(param);
  if (allowed === undefined) {
    allowed = param.enum == null ? null : param.enum.flatMap((literal) => {
      try {
        return [stableStringify(readValue(param.type, literal))];
      } catch {
        return []; // a literal that does not read as the type matches nothing
      }
    });
    allowedCache.set(param, allowed);
  }
  return allowed;
}

/** One element, from wire text or a JavaScript value, checked against the declared values. */
function readElement(param: ParamSpec, value: unknown, text: boolean): CanonicalValue {
  const read = text && typeof value === "string" ? readText(param.type, value) : readValue(param.type, value === undefined ? null : value);
  const allowed = read === null ? null : allowedValues(param);
  if (allowed !== null && !allowed.includes(stableStringify(read))) {
    throw new ValueFault("enum", `${stableStringify(read)} is not one of ${(param.enum ?? []).map((v) => JSON.stringify(v)).join(", ")}`);
  }
  return read;
}

/** A parameter's canonical value: a list from occurrences, an array, or one lone value. */
function readParam(name: string, param: ParamSpec, value: unknown, text: boolean): CanonicalValue {
  try {
    if (value === null) return null;
    if (param.list) return (isList(value) ? value : [value]).map((item) => readElement(param, item, text));
    if (text && isList(value)) return readElement(param, value[0], true);
    return readElement(param, value, text);
  } catch (fault) {
    if (!(fault instanceof ValueFault)) throw fault;
    const what = param.list ? `list of ${param.type}` : param.type;
    throw new CanonicalParamError(name, fault.kind, `parameter '${name}' (${what}): ${fault.problem}`);
  }
}

/**
 * Canonical params as the protocol defines them (docs/protocol.md), strictly: an undeclared name,
 * a missing required parameter, or a value that does not read as its type throws a
 * CanonicalParamError. `values` are JavaScript values (a body's JSON); `text` holds wire text (path
 * and query values, percent-decoded; an array for a name repeated in the query). With `subset`,
 * required parameters may be absent, as in a purge selector.
 */
export function readCanonicalParams(
  params: { readonly [name: string]: ParamSpec },
  values: object,
  text: { readonly [name: string]: string | readonly string[] } = {},
  subset = false,
): { [name: string]: CanonicalValue } {
  const given = values as ParamValues;
  for (const name of [...Object.keys(given), ...Object.keys(text)]) {
    if (own(params, name) === undefined && (given[name] !== undefined || own(text, name) !== undefined)) {
      throw new CanonicalParamError(name, "unknown", `'${name}' is not a parameter of this client`);
    }
  }
  const out: { [name: string]: CanonicalValue } = {};
  for (const name of Object.keys(params).sort()) {
    const param = params[name];
    if (param === undefined) continue;
    const json = own(given, name);
    const wire = own(text, name);
    const occurrences = wire === undefined ? 0 : isList(wire) ? wire.length : 1;
    if ((json !== undefined && occurrences > 0) || (occurrences > 1 && !param.list)) {
      throw new CanonicalParamError(name, "repeated", `parameter '${name}' is given more than once but is not a list`);
    }
    if (json === undefined && occurrences === 0) {
      if (param.required && !subset) throw new CanonicalParamError(name, "missing", `required parameter '${name}' is missing`);
      continue;
    }
    out[name] = occurrences > 0 ? readParam(name, param, wire, true) : readParam(name, param, json, false);
  }
  return out;
}

/** The canonical params' bytes (as a string; UTF-8 encode it for bytes): what keys are derived from. */
export function canonicalParamsText(params: { readonly [name: string]: CanonicalValue }): string {
  return stableStringify(params);
}

/**
 * The kernel's key for a call: the protocol's canonical form for every value that reads as its
 * type; anything else (which the backend will likely reject) is keyed by its plain JSON so the
 * store still works. Undeclared parameters are left out.
 */
export function canonicalParams(spec: ClientSpec, params: object): { [name: string]: CanonicalValue } {
  const values = params as ParamValues;
  const out: { [name: string]: CanonicalValue } = {};
  for (const name of Object.keys(spec.params).sort()) {
    const param = spec.params[name];
    if (param !== undefined && values[name] !== undefined) out[name] = lenientParam(name, param, values[name]);
  }
  return out;
}

function lenientParam(name: string, param: ParamSpec, value: unknown): CanonicalValue {
  try {
    return readParam(name, param, value, false);
  } catch (error) {
    if (error instanceof CanonicalParamError) return canonicalJson(value);
    throw error;
  }
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
    out[name] = param === undefined ? canonicalJson(value) : lenientParam(name, param, value);
  }
  return out;
}

function matches(params: QueryKey[1], wanted: { readonly [name: string]: CanonicalValue }): boolean {
  return Object.entries(wanted).every(([name, want]) => {
    const have = params[name];
    return have !== undefined && stableStringify(have) === stableStringify(want);
  });
}

// ---- Cache protocol: key derivation and purge selectors (docs/protocol.md) ---------------------

export type CacheContext = "public" | "user" | "session";

/** A secret too short to key with, or a per-caller entry without a credential. */
export class CacheKeyError extends Error {
  constructor(readonly kind: "secret-too-short" | "missing-credential", message: string) {
    super(message);
    Object.setPrototypeOf(this, new.target.prototype);
    this.name = "CacheKeyError";
  }
}

/** The two HMAC keys HKDF derives from the project secret; derive once, use for every request. */
export interface CacheSecrets { readonly entryKey: CryptoKey; readonly callerKey: CryptoKey }

const PROTOCOL_VERSION = "mizan-cache/1";
const utf8 = new TextEncoder();

/** HKDF-SHA256 of the secret (its UTF-8 bytes when a string), salt "mizan-cache/1", one info per key. */
export const deriveCacheSecrets = async (secret: string | Uint8Array): Promise<CacheSecrets> => {
  const bytes = typeof secret === "string" ? utf8.encode(secret) : secret;
  if (bytes.length < 16) {
    throw new CacheKeyError("secret-too-short", `the cache secret is ${bytes.length} bytes long; it needs at least 16`);
  }
  const subtle = globalThis.crypto.subtle;
  const base = await subtle.importKey("raw", bytes, "HKDF", false, ["deriveKey"]);
  const derive = (info: string): Promise<CryptoKey> => subtle.deriveKey(
    { name: "HKDF", hash: "SHA-256", salt: utf8.encode(PROTOCOL_VERSION), info: utf8.encode(info) },
    base, { name: "HMAC", hash: "SHA-256", length: 256 }, false, ["sign"],
  );
  const [entryKey, callerKey] = await Promise.all([derive(`${PROTOCOL_VERSION} entry-key`), derive(`${PROTOCOL_VERSION} caller-id`)]);
  return { entryKey, callerKey };
};

function toHex(bytes: ArrayBuffer): string {
  return Array.from(new Uint8Array(bytes), (b) => b.toString(16).padStart(2, "0")).join("");
}

function fromHex(hex: string): Uint8Array {
  if (!/^[0-9a-fA-F]{64}$/.test(hex)) throw new TypeError(`a caller id is 64 hex digits, not ${JSON.stringify(hex)}`);
  return Uint8Array.from(hex.match(/../g) ?? [], (pair) => parseInt(pair, 16));
}

/** The caller id of a credential (a session cookie's value, an Authorization header): HMAC-SHA256, hex. */
export const deriveCallerId = async (secrets: CacheSecrets, credential: string | Uint8Array): Promise<string> => {
  const bytes = typeof credential === "string" ? utf8.encode(credential) : credential;
  if (bytes.length === 0) throw new CacheKeyError("missing-credential", "an empty credential identifies no caller");
  return toHex(await globalThis.crypto.subtle.sign("HMAC", secrets.callerKey, bytes));
};

/**
 * An entry's key (64 hex digits): HMAC-SHA256 over the length-prefixed fields protocol version,
 * client, canonical params, context and caller id (32 bytes; empty for public). `params` is the
 * canonical text or the canonical params themselves; `callerId` is required for user and session.
 */
export const deriveCacheKey = async (
  secrets: CacheSecrets, client: string, params: string | { readonly [name: string]: CanonicalValue },
  context: CacheContext, callerId?: string | null,
): Promise<string> => {
  if (context !== "public" && (callerId === undefined || callerId === null)) {
    throw new CacheKeyError("missing-credential", `a ${context}-context entry needs the caller's credential`);
  }
  const fields = [
    utf8.encode(PROTOCOL_VERSION), utf8.encode(client), utf8.encode(typeof params === "string" ? params : canonicalParamsText(params)),
    utf8.encode(context), context === "public" ? new Uint8Array(0) : fromHex(callerId ?? ""),
  ];
  const message = new Uint8Array(fields.reduce((sum, field) => sum + 4 + field.length, 0));
  const view = new DataView(message.buffer);
  let at = 0;
  for (const field of fields) {
    view.setUint32(at, field.length); // big-endian
    message.set(field, at + 4);
    at += 4 + field.length;
  }
  return toHex(await globalThis.crypto.subtle.sign("HMAC", secrets.entryKey, message));
};

/** What a purge matches against: an entry's metadata (docs/protocol.md, "Metadata record"). */
export interface CacheEntryMeta {
  readonly client: string;
  readonly params: { readonly [name: string]: CanonicalValue };
  readonly context?: CacheContext;
  readonly caller?: string | null;
  readonly tags?: readonly string[];
  readonly deps?: ReadonlyArray<{ readonly client: string; readonly params: { readonly [name: string]: CanonicalValue } }>;
}

/** Which entries a purge may touch; an absent field does not narrow. */
export interface PurgeScope { readonly context?: CacheContext; readonly caller?: string }

/**
 * Whether a purge selector selects an entry within a scope. A client selector's values are read
 * with `params`, the client's parameter specs, and must all equal the entry's (or one of its
 * dependencies'); an undeclared parameter or a value that does not read throws a
 * CanonicalParamError, and such a selector selects nothing.
 */
export function selectorMatches(
  selector: Selector | { readonly tag: string } | { readonly all: true },
  entry: CacheEntryMeta,
  params: { readonly [name: string]: ParamSpec } = {},
  scope: PurgeScope = {},
): boolean {
  const wanted = "client" in selector ? readCanonicalParams(params, selector.params ?? {}, {}, true) : {};
  if (scope.context !== undefined && scope.context !== (entry.context ?? "public")) return false;
  if (scope.caller !== undefined && scope.caller.toLowerCase() !== (entry.caller ?? "").toLowerCase()) return false;
  if ("all" in selector) return selector.all;
  if ("tag" in selector) return (entry.tags ?? []).includes(selector.tag);
  return [entry, ...(entry.deps ?? [])].some((subject) => subject.client === selector.client && matches(subject.params, wanted));
}

// ---- X-Mizan-Invalidate parsing (an RFC 8941 List) ---------------------------------------------

/**
 * The header is not a valid sf-list of client names; `offset` is the 0-based position of the fault
 * and `kind` names the fault as docs/protocol.md does ("trailing-comma", "expected-key", ...).
 */
export class InvalidateHeaderError extends Error {
  constructor(readonly header: string, readonly offset: number, problem: string, readonly kind = "invalid") {
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
  const fail = (kind: string, problem: string, offset = pos): never => {
    throw new InvalidateHeaderError(value, offset, problem, kind);
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
    if (!DIGIT.test(peek())) fail("expected-digit", "expected a digit");
    const whole = span(pos, DIGIT);
    if (peek() === ".") {
      if (whole.length > 12) fail("decimal-too-long", "more than 12 integer digits in a decimal", start);
      pos++;
      const fraction = span(pos, DIGIT);
      if (fraction === "") fail("decimal-trailing-dot", "decimal ends with a dot", pos - 1);
      if (fraction.length > 3) fail("decimal-too-long", "more than 3 fractional digits", start);
    } else if (whole.length > 15) {
      fail("integer-too-long", "integer longer than 15 digits", start);
    }
    return Number(value.slice(start, pos)) + 0;
  };

  const parseString = (): string => {
    let out = "";
    for (pos++; ; pos++) {
      const ch = peek();
      if (ch === "") fail("unterminated-string", "unterminated string");
      if (ch === '"') break;
      if (ch === "\\") {
        pos++;
        if (peek() !== '"' && peek() !== "\\") fail("invalid-escape", 'only \\" and \\\\ may be escaped', pos - 1);
        out += peek();
      } else if (ch < " " || ch > "~") {
        fail("invalid-string-character", "strings may hold only printable ASCII");
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
      if (digit !== "0" && digit !== "1") fail("invalid-boolean", "a boolean is ?0 or ?1", pos + 1);
      pos += 2;
      return digit === "1";
    }
    if (ch === ":") fail("byte-sequence", "byte sequences are not supported");
    return ch === "" ? fail("unexpected-end", "unexpected end of header") : fail("unexpected-character", `unexpected character ${JSON.stringify(ch)}`);
  };

  const parseMember = (): Selector => {
    const start = pos;
    if (peek() === "(") fail("inner-list", "inner lists are not supported");
    if (peek() !== '"' && !TOKEN_START.test(peek())) fail("expected-client", "expected a client name (string or token)");
    const client = String(parseBareItem());
    if (client === "") fail("empty-client", "empty client name", start);
    const params: { [name: string]: string | number | boolean } = {};
    while (peek() === ";") {
      pos++;
      skip(" ");
      if (!KEY_START.test(peek())) fail("expected-key", "expected a parameter name (lowercase letter or *)");
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
    if (peek() !== ",") fail("expected-comma", 'expected "," between list members');
    pos++;
    skip(" \t");
    if (pos >= value.length) fail("trailing-comma", "trailing comma");
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
  /** Each listener, and whether it is active (an invalidation refetches only for active ones). */
  readonly listeners: Map<Listener, boolean>;
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

  /**
   * The listener hears every change of the key's state. Subscribing does not fetch; reading does.
   * While an entry has an active listener, invalidating it refetches at once; a passive listener
   * (a disabled query on screen) only hears the change.
   */
  subscribe(key: QueryKey, listener: Listener, options: { readonly passive?: boolean } = {}): () => void {
    this.entry(key).listeners.set(listener, options.passive !== true);
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
      if ([...entry.listeners.values()].includes(true)) this.start(entry, undefined, true);
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
        flight: undefined, listeners: new Map(), state: undefined };
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
    for (const listener of [...entry.listeners.keys()]) {
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

  /**
   * What a framework adapter calls when a component starts showing a query: subscribes the
   * listener, then, unless `enabled` is false, reads the query (loading it, or refreshing it when
   * stale; fresh data costs no request). A disabled watch sends nothing, not even when the entry
   * is invalidated, but still hears what others load. A failed read becomes the entry's error state, which the
   * listener hears, so nothing is thrown. Returns the unsubscribe.
   */
  watch<K extends keyof M & string>(
    client: K, params: M[K]["params"], listener: (state: StateOf<M, K>) => void, options: { readonly enabled?: boolean } = {},
  ): () => void {
    const key = queryKey(this.spec(client), params);
    const enabled = options.enabled !== false;
    const stop = this.store.subscribe(key, listener as Listener, { passive: !enabled });
    if (enabled) this.store.read(key).catch(() => undefined);
    return stop;
  }

  // ---- SSR bridge: prefetch and dehydrate on the server, hydrate in the browser ----

  /**
   * Reads a query ahead of a server render. A failure is kept as the entry's error state rather
   * than thrown, so one failing query does not fail the page; errors are not dehydrated, and the
   * browser retries them.
   */
  async prefetch<K extends keyof M & string>(client: K, params: M[K]["params"]): Promise<void> {
    await this.query(client, params).catch(() => undefined);
  }

  /** The store's successful entries as plain data; keys hold no transport detail, so they match in the browser. */
  dehydrate(): DehydratedState {
    return this.store.dehydrate();
  }

  /** `dehydrate()` as JSON text that is safe inside an HTML `<script>` element. */
  serialize(): string {
    return JSON.stringify(this.dehydrate()).replace(/</g, "\\u003c").replace(/\u2028/g, "\\u2028").replace(/\u2029/g, "\\u2029");
  }

  /**
   * Fills the store from `dehydrate()` or `serialize()` output, so a first render in the browser
   * finds the server's data and, while it is fresh, sends no request. Data newer than the
   * incoming entry is kept; malformed input is reported to `onWarning` and skipped.
   */
  hydrate(state: DehydratedState | string): void {
    let parsed: unknown = state;
    if (typeof state === "string") {
      try {
        parsed = JSON.parse(state);
      } catch (error) {
        return this.warn(`hydrate: the serialized state is not JSON: ${describe(error)}`);
      }
    }
    this.store.hydrate(parsed as DehydratedState);
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
        // A mapped parameter the call left out or sent as null narrows nothing (docs/protocol.md).
        const value = "from" in source ? params[source.from] ?? undefined : source.value;
        if (value !== undefined) selected[target] = value;
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
