import { z } from 'zod';

/**
 * Bounds every number and date the API takes to what its column holds and to a sane
 * business range, so an out-of-range value is a 400 naming the field rather than a
 * database error (a 500) deep inside a query.
 */
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

/** A zod error as one line: each issue with where it is, e.g. `Conversions[3].ActionTrackerId: Too big …`. */
export function issuesText(error: z.ZodError, prefix: string): string {
  return error.issues
    .map((issue) => {
      const where = issue.path.reduce<string>(
        (path, key) => (typeof key === 'number' ? `${path}[${key}]` : `${path}.${String(key)}`),
        prefix,
      );
      const message =
        issue.code === 'unrecognized_keys' ? `unknown field(s): ${issue.keys.join(', ')}; remove them` : issue.message;
      return `${where}: ${message}`;
    })
    .join('; ');
}

export const pageQueryShape = {
  page: z.coerce.number().int().min(1).max(1_000_000).default(1),
  pageSize: z.coerce.number().int().min(1).max(500).default(50),
  sort: z.string().max(50).optional(),
  order: z.enum(['asc', 'desc']).optional(),
};

export const problemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    instance: z.string().optional(),
  })
  .passthrough()
  .describe('RFC 9457 problem details');

export const errorResponses = {
  400: problemSchema,
  401: problemSchema,
  403: problemSchema,
  404: problemSchema,
  409: problemSchema,
};

export function pageOf<T extends z.ZodType>(item: T) {
  return z.object({ items: z.array(item), page: z.number().int(), pageSize: z.number().int(), total: z.number().int() });
}

export const isoDate = z.string().describe('ISO 8601 date-time');

export const noContentResponses = { 204: z.null().describe('No content'), ...errorResponses };
