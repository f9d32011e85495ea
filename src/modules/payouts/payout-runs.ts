import { createHash } from 'node:crypto';
import { conflict, notFound } from '../../core/errors.js';
import type { Sql } from '../../db/types.js';
import { PaymentFileError, writePain001, type Payment } from '../../payments/pain001.js';
import { PAYPAL_PAYOUTS_MAX_ROWS, writePaypalPayoutsCsv, type PaypalPayout } from '../../payments/paypal-payouts.js';
import { businessDayOnOrAfter } from '../../payments/schedule.js';
import { recordAuditEvent } from '../audit/record-audit-event.js';
import { decryptDestination } from './destination.js';
import { payoutConfigOrThrow } from './payout-config.js';
import type { PayoutFileFormat, PayoutHoldReason, PayoutRunKind, PayoutRunStatus } from './types.js';
import { recordResourceEvents } from '../../outbox/resources.js';

/** Payments per bank file at most: each file is written in one step (one transaction), so a step stays bounded. */
export const PAYMENTS_PER_FILE = 10_000;
/** Paystubs read per page while a file is written. */
const FILE_READ_PAGE = 1000;

export interface NewRun {
  id: number;
  status: PayoutRunStatus;
}

/**
 * Starts a run's record, in the caller's transaction. At most one scheduled run is under
 * way at a time (a partial unique index): a second one is refused with `null`, and the
 * caller resumes the one under way instead.
 */
export async function createPayoutRun(tx: Sql, input: { kind: PayoutRunKind; now: Date; userId: number | null }): Promise<NewRun | null> {
  const runOn = input.now.toISOString().slice(0, 10);
  const { rows } = await tx.query<NewRun>(
    `insert into payout_runs (kind, status, run_on, execution_date, started_at, started_by_user_id)
     values ($1, 'PAYING', $2::date, $3::date, $4, $5)
     on conflict do nothing
     returning id, status`,
    [input.kind, runOn, businessDayOnOrAfter(runOn), input.now, input.userId],
  );
  return rows[0] ?? null;
}

export async function setRunWorkItem(tx: Sql, runId: number, workItemId: bigint): Promise<void> {
  await tx.query('update payout_runs set work_item_id = $2 where id = $1', [runId, workItemId.toString()]);
}

/** The scheduled run under way (PAYING or WRITING_FILES), if any. */
export async function scheduledRunUnderWay(sql: Sql): Promise<{ id: number; workItemId: bigint | null } | undefined> {
  const { rows } = await sql.query<{ id: number; workItemId: bigint | null }>(
    `select id, work_item_id as "workItemId" from payout_runs where kind = 'SCHEDULED' and status in ('PAYING', 'WRITING_FILES')`,
  );
  return rows[0];
}

/** Adds what a chunk of the run did: paystubs made and partners held. */
export async function countRunChunk(tx: Sql, runId: number, paid: number, held: number): Promise<void> {
  if (paid === 0 && held === 0) return;
  await tx.query('update payout_runs set paystub_count = paystub_count + $2, held_count = held_count + $3 where id = $1', [runId, paid, held]);
}

/** The partners (and currencies) a run could not pay, and why, in one statement. */
export async function recordRunHolds(
  tx: Sql,
  runId: number,
  holds: ReadonlyArray<{ partnerAccountId: number; currency: string; availableMinor: bigint; reason: PayoutHoldReason }>,
): Promise<void> {
  if (holds.length === 0) return;
  await tx.query(
    `insert into payout_run_holds (run_id, partner_account_id, currency, available_minor, reason)
     select $1, * from unnest($2::int[], $3::text[], $4::bigint[], $5::text[])
     on conflict (run_id, partner_account_id, currency) do update set available_minor = excluded.available_minor, reason = excluded.reason`,
    [runId, holds.map((h) => h.partnerAccountId), holds.map((h) => h.currency), holds.map((h) => h.availableMinor.toString()), holds.map((h) => h.reason)],
  );
}

export async function markRunWritingFiles(tx: Sql, runId: number): Promise<void> {
  await tx.query(`update payout_runs set status = 'WRITING_FILES' where id = $1 and status = 'PAYING'`, [runId]);
}

export async function markRunReady(tx: Sql, runId: number, now: Date): Promise<void> {
  await tx.query(`update payout_runs set status = 'READY', files_ready_at = $2 where id = $1 and status in ('PAYING', 'WRITING_FILES')`, [runId, now]);
}

const MEDIA_TYPES: Record<PayoutFileFormat, string> = {
  PAIN_001_001_03: 'application/xml',
  PAIN_001_001_09: 'application/xml',
  PAYPAL_PAYOUTS_CSV: 'text/csv',
};
const EXTENSIONS: Record<PayoutFileFormat, string> = {
  PAIN_001_001_03: 'pain.001.001.03.xml',
  PAIN_001_001_09: 'pain.001.001.09.xml',
  PAYPAL_PAYOUTS_CSV: 'paypal-payouts.csv',
};

