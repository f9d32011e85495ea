/**
 * What each event type's e-mail address received (issue 14, item 3): the returns module
 * owns `returns_email_messages` and `returns_email_batches` (migration 0023). The SMTP
 * listener's flow (src/flows/receive-returns-email.ts) writes them; the brand's Settings
 * read the last messages and errors; the e-mail result delivery reads where a batch's
 * result goes.
 */
import type { Sql } from '../../db/types.js';
import type { EmailAttachmentOutcome, EmailMessageStatus } from './email-types.js';

export type { EmailAttachmentOutcome, EmailMessageStatus } from './email-types.js';

export interface EmailAttachmentRecord {
  fileName: string;
  bytes: number;
  outcome: EmailAttachmentOutcome;
  /** BATCH: the batch it became; SAME_FILE: the batch the same bytes became before. */
  batchId: string | null;
  message: string | null;
}

/** The newest messages kept per event type: the Settings show the last ones, not an archive. */
export const EMAIL_MESSAGES_KEPT = 200;

/** At most this many characters of a header are kept. */
const HEADER_MAX = 300;

const cut = (text: string | null | undefined, max = HEADER_MAX) => (text ? text.slice(0, max) : null);

export interface EmailMessageFacts {
  brandAccountId: number;
  eventTypeId: number;
  messageId: string | null;
  sender: string | null;
  headerFrom: string | null;
  subject: string | null;
  receivedAt: Date;
}

/** A message whose files are being stored: its row first, so each batch can name it in its own transaction. */
export async function startEmailMessage(sql: Sql, facts: EmailMessageFacts): Promise<bigint> {
  const { rows } = await sql.query<{ id: string }>(
    `insert into returns_email_messages (brand_account_id, event_type_id, message_id, sender, header_from, subject, received_at, status, reply)
     values ($1, $2, $3, $4, $5, $6, $7, 'RECEIVING', 'storing the attachments') returning id::text as id`,
    [facts.brandAccountId, facts.eventTypeId, cut(facts.messageId, 998), cut(facts.sender), cut(facts.headerFrom), cut(facts.subject), facts.receivedAt],
  );
  return BigInt(rows[0]!.id);
}

/**
 * The message's end: ACCEPTED with its attachments, or REFUSED with the answer given.
 * An ACCEPTED Message-ID is unique per event type; a second one at once (the same message
 * delivered twice in parallel) becomes DUPLICATE, as its files were the first's anyway.
 */
export async function finishEmailMessage(
  sql: Sql,
  id: bigint,
  outcome: { status: 'ACCEPTED' | 'REFUSED'; reply: string; attachments: EmailAttachmentRecord[]; now: Date },
): Promise<EmailMessageStatus> {
  const update = (status: string) =>
    sql.query<{ status: EmailMessageStatus }>(
      `update returns_email_messages m
        set status = case when $2::text = 'ACCEPTED' and m.message_id is not null and exists (
                       select 1 from returns_email_messages o where o.event_type_id = m.event_type_id and o.message_id = m.message_id and o.status = 'ACCEPTED')
                     then 'DUPLICATE' else $2::text end,
            reply = $3, attachments = $4, completed_at = $5
      where id = $1 returning status`,
      [id.toString(), status, outcome.reply.slice(0, 1000), JSON.stringify(outcome.attachments), outcome.now],
    );
  let result: { rows: Array<{ status: EmailMessageStatus }> };
  try {
    result = await update(outcome.status);
  } catch (error) {
    // The same Message-ID accepted at the same moment by another delivery (the unique index).
    if ((error as { code?: string }).code !== '23505') throw error;
    result = await update('DUPLICATE');
  }
  await pruneEmailMessages(sql, id);
  return result.rows[0]!.status;
}

/** A message refused before any file of it was stored (too large, a sender not allowed, nothing matching). */
export async function recordRefusedEmailMessage(
  sql: Sql,
  facts: EmailMessageFacts & { reply: string; attachments: EmailAttachmentRecord[]; status?: 'REFUSED' | 'DUPLICATE' },
): Promise<void> {
  const { rows } = await sql.query<{ id: string }>(
    `insert into returns_email_messages (brand_account_id, event_type_id, message_id, sender, header_from, subject, received_at, status, reply, attachments, completed_at)
     values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $7) returning id::text as id`,
    [
      facts.brandAccountId,
      facts.eventTypeId,
      cut(facts.messageId, 998),
      cut(facts.sender),
      cut(facts.headerFrom),
      cut(facts.subject),
      facts.receivedAt,
      facts.status ?? 'REFUSED',
      facts.reply.slice(0, 1000),
      JSON.stringify(facts.attachments),
    ],
  );
  await pruneEmailMessages(sql, BigInt(rows[0]!.id));
}

/** Only the newest EMAIL_MESSAGES_KEPT of the event type stay (a sender who knows the address cannot grow the table without bound). */
async function pruneEmailMessages(sql: Sql, id: bigint): Promise<void> {
  await sql.query(
    `delete from returns_email_messages m
      where m.event_type_id = (select event_type_id from returns_email_messages where id = $1)
        and m.id < (select k.id from returns_email_messages k
                     where k.event_type_id = (select event_type_id from returns_email_messages where id = $1)
                     order by k.id desc offset $2 limit 1)
        and not exists (select 1 from returns_email_batches b where b.email_message_id = m.id)`,
    [id.toString(), EMAIL_MESSAGES_KEPT - 1],
  );
}

