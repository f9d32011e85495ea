/**
 * Malformed variants of a request, derived from an operation of the app's OpenAPI
 * document (/docs/json), for the fuzz test (test/api/fuzz.test.ts). Everything here is
 * deterministic: the same document gives the same variants in the same order, so a
 * failure can be reproduced from its name alone.
 *
 * A variant is one defect applied to a valid base request (valid ids in the path, a
 * valid body), so that the request gets as deep into the code as the defect allows.
 * Each variant says, when it knows, why no correct server may accept it (mustRefuse):
 * it breaks the documented schema, carries text PostgreSQL cannot store, names a date
 * that does not exist, sends a state-changing request as a form or text (a cross-site
 * "simple request"), or comes from another site.
 */

export interface JsonSchema {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  items?: JsonSchema;
  enum?: unknown[];
  const?: unknown;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  allOf?: JsonSchema[];
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
  pattern?: string;
  format?: string;
  description?: string;
  default?: unknown;
  $ref?: string;
}

export interface OpenApiParameter {
  name: string;
  in: 'path' | 'query' | 'header' | 'cookie';
  required?: boolean;
  schema?: JsonSchema;
  description?: string;
}

export interface OpenApiOperation {
  summary?: string;
  parameters?: OpenApiParameter[];
  requestBody?: { required?: boolean; content?: Record<string, { schema?: JsonSchema }> };
}

export interface OpenApiDocument {
  paths: Record<string, Record<string, OpenApiOperation>>;
  components?: { schemas?: Record<string, JsonSchema> };
}

export interface FuzzOperation {
  method: string;
  /** As in the document: /api/v1/programs/{programId}/terms */
  path: string;
  /** "POST /api/v1/programs/{programId}/terms" */
  key: string;
  pathParams: OpenApiParameter[];
  queryParams: OpenApiParameter[];
  /** The JSON body's schema, when the operation takes a body. */
  bodySchema?: JsonSchema;
  /** Whether a body with content is required (its schema allows neither null nor an absent body). */
  stateChanging: boolean;
}

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

/** Every operation of the document, in document order. Nothing is left out. */
export function operationsOf(doc: OpenApiDocument): FuzzOperation[] {
  const deref = refResolver(doc);
  const operations: FuzzOperation[] = [];
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(item)) {
      if (!METHODS.includes(method)) continue;
      const parameters = (op.parameters ?? []).map((p) => ({ ...p, ...(p.schema ? { schema: deref(p.schema) } : {}) }));
      const content = op.requestBody?.content ?? {};
      const json = content['application/json']?.schema;
      const other = Object.keys(content).filter((type) => type !== 'application/json');
      if (other.length) throw new Error(`${method.toUpperCase()} ${path} takes ${other.join(', ')}: the fuzz test only knows JSON bodies`);
      const upper = method.toUpperCase();
      operations.push({
        method: upper,
        path,
        key: `${upper} ${path}`,
        pathParams: parameters.filter((p) => p.in === 'path'),
        queryParams: parameters.filter((p) => p.in === 'query'),
        ...(json ? { bodySchema: inlineRefs(json, deref) } : {}),
        stateChanging: !['GET', 'HEAD', 'OPTIONS', 'TRACE'].includes(upper),
      });
    }
  }
  return operations;
}

function refResolver(doc: OpenApiDocument): (schema: JsonSchema) => JsonSchema {
  return (schema) => {
    let current = schema;
    for (let depth = 0; current.$ref && depth < 20; depth++) {
      const name = /^#\/components\/schemas\/(.+)$/.exec(current.$ref)?.[1];
      const target = name ? doc.components?.schemas?.[decodeURIComponent(name)] : undefined;
      if (!target) throw new Error(`unresolvable $ref ${current.$ref}`);
      current = target;
    }
    return current;
  };
}

function inlineRefs(schema: JsonSchema, deref: (s: JsonSchema) => JsonSchema, depth = 0): JsonSchema {
  if (depth > 30) return schema;
  const s = deref(schema);
  const out: JsonSchema = { ...s };
  if (s.properties) out.properties = Object.fromEntries(Object.entries(s.properties).map(([k, v]) => [k, inlineRefs(v, deref, depth + 1)]));
  if (s.items) out.items = inlineRefs(s.items, deref, depth + 1);
  for (const key of ['anyOf', 'oneOf', 'allOf'] as const) {
    if (s[key]) out[key] = s[key]!.map((alt) => inlineRefs(alt, deref, depth + 1));
  }
  return out;
}

// ---------------------------------------------------------------------------
// Schema helpers
// ---------------------------------------------------------------------------

type JsonType = 'string' | 'number' | 'integer' | 'boolean' | 'null' | 'object' | 'array';

function alternatives(schema: JsonSchema): JsonSchema[] {
  if (schema.anyOf) return schema.anyOf.flatMap(alternatives);
  if (schema.oneOf) return schema.oneOf.flatMap(alternatives);
  return [schema];
}

function typesOf(schema: JsonSchema): Set<JsonType> | undefined {
  const types = new Set<JsonType>();
  for (const alt of alternatives(schema)) {
    if (alt.const !== undefined) types.add(jsonTypeOf(alt.const));
    else if (alt.enum) for (const value of alt.enum) types.add(jsonTypeOf(value));
    else if (alt.type === undefined) return undefined;
    else for (const type of Array.isArray(alt.type) ? alt.type : [alt.type]) types.add(type as JsonType);
  }
  return types;
}

