/**
 * The poller (issue 14 item 4): per event type set to SALESFORCE with poll credentials, a
 * work item (`salesforce-poll`, one per event type and interval slot, or per "Poll now")
 * logs in with jsforce (OAuth refresh token, or username-password through the connected
 * app) and queries
 *
 *   SELECT Id, <match field>, <status field>, <amount fields>, SystemModstamp FROM <object>
 *    WHERE SystemModstamp > <cursor> ORDER BY SystemModstamp LIMIT 2000
 *
 * Each record is a change with the id `<record Id>@<SystemModstamp>`, mapped like an
 * Outbound Message's notification; the poll's rows become one batch, and the cursor moves
 * to the newest SystemModstamp in the same transaction (take-changes.ts), so a worker
 * killed mid-poll either stored the batch and moved the cursor, or did neither. The cursor
 * is cut to whole seconds (SOQL's datetime literal), so the records of the cursor's own
 * second come again, and are known by their id. Without a cursor, the first poll starts a
 * day before the credentials were saved. Errors (login, query) are kept with the poll and
 * the connection and shown; the next poll tries again.
 */
import net from 'node:net';
import dns from 'node:dns';
import jsforce from 'jsforce';
import type { ServiceContext } from '../../core/context.js';
import { conflict } from '../../core/errors.js';
import type { Job } from '../../jobs/job.js';
import { requireAccountActor, requireAccountAdmin, type Actor } from '../../modules/accounts/actor.js';
import { getBrandEventTypeOrThrow } from '../../modules/programs/brand-event-types.js';
import type { SalesforceSettings } from '../../modules/programs/returns-settings.js';
import { isInternalAddress } from '../../modules/webhooks/url-safety.js';
import { enqueue, enqueueMany, LeaseLostError, registerKind, WorkerStoppingError, type WorkContext } from '../../worker/index.js';
import { salesforceConfigOrThrow } from './config.js';
import { credentialsOf, POLL_INTERVAL_DEFAULT_MINUTES, type PollCredentials } from './credentials.js';
import type { RecordChange } from './mapping.js';
import { advanceCursor, getConnection, recordMessage, recordPollOutcome } from './store.js';
import { salesforceActor, takeChanges } from './take-changes.js';
import { salesforceEventType } from './target.js';

export const SALESFORCE_API_VERSION = '62.0';
export const POLL_LIMIT = 2000;
const MINUTE_MS = 60_000;
const DAY_MS = 24 * 60 * MINUTE_MS;

export interface PollPayload {
  eventTypeId: number;
  brandAccountId: number;
  trigger: 'SCHEDULE' | 'MANUAL';
  requestedByUserId?: number;
}

export interface PollProgress {
  summary?: string;
  batchId?: string | null;
}

/** A poll's failure the brand can act on (login refused, object or field unknown, Salesforce unreachable): kept and shown. */
export class PollError extends Error {}

/** Two polls of one event type never overlap: a session advisory lock in a key space of its own. */
const pollLockKey = (eventTypeId: number) => -(1_500_000_000 + (eventTypeId % 600_000_000));

export const salesforcePollKind = registerKind<PollPayload, PollProgress>('salesforce-poll', (ctx) => runPoll(ctx), {
  maxAttempts: 3,
  leaseMs: 120_000,
  backoff: { baseMs: 5_000, maxMs: 300_000 },
});

/** The SOQL of a poll: the fields the mapping reads, changed after the cursor. */
export function pollQuery(settings: SalesforceSettings, cursor: Date): string {
  const amountFields = settings.statuses.flatMap((s) => (s.change === 'MODIFY_AMOUNT' && s.amountField ? [s.amountField] : []));
  const fields = [...new Set(['Id', settings.matchField, settings.statusField, ...amountFields, 'SystemModstamp'].map((f) => f))];
  const unique = fields.filter((f, i) => fields.findIndex((g) => g.toLowerCase() === f.toLowerCase()) === i);
  const literal = new Date(Math.floor(cursor.getTime() / 1000) * 1000).toISOString().replace('.000Z', 'Z');
  return `SELECT ${unique.join(', ')} FROM ${settings.objectName} WHERE SystemModstamp > ${literal} ORDER BY SystemModstamp LIMIT ${POLL_LIMIT}`;
}

