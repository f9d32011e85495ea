import type { ManualClock } from '../core/clock.js';
import type { ServiceContext } from '../core/context.js';
import type { AccountActor } from '../modules/accounts/actor.js';
import { applyActionOperation } from '../modules/actions/apply-action-operation.js';
import { newClickId } from '../modules/tracking/codes.js';
import { creditClicks } from '../modules/tracking/credit-clicks.js';
import { lockDueActions } from '../modules/actions/lock-due-actions.js';
import type { OperationRequest } from '../modules/actions/transitions.js';
import { recordConversions } from '../modules/conversions/record-conversions.js';
import type { ConversionInput } from '../modules/conversions/types.js';
import { createLink } from '../modules/tracking/create-link.js';

interface DemoProgram {
  id: number;
  /** The program's website: its links land on pages of it (on its allowed landing domains). */
  websiteUrl: string;
  saleEventTypeId: number;
  leadEventTypeId?: number;
  currency: string;
  categories: string[];
  skus?: string[];
}

export interface ActivityPlan {
  brands: Array<{ actor: AccountActor; programs: DemoProgram[] }>;
  partners: Array<{ actor: AccountActor; programIds: number[] }>;
}

/** A small deterministic generator, so every fresh demo database looks the same. */
function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

const DAY_MS = 86_400_000;

/**
 * Links, clicks over the last 89 days and a few hundred conversions, then the brand's
 * day-to-day: the lock job, reversals with reasons, modified amounts, rejected items,
 * early approvals and a restore, so every state and status detail has examples.
 */