function jsonTypeOf(value: unknown): JsonType {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value as JsonType;
}

/**
 * Whether a value certainly breaks the schema. Answers false when unsure (a keyword it
 * does not know, an alternative it cannot decide), so that only certain breaks are
 * required to be refused.
 */
export function breaksSchema(value: unknown, schema: JsonSchema | undefined): boolean {
  if (!schema) return false;
  const alts = alternatives(schema);
  if (alts.length > 1) return alts.every((alt) => breaksSchema(value, alt));
  const s = alts[0]!;
  if (s.allOf) return s.allOf.some((part) => breaksSchema(value, part));
  if (s.const !== undefined) return !deepEqual(value, s.const);
  if (s.enum) return !s.enum.some((option) => deepEqual(option, value));
  if (s.type !== undefined) {
    const types = Array.isArray(s.type) ? s.type : [s.type];
    const actual = jsonTypeOf(value);
    const typeOk = types.includes(actual) || (actual === 'integer' && types.includes('number'));
    if (!typeOk) return true;
  }
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return true;
    if (s.minimum !== undefined && value < s.minimum) return true;
    if (s.maximum !== undefined && value > s.maximum) return true;
    if (s.exclusiveMinimum !== undefined && value <= s.exclusiveMinimum) return true;
    if (s.exclusiveMaximum !== undefined && value >= s.exclusiveMaximum) return true;
  }
  if (typeof value === 'string') {
    const length = [...value].length;
    if (s.maxLength !== undefined && length > s.maxLength) return true;
    if (s.minLength !== undefined && length < s.minLength) return true;
    if (s.pattern !== undefined && !new RegExp(s.pattern, 'u').test(value)) return true;
  }
  if (Array.isArray(value)) {
    if (s.maxItems !== undefined && value.length > s.maxItems) return true;
    if (s.minItems !== undefined && value.length < s.minItems) return true;
    if (s.items && value.some((item) => breaksSchema(item, s.items))) return true;
  }
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    const record = value as Record<string, unknown>;
    if ((s.required ?? []).some((key) => !(key in record))) return true;
    for (const [key, item] of Object.entries(record)) {
      const prop = s.properties?.[key];
      if (prop) {
        if (breaksSchema(item, prop)) return true;
      } else if (s.additionalProperties === false) {
        return true;
      }
    }
  }
  return false;
}

function deepEqual(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** The alternative of a schema that describes a value (the branch whose discriminator it carries), else the first that is not null. */
export function branchFor(schema: JsonSchema, sample: unknown): JsonSchema {
  const alts = alternatives(schema).filter((alt) => !(alt.type === 'null'));
  if (alts.length <= 1) return alts[0] ?? schema;
  const matching = alts.find((alt) => !breaksSchema(sample, alt));
  return matching ?? alts[0]!;
}

let exampleCounter = 0;

/** A plausible valid value for a schema, named after the field where that helps (an e-mail for "email"). */
export function exampleFor(schema: JsonSchema, name = ''): unknown {
  const s = branchFor(schema, undefined);
  if (s.const !== undefined) return s.const;
  if (s.enum) return s.enum[0];
  if (s.default !== undefined) return s.default;
  const type = Array.isArray(s.type) ? s.type.find((t) => t !== 'null') : s.type;
  switch (type) {
    case 'string': {
      exampleCounter += 1;
      if (/email/i.test(name)) return `fuzz-example-${exampleCounter}@example.test`;
      if (/url/i.test(name)) return 'https://shop.example/fuzz';
      if (/currency/i.test(name)) return 'USD';
      if (/timezone/i.test(name)) return 'UTC';
      if (isDateField(s, name)) return isDayField(s, name) ? '2026-06-30' : '2026-01-15T11:00:00Z';
      if (isAmountField(s, name)) return '1.00';
      if (s.pattern === '^\\d{1,18}$') return '1';
      const text = `fuzz-${name || 'text'}`;
      return s.minLength && text.length < s.minLength ? text.padEnd(s.minLength, 'x') : text.slice(0, s.maxLength ?? text.length);
    }
    case 'integer':
    case 'number':
      return Math.max(1, s.minimum ?? 1, s.exclusiveMinimum !== undefined ? Math.floor(s.exclusiveMinimum) + 1 : 1);
    case 'boolean':
      return false;
    case 'null':
      return null;
    case 'array': {
      const count = Math.max(s.minItems ?? 0, 0);
      return Array.from({ length: count }, () => exampleFor(s.items ?? {}, name));
    }
    default: {
      const out: Record<string, unknown> = {};
      for (const key of s.required ?? []) out[key] = exampleFor(s.properties?.[key] ?? {}, key);
      return out;
    }
  }
}

/**
 * Makes a hand-written base body fit the schema as it is now: required fields it lacks
 * get an example, fields the schema no longer has are dropped. A route that gains a
 * required field keeps a valid base, so its variants still reach deep code.
 */
export function fitToSchema(value: unknown, schema: JsonSchema | undefined, name = ''): unknown {
  if (!schema) return value;
  const s = branchFor(schema, value);
  if (value === undefined) return exampleFor(s, name);
  if (Array.isArray(value)) return s.items ? value.map((item) => fitToSchema(item, s.items, name)) : value;
  if (value !== null && typeof value === 'object' && s.properties) {
    const record = value as Record<string, unknown>;
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(record)) {
      const prop = s.properties[key];
      if (prop) out[key] = fitToSchema(item, prop, key);
      else if (s.additionalProperties !== false) out[key] = item;
    }
    for (const key of s.required ?? []) if (!(key in out)) out[key] = exampleFor(s.properties[key] ?? {}, key);
    return out;
  }
  return value;
}

