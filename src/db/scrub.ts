import type { Sql } from './types.js';

/** What an erased value becomes wherever it was written. */
export const ERASED = '[erased]';

/**
 * The forms a personal value takes where it is stored: as typed, inside JSON text (quotes
 * and backslashes escaped), and inside XML text (a bank file). Longest first, so that no
 * replacement leaves part of a longer form behind.
 */
export function storedForms(values: Iterable<string>): string[] {
  const forms = new Set<string>();
  for (const value of values) {
    if (value.trim().length < 3) continue;
    forms.add(value);
    forms.add(JSON.stringify(value).slice(1, -1));
    forms.add(value.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;').replaceAll("'", '&apos;'));
  }
  return [...forms].sort((a, b) => b.length - a.length);
}

/**
 * Replaces every stored form of `values` with ERASED in a text or jsonb column of the rows
 * `where` selects (SQL with its own parameters from $3 on), in the caller's transaction;
 * answers how many rows changed. Matching is exact (case as stored): each value is given in
 * the case it was stored in. The owner module of the table calls it, for its own rows.
 */
export async function scrubColumn(
  tx: Sql,
  input: { table: string; column: string; jsonb?: boolean; where: string; params?: unknown[]; values: Iterable<string> },
): Promise<number> {
  const forms = storedForms(input.values);
  if (forms.length === 0) return 0;
  const text = input.jsonb ? `${input.column}::text` : input.column;
  // Nested replace() over the forms, $1 being the array of forms and $2 the marker.
  let replaced = text;
  for (let i = 0; i < forms.length; i++) replaced = `replace(${replaced}, ($1::text[])[${i + 1}], $2)`;
  const { rowCount } = await tx.query(
    `update ${input.table} set ${input.column} = (${replaced})${input.jsonb ? '::jsonb' : ''}
      where (${input.where}) and ${text} like any (select '%' || replace(replace(replace(f, '\\', '\\\\'), '%', '\\%'), '_', '\\_') || '%' from unnest($1::text[]) f)`,
    [forms, input.jsonb ? JSON.stringify(ERASED).slice(1, -1) : ERASED, ...(input.params ?? [])],
  );
  return rowCount ?? 0;
}
