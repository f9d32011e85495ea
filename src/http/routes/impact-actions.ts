import { randomUUID } from 'node:crypto';
import formbody from '@fastify/formbody';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ServiceContext } from '../../core/context.js';
import { DomainError, forbidden, invalid, notFound, unauthorized } from '../../core/errors.js';
import { isStorableText } from '../../core/text.js';
import { submitReturnsBatch } from '../../flows/apply-returns-batch.js';
import type { StoredSubmission } from '../../flows/returns-batch-rows.js';
import type { EngineRequest } from '../../flows/returns-changes.js';
import type { AccountActor } from '../../modules/accounts/actor.js';
import { actorForApiToken } from '../../modules/accounts/resolve-credentials.js';
import { CHANGE_REASON_CODES, type ChangeReasonCode } from '../../modules/actions/types.js';
import { eventTypeOfBrandAction, getBatchEventTypeOrThrow, getSubmissionOrThrow, listBatchRows, type BatchRow } from '../../modules/returns/queries.js';
import type { ReturnsItemChange, ReturnsTarget } from '../../modules/returns/types.js';
import { withRetryAfter } from '../retry-after.js';

/**
 * The impact-compatible Actions API (issue 13 item 5), for scripts written against
 * impact.com's Brand API: `PUT /Advertisers/{AccountSID}/Actions` modifies an action,
 * `DELETE …/Actions` reverses one, each answering `{"Status":"QUEUED","QueuedUri":…}`; the
 * submission is a one-row returns batch (channel IMPACT_API) the worker applies through the
 * same engine as a file, and `GET …/APISubmissions/{Id}` answers how it went. Parameters
 * come form-urlencoded (impact.com's way) or as JSON; HTTP Basic with the Account SID and an
 * Auth Token. Errors on these routes use impact.com's envelope
 * (`{"Status":"ERROR","Message":…,"Errors":[{"Field","Message"}]}`), not problem JSON. They
 * are outside /api/v1 and left out of /docs (README: The API).
 */

const PARAM = /^[A-Za-z][A-Za-z0-9]{0,39}$/;
const MAX_PARAMS = 200;
const MAX_VALUE_LENGTH = 1000;
const ITEM_PARAM = /^(Sku|Quantity|Amount|Category)(\d{0,3})$/;
const ORDER_PARAMS = new Set(['ActionId', 'ActionTrackerId', 'OrderId', 'Oid', 'Reason', 'DispositionCode', 'Amount', 'CustomerStatus', 'CurrencyCode']);
const UNSUPPORTED = new Set(['ItemName', 'Rebate', 'ItemSubTotalDelta']);

/**
 * Errors on the impact-compatible routes in impact.com's envelope: a parameter's problem
 * names the field; anything unexpected is logged and answered 500 without detail.
 */
export function impactErrorHandler(error: FastifyError, request: FastifyRequest, reply: FastifyReply) {
  if (error instanceof ParamError) return reply.status(400).send(envelope('Validation Failed', [{ Field: error.field, Message: error.message.slice(error.field.length + 2) }]));
  if (error instanceof DomainError) {
    if (error.code === 'rate-limited' && typeof error.extra.retryAfterSeconds === 'number') reply.header('Retry-After', String(error.extra.retryAfterSeconds));
    const errors = Array.isArray(error.extra.errors)
      ? (error.extra.errors as Array<{ field?: string; message?: string }>).map((e) => ({ Field: String(e.field ?? ''), Message: String(e.message ?? '') }))
      : [];
    return reply.status(error.status).send(envelope(error.message, errors));
  }
  if (typeof error.statusCode === 'number' && error.statusCode >= 400 && error.statusCode < 500) {
    const message =
      error.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE'
        ? 'Send the parameters form-urlencoded (application/x-www-form-urlencoded) or as JSON.'
        : error.code === 'FST_ERR_CTP_BODY_TOO_LARGE'
          ? 'The request body is larger than this endpoint accepts (64 KiB).'
          : error.message;
    return reply.status(error.statusCode).send(envelope(message));
  }
  request.log.error({ err: error }, 'unhandled error');
  return reply.status(500).send(envelope('Something went wrong on our side; it has been logged.'));
}

/** The envelope of an error as impact.com's API writes it. */
function envelope(message: string, errors: Array<{ Field: string; Message: string }> = []) {
  return { Status: 'ERROR', Message: message, Errors: errors };
}

class ParamError extends DomainError {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super('validation', `${field}: ${message}`);
  }
}