function isDateField(schema: JsonSchema, name: string): boolean {
  return (
    schema.format === 'date-time' ||
    schema.format === 'date' ||
    /ISO 8601|YYYY-MM-DD|date-time/i.test(schema.description ?? '') ||
    /(^|[a-z])(Date|date)$|^(on|On|from|to|at|date)$|At$/.test(name)
  );
}

function isDayField(schema: JsonSchema, name: string): boolean {
  return schema.format === 'date' || /YYYY-MM-DD(?!T)/.test(schema.description ?? '') || (/^on$/i.test(name) && (schema.maxLength ?? 99) <= 10);
}

function isAmountField(schema: JsonSchema, name: string): boolean {
  return /amount|percent|price|total/i.test(name) || /decimal/i.test(schema.description ?? '');
}

// ---------------------------------------------------------------------------
// Variants
// ---------------------------------------------------------------------------

export type RefuseReason = 'schema' | 'text' | 'date' | 'content-type' | 'cross-site' | 'unknown-param';

export interface MustRefuse {
  reason: RefuseReason;
  /** Applies only to callers with a session cookie (cross-site requests matter only to them). */
  sessionOnly?: boolean;
}

/** The parts of a valid request that a variant changes. */
export interface BaseRequest {
  /** Path parameter values, percent-encoded as they go in the URL. */
  path: Record<string, string>;
  /** The JSON body, or undefined for an operation without one. */
  body: unknown;
}

export interface BuiltRequest {
  url: string;
  headers: Record<string, string>;
  payload?: string;
}

export interface Variant {
  /** What the variant does, e.g. `body.Items[0].Quantity = 2147483648`. */
  name: string;
  group: 'path' | 'query' | 'body' | 'content-type' | 'cross-site' | 'batch' | 'generic';
  mustRefuse?: MustRefuse;
  /**
   * When the defect is inside an element of an array (a row of a batch): which element.
   * An operation that answers per row must refuse that row, and only that row.
   */
  row?: { field: string; index: number };
  build(op: FuzzOperation, base: BaseRequest): BuiltRequest;
}

export const NUL = '\u0000';
const HUGE_BODY_STRING = 'x'.repeat(100_000);
const HUGE_URL_STRING = '9'.repeat(10_000);
const NESTING_DEPTH = 10_000;

/** A JSON text for a value, or the raw text of a number JSON.stringify cannot write. */
type Raw = { raw: string; value: unknown };
const raw = (text: string): Raw => ({ raw: text, value: JSON.parse(text) });
const isRaw = (value: unknown): value is Raw => typeof value === 'object' && value !== null && 'raw' in value && Object.keys(value).length === 2;

const RAW_MARKER = '__FUZZ_RAW_7f3a__';
const PLACEHOLDER = `"${RAW_MARKER}"`;

/** JSON.stringify, with Raw values written as their raw text (for 1e999, 9007199254740993). */
function toJson(value: unknown): string {
  const raws: string[] = [];
  const text = JSON.stringify(value, (_key, v) => {
    if (isRaw(v)) {
      raws.push(v.raw);
      return RAW_MARKER;
    }
    return v;
  });
  let index = 0;
  return raws.length ? text.split(PLACEHOLDER).reduce((acc, part, i) => (i === 0 ? part : acc + raws[index++]! + part)) : text;
}

function buildUrl(op: FuzzOperation, path: Record<string, string>, query: string): string {
  const url = op.path.replace(/\{([^}]+)\}/g, (_m, name: string) => {
    const value = path[name];
    if (value === undefined) throw new Error(`${op.key}: no value for path parameter ${name}`);
    return value;
  });
  return query ? `${url}?${query}` : url;
}

function jsonRequest(op: FuzzOperation, base: BaseRequest, body: unknown, extra: { query?: string; headers?: Record<string, string> } = {}): BuiltRequest {
  return {
    url: buildUrl(op, base.path, extra.query ?? ''),
    headers: { ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...extra.headers },
    ...(body !== undefined ? { payload: toJson(body) } : {}),
  };
}

type Path = Array<string | number>;

function pathName(path: Path): string {
  return path.reduce<string>((acc, key) => (typeof key === 'number' ? `${acc}[${key}]` : `${acc}.${key}`), 'body');
}

/** The array element a path goes through first, if any: the row a batch answers for. */
function rowOf(path: Path): { field: string; index: number } | undefined {
  const at = path.findIndex((key) => typeof key === 'number');
  return at < 0 ? undefined : { field: pathName(path.slice(0, at)), index: path[at] as number };
}

function clone<T>(value: T): T {
  return value === undefined ? value : (JSON.parse(JSON.stringify(value)) as T);
}

