import { createHash } from 'node:crypto';
import type { ServiceContext } from '../../core/context.js';
import { invalid } from '../../core/errors.js';
import { letShortTimersRun, turnEventLoop } from '../../core/event-loop.js';
import { isStorableText } from '../../core/text.js';
import type { Db, Sql } from '../../db/types.js';
import { formatMinor, MoneyError, parseAmountMinorOrThrow } from '../../money/index.js';
import { credentialIdOf, requireAccountActor, type Actor } from '../accounts/actor.js';
import { insertActions } from '../actions/insert-actions.js';
import { itemsToJson, type ActionItem, type EventKind } from '../actions/types.js';
import { loadContractSpans, pickContractInForce } from '../contracts/queries.js';
import { computePayoutMinor, DateRules } from '../programs/terms/index.js';
import {
  MAX_CONVERSION_AMOUNT_MINOR,
  MAX_CONVERSIONS_PER_BATCH,
  MAX_EVENT_AGE_DAYS,
  MAX_FUTURE_SKEW_MS,
  MAX_ORDER_ID_LENGTH,
  type ConversionInput,
  type ConversionResult,
  type RejectReason,
} from './types.js';

interface EventTypeInfo {
  id: number;
  kind: EventKind;
  programId: number;
  currency: string;
  timeZone: string;
}

interface Normalized {
  index: number;
  eventType: EventTypeInfo;
  orderId: string;
  eventAt: Date;
  clickId: string | null;
  amountMinor: bigint;
  items: ActionItem[] | null;
  hash: string;
}

interface Decided extends Normalized {
  partnerAccountId: number | null;
  referringAt: Date | null;
  rejectReason: RejectReason | null;
  contractId: number | null;
  payoutMinor: bigint;
  lockingAt: Date | null;
  paymentDueAt: Date | null;
}

/** A field of a conversion and what is wrong with it (`Items[0].Amount`, as the request names it). */
export interface FieldProblem {
  field: string;
  message: string;
}

/** A conversion refused before it was stored, with every field that is wrong (not only the first). */
class InputError extends Error {
  constructor(readonly problems: FieldProblem[]) {
    super(problems.map((p) => p.message).join('; '));
  }
}

const ISO_WITH_OFFSET = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

/** An amount in minor units, or null after recording why it is not one. */
function parseAmount(text: string, currency: string, field: string, problems: FieldProblem[]): bigint | null {
  try {
    return parseAmountMinorOrThrow(text, currency);
  } catch (error) {
    if (!(error instanceof MoneyError)) throw error;
    problems.push({ field, message: `${field}: ${error.message}` });
    return null;
  }
}

/** Text the database would store differently from what was sent is refused, whatever the channel (core/text.ts). */
function checkStorable(text: string, field: string, problems: FieldProblem[]): void {
  if (!isStorableText(text)) {
    problems.push({ field, message: `${field} holds a NUL character or a lone UTF-16 surrogate, which cannot be stored; send well-formed text.` });
  }
}

/**
 * A conversion as the service stores it, or an InputError naming every field that is
 * wrong: each field is checked even when another one failed, so a caller fixes them all
 * at once. Checks that need a field already found wrong (the amount against the items,
 * the currency without an event type) are left out for it.
 */