/** The parameters as text, named as impact.com names them (matched case-insensitively). */
function paramsOf(request: FastifyRequest): Map<string, string> {
  const sources = [request.query, request.body].filter((s): s is Record<string, unknown> => typeof s === 'object' && s !== null && !Buffer.isBuffer(s));
  const params = new Map<string, string>();
  for (const source of sources) {
    const entries = Object.entries(source);
    if (entries.length > MAX_PARAMS) throw invalid(`At most ${MAX_PARAMS} parameters.`);
    for (const [name, raw] of entries) {
      if (!PARAM.test(name)) throw new ParamError(name.slice(0, 40), 'not a parameter of this endpoint.');
      if (Array.isArray(raw)) throw new ParamError(name, 'given more than once.');
      if (typeof raw !== 'string' && typeof raw !== 'number') throw new ParamError(name, 'must be text or a number.');
      const value = String(raw);
      if (value.length > MAX_VALUE_LENGTH) throw new ParamError(name, `longer than ${MAX_VALUE_LENGTH} characters.`);
      if (!isStorableText(value)) throw new ParamError(name, 'holds characters that cannot be stored (NUL or a lone surrogate).');
      const canonical = canonicalName(name);
      if (params.has(canonical)) throw new ParamError(name, 'given more than once.');
      params.set(canonical, value.trim());
    }
  }
  return params;
}

function canonicalName(name: string): string {
  const lower = name.toLowerCase();
  for (const known of [...ORDER_PARAMS, ...UNSUPPORTED]) if (known.toLowerCase() === lower) return known;
  const item = /^(sku|quantity|amount|category)(\d{0,3})$/i.exec(name);
  if (item) return `${item[1]![0]!.toUpperCase()}${item[1]!.slice(1).toLowerCase()}${item[2]}`;
  throw new ParamError(name, 'not a parameter of this endpoint.');
}

function reasonOf(params: Map<string, string>, required: boolean): string | undefined {
  const reason = params.get('Reason');
  const code = params.get('DispositionCode');
  if (reason && code && reason !== code) throw new ParamError('DispositionCode', 'give Reason or DispositionCode, not two different ones.');
  const value = reason || code;
  if (!value && required) throw new ParamError('DispositionCode', `required: a reason code (${CHANGE_REASON_CODES.join(', ')}); REJECTED when none fits.`);
  return value;
}

function changeReason(value: string, field: string): ChangeReasonCode {
  if (!(CHANGE_REASON_CODES as readonly string[]).includes(value)) throw new ParamError(field, `${JSON.stringify(value.slice(0, 40))} is not a reason code; use one of ${CHANGE_REASON_CODES.join(', ')}.`);
  return value as ChangeReasonCode;
}

function targetOf(params: Map<string, string>): ReturnsTarget {
  const actionId = params.get('ActionId');
  const orderId = params.get('OrderId') ?? params.get('Oid');
  const tracker = params.get('ActionTrackerId');
  if (actionId) {
    if (!/^[1-9]\d{0,17}$/.test(actionId)) throw new ParamError('ActionId', 'not an action id (a number of at most 18 digits).');
    return { by: 'ActionId', actionId };
  }
  if (!orderId || !tracker) throw new ParamError('ActionId', 'required, or ActionTrackerId with OrderId.');
  if (!/^[1-9]\d{0,9}$/.test(tracker) || Number(tracker) > 2_147_483_647) throw new ParamError('ActionTrackerId', 'not an event type id.');
  if (orderId.length > 64) throw new ParamError('OrderId', 'at most 64 characters.');
  return { by: 'OrderId', orderId, actionTrackerId: tracker };
}