/** A copy of the body with the value at the path set (or removed), creating what is missing along the way from the schema. */
function withValue(body: unknown, schema: JsonSchema, path: Path, value: unknown | typeof REMOVE): unknown {
  if (path.length === 0) return value;
  const [head, ...rest] = path;
  const s = branchFor(schema, body);
  if (typeof head === 'number') {
    const items = s.items ?? {};
    const array = Array.isArray(body) ? [...body] : [];
    while (array.length <= head) array.push(array.length ? clone(array[0]) : exampleFor(items));
    if (rest.length === 0 && value === REMOVE) array.splice(head, 1);
    else array[head] = withValue(array[head], items, rest, value);
    return array;
  }
  const prop = s.properties?.[head!] ?? {};
  const record = body !== null && typeof body === 'object' && !Array.isArray(body) ? { ...(body as Record<string, unknown>) } : {};
  if (rest.length === 0 && value === REMOVE) {
    delete record[head!];
    return record;
  }
  record[head!] = withValue(record[head!] === undefined && rest.length ? exampleFor(prop, head) : record[head!], prop, rest, value);
  return record;
}
const REMOVE = Symbol('remove');

/** Mutations of one value: what to put there, and why it must be refused (if it must). */
interface Mutation {
  label: string;
  value: unknown;
  mustRefuse?: MustRefuse;
}

/** The malformed values for a field of a schema (the field's own value, not its children). */
function valueMutations(schema: JsonSchema, name: string, sample: unknown, goodElement?: unknown): Mutation[] {
  const s = branchFor(schema, sample);
  const types = typesOf(schema);
  const out: Mutation[] = [];
  const add = (label: string, value: unknown, reason?: RefuseReason) => {
    const actual = isRaw(value) ? value.value : value;
    const schemaBreak = breaksSchema(actual, schema);
    const mustRefuse: MustRefuse | undefined = reason ? { reason } : schemaBreak ? { reason: 'schema' } : undefined;
    out.push({ label, value, ...(mustRefuse ? { mustRefuse } : {}) });
  };
  // Wrong types: every JSON type the field does not take.
  // Wrong types: null, and the first two of these the field does not take (a scalar and a container).
  const wrong: Array<[JsonType, string, unknown]> = [
    ['number', '1', 1],
    ['string', '"1"', '1'],
    ['boolean', 'true', true],
    ['array', '[]', []],
    ['object', '{}', {}],
  ];
  const takes = (type: JsonType) => !types || types.has(type) || (type === 'number' && types.has('integer'));
  if (!takes('null')) add('null (wrong type)', null);
  const scalar = wrong.slice(0, 3).find(([type]) => !takes(type));
  const container = wrong.slice(3).find(([type]) => !takes(type));
  for (const found of [scalar, container]) if (found) add(`${found[1]} (wrong type)`, found[2]);
  const primary = types && [...types].find((t) => t !== 'null');
  if (primary === 'string') {
    add('"" (empty)', '');
    add('100,000 characters', HUGE_BODY_STRING);
    add('with a NUL', `fuzz${NUL}`, 'text');
    add('a lone high surrogate \\ud800', '\ud800', 'text');
    add('a lone low surrogate \\udfff', 'fuzz\udfff', 'text');
    if (s.enum) {
      add('"NOT_A_VALUE" (not in the enum)', 'NOT_A_VALUE');
      const first = s.enum[0];
      if (typeof first === 'string' && first.toLowerCase() !== first) add(`"${first.toLowerCase()}" (lower case)`, first.toLowerCase());
    }
    if (s.pattern) for (const text of ['-1', '0', '999999999999999999', '9223372036854775808', '1e3', 'abc']) add(`"${text}"`, text);
    if (isDateField(s, name)) {
      const impossible = isDayField(s, name) ? ['2026-02-30', '2026-13-01', '2026-04-31'] : ['2026-02-30T10:00:00Z', '2026-13-01T00:00:00Z', '2026-01-15T25:00:00Z', '2026-01-15T10:61:00Z'];
      const extreme = isDayField(s, name)
        ? ['0000-01-01', '10000-01-01', '9999-12-31', '-000001-01-01', '2026-1-1']
        : ['0000-01-01T00:00:00Z', '9999-12-31T23:59:59Z', '10000-01-01T00:00:00Z', '+275760-09-13T00:00:01Z', '2026-01-15T10:00:00', '2026-01-15T10:00:00+25:00'];
      for (const text of impossible) add(`"${text}" (impossible date)`, text, 'date');
      for (const text of extreme) add(`"${text}"`, text);
    }
    if (isAmountField(s, name)) {
      for (const text of ['-1.00', '0', '1e3', 'NaN', 'Infinity', '1.001', '99999999999999999999999999.99', '0x10', '١٢٣', ' 1.00']) add(`"${text}"`, text);
    }
    if (/email/i.test(name)) for (const text of ['not-an-email', ' @example.test', 'a@b@c']) add(`"${text}"`, text);
    if (/url/i.test(name)) for (const text of ['javascript:alert(1)', 'file:///etc/passwd', '//evil.example/', 'http://[::1]:22/']) add(`"${text}"`, text);
  }
  if (primary === 'integer' || primary === 'number') {
    add('-1', -1);
    add('0', 0);
    add('2^31 (2147483648)', 2_147_483_648);
    add('2^53+1 (9007199254740993)', raw('9007199254740993'));
    add('1e308', 1e308);
    add('1e999 (Infinity in JSON)', raw('1e999'));
    add('1.5', 1.5);
    add('"NaN"', 'NaN');
  }
  if (primary === 'array') {
    add('[] (empty)', []);
    if (s.maxItems !== undefined && s.maxItems <= 10_000) {
      const element = goodElement ?? exampleFor(s.items ?? {}, name);
      add(`${s.maxItems + 1} elements (one too many)`, Array.from({ length: s.maxItems + 1 }, () => element));
    }
    add('[null]', [null]);
  }
  return out;
}