/** The accepted message of this Message-ID for the event type (the same message delivered again). */
export async function findAcceptedEmailMessage(sql: Sql, eventTypeId: number, messageId: string): Promise<{ id: bigint; receivedAt: Date; attachments: EmailAttachmentRecord[] } | undefined> {
  const { rows } = await sql.query<{ id: string; receivedAt: Date; attachments: EmailAttachmentRecord[] }>(
    `select id::text as id, received_at as "receivedAt", attachments from returns_email_messages
      where event_type_id = $1 and message_id = $2 and status = 'ACCEPTED'`,
    [eventTypeId, messageId.slice(0, 998)],
  );
  return rows[0] && { ...rows[0], id: BigInt(rows[0].id) };
}

/** In the batch's own transaction: the batch came from this message, and its result goes to `resultTo` (null: nowhere). */
export async function linkEmailBatch(tx: Sql, batchId: bigint, emailMessageId: bigint, resultTo: string | null): Promise<void> {
  await tx.query('insert into returns_email_batches (batch_id, email_message_id, result_to) values ($1, $2, $3)', [
    batchId.toString(),
    emailMessageId.toString(),
    cut(resultTo, 320),
  ]);
}

export interface EmailBatchResult {
  batchId: bigint;
  resultTo: string | null;
  messageId: string | null;
  subject: string | null;
  resultEmailedAt: Date | null;
}

/** Where a batch that came by e-mail sends its result; undefined for a batch that did not come by e-mail. */
export async function emailBatchResultOf(sql: Sql, batchId: bigint): Promise<EmailBatchResult | undefined> {
  const { rows } = await sql.query<Omit<EmailBatchResult, 'batchId'>>(
    `select b.result_to as "resultTo", m.message_id as "messageId", m.subject, b.result_emailed_at as "resultEmailedAt"
       from returns_email_batches b join returns_email_messages m on m.id = b.email_message_id where b.batch_id = $1`,
    [batchId.toString()],
  );
  return rows[0] && { batchId, ...rows[0] };
}

/** What became of the result mail: sent (queued in the outbox) at `at`, or why not. */
export async function noteEmailBatchResult(tx: Sql, batchId: bigint, outcome: { emailedAt: Date | null; note: string }): Promise<void> {
  await tx.query('update returns_email_batches set result_emailed_at = $2, result_note = $3 where batch_id = $1', [
    batchId.toString(),
    outcome.emailedAt,
    outcome.note.slice(0, 500),
  ]);
}

export interface EmailMessageRow extends Omit<EmailMessageFacts, 'brandAccountId'> {
  id: bigint;
  status: EmailMessageStatus;
  reply: string;
  attachments: Array<EmailAttachmentRecord & { resultTo: string | null; resultEmailedAt: Date | null; resultNote: string | null; batchStatus: string | null }>;
}

/** The last messages an event type of the brand received, newest first; another brand's event type has none. */
export async function listEmailMessages(sql: Sql, brandAccountId: number, eventTypeId: number, limit: number): Promise<EmailMessageRow[]> {
  const { rows } = await sql.query<Omit<EmailMessageRow, 'id'> & { id: string }>(
    `select m.id::text as id, m.event_type_id as "eventTypeId", m.message_id as "messageId", m.sender, m.header_from as "headerFrom", m.subject,
            m.received_at as "receivedAt", m.status, m.reply, m.attachments
       from returns_email_messages m where m.brand_account_id = $1 and m.event_type_id = $2 order by m.id desc limit $3`,
    [brandAccountId, eventTypeId, limit],
  );
  const batchIds = rows.flatMap((r) => (r.attachments as EmailAttachmentRecord[]).map((a) => a.batchId).filter((id): id is string => id !== null));
  const results = new Map<string, { resultTo: string | null; resultEmailedAt: Date | null; resultNote: string | null; batchStatus: string | null }>();
  if (batchIds.length) {
    const found = await sql.query<{ batchId: string; resultTo: string | null; resultEmailedAt: Date | null; resultNote: string | null; batchStatus: string }>(
      `select r.id::text as "batchId", b.result_to as "resultTo", b.result_emailed_at as "resultEmailedAt", b.result_note as "resultNote", r.status as "batchStatus"
         from returns_batches r left join returns_email_batches b on b.batch_id = r.id
        where r.id = any($1::bigint[]) and r.brand_account_id = $2`,
      [batchIds, brandAccountId],
    );
    for (const row of found.rows) results.set(row.batchId, row);
  }
  return rows.map((row) => ({
    ...row,
    id: BigInt(row.id),
    attachments: (row.attachments as EmailAttachmentRecord[]).map((a) => {
      const r = a.batchId ? results.get(a.batchId) : undefined;
      return { ...a, resultTo: r?.resultTo ?? null, resultEmailedAt: r?.resultEmailedAt ?? null, resultNote: r?.resultNote ?? null, batchStatus: r?.batchStatus ?? null };
    }),
  }));
}