function normalize(input: ConversionInput, index: number, eventType: EventTypeInfo | undefined, now: Date): Normalized {
  const problems: FieldProblem[] = [];
  const refuse = (field: string, message: string) => problems.push({ field, message });
  checkStorable(input.OrderId, 'OrderId', problems);
  if (input.ClickId !== undefined) checkStorable(input.ClickId, 'ClickId', problems);
  input.Items?.forEach((item, i) => {
    if (item.Sku !== undefined) checkStorable(item.Sku, `Items[${i}].Sku`, problems);
    if (item.Category !== undefined) checkStorable(item.Category, `Items[${i}].Category`, problems);
  });
  if (!eventType) {
    refuse('ActionTrackerId', `ActionTrackerId ${input.ActionTrackerId} is not an event type of your programs.`);
  } else if (eventType.kind === 'CLICK') {
    refuse('ActionTrackerId', `ActionTrackerId ${input.ActionTrackerId} is a CLICK event type; clicks are credited from tracked clicks, not posted as conversions.`);
  }
  const orderId = input.OrderId.trim();
  // biome-ignore lint/suspicious/noControlCharactersInRegex: an OrderId with a control character is refused, so the regex names them
  if (!orderId || orderId.length > MAX_ORDER_ID_LENGTH || /[\u0000-\u001f\u007f]/.test(orderId)) {
    refuse('OrderId', `OrderId must have 1 to ${MAX_ORDER_ID_LENGTH} printable characters.`);
  }
  const eventAt = new Date(input.EventDate);
  if (!ISO_WITH_OFFSET.test(input.EventDate) || Number.isNaN(eventAt.getTime())) {
    refuse('EventDate', `EventDate "${input.EventDate}" is not an ISO 8601 date-time with a time zone offset (e.g. 2026-01-15T10:30:00-05:00).`);
  } else if (eventAt.getTime() > now.getTime() + MAX_FUTURE_SKEW_MS) {
    refuse('EventDate', `EventDate ${input.EventDate} is in the future; an event cannot be reported before it happens.`);
  } else if (eventAt.getTime() < now.getTime() - MAX_EVENT_AGE_DAYS * 86_400_000) {
    refuse('EventDate', `EventDate ${input.EventDate} is more than ${MAX_EVENT_AGE_DAYS} days ago.`);
  }
  const clickId = input.ClickId?.trim() || null;
  if (clickId !== null && clickId.length > 64) refuse('ClickId', 'ClickId must have at most 64 characters.');
  // Without a usable event type the program's currency is unknown: amounts cannot be read.
  const usable = eventType && eventType.kind !== 'CLICK' ? eventType : undefined;
  if (usable && input.CurrencyCode !== undefined && input.CurrencyCode !== usable.currency) {
    refuse('CurrencyCode', `CurrencyCode ${input.CurrencyCode} is not the program's currency (${usable.currency}).`);
  }
  const currency = usable?.currency;
  let items: ActionItem[] | null = null;
  let itemsTotal: bigint | undefined;
  if (input.Items && input.Items.length > 0) {
    const read = input.Items.map((item, i): ActionItem | null => {
      let ok = true;
      if (!Number.isInteger(item.Quantity) || item.Quantity < 1 || item.Quantity > 1_000_000) {
        refuse(`Items[${i}].Quantity`, `Items[${i}].Quantity must be a whole number from 1 to 1,000,000.`);
        ok = false;
      }
      const amountMinor = currency ? parseAmount(item.Amount, currency, `Items[${i}].Amount`, problems) : null;
      if (!ok || amountMinor === null) return null;
      return {
        ...(item.Sku !== undefined ? { sku: item.Sku.trim() } : {}),
        ...(item.Category !== undefined ? { category: item.Category.trim() } : {}),
        quantity: item.Quantity,
        amountMinor,
      };
    });
    if (read.every((item): item is ActionItem => item !== null)) {
      items = read;
      itemsTotal = items.reduce((sum, item) => sum + item.amountMinor, 0n);
    }
  }
  let amountMinor: bigint | null = null;
  if (currency && usable) {
    if (input.Amount !== undefined) {
      amountMinor = parseAmount(input.Amount, currency, 'Amount', problems);
      if (amountMinor !== null && itemsTotal !== undefined && itemsTotal !== amountMinor) {
        refuse('Amount', `Amount ${input.Amount} is not the sum of the items' amounts; send matching amounts or leave Amount out.`);
      }
    } else if (itemsTotal !== undefined) {
      amountMinor = itemsTotal;
    } else if (!input.Items?.length && usable.kind === 'SALE') {
      refuse('Amount', 'Amount is required for a SALE event type (or give Items).');
    } else if (!input.Items?.length) {
      amountMinor = 0n;
    }
    if (amountMinor !== null && amountMinor > MAX_CONVERSION_AMOUNT_MINOR) {
      refuse('Amount', `The sale amount ${formatMinor(amountMinor, currency)} is larger than a conversion may carry (${formatMinor(MAX_CONVERSION_AMOUNT_MINOR, currency)}).`);
    }
  }
  if (problems.length > 0 || !usable || amountMinor === null) throw new InputError(problems);
  const canonical = JSON.stringify([usable.id, orderId, eventAt.toISOString(), clickId, amountMinor.toString(), itemsToJson(items)]);
  return {
    index,
    eventType: usable,
    orderId,
    eventAt,
    clickId,
    amountMinor,
    items,
    hash: createHash('sha256').update(canonical).digest('hex'),
  };
}