interface Field {
  path: Path;
  schema: JsonSchema;
  name: string;
}

/** Every field of a body (at any depth; arrays through their first element), in document order. */
function fieldsOf(schema: JsonSchema, sample: unknown, path: Path = []): Field[] {
  const s = branchFor(schema, sample);
  const out: Field[] = [];
  const properties = s.properties ?? {};
  for (const [key, prop] of Object.entries(properties)) {
    const value = sample !== null && typeof sample === 'object' ? (sample as Record<string, unknown>)[key] : undefined;
    out.push({ path: [...path, key], schema: prop, name: key });
    out.push(...childFieldsOf(prop, value, [...path, key], key));
  }
  return out;
}

function childFieldsOf(schema: JsonSchema, sample: unknown, path: Path, name: string): Field[] {
  const s = branchFor(schema, sample);
  const types = typesOf(s);
  if (types?.has('object') || s.properties) return fieldsOf(s, sample, path);
  if ((types?.has('array') || s.items) && s.items) {
    const first = Array.isArray(sample) ? sample[0] : undefined;
    const items = branchFor(s.items, first);
    const out: Field[] = [];
    if (items.properties || typesOf(items)?.has('object')) out.push(...fieldsOf(items, first, [...path, 0]));
    else if (Array.isArray(sample) && sample.length > 0) out.push({ path: [...path, 0], schema: items, name });
    return out;
  }
  return [];
}

function objectsOf(schema: JsonSchema, sample: unknown, path: Path = []): Array<{ path: Path; schema: JsonSchema }> {
  const s = branchFor(schema, sample);
  const out: Array<{ path: Path; schema: JsonSchema }> = [];
  if (s.properties) out.push({ path, schema: s });
  for (const field of fieldsOf(s, sample, path)) {
    const fs = branchFor(field.schema, valueAt(sample, field.path.slice(path.length)));
    if (fs.properties && field.path.length === path.length + 1) {
      const value = valueAt(sample, field.path.slice(path.length));
      out.push(...objectsOf(fs, value, field.path));
    }
    if (fs.items && field.path.length === path.length + 1) {
      const value = valueAt(sample, [...field.path.slice(path.length), 0]);
      const items = branchFor(fs.items, value);
      if (items.properties) out.push(...objectsOf(items, value, [...field.path, 0]));
    }
  }
  return out;
}

function valueAt(value: unknown, path: Path): unknown {
  let current = value;
  for (const key of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string | number, unknown>)[key];
  }
  return current;
}

const encode = (text: string) => encodeURIComponent(text);

/** Hostile values for a path parameter, already percent-encoded as they go in the URL. */
const HOSTILE_PATH_VALUES: Array<[string, string]> = [
  ['%00', 'NUL'],
  ['%ED%A0%80', 'encoded lone surrogate'],
  ['-1', ''],
  ['0', ''],
  ['2147483648', '2^31'],
  ['9007199254740993', '2^53+1'],
  ['1e309', ''],
  ['1.5', ''],
  ['..%2F..%2Fetc%2Fpasswd', 'encoded traversal'],
  [HUGE_URL_STRING, '10,000 digits'],
  ['a'.repeat(10_000), '10,000 letters'],
  ['%zz', 'malformed percent-encoding'],
  ['%F0%9F%92%A9', 'emoji'],
  ["1'%20or%20'1'%3D'1", 'SQL'],
  ['%20', 'a space'],
];

function decodedOrUndefined(text: string): string | undefined {
  try {
    return decodeURIComponent(text);
  } catch {
    return undefined;
  }
}

function hasUnstorableText(text: string): boolean {
  return text.includes(NUL) || /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/.test(text);
}

/** Why a path or query value must be refused, judged on the decoded text against the parameter's schema. */
function paramMustRefuse(encoded: string, schema: JsonSchema | undefined, where: 'path' | 'query'): MustRefuse | undefined {
  const decoded = decodedOrUndefined(encoded);
  // Not decodable (broken percent-encoding, or UTF-8 of a lone surrogate): no valid path.
  // A query string parser may read such bytes leniently (as U+FFFD), so there it is not required.
  if (decoded === undefined) return where === 'path' ? { reason: 'schema' } : undefined;
  if (hasUnstorableText(decoded)) return { reason: 'text' };
  if (!schema) return undefined;
  const types = typesOf(schema);
  if (types?.has('integer') || types?.has('number')) {
    // Judged on the number the text stands for ("1e3" and "0x10" are numbers too, and may be read as such).
    const n = Number(decoded);
    if (decoded.trim() === '' || !Number.isFinite(n)) return { reason: 'schema' };
    if (types.has('integer') && !Number.isInteger(n)) return { reason: 'schema' };
    return breaksSchema(n, schema) || !Number.isSafeInteger(n) ? { reason: 'schema' } : undefined;
  }
  return breaksSchema(decoded, schema) ? { reason: 'schema' } : undefined;
}

