import { useCallback } from 'react';
import { useSearchParams } from 'react-router';

export type SearchChanges = Record<string, string | number | null | undefined>;

/**
 * Filters, sort and page of a list live in the URL, so a reload or a shared link shows
 * the same list. `update` replaces the history entry (typing in a filter is not a page).
 */
export function useSearchState() {
  const [params, setParams] = useSearchParams();
  const update = useCallback(
    (changes: SearchChanges) =>
      setParams(
        () => {
          // From the current address, not the hook's last render: two updates in a row
          // (before React re-renders) must both land.
          const next = new URLSearchParams(window.location.search);
          for (const [k, v] of Object.entries(changes)) {
            if (v === null || v === undefined || v === '') next.delete(k);
            else next.set(k, String(v));
          }
          return next;
        },
        { replace: true },
      ),
    [setParams],
  );
  const get = useCallback((name: string) => params.get(name) ?? '', [params]);
  return { params, get, update };
}

export function positiveIntParam(value: string): string {
  return /^[1-9]\d{0,17}$/.test(value) ? value : '';
}

export const DEFAULT_PAGE_SIZE = 25;

/**
 * A server-mode table's page, page size and sort as URL parameters; the defaults are
 * left out so a plain list has a plain address.
 */
export function tableStateToParams(next: {
  pageIndex: number;
  pageSize: number;
  sorting: ReadonlyArray<{ id: string; desc: boolean }>;
}): SearchChanges {
  const sort = next.sorting[0];
  return {
    page: next.pageIndex === 0 ? null : next.pageIndex + 1,
    pageSize: next.pageSize === DEFAULT_PAGE_SIZE ? null : next.pageSize,
    sort: sort?.id ?? null,
    order: sort ? (sort.desc ? 'desc' : 'asc') : null,
  };
}