interface ClickInfo {
  clickId: string;
  programId: number;
  partnerAccountId: number;
  at: Date;
  partnerStatus: string;
}

async function attribute(sql: Sql, rows: readonly Normalized[]): Promise<Decided[]> {
  const clickIds = [...new Set(rows.map((r) => r.clickId).filter((id): id is string => id !== null))];
  const clicks = new Map<string, ClickInfo>();
  if (clickIds.length) {
    const { rows: found } = await sql.query<ClickInfo>(
      `select c.click_id as "clickId", c.program_id as "programId", c.partner_account_id as "partnerAccountId", c.at,
              a.status as "partnerStatus"
         from clicks c join accounts a on a.id = c.partner_account_id where c.click_id = any($1::text[])`,
      [clickIds],
    );
    for (const click of found) clicks.set(click.clickId, click);
  }
  const pairs = new Map<string, { programId: number; partnerAccountId: number }>();
  for (const click of clicks.values()) pairs.set(`${click.programId}|${click.partnerAccountId}`, click);
  const contracts = await loadContractSpans(sql, [...pairs.values()]);
  const rules = new DateRules();
  return rows.map((row): Decided => {
    const reject = (reason: RejectReason, partnerAccountId: number | null = null, referringAt: Date | null = null): Decided => ({
      ...row,
      partnerAccountId,
      referringAt,
      rejectReason: reason,
      contractId: null,
      payoutMinor: 0n,
      lockingAt: null,
      paymentDueAt: null,
    });
    if (!row.clickId) return reject('NO_CLICK');
    const click = clicks.get(row.clickId);
    if (!click) return reject('UNKNOWN_CLICK');
    if (click.programId !== row.eventType.programId) return reject('CLICK_OTHER_PROGRAM');
    if (row.eventAt.getTime() < click.at.getTime()) return reject('EVENT_BEFORE_CLICK', click.partnerAccountId, click.at);
    if (click.partnerStatus !== 'ACTIVE') return reject('PARTNER_CLOSED', click.partnerAccountId, click.at);
    const found = pickContractInForce(contracts.get(`${click.programId}|${click.partnerAccountId}`) ?? [], row.eventAt);
    if ('missing' in found) return reject(found.missing, click.partnerAccountId, click.at);
    const inForce = found.contract;
    const rule = inForce.terms.payouts.find((p) => p.eventTypeId === row.eventType.id);
    if (!rule) return reject('NOT_IN_TERMS', click.partnerAccountId, click.at);
    const lockingAt = rules.lockingFor(row.eventAt, row.eventType.timeZone, inForce.terms, row.eventType.id);
    return {
      ...row,
      partnerAccountId: click.partnerAccountId,
      referringAt: click.at,
      rejectReason: null,
      contractId: inForce.id,
      // Priced by the terms alone (programs/terms/payout.ts); with items, the items decide.
      payoutMinor: computePayoutMinor(rule, row.items ? { amountMinor: row.amountMinor, items: row.items } : { amountMinor: row.amountMinor }),
      lockingAt,
      paymentDueAt: rules.payment(lockingAt, row.eventType.timeZone, inForce.terms),
    };
  });
}

/**
 * The partners of the attributed rows, read again in the inserting transaction with a
 * FOR KEY SHARE lock: a partner account being closed holds its row (FOR UPDATE) until the
 * closure's first step commits, so a conversion either commits before the closure looks
 * (which then sees its pending action and refuses) or sees the account closed here and is
 * rejected PARTNER_CLOSED. Attribution itself reads outside the transaction.
 */