function pathVariants(op: FuzzOperation): Variant[] {
  const out: Variant[] = [];
  for (const param of op.pathParams) {
    for (const [value, note] of HOSTILE_PATH_VALUES) {
      const shown = value.length > 40 ? `${value.slice(0, 12)}…(${value.length})` : value;
      const mustRefuse = paramMustRefuse(value, param.schema, 'path');
      out.push({
        name: `path ${param.name} = ${shown}${note ? ` (${note})` : ''}`,
        group: 'path',
        ...(mustRefuse ? { mustRefuse } : {}),
        build: (o, base) => jsonRequest(o, { ...base, path: { ...base.path, [param.name]: value } }, base.body),
      });
    }
    out.push({
      name: `path ${param.name} = ../../etc/passwd (unencoded)`,
      group: 'path',
      build: (o, base) => jsonRequest(o, { ...base, path: { ...base.path, [param.name]: '../../etc/passwd' } }, base.body),
    });
  }
  return out;
}

function queryValuesFor(param: OpenApiParameter): Array<[string, string]> {
  const schema = param.schema ?? {};
  const s = branchFor(schema, undefined);
  const types = typesOf(schema);
  const values: Array<[string, string]> = [];
  if (types?.has('integer') || types?.has('number')) {
    for (const v of ['abc', '1.5', '-1', '0', '2147483648', '9007199254740993', '1e309', '', '9'.repeat(400)]) values.push([v, v.length > 40 ? `${v.slice(0, 8)}…(${v.length})` : v || '(empty)']);
  } else if (s.enum) {
    values.push(['NOT_A_VALUE', 'NOT_A_VALUE'], ['', '(empty)']);
    const first = s.enum[0];
    if (typeof first === 'string' && first.toLowerCase() !== first) values.push([first.toLowerCase(), first.toLowerCase()]);
  } else if (isDateField(s, param.name)) {
    for (const v of ['0000-01-01T00:00:00Z', '9999-12-31T23:59:59Z', '10000-01-01T00:00:00Z', '2026-02-30T00:00:00Z', '2026-01-15', 'yesterday', '2026-01-15T10:00:00%2B25:00']) values.push([v, decodeURIComponent(v)]);
  } else if (s.pattern) {
    for (const v of ['-1', '0', '999999999999999999', '9223372036854775808', '1e3']) values.push([v, v]);
  }
  values.push(['%00', 'NUL'], ['fuzz%00', 'with a NUL'], ['%ED%A0%80', 'encoded lone surrogate'], ['x'.repeat(10_000), '10,000 characters']);
  values.push(["'%3B%20drop%20table%20actions%3B%20--", 'SQL']);
  return values;
}

function queryVariants(op: FuzzOperation): Variant[] {
  const out: Variant[] = [];
  const declared = op.queryParams.length > 0;
  for (const param of op.queryParams) {
    for (const [value, shown] of queryValuesFor(param)) {
      const decoded = decodedOrUndefined(value);
      const mustRefuse =
        paramMustRefuse(value, param.schema, 'query') ??
        (decoded !== undefined && /^\d{4}-02-30/.test(decoded) ? { reason: 'date' as const } : undefined);
      out.push({
        name: `query ${param.name}=${shown}`,
        group: 'query',
        ...(mustRefuse ? { mustRefuse } : {}),
        build: (o, base) => jsonRequest(o, base, base.body, { query: `${encode(param.name)}=${value}` }),
      });
    }
    out.push({
      name: `query ${param.name} given twice`,
      group: 'query',
      build: (o, base) => jsonRequest(o, base, base.body, { query: `${encode(param.name)}=1&${encode(param.name)}=2` }),
    });
  }
  const first = op.queryParams[0]?.name ?? 'fuzz';
  out.push(
    {
      name: 'query: an unknown parameter',
      group: 'generic',
      // The API refuses unknown fields rather than ignoring them (README); where the
      // operation documents its query parameters, an unknown one must be refused.
      ...(declared ? { mustRefuse: { reason: 'unknown-param' as const } } : {}),
      build: (o, base) => jsonRequest(o, base, base.body, { query: 'fuzzUnknown=1' }),
    },
    {
      name: 'query: NUL in a parameter name and value',
      group: 'generic',
      mustRefuse: { reason: 'text' },
      build: (o, base) => jsonRequest(o, base, base.body, { query: '%00=%00' }),
    },
    {
      name: `query: ${first}=%zz (malformed percent-encoding)`,
      group: 'generic',
      build: (o, base) => jsonRequest(o, base, base.body, { query: `${encode(first)}=%zz` }),
    },
  );
  return out;
}