function describeError(error: unknown): string {
  const e = error as { name?: string; errorCode?: string; message?: string; code?: string };
  const code = e.errorCode ?? e.name;
  const message = (e.message ?? String(error)).slice(0, 500);
  if (e.code === 'ECONNREFUSED') return `Salesforce could not be reached: the connection was refused (${message}).`;
  if (e.code === 'ENOTFOUND') return `Salesforce could not be reached: the host was not found (${message}).`;
  if (code === 'invalid_grant' || code === 'invalid_client' || code === 'invalid_client_id') {
    return `Salesforce refused the login (${code}): ${message}. Check the connected app's consumer key and secret, and the refresh token or the username, password and security token.`;
  }
  if (code === 'INVALID_SESSION_ID' || /\b401\b/.test(message)) return `Salesforce refused the session (401${code ? ` ${code}` : ''}): ${message}. Save the credentials again.`;
  if (code === 'INVALID_TYPE' || code === 'INVALID_FIELD' || code === 'MALFORMED_QUERY') {
    return `Salesforce refused the query (${code}): ${message}. Check the object and field names of the mapping.`;
  }
  return `The poll failed${code && code !== 'Error' ? ` (${code})` : ''}: ${message}`;
}

async function checkHostOrThrow(instanceUrl: string): Promise<void> {
  const host = new URL(instanceUrl).hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (salesforceConfigOrThrow().allowedHosts.has(host)) return;
  const addresses = net.isIP(host) ? [host] : (await dns.promises.lookup(host, { all: true, verbatim: true }).catch(() => [])).map((a) => a.address);
  if (addresses.length === 0) throw new PollError(`Salesforce could not be reached: the host ${host} was not found (DNS). Check the instance URL.`);
  if (host === 'localhost' || addresses.some((a) => isInternalAddress(a))) {
    throw new PollError(`${host} is an internal address of the platform's network, not Salesforce; an operator can allow a host with SALESFORCE_ALLOWED_HOSTS.`);
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new PollError(`Salesforce did not answer within ${ms / 1000} s (${what}).`)), ms);
    }),
  ]);
}

interface PolledRecord {
  Id: string;
  SystemModstamp: string;
  [field: string]: unknown;
}

/** Logs in and runs the query; throws PollError with what went wrong. */
export async function queryChangedRecords(instanceUrl: string, credentials: PollCredentials, soql: string): Promise<PolledRecord[]> {
  const { timeoutMs } = salesforceConfigOrThrow();
  await checkHostOrThrow(instanceUrl);
  try {
    const oauth2 = new jsforce.OAuth2({ loginUrl: instanceUrl, clientId: credentials.clientId, clientSecret: credentials.clientSecret, redirectUri: `${instanceUrl}/services/oauth2/success` });
    const token = await withTimeout(
      credentials.kind === 'REFRESH_TOKEN'
        ? oauth2.refreshToken(credentials.refreshToken)
        : oauth2.authenticate(credentials.username, `${credentials.password}${credentials.securityToken}`),
      timeoutMs,
      'login',
    );
    // The instance URL of the settings, checked above, not one the token answer names.
    const connection = new jsforce.Connection({ instanceUrl, accessToken: token.access_token, version: SALESFORCE_API_VERSION });
    const result = await withTimeout(Promise.resolve(connection.query<PolledRecord>(soql, { autoFetch: false })), timeoutMs, 'query');
    return result.records as PolledRecord[];
  } catch (error) {
    if (error instanceof PollError) throw error;
    throw new PollError(describeError(error));
  }
}