async function keepPartnersOpen(tx: Sql, decided: Decided[]): Promise<Decided[]> {
  const partners = [...new Set(decided.filter((row) => row.rejectReason === null && row.partnerAccountId !== null).map((row) => row.partnerAccountId!))];
  if (partners.length === 0) return decided;
  const { rows } = await tx.query<{ id: number }>(
    `select id from accounts where id = any($1::int[]) and status = 'ACTIVE' order by id for key share`,
    [partners],
  );
  const open = new Set(rows.map((row) => row.id));
  if (open.size === partners.length) return decided;
  return decided.map((row) =>
    row.rejectReason === null && row.partnerAccountId !== null && !open.has(row.partnerAccountId)
      ? { ...row, rejectReason: 'PARTNER_CLOSED', contractId: null, payoutMinor: 0n, lockingAt: null, paymentDueAt: null }
      : row,
  );
}

/** A batch row refused before it reached the service (by the edge's schema), with what was wrong. */
export interface RefusedInput {
  refused: string;
}

/**
 * How many conversions one transaction writes. On PGlite the engine runs one statement at
 * a time for the whole process, clicks included, so a batch is written in chunks short
 * enough (tens of milliseconds) that a click's commit waits behind at most one of them;
 * on PostgreSQL the chunks only bound how long one transaction holds its row locks.
 */
const CHUNK_ROWS: Record<Db['kind'], number> = { pglite: 100, postgres: 2_000 };
/** Rows checked between two turns of the event loop (see turnEventLoop). */
const ROWS_PER_TURN = 1_000;

/**
 * Records conversions for a brand: each is attributed through its click id to the
 * partner's contract in force at the event date, priced by that contract's terms and
 * becomes a pending action; one that cannot be credited is stored as rejected with its
 * reason. Idempotent on (ActionTrackerId, OrderId): the same body again returns the
 * first answer, a different body is a conflict. Each input gets its own result, and its
 * own outcome: a batch is written in chunks, each its own transaction, so when a request
 * fails part-way its retry answers the conversions already written as duplicates. A
 * conversion and its action are always written together, in one transaction.
 */
export async function recordConversions(
  ctx: ServiceContext,
  actor: Actor,
  inputs: ReadonlyArray<ConversionInput | RefusedInput>,
): Promise<ConversionResult[]> {
  const brand = requireAccountActor(actor, 'BRAND');
  if (inputs.length === 0) throw invalid('Send at least one conversion.');
  if (inputs.length > MAX_CONVERSIONS_PER_BATCH) {
    throw invalid(`At most ${MAX_CONVERSIONS_PER_BATCH} conversions per request; got ${inputs.length}.`);
  }
  const now = ctx.clock.now();
  const eventTypeIds = [...new Set(inputs.flatMap((i) => ('refused' in i ? [] : [i.ActionTrackerId])))];
  const { rows: eventTypes } = await ctx.db.query<EventTypeInfo>(
    `select et.id, et.kind, et.program_id as "programId", p.currency, p.time_zone as "timeZone"
       from event_types et join programs p on p.id = et.program_id
      where et.id = any($1::int[]) and p.brand_account_id = $2`,
    [eventTypeIds, brand.accountId],
  );
  const eventTypeById = new Map(eventTypes.map((et) => [et.id, et]));

  const results: ConversionResult[] = new Array(inputs.length);
  const firstByKey = new Map<string, Normalized>();
  const candidates: Normalized[] = [];
  const repeats: Array<{ row: Normalized; first: Normalized }> = [];
  for (const [index, input] of inputs.entries()) {
    if (index > 0 && index % ROWS_PER_TURN === 0) await turnEventLoop();
    if ('refused' in input) {
      results[index] = { index, status: 'INVALID', message: input.refused };
      continue;
    }
    try {
      const row = normalize(input, index, eventTypeById.get(input.ActionTrackerId), now);
      const key = `${row.eventType.id}|${row.orderId}`;
      const first = firstByKey.get(key);
      if (first) {
        repeats.push({ row, first });
      } else {
        firstByKey.set(key, row);
        candidates.push(row);
      }
    } catch (error) {
      if (!(error instanceof InputError)) throw error;
      results[index] = { index, status: 'INVALID', message: error.message, errors: error.problems };
    }
  }

  const chunkRows = CHUNK_ROWS[ctx.db.kind];
  for (let start = 0; start < candidates.length; start += chunkRows) {
    // PGlite answers in-process, as promises that resolve on the microtask queue: without
    // this pause, chunk after chunk would run before a single waiting socket (a click, its
    // commit) is read. On PostgreSQL every query already waits for the network.
    if (start > 0 && ctx.db.kind === 'pglite') await letShortTimersRun();
    const decided = await attribute(ctx.db, candidates.slice(start, start + chunkRows));
    // A fixed insert order keeps two overlapping batches from deadlocking on the unique index.
    decided.sort((a, b) => a.eventType.id - b.eventType.id || (a.orderId < b.orderId ? -1 : a.orderId > b.orderId ? 1 : 0));
    await ctx.db.transaction(async (tx) => {
      const checked = await keepPartnersOpen(tx, decided);
      for (const [index, result] of (await insertDecided(tx, brand.accountId, { userId: brand.userId, credentialId: credentialIdOf(brand) }, checked, now)).entries()) {
        results[index] = result;
      }
    });
  }
  for (const { row, first } of repeats) {
    const firstResult = results[first.index]!;
    if (!('duplicate' in firstResult)) {
      results[row.index] = { ...firstResult, index: row.index };
    } else if (row.hash === first.hash) {
      results[row.index] = { ...firstResult, index: row.index, duplicate: true };
    } else {
      results[row.index] = {
        index: row.index,
        status: 'CONFLICT',
        message: `OrderId ${row.orderId} appears twice in this batch for ActionTrackerId ${row.eventType.id} with different details.`,
      };
    }
  }
  return results;
}