function bodyVariants(op: FuzzOperation, sample: unknown): Variant[] {
  const schema = op.bodySchema;
  if (!schema) return [];
  const out: Variant[] = [];
  const root = branchFor(schema, sample);
  const rootAllows = (value: unknown) => !breaksSchema(value, schema);
  const whole = (name: string, value: unknown, options: { raw?: string } = {}): Variant => {
    const refuse = options.raw === undefined ? !rootAllows(value) : true;
    return {
      name,
      group: 'body',
      ...(refuse ? { mustRefuse: { reason: 'schema' as const } } : {}),
      build: (o, base) => {
        const built = jsonRequest(o, base, undefined);
        return { ...built, headers: { 'content-type': 'application/json' }, payload: options.raw ?? toJson(value) };
      },
    };
  };
  out.push(
    whole('body: null', null),
    whole('body: [] (an array instead of an object)', []),
    whole('body: [valid body] (the body inside an array)', [sample]),
    whole('body: "text"', 'text'),
    whole('body: 0', 0),
    whole('body: {}', {}),
    whole('body: invalid JSON', undefined, { raw: '{"' }),
    whole('body: a __proto__ key', undefined, { raw: `{"__proto__":{"isOperator":true},${toJson(sample).slice(1)}` }),
    whole('body: a constructor.prototype key', undefined, { raw: `{"constructor":{"prototype":{"isOperator":true}},${toJson(sample).slice(1)}` }),
    whole(`body: an array nested ${NESTING_DEPTH} deep`, undefined, { raw: '['.repeat(NESTING_DEPTH) + ']'.repeat(NESTING_DEPTH) }),
  );
  // Empty bodies: with a JSON content type, and with none at all.
  out.push({
    name: 'body: empty, with a JSON content type',
    group: 'body',
    ...(breaksSchema(null, schema) && root.required?.length ? { mustRefuse: { reason: 'schema' as const } } : {}),
    build: (o, base) => ({ ...jsonRequest(o, base, undefined), headers: { 'content-type': 'application/json' }, payload: '' }),
  });
  out.push({
    name: 'body: none (no content type)',
    group: 'body',
    ...(breaksSchema(null, schema) && breaksSchema({}, schema) ? { mustRefuse: { reason: 'schema' as const } } : {}),
    build: (o, base) => jsonRequest(o, base, undefined),
  });
  out.push({
    name: 'body: larger than 1 MiB (an unknown field padded)',
    group: 'body',
    ...(root.additionalProperties === false ? { mustRefuse: { reason: 'schema' as const } } : {}),
    build: (o, base) => jsonRequest(o, base, { ...(base.body as object), fuzzPadding: 'x'.repeat(1_100_000) }),
  });

  const fields = fieldsOf(schema, sample);
  if (!fields.length && !root.properties) {
    // A body this test knows nothing about (an operation without a documented schema): text that cannot be stored.
    out.push({ name: 'body: {"fuzz": "…NUL…"}', group: 'body', mustRefuse: { reason: 'text' }, build: (o, base) => jsonRequest(o, base, { fuzz: `a${NUL}b` }) });
  }
  // Missing required fields and unknown extra fields, on every object in the body.
  for (const object of objectsOf(schema, sample)) {
    const row = rowOf(object.path);
    for (const key of object.schema.required ?? []) {
      out.push({
        name: `${pathName([...object.path, key])} missing`,
        group: 'body',
        mustRefuse: { reason: 'schema' },
        ...(row ? { row } : {}),
        build: (o, base) => jsonRequest(o, base, withValue(base.body, schema, [...object.path, key], REMOVE)),
      });
    }
    const unknownPath = [...object.path, 'fuzzUnknown'];
    out.push({
      name: `${pathName(unknownPath)} (an unknown field)`,
      group: 'body',
      ...(object.schema.additionalProperties === false ? { mustRefuse: { reason: 'schema' as const } } : {}),
      ...(row ? { row } : {}),
      build: (o, base) => jsonRequest(o, base, withValue(base.body, schema, unknownPath, 1)),
    });
  }
  // A deeply nested object where the first field is.
  const firstField = fields[0];
  if (firstField) {
    const deep = `${'{"a":'.repeat(NESTING_DEPTH)}1${'}'.repeat(NESTING_DEPTH)}`;
    out.push({
      name: `${pathName(firstField.path)} = an object nested ${NESTING_DEPTH} deep`,
      group: 'body',
      ...(breaksSchema({ a: 1 }, firstField.schema) ? { mustRefuse: { reason: 'schema' as const } } : {}),
      build: (o, base) => {
        // A marker string where the field is, swapped for the nesting afterwards (JSON.stringify would recurse too deep to build it).
        const built = jsonRequest(o, base, withValue(base.body, schema, firstField.path, DEEP_MARKER));
        return { ...built, payload: built.payload!.replace(JSON.stringify(DEEP_MARKER), deep) };
      },
    });
  }
  // Every field: wrong types and hostile values.
  for (const field of fields) {
    const goodElement = valueAt(sample, [...field.path, 0]);
    for (const mutation of valueMutations(field.schema, field.name, valueAt(sample, field.path), goodElement)) {
      const row = rowOf(field.path) ?? (mutation.label === '[null]' ? { field: pathName(field.path), index: 0 } : undefined);
      out.push({
        name: `${pathName(field.path)} = ${mutation.label}`,
        group: 'body',
        ...(mutation.mustRefuse ? { mustRefuse: mutation.mustRefuse } : {}),
        ...(row ? { row } : {}),
        build: (o, base) => jsonRequest(o, base, withValue(base.body, schema, field.path, mutation.value)),
      });
    }
  }
  // Arrays: one bad element among good ones.
  for (const field of fields) {
    const fs = branchFor(field.schema, valueAt(sample, field.path));
    if (!fs.items || typeof field.path[field.path.length - 1] === 'number') continue;
    const items = fs.items;
    const element = valueAt(sample, [...field.path, 0]);
    const badOnes: Mutation[] = [];
    const elementFields = fieldsOf(items, element);
    if (elementFields.length) {
      // In an element object: a wrong type, unstorable text and an impossible date, each in the first field that takes them.
      const candidates = elementFields
        .filter((f) => f.path.length === 1)
        .flatMap((f) => valueMutations(f.schema, f.name, valueAt(element, f.path)).map((m) => ({ f, m })));
      const pick = (test: (m: Mutation) => boolean) => candidates.find(({ m }) => test(m));
      for (const found of [
        pick((m) => m.mustRefuse?.reason === 'schema' && /wrong type/.test(m.label)),
        pick((m) => m.mustRefuse?.reason === 'text'),
        pick((m) => m.mustRefuse?.reason === 'date'),
      ]) {
        if (found) badOnes.push({ label: `${pathName(found.f.path).slice(4)} = ${found.m.label}`, value: { __elementPath: found.f.path, __value: found.m.value }, ...(found.m.mustRefuse ? { mustRefuse: found.m.mustRefuse } : {}) });
      }
    } else {
      for (const m of valueMutations(items, field.name, element)) {
        if (m.mustRefuse?.reason === 'text' || /wrong type/.test(m.label) || /^"(0|999999999999999999)"$/.test(m.label)) badOnes.push(m);
      }
    }
    for (const bad of badOnes.slice(0, 5)) {
      const arrayName = pathName(field.path);
      out.push({
        name: `${arrayName}: element 1 of 3 bad (${bad.label}), the others valid`,
        group: 'batch',
        ...(bad.mustRefuse ? { mustRefuse: bad.mustRefuse } : {}),
        row: rowOf([...field.path, 1])!,
        build: (o, base) => {
          const current = valueAt(base.body, field.path);
          const array = Array.isArray(current) && current.length ? clone(current) : [exampleFor(items, field.name)];
          while (array.length < 3) array.push(clone(array[0]));
          const spec = bad.value as { __elementPath?: Path; __value?: unknown };
          array[1] = spec && typeof spec === 'object' && '__elementPath' in spec ? withValue(array[1], items, spec.__elementPath!, spec.__value) : bad.value;
          return jsonRequest(o, base, withValue(base.body, schema, field.path, array));
        },
      });
    }
  }
  return out;
}

