/**
 * The wire contract: the schemas of every request and response body of /api/v1, one file
 * per area (src/http/contract/<area>.ts), zod only, plus enums from the modules' type
 * files. Routes validate and document with them; the web UI imports their inferred types
 * (`import type … from '@contract/<area>'`, no zod in its bundle) and its runtime enums
 * from './enums'. Nothing here may import Fastify, the database or a service.
 *
 * Casing (README, "The API"): every JSON field of a request or response body is
 * PascalCase, with impact.com's names where it has one (`Id`, `CampaignId`,
 * `MediaPartnerId`, dates as `…Date`). Problem bodies keep RFC 9457's lowercase members
 * (and our extension members in camelCase); query parameters stay camelCase.
 *
 * This file: what every area shares. Every number and date the API takes is bounded to
 * what its column holds and to a sane business range, so an out-of-range value is a 400
 * naming the field rather than a database error (a 500) deep inside a query.
 */
import { z } from 'zod';

export const INT4_MAX = 2_147_483_647;

/** An id of a row whose key is an `integer` column (accounts, programs, event types, contracts, links, users). */
export const rowId = () => z.number().int().positive().max(INT4_MAX);
/** The same, in a path or query string. */
export const rowIdText = () => z.coerce.number().int().positive().max(INT4_MAX);

export const idParams = z.object({ id: rowIdText() }).strict();

/** Earliest and latest instants a date filter may name: wider than any data, narrower than the database's range. */
export const MIN_FILTER_DATE = '1970-01-01T00:00:00Z';
export const MAX_FILTER_DATE = '2999-12-31T23:59:59Z';

/** An ISO 8601 date-time with an offset, as a list filter takes it, between 1970 and 2999. */
export const filterDateTime = () =>
  z.iso
    .datetime({ offset: true })
    .refine((text) => {
      const at = Date.parse(text);
      return at >= Date.parse(MIN_FILTER_DATE) && at <= Date.parse(MAX_FILTER_DATE);
    }, 'must be a date from 1970 to 2999');

/** Paging and sorting in a query string (camelCase, like every query parameter). */
export const pageQueryShape = {
  page: z.coerce.number().int().min(1).max(1_000_000).default(1),
  pageSize: z.coerce.number().int().min(1).max(500).default(50),
  order: z.enum(['asc', 'desc']).optional(),
};

/** `sort=` of a list: one of the names of its fields, as the list spells them. */
export function sortQuery<const T extends readonly [string, ...string[]]>(fields: T) {
  return z.enum(fields).optional().describe('Sort by this field of the list');
}

/**
 * An RFC 9457 problem: its standard members (`type`, `title`, `status`, `detail`,
 * `instance`) and our extension members, all in lowercase camelCase as the RFC writes
 * them: `errors` (`[{field, message}]`, each invalid field), `retryAfterSeconds` (429),
 * `refusal` (why an action operation was refused), `landingDomains` (a link outside them).
 */
export const problemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    instance: z.string().optional(),
    errors: z
      .array(z.object({ field: z.string().describe('Where, e.g. body.Items.0.Sku'), message: z.string() }))
      .optional()
      .describe('Validation errors: each invalid field'),
    retryAfterSeconds: z.number().optional().describe('429: seconds to wait (also the Retry-After header)'),
    refusal: z.string().optional().describe('Action operations: why the state machine refused it (locked, wrong_state, …)'),
    landingDomains: z.array(z.string()).optional().describe("A tracking link outside its program's landing domains: the domains allowed"),
  })
  .passthrough()
  .describe('RFC 9457 problem details')
  // One component of /docs/json (#/components/schemas/Problem), referred to by every error answer.
  .meta({ id: 'Problem' });
export type Problem = z.infer<typeof problemSchema>;

export const errorResponses = {
  400: problemSchema,
  401: problemSchema,
  403: problemSchema,
  404: problemSchema,
  409: problemSchema,
};

/** The answers of routes whose attempts are throttled per identity: 429 with Retry-After. */
export const throttledResponses = { ...errorResponses, 429: problemSchema };

export const noContentResponses = { 204: z.null().describe('No content'), ...errorResponses };

/** A page of a list. */
export function pageOf<T extends z.ZodType>(item: T) {
  return z.object({ Items: z.array(item), Page: z.number().int(), PageSize: z.number().int(), Total: z.number().int() });
}
/** What a page of a list is, in the web UI's types. */
export interface Page<T> {
  Items: T[];
  Page: number;
  PageSize: number;
  Total: number;
}

export const isoDate = z.string().describe('ISO 8601 date-time');

/** A body that takes no fields (POST …/approve): `{}`, or no body at all. */
export const emptyBody = z.object({}).strict().nullish().describe('No fields; the body may be empty');
