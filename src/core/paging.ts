import { invalid } from './errors.js';

export interface PageRequest {
  page: number;
  pageSize: number;
}

export interface Page<T> {
  items: T[];
  page: number;
  pageSize: number;
  total: number;
}

export const MAX_PAGE_SIZE = 500;

export function pageOffset({ page, pageSize }: PageRequest): number {
  return (page - 1) * pageSize;
}

/**
 * Turns a requested sort key into a SQL column from an allow-list; anything else is a
 * clear 400 rather than a string spliced into SQL.
 */
export function sortClause(
  sort: string | undefined,
  order: 'asc' | 'desc' | undefined,
  columns: Record<string, string>,
  fallback: string,
): string {
  const key = sort ?? fallback;
  const column = columns[key];
  if (!column) {
    throw invalid(`Cannot sort by "${key}"; sort by one of: ${Object.keys(columns).join(', ')}.`);
  }
  // No NULLS clause: the default (nulls first when descending) is the order btree indexes
  // are built in, so a matching index can serve the sort instead of a full sort.
  const direction = sortDirection(order);
  return column
    .split(',')
    .map((part) => `${part.trim()} ${direction}`)
    .join(', ');
}

export function sortDirection(order: 'asc' | 'desc' | undefined): 'asc' | 'desc' {
  return order === 'asc' ? 'asc' : 'desc';
}