interface FilePaystub {
  id: bigint;
  netMinor: bigint;
  currency: string;
  destinationSecret: string;
}

/** The run's unfiled paystubs of one format and currency, up to `lastId`, a page at a time, in id order. */
async function* filePaystubs(tx: Sql, runId: number, format: PayoutFileFormat, currency: string, lastId: bigint): AsyncGenerator<FilePaystub> {
  let after = 0n;
  for (;;) {
    const { rows } = await tx.query<FilePaystub>(
      `select id, net_minor as "netMinor", currency, destination_secret as "destinationSecret" from paystubs
        where run_id = $1 and file_format = $2 and currency = $3 and file_id is null and status = 'PROCESSING' and id > $4 and id <= $5
        order by id limit ${FILE_READ_PAGE}`,
      [runId, format, currency, after.toString(), lastId.toString()],
    );
    for (const row of rows) yield row;
    if (rows.length < FILE_READ_PAGE) return;
    after = BigInt(rows[rows.length - 1]!.id);
  }
}

/** The file's text as the payment library writes it, from the paystubs' stored (encrypted) destinations. */
function fileChunks(tx: Sql, runId: number, format: PayoutFileFormat, currency: string, group: { count: number; sumMinor: bigint; lastId: bigint }, fileId: number, now: Date, executionDate: string): AsyncIterable<string> {
  const config = payoutConfigOrThrow();
  const key = config.secretsKey();
  const rows = filePaystubs(tx, runId, format, currency, group.lastId);
  const reference = (id: bigint) => `PAYSTUB-${id}`;
  if (format === 'PAYPAL_PAYOUTS_CSV') {
    async function* payouts(): AsyncGenerator<PaypalPayout> {
      for await (const row of rows) {
        const destination = decryptDestination(key, row.destinationSecret);
        if (destination.method !== 'PAYPAL') throw new Error(`Paystub ${row.id} is in the PayPal file but pays a bank account.`);
        yield { paystubId: reference(BigInt(row.id)), email: destination.paypalEmail, amountMinor: row.netMinor, currency, note: `Lockstep payout, paystub ${row.id}` };
      }
    }
    return writePaypalPayoutsCsv({ currency, numberOfPayouts: group.count, controlSumMinor: group.sumMinor }, payouts());
  }
  async function* payments(): AsyncGenerator<Payment> {
    for await (const row of rows) {
      const destination = decryptDestination(key, row.destinationSecret);
      if (destination.method !== 'BANK_TRANSFER') throw new Error(`Paystub ${row.id} is in a bank file but pays PayPal.`);
      yield {
        endToEndId: reference(BigInt(row.id)),
        amountMinor: row.netMinor,
        currency,
        creditorName: destination.holderName,
        creditorAccount: destination.account,
        remittanceInformation: `Lockstep payout, paystub ${row.id}`,
      };
    }
  }
  return writePain001(
    {
      variant: format === 'PAIN_001_001_09' ? 'pain.001.001.09' : 'pain.001.001.03',
      messageId: `LOCKSTEP-R${runId}-F${fileId}`,
      createdAt: now,
      debtorName: config.debtor.name,
      debtorIban: config.debtor.iban,
      debtorBic: config.debtor.bic,
      requestedExecutionDate: executionDate,
      currency,
      numberOfTransactions: group.count,
      controlSumMinor: group.sumMinor,
    },
    payments(),
  );
}

/**
 * Writes the run's next bank file, in the caller's transaction (one step of the run's
 * flow): the first format and currency with paystubs not yet in a file, at most
 * PAYMENTS_PER_FILE of them (PayPal: 5,000) as one part. The payments are read a page at a
 * time and the file is stored as it is written, chunk by chunk, so it is never in memory
 * whole; the writer checks the count and sum announced in its header against what it
 * wrote, and a failure leaves nothing (the step rolls back). Answers false when every
 * paystub of the run is in a file.
 */
