import { DomainError } from '../../core/errors.js';
import type { Db } from '../../db/types.js';
import { getPinOrThrow } from './queries.js';
import { MAX_PINS, type Pin, type PinDisplay, type PinOwner } from './types.js';

export interface PinInput {
  report: string;
  title: string;
  /** Already checked against the report's filters (the catalog's schema) by the caller. */
  filters: Record<string, string>;
  display: PinDisplay;
  link: string | null;
}

/** Pins a report to the end of the owner's Home. */
export async function pinReport(db: Db, owner: PinOwner, input: PinInput, now: Date): Promise<Pin> {
  return db.transaction(async (tx) => {
    // Two pins at once by the same user meet here, so neither takes the other's place.
    await tx.query('select pg_advisory_xact_lock(hashtext($1))', [`report-pins:${owner.userId}:${owner.accountId}`]);
    const { rows } = await tx.query<{ n: number; last: number | null }>(
      'select count(*)::int as n, max(position) as last from report_pins where user_id = $1 and account_id = $2',
      [owner.userId, owner.accountId],
    );
    const { n, last } = rows[0]!;
    if (n >= MAX_PINS) {
      throw new DomainError('conflict', `Your Home already holds ${MAX_PINS} pinned reports; remove one before pinning another.`);
    }
    const inserted = await tx.query<{ id: number }>(
      `insert into report_pins (account_id, user_id, report, title, filters, display, link, position, created_at)
       values ($1, $2, $3, $4, $5::jsonb, $6, $7, $8, $9) returning id`,
      [owner.accountId, owner.userId, input.report, input.title, JSON.stringify(input.filters), input.display, input.link, (last ?? 0) + 1, now],
    );
    return getPinOrThrow(tx, owner, inserted.rows[0]!.id);
  });
}