export async function seedActivity(ctx: ServiceContext, clock: ManualClock, until: Date, plan: ActivityPlan): Promise<void> {
  const random = prng(20_261_121);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
  const programs = new Map(plan.brands.flatMap((b) => b.programs.map((p) => [p.id, { program: p, brand: b.actor }] as const)));

  // Links are made while the contracts are active (the seed clock is 89 days back).
  const links: Array<{ id: number; programId: number; partner: AccountActor }> = [];
  for (const partner of plan.partners) {
    for (const programId of partner.programIds) {
      for (const label of ['Homepage banner', 'Gift guide']) {
        try {
          const link = await createLink(ctx, partner.actor, {
            programId,
            landingUrl: new URL(`${label.toLowerCase().replace(/ /g, '-')}?utm_source=lockstep`, programs.get(programId)!.program.websiteUrl).href,
            label,
          });
          links.push({ id: link.id, programId, partner: partner.actor });
        } catch {
          // No active contract with this program at this time: no link, like in real life.
        }
      }
    }
  }

  const start = clock.now().getTime();
  const span = until.getTime() - start - DAY_MS / 4;
  const clicks: Array<{ clickId: string; at: Date; programId: number; partner: AccountActor; linkId: number }> = [];
  for (let i = 0; i < 900; i++) {
    const link = pick(links);
    const at = new Date(start + Math.floor(random() * span));
    clicks.push({
      // Time-ordered, as the redirect writes them (the credit job's cursor walks them in that order).
      clickId: newClickId(at),
      at,
      programId: link.programId,
      partner: link.partner,
      linkId: link.id,
    });
  }
  clicks.sort((a, b) => a.at.getTime() - b.at.getTime());
  await ctx.db.query(
    `insert into clicks (click_id, link_id, program_id, partner_account_id, at, ip_hash, user_agent, referrer)
     select u.click_id, u.link_id, u.program_id, u.partner, u.at, md5(u.click_id), 'Mozilla/5.0 (demo)', 'https://blog.example/'
       from unnest($1::text[], $2::int[], $3::int[], $4::int[], $5::timestamptz[]) as u(click_id, link_id, program_id, partner, at)`,
    [
      clicks.map((c) => c.clickId),
      clicks.map((c) => c.linkId),
      clicks.map((c) => c.programId),
      clicks.map((c) => c.partner.accountId),
      clicks.map((c) => c.at.toISOString()),
    ],
  );

  // About a third of clicks convert, a few minutes to two days later.
  const byBrand = new Map<AccountActor, ConversionInput[]>();
  let order = 10_000;
  for (const click of clicks) {
    if (random() > 0.36) continue;
    const { program, brand } = programs.get(click.programId)!;
    const eventAt = new Date(Math.min(click.at.getTime() + Math.floor(random() * 2 * DAY_MS), until.getTime() - 60_000));
    order += 1;
    const isLead = program.leadEventTypeId !== undefined && random() < 0.15;
    const base = { OrderId: `${program.currency}-${order}`, EventDate: eventAt.toISOString(), ClickId: click.clickId };
    let conversion: ConversionInput;
    if (isLead) {
      conversion = { ...base, ActionTrackerId: program.leadEventTypeId! };
    } else if (random() < 0.4) {
      const items = Array.from({ length: 1 + Math.floor(random() * 3) }, () => {
        const quantity = 1 + Math.floor(random() * 2);
        return {
          Sku: program.skus && random() < 0.5 ? pick(program.skus) : `SKU-${100 + Math.floor(random() * 900)}`,
          Category: pick(program.categories),
          Quantity: quantity,
          Amount: (quantity * (10 + Math.floor(random() * 240))).toFixed(2),
        };
      });
      conversion = { ...base, ActionTrackerId: program.saleEventTypeId, Items: items };
    } else {
      conversion = { ...base, ActionTrackerId: program.saleEventTypeId, Amount: (15 + random() * 400).toFixed(2) };
    }
    byBrand.set(brand, [...(byBrand.get(brand) ?? []), conversion]);
  }
  // A few conversions the platform cannot credit: shown to the brand as rejected.
  for (const brand of plan.brands) {
    const program = brand.programs[0]!;
    for (let i = 0; i < 4; i++) {
      order += 1;
      byBrand.get(brand.actor)?.push({
        ActionTrackerId: program.saleEventTypeId,
        OrderId: `${program.currency}-${order}`,
        EventDate: new Date(until.getTime() - (i + 1) * DAY_MS).toISOString(),
        ...(i % 2 ? { ClickId: `unknown-${i}` } : {}),
        Amount: '49.00',
      });
    }
  }
  clock.set(until);
  for (const [brand, conversions] of byBrand) await recordConversions(ctx, brand, conversions);

  // Clicks of cost-per-click programs become CPC actions; actions past their locking date lock.
  await creditClicks(ctx);
  await lockDueActions(ctx);

  // The brand's review of what is still pending.
  for (const brand of plan.brands) {
    const { rows } = await ctx.db.query<{ id: bigint; hasItems: boolean; kind: string }>(
      `select id, items is not null as "hasItems", event_kind as kind from actions
        where brand_account_id = $1 and state = 'PENDING' order by id`,
      [brand.actor.accountId],
    );
    const operate = (ids: bigint[], request: OperationRequest) => (ids.length ? applyActionOperation(ctx, brand.actor, ids, request) : Promise.resolve([]));
    const sales = rows.filter((r) => r.kind !== 'CLICK');
    const reversed = sales.filter((_, i) => i % 9 === 1).map((r) => r.id);
    const reasons = ['ITEM_RETURNED', 'CONS_FRAUD', 'ORDER_ERROR', 'TEST_ACTION'] as const;
    for (const [i, id] of reversed.entries()) await operate([id], { op: 'REVERSE', reason: reasons[i % reasons.length]! });
    const modified = sales.filter((r, i) => i % 11 === 3 && !r.hasItems).map((r) => r.id);
    for (const id of modified) {
      const { rows: current } = await ctx.db.query<{ amount: bigint }>('select amount_minor as amount from actions where id = $1', [id.toString()]);
      await operate([id], { op: 'MODIFY_AMOUNT', reason: 'ORDER_UPDATE', amountMinor: (current[0]!.amount * 3n) / 4n });
    }
    const withItems = sales.filter((r, i) => r.hasItems && i % 5 === 2).map((r) => r.id);
    for (const id of withItems) await operate([id], { op: 'REJECT_ITEM', reason: 'ITEM_OUT_OF_STOCK', itemIndex: 0 });
    await operate(sales.filter((_, i) => i % 13 === 6).map((r) => r.id), { op: 'APPROVE' });
    if (reversed[0] !== undefined) await operate([reversed[0]], { op: 'RESTORE' });
  }
}
