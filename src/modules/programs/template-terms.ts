import type { ServiceContext } from '../../core/context.js';
import { conflict, invalid } from '../../core/errors.js';
import { credentialIdOf, requireAccountActor, type Actor } from '../accounts/actor.js';
import { recordAuditEvent } from '../audit/record-audit-event.js';
import { getOwnProgramOrThrow, getVisibleProgramOrThrow, listEventTypes, TEMPLATE_TERMS_COLUMNS, templateTermsFromStored, type TemplateTermsRow, type TemplateTermsStoredRow } from './queries.js';

export type { TemplateTermsRow } from './queries.js';
import {
  TermsError,
  termsFromInputOrThrow,
  termsToJson,
  type TermsDefinition,
  type TermsInput,
} from './terms/index.js';

/**
 * Template terms are never edited: a brand publishes new terms and archives old ones,
 * so every contract keeps exactly the terms its partner accepted.
 */
export async function createTemplateTerms(
  ctx: ServiceContext,
  actor: Actor,
  programId: number,
  input: { name: string; terms: TermsInput },
): Promise<TemplateTermsRow> {
  const brand = requireAccountActor(actor, 'BRAND');
  const name = input.name.trim();
  if (!name || name.length > 200) throw invalid('The terms name must have 1 to 200 characters.');
  return ctx.db.transaction(async (tx) => {
    const program = await getOwnProgramOrThrow(tx, brand.accountId, programId);
    let terms: TermsDefinition;
    try {
      terms = termsFromInputOrThrow(input.terms, program.currency);
    } catch (error) {
      if (error instanceof TermsError) throw invalid(error.message);
      throw error;
    }
    const eventTypes = new Map((await listEventTypes(tx, programId)).map((et) => [et.id, et]));
    terms.payouts.forEach((payout, index) => {
      const eventType = eventTypes.get(payout.eventTypeId);
      if (!eventType) {
        throw invalid(`Payouts[${index}].EventTypeId: event type ${payout.eventTypeId} does not belong to program ${programId}.`);
      }
      if (eventType.kind === 'CLICK' && (payout.payout.kind !== 'FIXED' || payout.groups.length > 0)) {
        throw invalid(`Payouts[${index}]: a CLICK event type pays a fixed amount per click, without payout groups.`);
      }
      if (eventType.kind === 'CLICK' && payout.openEndedLocking) {
        // Clicks are credited by the platform and settled by no returns file: they keep the locking period.
        throw invalid(`Payouts[${index}].OpenEndedLocking: a CLICK event type cannot use open-ended locking; its actions lock with the terms' locking period.`);
      }
    });
    if (terms.payouts.length === 0) throw invalid('Payouts: the terms must pay for at least one event type.');
    const { rows } = await tx.query<TemplateTermsStoredRow>(
      `insert into template_terms (program_id, name, terms, created_at) values ($1, $2, $3, $4) returning ${TEMPLATE_TERMS_COLUMNS}`,
      [programId, name, JSON.stringify(termsToJson(terms)), ctx.clock.now()],
    );
    await recordAuditEvent(tx, {
      at: ctx.clock.now(),
      actorUserId: brand.userId,
      actorCredentialId: credentialIdOf(brand),
      accountId: brand.accountId,
      action: 'template_terms.created',
      subject: `template_terms:${rows[0]!.id}`,
    });
    return templateTermsFromStored(rows[0]!);
  });
}

export async function archiveTemplateTerms(ctx: ServiceContext, actor: Actor, programId: number, termsId: number): Promise<void> {
  const brand = requireAccountActor(actor, 'BRAND');
  await ctx.db.transaction(async (tx) => {
    await getOwnProgramOrThrow(tx, brand.accountId, programId);
    const { rowCount } = await tx.query(
      `update template_terms set status = 'ARCHIVED' where id = $1 and program_id = $2 and status = 'ACTIVE'`,
      [termsId, programId],
    );
    if (!rowCount) throw conflict(`Template terms ${termsId} of program ${programId} do not exist or are already archived.`);
    await recordAuditEvent(tx, {
      at: ctx.clock.now(),
      actorUserId: brand.userId,
      actorCredentialId: credentialIdOf(brand),
      accountId: brand.accountId,
      action: 'template_terms.archived',
      subject: `template_terms:${termsId}`,
    });
  });
}

/** Partners see only the active terms they could accept; the brand sees all of its own. */
export async function listTemplateTerms(ctx: ServiceContext, actor: Actor, programId: number): Promise<TemplateTermsRow[]> {
  await getVisibleProgramOrThrow(ctx.db, actor, programId);
  const onlyActive = actor.type === 'account' && actor.accountKind === 'PARTNER';
  const { rows } = await ctx.db.query<TemplateTermsStoredRow>(
    `select ${TEMPLATE_TERMS_COLUMNS} from template_terms where program_id = $1 ${onlyActive ? "and status = 'ACTIVE'" : ''} order by id`,
    [programId],
  );
  return rows.map(templateTermsFromStored);
}