/** A PUT's parameters as the engine's request: a reset, an approval, new items, or a new order amount. */
export function modificationOf(params: Map<string, string>): EngineRequest {
  for (const name of params.keys()) if (UNSUPPORTED.has(name)) throw new ParamError(name, 'not supported: send absolute amounts (Amount, Amount2, …).');
  const target = targetOf(params);
  const reason = reasonOf(params, false) ?? 'ORDER_UPDATE';
  if (reason === 'RESET') return { kind: 'RESET', target };
  if (reason === 'APPROVED') return { kind: 'APPROVE', target };
  const field = params.has('Reason') ? 'Reason' : 'DispositionCode';
  const code = changeReason(reason, field);
  const currencyCode = params.get('CurrencyCode');
  const customerStatus = params.get('CustomerStatus');
  const extra = { ...(currencyCode ? { currencyCode } : {}), ...(customerStatus ? { customerStatus } : {}) };
  if ([...params.keys()].some((name) => /^Sku\d*$/.test(name))) {
    const byIndex = new Map<number, { sku?: string; quantity?: number; amount?: string; category?: string }>();
    for (const [name, value] of params) {
      const match = ITEM_PARAM.exec(name);
      if (!match) continue;
      const index = match[2] === '' ? 1 : Number(match[2]);
      if (index < 1 || (match[2] === '1' && params.has(match[1]!))) throw new ParamError(name, 'the first item is Sku, Quantity, Amount (or Sku1, …, not both); the next Sku2, Quantity2, Amount2, …');
      const item = byIndex.get(index) ?? {};
      if (match[1] === 'Sku') item.sku = value;
      else if (match[1] === 'Category') item.category = value;
      else if (match[1] === 'Amount') item.amount = value;
      else {
        if (!/^\d{1,7}$/.test(value)) throw new ParamError(name, 'a whole number of items (0 returns the item).');
        item.quantity = Number(value);
      }
      byIndex.set(index, item);
    }
    const items: ReturnsItemChange[] = [...byIndex.entries()]
      .sort(([a], [b]) => a - b)
      .map(([index, item]) => {
        if (!item.sku) throw new ParamError(index === 1 ? 'Sku' : `Sku${index}`, 'required for each item.');
        if (item.quantity === undefined) throw new ParamError(index === 1 ? 'Quantity' : `Quantity${index}`, 'required for each item (0 returns it).');
        return { index, ...item };
      });
    return { kind: 'ITEMS', target, reason: code, items, ...extra };
  }
  const amount = params.get('Amount');
  if (amount === undefined) throw new ParamError('Amount', 'give the new sale amount, items (Sku, Quantity, Amount), or Reason=RESET.');
  return { kind: 'ORDER', target, reason: code, amount, ...extra };
}

/** A DELETE's parameters: the action and the reason it is reversed. */
export function reversalOf(params: Map<string, string>): EngineRequest {
  for (const name of params.keys()) {
    if (!['ActionId', 'ActionTrackerId', 'OrderId', 'Oid', 'Reason', 'DispositionCode'].includes(name)) throw new ParamError(name, 'not a parameter of a reversal.');
  }
  const target = targetOf(params);
  const reason = reasonOf(params, true)!;
  return { kind: 'REVERSE', target, reason: changeReason(reason, params.has('DispositionCode') ? 'DispositionCode' : 'Reason') };
}

/** The account of the HTTP Basic credentials (Account SID and Auth Token), which must be the one the path names. */
export async function impactActorOrThrow(ctx: ServiceContext, request: FastifyRequest, reply: FastifyReply, accountSid: string): Promise<AccountActor> {
  const header = request.headers.authorization ?? '';
  const match = /^Basic\s+([A-Za-z0-9+/=]+)$/i.exec(header.trim());
  const decoded = match ? Buffer.from(match[1]!, 'base64').toString('utf8') : '';
  const colon = decoded.indexOf(':');
  if (colon <= 0 || !isStorableText(decoded)) {
    reply.header('WWW-Authenticate', 'Basic realm="lockstep"');
    throw unauthorized('Send the Account SID and Auth Token as HTTP Basic credentials.');
  }
  const actor = await withRetryAfter(reply, () => actorForApiToken(ctx, decoded.slice(0, colon), decoded.slice(colon + 1)));
  if (!actor) {
    reply.header('WWW-Authenticate', 'Basic realm="lockstep"');
    throw unauthorized('The Account SID and Auth Token are not valid, or the token was revoked.');
  }
  if (decoded.slice(0, colon) !== accountSid) throw forbidden('The Account SID in the path is not the one of these credentials.');
  return actor;
}

async function brandActorOrThrow(ctx: ServiceContext, request: FastifyRequest, reply: FastifyReply, accountSid: string): Promise<AccountActor> {
  const actor = await impactActorOrThrow(ctx, request, reply, accountSid);
  if (actor.accountKind !== 'BRAND') throw forbidden('The Actions API is for brands (advertisers).');
  return actor;
}

function submissionUri(accountSid: string, submissionId: string): string {
  return `/Advertisers/${accountSid}/APISubmissions/A-${submissionId}`;
}

