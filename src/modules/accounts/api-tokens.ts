import type { ServiceContext } from '../../core/context.js';
import { randomSecret, sha256Hex } from '../../core/crypto.js';
import { conflict, invalid, notFound } from '../../core/errors.js';
import type { Sql } from '../../db/types.js';
import { recordAuditEvent } from '../audit/record-audit-event.js';
import { requireAccountAdmin, type Actor } from './actor.js';

export interface ApiTokenSummary {
  id: number;
  label: string;
  hint: string;
  createdBy: number;
  createdByName: string;
  createdAt: Date;
  lastUsedAt: Date | null;
}

export interface IssuedApiToken {
  id: number;
  accountSid: string;
  /** Shown once: only its hash is stored. */
  authToken: string;
}

const MAX_ACTIVE_TOKENS = 20;

async function insertToken(ctx: ServiceContext, tx: Sql, accountId: number, userId: number, label: string): Promise<IssuedApiToken> {
  const authToken = `lst_${randomSecret()}`;
  const account = await tx.query<{ sid: string }>('select sid from accounts where id = $1', [accountId]);
  const { rows } = await tx.query<{ id: number }>(
    `insert into api_tokens (account_id, created_by, label, token_hash, token_hint, created_at)
     values ($1, $2, $3, $4, $5, $6) returning id`,
    [accountId, userId, label, sha256Hex(authToken), authToken.slice(-4), ctx.clock.now()],
  );
  return { id: rows[0]!.id, accountSid: account.rows[0]!.sid, authToken };
}

export async function issueApiToken(ctx: ServiceContext, actor: Actor, input: { label?: string }): Promise<IssuedApiToken> {
  const admin = requireAccountAdmin(actor);
  const label = (input.label ?? '').trim();
  if (label.length > 100) throw invalid('The token label must have at most 100 characters.');
  return ctx.db.transaction(async (tx) => {
    // Serialize issuing per account so the cap below cannot be raced past.
    await tx.query('select id from accounts where id = $1 for update', [admin.accountId]);
    const { rows } = await tx.query<{ n: number }>(
      'select count(*)::int as n from api_tokens where account_id = $1 and revoked_at is null',
      [admin.accountId],
    );
    if ((rows[0]?.n ?? 0) >= MAX_ACTIVE_TOKENS) {
      throw conflict(`The account already has ${MAX_ACTIVE_TOKENS} active tokens; revoke one first.`);
    }
    const issued = await insertToken(ctx, tx, admin.accountId, admin.userId, label);
    await recordAuditEvent(tx, {
      at: ctx.clock.now(),
      actorUserId: admin.userId,
      accountId: admin.accountId,
      action: 'api_token.issued',
      subject: `api_token:${issued.id}`,
    });
    return issued;
  });
}

export async function listApiTokens(ctx: ServiceContext, actor: Actor): Promise<{ accountSid: string; tokens: ApiTokenSummary[] }> {
  const admin = requireAccountAdmin(actor);
  const sid = await ctx.db.query<{ sid: string }>('select sid from accounts where id = $1', [admin.accountId]);
  const { rows } = await ctx.db.query<ApiTokenSummary>(
    `select t.id, t.label, t.token_hint as hint, t.created_by as "createdBy", u.name as "createdByName",
            t.created_at as "createdAt", t.last_used_at as "lastUsedAt"
       from api_tokens t join users u on u.id = t.created_by
      where t.account_id = $1 and t.revoked_at is null order by t.id`,
    [admin.accountId],
  );
  return { accountSid: sid.rows[0]!.sid, tokens: rows };
}

async function revokeInTx(ctx: ServiceContext, tx: Sql, accountId: number, tokenId: number): Promise<{ label: string }> {
  const { rows } = await tx.query<{ label: string }>(
    `update api_tokens set revoked_at = $3 where id = $1 and account_id = $2 and revoked_at is null returning label`,
    [tokenId, accountId, ctx.clock.now()],
  );
  if (!rows[0]) throw notFound(`No active API token ${tokenId} in this account.`);
  return rows[0];
}

export async function revokeApiToken(ctx: ServiceContext, actor: Actor, tokenId: number): Promise<void> {
  const admin = requireAccountAdmin(actor);
  await ctx.db.transaction(async (tx) => {
    await revokeInTx(ctx, tx, admin.accountId, tokenId);
    await recordAuditEvent(tx, {
      at: ctx.clock.now(),
      actorUserId: admin.userId,
      accountId: admin.accountId,
      action: 'api_token.revoked',
      subject: `api_token:${tokenId}`,
    });
  });
}

/** Rotation revokes the old token and issues a new one with the same label, atomically. */
export async function rotateApiToken(ctx: ServiceContext, actor: Actor, tokenId: number): Promise<IssuedApiToken> {
  const admin = requireAccountAdmin(actor);
  return ctx.db.transaction(async (tx) => {
    const { label } = await revokeInTx(ctx, tx, admin.accountId, tokenId);
    const issued = await insertToken(ctx, tx, admin.accountId, admin.userId, label);
    await recordAuditEvent(tx, {
      at: ctx.clock.now(),
      actorUserId: admin.userId,
      accountId: admin.accountId,
      action: 'api_token.rotated',
      subject: `api_token:${tokenId}`,
      detail: { newTokenId: issued.id },
    });
    return issued;
  });
}