export async function writeNextPayoutFile(tx: Sql, runId: number, now: Date): Promise<boolean> {
  const { rows: groups } = await tx.query<{ format: PayoutFileFormat; currency: string }>(
    `select file_format as format, currency from paystubs where run_id = $1 and file_id is null and status = 'PROCESSING'
      order by file_format, currency limit 1`,
    [runId],
  );
  const next = groups[0];
  if (!next) return false;
  const { format, currency } = next;
  const perFile = format === 'PAYPAL_PAYOUTS_CSV' ? Math.min(PAYPAL_PAYOUTS_MAX_ROWS, PAYMENTS_PER_FILE) : PAYMENTS_PER_FILE;
  const { rows: totals } = await tx.query<{ count: number; sumMinor: bigint; lastId: bigint }>(
    `select count(*)::int as count, sum(net_minor)::bigint as "sumMinor", max(id) as "lastId" from (
       select id, net_minor from paystubs
        where run_id = $1 and file_format = $2 and currency = $3 and file_id is null and status = 'PROCESSING'
        order by id limit $4) part`,
    [runId, format, currency, perFile],
  );
  const group = { count: totals[0]!.count, sumMinor: totals[0]!.sumMinor, lastId: BigInt(totals[0]!.lastId) };
  const { rows: run } = await tx.query<{ executionDate: string }>('select execution_date::text as "executionDate" from payout_runs where id = $1', [runId]);
  const { rows: parts } = await tx.query<{ part: number }>(
    'select coalesce(max(part), 0)::int + 1 as part from payout_files where run_id = $1 and format = $2 and currency = $3',
    [runId, format, currency],
  );
  const part = parts[0]!.part;
  const fileName = `lockstep-run-${runId}-${currency}-${part}.${EXTENSIONS[format]}`;
  const { rows: inserted } = await tx.query<{ id: number }>(
    `insert into payout_files (run_id, format, currency, part, file_name, media_type, payments, total_minor, bytes, sha256, created_at)
     values ($1, $2, $3, $4, $5, $6, $7, $8, 0, '', $9) returning id`,
    [runId, format, currency, part, fileName, MEDIA_TYPES[format], group.count, group.sumMinor.toString(), now],
  );
  const fileId = inserted[0]!.id;
  const hash = createHash('sha256');
  let bytes = 0;
  let seq = 0;
  try {
    for await (const chunk of fileChunks(tx, runId, format, currency, group, fileId, now, run[0]!.executionDate)) {
      if (chunk.length === 0) continue;
      hash.update(chunk, 'utf8');
      bytes += Buffer.byteLength(chunk, 'utf8');
      seq += 1;
      await tx.query('insert into payout_file_chunks (file_id, seq, content) values ($1, $2, $3)', [fileId, seq, chunk]);
    }
  } catch (error) {
    // The payment library quotes what it refuses (a holder's name, an account number): the
    // message becomes the work item's error, which logs and the console show, so it keeps
    // which paystub and why, and not the bank details.
    if (error instanceof PaymentFileError) {
      throw new PaymentFileError(`Run ${runId}, ${fileName}: ${error.message.replace(/"(?:[^"\\]|\\.)*"/g, '"…"')}`);
    }
    throw error;
  }
  await tx.query('update payout_files set bytes = $2, sha256 = $3 where id = $1', [fileId, bytes, hash.digest('hex')]);
  const { rowCount } = await tx.query(
    `update paystubs set file_id = $5
      where run_id = $1 and file_format = $2 and currency = $3 and file_id is null and status = 'PROCESSING' and id <= $4`,
    [runId, format, currency, group.lastId.toString(), fileId],
  );
  if (rowCount !== group.count) throw new Error(`Run ${runId}: the file ${fileName} holds ${group.count} payments but ${rowCount} paystubs were filed; nothing was kept.`);
  return true;
}

/** A stored file's content in order, a few chunks per query: a download streams it. */
export async function* payoutFileContent(sql: Sql, fileId: number): AsyncGenerator<string> {
  let after = 0;
  for (;;) {
    const { rows } = await sql.query<{ seq: number; content: string }>(
      'select seq, content from payout_file_chunks where file_id = $1 and seq > $2 order by seq limit 8',
      [fileId, after],
    );
    for (const row of rows) yield row.content;
    if (rows.length < 8) return;
    after = rows[rows.length - 1]!.seq;
  }
}

/**
 * Marks a run sent (the operator handed its files to the bank and PayPal): the run and its
 * paystubs become SENT. Only a READY run can be; a run sent already is a 409.
 */
export async function markRunSentInTx(tx: Sql, runId: number, userId: number, now: Date): Promise<void> {
  const { rows } = await tx.query<{ status: PayoutRunStatus }>('select status from payout_runs where id = $1 for update', [runId]);
  const run = rows[0];
  if (!run) throw notFound(`Payout run ${runId} does not exist.`);
  if (run.status === 'SENT') throw conflict(`Payout run ${runId} was marked sent already.`);
  if (run.status !== 'READY') throw conflict(`Payout run ${runId} is ${run.status}: its files are not written yet; mark it sent once it is READY.`);
  await tx.query(`update payout_runs set status = 'SENT', sent_at = $2, sent_by_user_id = $3 where id = $1`, [runId, now, userId]);
  const { rows: paid } = await tx.query<{ id: bigint }>(`update paystubs set status = 'SENT', sent_at = $2 where run_id = $1 and status = 'PROCESSING' returning id`, [runId, now]);
  // Sent to the bank is paid, as the partner sees it.
  await recordResourceEvents(tx, 'paystub', paid.map((row) => ({ id: row.id, type: 'paystub.paid' as const })), now);
  await recordAuditEvent(tx, { at: now, actorUserId: userId, accountId: null, action: 'payout_run.sent', subject: `payout_run:${runId}` });
}
