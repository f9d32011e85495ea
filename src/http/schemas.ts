/**
 * Moving to src/http/contract/common.ts (issue 11): what is left here serves the areas
 * whose routes have not moved to the contract yet.
 */
import { z } from 'zod';

export {
  errorResponses,
  filterDateTime,
  idParams,
  INT4_MAX,
  isoDate,
  MAX_FILTER_DATE,
  MIN_FILTER_DATE,
  noContentResponses,
  problemSchema,
  rowId,
  rowIdText,
} from './contract/common.js';
export { issuesText } from './problem.js';

export const pageQueryShape = {
  page: z.coerce.number().int().min(1).max(1_000_000).default(1),
  pageSize: z.coerce.number().int().min(1).max(500).default(50),
  sort: z.string().max(50).optional(),
  order: z.enum(['asc', 'desc']).optional(),
};

export function pageOf<T extends z.ZodType>(item: T) {
  return z.object({ items: z.array(item), page: z.number().int(), pageSize: z.number().int(), total: z.number().int() });
}
