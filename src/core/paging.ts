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
  return `${column} ${order === 'asc' ? 'asc' : 'desc'} nulls last`;
}