export async function impactActionRoutes(app: FastifyInstance, opts: { ctx: ServiceContext }): Promise<void> {
  const { ctx } = opts;
  await app.register(formbody, { bodyLimit: 64 * 1024 });

  app.setErrorHandler(impactErrorHandler);

  const submit = (type: 'Modification' | 'Reversal') => async (request: FastifyRequest<{ Params: { accountSid: string } }>, reply: FastifyReply) => {
    const { accountSid } = request.params;
    const actor = await brandActorOrThrow(ctx, request, reply, accountSid);
    const params = paramsOf(request);
    const engineRequest = type === 'Reversal' ? reversalOf(params) : modificationOf(params);
    const target = engineRequest.target;
    const eventTypeId =
      target.by === 'OrderId' ? Number(target.actionTrackerId) : await eventTypeOfBrandAction(ctx.db, actor.accountId, BigInt(target.actionId));
    if (eventTypeId === undefined) throw notFound(`Action ${target.by === 'ActionId' ? target.actionId : ''} does not exist or is not visible to this account.`);
    await getBatchEventTypeOrThrow(ctx.db, actor.accountId, eventTypeId);
    const submissionId = randomUUID();
    const cells = [...params.entries()];
    const stored: StoredSubmission & { payload: string } = {
      cells,
      request: engineRequest,
      payload: new URLSearchParams(cells).toString(),
    };
    await submitReturnsBatch(ctx, actor, eventTypeId, {
      fileName: `A-${submissionId}`,
      contentType: 'application/json',
      channel: 'IMPACT_API',
      format: 'IMPACT_API',
      content: Buffer.from(JSON.stringify(stored)),
      submission: { id: submissionId, type },
    });
    return reply.status(200).send({ Status: 'QUEUED', QueuedUri: submissionUri(accountSid, submissionId) });
  };

  const hidden = { schema: { hide: true }, config: { auth: 'public' as const } };
  for (const suffix of ['', '.json']) {
    app.put(`/Advertisers/:accountSid/Actions${suffix}`, hidden, submit('Modification'));
    app.delete(`/Advertisers/:accountSid/Actions${suffix}`, hidden, submit('Reversal'));
  }
  app.get<{ Params: { accountSid: string; submissionId: string } }>('/Advertisers/:accountSid/APISubmissions/:submissionId', hidden, async (request, reply) => {
    const { accountSid } = request.params;
    const actor = await brandActorOrThrow(ctx, request, reply, accountSid);
    const id = /^A-([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})(\.json)?$/i.exec(request.params.submissionId)?.[1];
    if (!id) throw notFound(`API submission ${request.params.submissionId.slice(0, 60)} does not exist or is not visible to this account.`);
    const batch = await getSubmissionOrThrow(ctx.db, actor.accountId, id.toLowerCase());
    return submissionAnswer(ctx, accountSid, batch);
  });
}

/** An API submission as impact.com answers it (GET …/APISubmissions/{Id}), with the row's outcome beside it. */
async function submissionAnswer(ctx: ServiceContext, accountSid: string, batch: BatchRow) {
  const [row] = (await listBatchRows(ctx.db, batch.id, { page: 1, pageSize: 1 })).items;
  const cells = new Map(row?.cells ?? []);
  const failed = row && row.outcome !== 'APPLIED' && row.outcome !== 'UNCHANGED';
  return {
    BatchId: `A-${batch.submissionId}`,
    AccountId: String(batch.brandAccountId),
    SubmissionDate: batch.receivedAt.toISOString(),
    CampaignId: String(batch.programId),
    ActionTrackerId: String(batch.eventTypeId),
    ActionId: row?.actionId ?? cells.get('ActionId') ?? '',
    MediaPartnerId: '',
    EventCode: '',
    OrderId: cells.get('OrderId') ?? cells.get('Oid') ?? '',
    Payload: new URLSearchParams([...cells.entries()]).toString(),
    Type: batch.submissionType,
    Status: batch.status === 'DONE' || batch.status === 'FAILED' ? 'Complete' : batch.status === 'RUNNING' ? 'In Progress' : 'Queued',
    CompletionDate: batch.completedAt?.toISOString() ?? '',
    Outcome: row?.outcome ?? '',
    ErrorType: failed ? (row.outcome === 'INVALID' || row.outcome === 'AMBIGUOUS' ? 'Validation' : 'Action Error') : '',
    ErrorReason: failed ? row.outcome : '',
    Message: row?.message ?? batch.error ?? '',
    Uri: submissionUri(accountSid, batch.submissionId!),
  };
}