const DEEP_MARKER = '__FUZZ_DEEP_9c1e__';

function formOf(body: unknown): string {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return 'fuzz=1';
  const pairs = Object.entries(body as Record<string, unknown>).map(([k, v]) => `${encode(k)}=${encode(typeof v === 'string' ? v : JSON.stringify(v))}`);
  return pairs.length ? pairs.join('&') : 'fuzz=1';
}

function contentTypeVariants(op: FuzzOperation): Variant[] {
  if (!op.stateChanging) return [];
  // A form or text body is a "simple request" a browser sends cross-site without asking:
  // a state-changing API route must refuse it (the API speaks JSON only).
  const refuse = { mustRefuse: { reason: 'content-type' as const } };
  const out: Variant[] = [
    {
      name: 'content-type: text/plain (the valid body as text)',
      group: 'content-type',
      ...refuse,
      build: (o, base) => ({ ...jsonRequest(o, base, undefined), headers: { 'content-type': 'text/plain' }, payload: toJson(base.body ?? { fuzz: 1 }) }),
    },
    {
      name: 'content-type: application/x-www-form-urlencoded (the valid body as a form)',
      group: 'content-type',
      ...refuse,
      build: (o, base) => ({ ...jsonRequest(o, base, undefined), headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: formOf(base.body) }),
    },
    {
      name: 'content-type: multipart/form-data',
      group: 'content-type',
      ...refuse,
      build: (o, base) => ({
        ...jsonRequest(o, base, undefined),
        headers: { 'content-type': 'multipart/form-data; boundary=fuzzboundary' },
        payload: `--fuzzboundary\r\nContent-Disposition: form-data; name="json"\r\n\r\n${toJson(base.body ?? { fuzz: 1 })}\r\n--fuzzboundary--\r\n`,
      }),
    },
    {
      name: 'content-type: the valid body as JSON without a content type',
      group: 'content-type',
      build: (o, base) => ({ ...jsonRequest(o, base, undefined), payload: toJson(base.body ?? { fuzz: 1 }) }),
    },
  ];
  if (!op.bodySchema) {
    out.push({
      name: 'body: a JSON body where the operation takes none',
      group: 'body',
      build: (o, base) => jsonRequest(o, base, { fuzz: 1 }),
    });
  }
  return out;
}

function crossSiteVariants(op: FuzzOperation): Variant[] {
  if (!op.stateChanging) return [];
  const variant = (name: string, headers: Record<string, string>): Variant => ({
    name,
    group: 'cross-site',
    mustRefuse: { reason: 'cross-site', sessionOnly: true },
    build: (o, base) => jsonRequest(o, base, base.body, { headers }),
  });
  return [
    variant('cross-site: Origin https://evil.example', { origin: 'https://evil.example' }),
    variant('cross-site: Origin null', { origin: 'null' }),
    variant('cross-site: Sec-Fetch-Site cross-site', { 'sec-fetch-site': 'cross-site' }),
  ];
}

/**
 * Every variant of an operation, in a fixed order: path, query, body, content type,
 * cross-site, then the generic ones. The sample body decides the shape (which branch of
 * a oneOf, which array elements exist); each variant is built from a fresh base body.
 */
export function variantsFor(op: FuzzOperation, sampleBody: unknown): Variant[] {
  return [...pathVariants(op), ...queryVariants(op).filter((v) => v.group === 'query'), ...bodyVariants(op, sampleBody), ...contentTypeVariants(op), ...crossSiteVariants(op), ...queryVariants(op).filter((v) => v.group === 'generic')];
}

/** The valid base request itself, sent last: it shows how deep the variants could get. */
export const BASE_VARIANT: Variant = {
  name: 'the valid base request',
  group: 'generic',
  build: (o, base) => jsonRequest(o, base, base.body),
};