/** Salesforce writes datetimes as `2026-01-15T11:00:00.000+0000`; Date reads `+00:00`. */
function stampOf(value: unknown): Date {
  return new Date(String(value).replace(/([+-]\d{2})(\d{2})$/, '$1:$2'));
}

/** A polled record's fields as text, as an Outbound Message would carry them. */
function fieldsOf(record: PolledRecord): Record<string, string | null> {
  const fields: Record<string, string | null> = {};
  for (const [key, value] of Object.entries(record)) {
    if (key === 'attributes') continue;
    if (value === null || value === undefined) fields[key] = null;
    else if (typeof value === 'string') fields[key] = value;
    else if (typeof value === 'number' || typeof value === 'boolean') fields[key] = String(value);
  }
  return fields;
}

async function runPoll(ctx: WorkContext<PollPayload, PollProgress>): Promise<PollProgress> {
  const { eventTypeId } = ctx.payload;
  const release = await ctx.db.tryAdvisoryLock(pollLockKey(eventTypeId));
  if (!release) return { summary: 'another poll of this event type was running; it takes the same records' };
  try {
    const eventType = await salesforceEventType(ctx.db, eventTypeId);
    if (!eventType?.brandActive || eventType.brandAccountId !== ctx.payload.brandAccountId) return { summary: 'nothing to poll: the event type or its brand is gone' };
    if (eventType.returnsProcessing !== 'SALESFORCE' || !eventType.settings) return { summary: 'nothing to poll: Returns Processing is no longer SALESFORCE' };
    const settings = eventType.settings;
    const connection = await getConnection(ctx.db, eventTypeId);
    const base = { eventTypeId, brandAccountId: eventType.brandAccountId };
    const fail = async (message: string): Promise<PollProgress> => {
      await ctx.db.transaction(async (tx) => {
        const now = ctx.clock.now();
        await recordMessage(tx, { ...base, source: 'POLL', organizationId: null, notifications: 0, newNotifications: 0, duplicates: 0, skipped: 0, batchId: null, error: message, now });
        await recordPollOutcome(tx, { eventTypeId, error: message, now });
      });
      ctx.log.warn({ eventTypeId, item: ctx.item.id.toString() }, 'salesforce poll failed; the error is kept with the connection');
      return { summary: `poll failed: ${message}` };
    };
    const credentials = credentialsOf(connection);
    if (!connection || !credentials) return fail('No poll credentials are saved: save a refresh token, or a username and password, under Returns Processing.');
    const actor = await salesforceActor(ctx.db, eventType.brandAccountId, ctx.payload.requestedByUserId ?? connection.credentialsSavedByUserId);
    if (!actor) return fail('The brand has no active admin the changes could be made in the name of.');
    const cursor = connection.pollCursor ?? new Date((connection.credentialsSavedAt ?? ctx.clock.now()).getTime() - DAY_MS);
    let records: PolledRecord[];
    try {
      records = await queryChangedRecords(settings.instanceUrl, credentials, pollQuery(settings, cursor));
    } catch (error) {
      if (error instanceof LeaseLostError || error instanceof WorkerStoppingError) throw error;
      if (!(error instanceof PollError)) throw error;
      return fail(error.message);
    }
    const changes: RecordChange[] = records.map((record) => ({
      notificationId: `${record.Id}@${record.SystemModstamp}`,
      objectType: settings.objectName,
      recordId: String(record.Id),
      fields: fieldsOf(record),
    }));
    const newest = records.reduce<Date | null>((max, r) => {
      const at = stampOf(r.SystemModstamp);
      return Number.isNaN(at.getTime()) || (max && max >= at) ? max : at;
    }, null);
    const stamp = ctx.clock.now().toISOString().replace(/[-:]/g, '').replace(/\..*$/, '');
    const taken = await takeChanges(ctx, { ...base, programId: eventType.programId, settings }, actor, {
      source: 'POLL',
      organizationId: null,
      changes,
      fileName: `salesforce_poll_${settings.objectName}_${stamp}.csv`,
      alsoInTx: async (tx) => {
        if (newest) await advanceCursor(tx, eventTypeId, newest);
        await recordPollOutcome(tx, { eventTypeId, error: null, now: ctx.clock.now() });
      },
    });
    return {
      batchId: taken.batchId?.toString() ?? null,
      summary: `${records.length} record(s) changed, ${taken.newNotifications} new, ${taken.skipped} skipped${taken.batchId ? `, batch ${taken.batchId}` : ''}`,
    };
  } finally {
    await release();
  }
}

