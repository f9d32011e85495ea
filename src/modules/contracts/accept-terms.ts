import type { ServiceContext } from '../../core/context.js';
import { conflict } from '../../core/errors.js';
import { credentialIdOf, requireAccountActor, type Actor } from '../accounts/actor.js';
import { recordAuditEvent } from '../audit/record-audit-event.js';
import { getTemplateTermsOrThrow, getVisibleProgramOrThrow } from '../programs/queries.js';
import { termsToJson } from '../programs/terms/index.js';
import { recordResourceEvents } from '../../outbox/resources.js';
import { getContractOrThrow, type ContractRow } from './queries.js';

/**
 * A partner accepts a program's template terms: the terms are copied into a new ACTIVE
 * contract, which is never edited afterwards. A partner already under contract with
 * the program has that contract ended now with reason REPLACED, in the same transaction.
 */
export async function acceptTerms(ctx: ServiceContext, actor: Actor, templateTermsId: number): Promise<ContractRow> {
  const partner = requireAccountActor(actor, 'PARTNER');
  return ctx.db.transaction(async (tx) => {
    const template = await getTemplateTermsOrThrow(tx, templateTermsId);
    const program = await getVisibleProgramOrThrow(tx, partner, template.programId);
    if (template.status !== 'ACTIVE') {
      throw conflict(`Template terms ${templateTermsId} are archived; accept the program's current terms instead.`);
    }
    const now = ctx.clock.now();
    const open = await tx.query<{ id: number; templateTermsId: number }>(
      `select id, template_terms_id as "templateTermsId" from contracts
        where program_id = $1 and partner_account_id = $2 and (end_at is null or end_at > $3)
        order by id for update`,
      [program.id, partner.accountId, now],
    );
    if (open.rows.some((row) => row.templateTermsId === templateTermsId)) {
      throw conflict(`You already have an active contract on template terms ${templateTermsId}.`);
    }
    for (const row of open.rows) {
      await tx.query(
        `update contracts set end_at = $2, termination_reason = 'REPLACED', ended_by_user_id = $3 where id = $1`,
        [row.id, now, partner.userId],
      );
    }
    const { rows } = await tx.query<{ id: number }>(
      `insert into contracts (program_id, brand_account_id, partner_account_id, template_terms_id, terms, start_at, created_at)
       values ($1, $2, $3, $4, $5, $6, $6) returning id`,
      [program.id, program.brandAccountId, partner.accountId, template.id, JSON.stringify(termsToJson(template.terms)), now],
    );
    const contractId = rows[0]!.id;
    await recordAuditEvent(tx, {
      at: now,
      actorUserId: partner.userId,
      actorCredentialId: credentialIdOf(partner),
      accountId: partner.accountId,
      action: 'contract.accepted',
      subject: `contract:${contractId}`,
      detail: { templateTermsId, replaced: open.rows.map((row) => row.id) },
    });
    // The contracts it replaced ended (REPLACED), and the new one began.
    await recordResourceEvents(
      tx,
      'contract',
      [...open.rows.map((row) => ({ id: row.id, type: 'contract.expired' as const })), { id: contractId, type: 'contract.accepted' as const }],
      now,
    );
    return getContractOrThrow(tx, partner, contractId, now);
  });
}