async function insertDecided(
  tx: Sql,
  brandAccountId: number,
  by: { userId: number; credentialId: number | null },
  rows: readonly Decided[],
  now: Date,
): Promise<Map<number, ConversionResult>> {
  const out = new Map<number, ConversionResult>();
  const { rows: inserted } = await tx.query<{ id: bigint; eventTypeId: number; orderId: string }>(
    `insert into conversions (brand_account_id, program_id, event_type_id, order_id, request_hash, event_at, click_id,
                              partner_account_id, currency, amount_minor, items, status, reject_reason, created_at)
     select $1, u.program_id, u.event_type_id, u.order_id, u.hash, u.event_at, u.click_id, u.partner, u.currency, u.amount,
            u.items, u.status, u.reject_reason, $2
       from unnest($3::int[], $4::int[], $5::text[], $6::text[], $7::timestamptz[], $8::text[], $9::int[], $10::text[],
                   $11::bigint[], $12::jsonb[], $13::text[], $14::text[])
            with ordinality as u(program_id, event_type_id, order_id, hash, event_at, click_id, partner, currency, amount, items,
                                 status, reject_reason, ord)
      order by u.ord
     on conflict (event_type_id, order_id) do nothing
     returning id, event_type_id as "eventTypeId", order_id as "orderId"`,
    [
      brandAccountId,
      now,
      rows.map((r) => r.eventType.programId),
      rows.map((r) => r.eventType.id),
      rows.map((r) => r.orderId),
      rows.map((r) => r.hash),
      rows.map((r) => r.eventAt.toISOString()),
      rows.map((r) => r.clickId),
      rows.map((r) => r.partnerAccountId),
      rows.map((r) => r.eventType.currency),
      rows.map((r) => r.amountMinor.toString()),
      rows.map((r) => (r.items ? JSON.stringify(itemsToJson(r.items)) : null)),
      rows.map((r) => (r.rejectReason ? 'REJECTED' : 'ACCEPTED')),
      rows.map((r) => r.rejectReason),
    ],
  );
  const key = (eventTypeId: number, orderId: string) => `${eventTypeId}|${orderId}`;
  const conversionIdByKey = new Map(inserted.map((r) => [key(r.eventTypeId, r.orderId), r.id]));
  const fresh = rows.filter((r) => conversionIdByKey.has(key(r.eventType.id, r.orderId)));
  // Every row written must be one of ours, found again by its key: a row the database
  // stored under another key (text it could not store as sent) would otherwise stay
  // without its action, and its every retry would answer a false conflict. Throwing
  // here rolls the whole chunk back instead.
  if (fresh.length !== inserted.length) {
    throw new Error(`${inserted.length - fresh.length} conversion(s) were stored under another OrderId than the one sent; nothing was kept.`);
  }
  const accepted = fresh.filter((r) => r.rejectReason === null);

  const actionIdByConversion = new Map<bigint, bigint>();
  const actions = await insertActions(
    tx,
    accepted.map((r) => ({
      conversionId: conversionIdByKey.get(key(r.eventType.id, r.orderId))!,
      clickId: null,
      programId: r.eventType.programId,
      brandAccountId,
      eventTypeId: r.eventType.id,
      eventKind: r.eventType.kind,
      partnerAccountId: r.partnerAccountId!,
      contractId: r.contractId!,
      orderId: r.orderId,
      currency: r.eventType.currency,
      amountMinor: r.amountMinor,
      payoutMinor: r.payoutMinor,
      items: r.items,
      eventAt: r.eventAt,
      referringAt: r.referringAt,
      lockingAt: r.lockingAt!,
      paymentDueAt: r.paymentDueAt!,
    })),
    { at: now, actorKind: 'BRAND', actorUserId: by.userId, actorCredentialId: by.credentialId },
  );
  for (const action of actions) actionIdByConversion.set(action.conversionId!, action.id);
  // insertActions throws on a short count itself; this also holds if it ever stops to.
  if (actions.length !== accepted.length) {
    throw new Error(`${accepted.length - actions.length} accepted conversion(s) got no action; nothing was kept.`);
  }
  for (const row of fresh) {
    const conversionId = conversionIdByKey.get(key(row.eventType.id, row.orderId))!;
    out.set(row.index, {
      index: row.index,
      status: row.rejectReason ? 'REJECTED' : 'ACCEPTED',
      duplicate: false,
      conversionId: conversionId.toString(),
      actionId: actionIdByConversion.get(conversionId)?.toString() ?? null,
      rejectReason: row.rejectReason,
    });
  }

  // Already recorded before (a retry, or a concurrent request that won): same body gets
  // the first answer, a different body is a conflict.
  const existing = rows.filter((r) => !conversionIdByKey.has(key(r.eventType.id, r.orderId)));
  if (existing.length) {
    const { rows: found } = await tx.query<{
      id: bigint;
      eventTypeId: number;
      orderId: string;
      hash: string;
      status: 'ACCEPTED' | 'REJECTED';
      rejectReason: RejectReason | null;
      actionId: bigint | null;
    }>(
      `select c.id, c.event_type_id as "eventTypeId", c.order_id as "orderId", c.request_hash as hash, c.status,
              c.reject_reason as "rejectReason", a.id as "actionId"
         from conversions c left join actions a on a.conversion_id = c.id
        where (c.event_type_id, c.order_id) in (select * from unnest($1::int[], $2::text[]))`,
      [existing.map((r) => r.eventType.id), existing.map((r) => r.orderId)],
    );
    const byKey = new Map(found.map((f) => [key(f.eventTypeId, f.orderId), f]));
    for (const row of existing) {
      const first = byKey.get(key(row.eventType.id, row.orderId));
      if (!first || first.hash !== row.hash) {
        out.set(row.index, {
          index: row.index,
          status: 'CONFLICT',
          message: `OrderId ${row.orderId} was already recorded for ActionTrackerId ${row.eventType.id} with different details; nothing was changed.`,
        });
      } else {
        out.set(row.index, {
          index: row.index,
          status: first.status,
          duplicate: true,
          conversionId: first.id.toString(),
          actionId: first.actionId?.toString() ?? null,
          rejectReason: first.rejectReason,
        });
      }
    }
  }
  return out;
}