/** "Poll now": a poll as soon as a worker is free, in the name of the admin who asked. */
export async function requestPoll(ctx: ServiceContext, actor: Actor, eventTypeId: number): Promise<{ workItemId: bigint }> {
  const admin = requireAccountAdmin(requireAccountActor(actor, 'BRAND'));
  const eventType = await getBrandEventTypeOrThrow(ctx.db, admin.accountId, eventTypeId);
  if (eventType.returnsProcessing !== 'SALESFORCE' || !eventType.returnsSettings.SALESFORCE) {
    throw conflict(`Returns Processing of event type ${eventTypeId} is ${eventType.returnsProcessing}; choose SALESFORCE with its mapping to poll Salesforce.`);
  }
  const connection = await getConnection(ctx.db, eventTypeId);
  if (!connection?.credentialsEncrypted) throw conflict('No poll credentials are saved for this event type; save them first.');
  const item = await enqueue(ctx.db, salesforcePollKind, { eventTypeId, brandAccountId: admin.accountId, trigger: 'MANUAL', requestedByUserId: admin.userId });
  return { workItemId: item.id };
}

/** The start of the poll slot `now` falls in; each event type's slots are offset by minutes of its own. */
export function pollSlotStart(eventTypeId: number, intervalMinutes: number, now: Date): Date {
  const intervalMs = intervalMinutes * MINUTE_MS;
  const offsetMs = ((eventTypeId * 104_729) % intervalMinutes) * MINUTE_MS;
  return new Date(Math.floor((now.getTime() - offsetMs) / intervalMs) * intervalMs + offsetMs);
}

/** Enqueues the current slot's poll of every event type set to SALESFORCE with poll credentials (of an active brand). */
export async function enqueueDuePolls(ctx: ServiceContext): Promise<number> {
  const { rows } = await ctx.db.query<{ id: number; brandAccountId: number; interval: number }>(
    `select e.id, p.brand_account_id as "brandAccountId", c.poll_interval_minutes as interval
       from salesforce_connections c join event_types e on e.id = c.event_type_id join programs p on p.id = e.program_id
       join accounts a on a.id = p.brand_account_id
      where e.returns_processing = 'SALESFORCE' and (e.returns_settings -> 'SALESFORCE') is not null and c.credentials_encrypted is not null
        and a.status = 'ACTIVE'
      order by e.id`,
  );
  const now = ctx.clock.now();
  return enqueueMany(
    ctx.db,
    salesforcePollKind,
    rows.map((row) => ({
      payload: { eventTypeId: row.id, brandAccountId: row.brandAccountId, trigger: 'SCHEDULE' as const },
      dedupeKey: `salesforce-poll:${row.id}:${pollSlotStart(row.id, row.interval ?? POLL_INTERVAL_DEFAULT_MINUTES, now).toISOString()}`,
    })),
  );
}

export const enqueueDueSalesforcePollsJob: Job = {
  name: 'enqueue-due-salesforce-polls',
  schedule: '* * * * *',
  description: 'enqueue the poll of each event type whose returns come from Salesforce with poll credentials, once per its interval',
  run: async (ctx) => {
    const enqueued = await enqueueDuePolls(ctx);
    return { ran: true, done: enqueued, summary: `${enqueued} poll(s) enqueued` };
  },
};
