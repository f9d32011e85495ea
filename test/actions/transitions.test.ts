/**
 * The action state machine as a pure table (no database): every row of docs/domain.md
 * actions table, and every refused combination of operation × state × performer ×
 * before/after the locking date. The expected outcomes are written out here from the
 * domain table, independently of TRANSITIONS, so a change to the table shows up as a
 * failing row rather than as a silently updated expectation.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  allowedOperations,
  planOperation,
  scaleItems,
  TRANSITIONS,
  type ActionSnapshot,
  type Operation,
  type OperationRequest,
  type Performer,
  type PlanResult,
} from '../../src/modules/actions/transitions.js';
import {
  MAX_MODIFICATIONS_PER_ACTION,
  REQUESTABLE_OPERATIONS,
  type ActionItem,
  type ActionState,
  type EventKind,
} from '../../src/modules/actions/types.js';
import { computePayoutMinor, type EventTypePayout } from '../../src/modules/programs/terms/index.js';

const NOW = new Date('2026-01-15T12:00:00Z');
const BEFORE_LOCK = new Date('2026-01-30T05:00:00Z'); // locking date still ahead
const PAST_LOCK = new Date('2026-01-10T05:00:00Z'); // locking date passed

/** SALE 10%, Tents 20% (as makeProgram). */
const SALE_RULE: EventTypePayout = {
  eventTypeId: 1,
  payout: { kind: 'PERCENT', percent: '10' },
  groups: [{ name: 'Tents', match: { categories: ['Tents'] }, payout: { kind: 'PERCENT', percent: '20' } }],
};
const LEAD_RULE: EventTypePayout = { eventTypeId: 2, payout: { kind: 'FIXED', amountMinor: 200n }, groups: [] };
const CLICK_RULE: EventTypePayout = { eventTypeId: 3, payout: { kind: 'FIXED', amountMinor: 5n }, groups: [] };

function snapshot(overrides: Partial<ActionSnapshot> = {}): ActionSnapshot {
  return {
    id: 42n,
    state: 'PENDING',
    eventKind: 'SALE',
    amountMinor: 10_000n,
    payoutMinor: 1_000n,
    originalAmountMinor: 10_000n,
    originalPayoutMinor: 1_000n,
    items: null,
    originalItems: null,
    lockingAt: BEFORE_LOCK,
    modificationCount: 1,
    reversalReason: null,
    ...overrides,
  };
}

const TWO_ITEMS: ActionItem[] = [
  { sku: 'T1', category: 'Tents', quantity: 1, amountMinor: 20_000n },
  { sku: 'S1', category: 'Socks', quantity: 2, amountMinor: 1_505n },
];

function withItems(overrides: Partial<ActionSnapshot> = {}): ActionSnapshot {
  return snapshot({
    amountMinor: 21_505n,
    payoutMinor: 4_151n,
    originalAmountMinor: 21_505n,
    originalPayoutMinor: 4_151n,
    items: TWO_ITEMS.map((i) => ({ ...i })),
    originalItems: TWO_ITEMS.map((i) => ({ ...i })),
    ...overrides,
  });
}

function plan(action: ActionSnapshot, request: OperationRequest, performer: Performer, rule = SALE_RULE, now = NOW): PlanResult {
  return planOperation(action, request, { now, performer, rule });
}

function requestFor(op: Operation): OperationRequest {
  switch (op) {
    case 'APPROVE':
    case 'RESTORE':
    case 'RESET':
    case 'LOCK':
      return { op };
    case 'REVERSE':
    case 'REVERSE_CPC':
      return { op, reason: 'CONS_FRAUD' };
    case 'MODIFY_AMOUNT':
      return { op, reason: 'ITEM_RETURNED', amountMinor: 5_000n };
    case 'REJECT_ITEM':
      return { op, reason: 'ITEM_RETURNED', itemIndex: 1 };
    case 'REATTRIBUTE':
      return { op, reason: 'PUB_ACT_DISPUTE', partnerAccountId: 777 };
  }
}

/** docs/domain.md "Actions" table, written out: from, to, who. */
const DOMAIN_TABLE: Record<Operation, { from: ActionState[]; to: ActionState | 'PENDING_OR_REVERSED'; by: Performer; cpcOnly?: true }> = {
  APPROVE: { from: ['PENDING'], to: 'APPROVED', by: 'BRAND' },
  REVERSE: { from: ['PENDING'], to: 'REVERSED', by: 'BRAND' },
  MODIFY_AMOUNT: { from: ['PENDING'], to: 'PENDING_OR_REVERSED', by: 'BRAND' },
  REJECT_ITEM: { from: ['PENDING'], to: 'PENDING_OR_REVERSED', by: 'BRAND' },
  RESTORE: { from: ['REVERSED'], to: 'PENDING', by: 'BRAND' },
  RESET: { from: ['PENDING', 'REVERSED'], to: 'PENDING', by: 'BRAND' },
  LOCK: { from: ['PENDING'], to: 'APPROVED', by: 'SYSTEM' },
  REATTRIBUTE: { from: ['PENDING'], to: 'PENDING', by: 'OPERATOR' },
  REVERSE_CPC: { from: ['PENDING'], to: 'REVERSED', by: 'OPERATOR', cpcOnly: true },
};

const OPERATIONS = Object.keys(DOMAIN_TABLE) as Operation[];
const STATES: ActionState[] = ['PENDING', 'APPROVED', 'REVERSED'];
const PERFORMERS: Performer[] = ['BRAND', 'OPERATOR', 'SYSTEM'];
const WHEN = ['before the locking date', 'after the locking date'] as const;

type Expected = { ok: true; stateAfter: ActionState } | { ok: false; refusal: string };

/**
 * What the domain says for a (non-CPC, except for REVERSE_CPC) action: the wrong
 * performer is forbidden; a locked action refuses everything; past the locking date
 * only approving (early, what the job would do) and the job's own LOCK go through; an
 * operation from a state it does not start from is the wrong state.
 */
function expected(op: Operation, state: ActionState, performer: Performer, afterLock: boolean): Expected {
  const row = DOMAIN_TABLE[op];
  if (performer !== row.by) return { ok: false, refusal: 'forbidden' };
  if (state === 'APPROVED') return { ok: false, refusal: 'locked' };
  if (afterLock && op !== 'APPROVE' && op !== 'LOCK') return { ok: false, refusal: 'locked' };
  if (!row.from.includes(state)) return { ok: false, refusal: 'wrong_state' };
  const to = row.to === 'PENDING_OR_REVERSED' ? 'PENDING' : row.to;
  return { ok: true, stateAfter: to };
}

const MATRIX = OPERATIONS.flatMap((op) =>
  STATES.flatMap((state) =>
    PERFORMERS.flatMap((performer) =>
      WHEN.map((when) => {
        const afterLock = when === 'after the locking date';
        return { op, state, performer, when, afterLock, want: expected(op, state, performer, afterLock) };
      }),
    ),
  ),
);

describe('the transition table', () => {
  it('is the docs/domain.md actions table', () => {
    for (const op of OPERATIONS) {
      const { cpcOnly: _cpcOnly, ...row } = DOMAIN_TABLE[op];
      expect(TRANSITIONS[op], op).toEqual(row);
    }
    expect(Object.keys(TRANSITIONS).sort()).toEqual([...OPERATIONS].sort());
  });

  it('has every operation × state × performer × locking date case below', () => {
    expect(MATRIX).toHaveLength(9 * 3 * 3 * 2);
  });

  it.each(MATRIX)('$op on $state by $performer $when → $want', ({ op, state, performer, afterLock, want }) => {
    const eventKind: EventKind = op === 'REVERSE_CPC' ? 'CLICK' : 'SALE';
    const base = op === 'REJECT_ITEM' ? withItems() : snapshot({ eventKind, ...(eventKind === 'CLICK' ? cpcValues() : {}) });
    const action = {
      ...base,
      state,
      lockingAt: afterLock ? PAST_LOCK : BEFORE_LOCK,
      reversalReason: state === 'REVERSED' ? 'CONS_FRAUD' : null,
    };
    const result = plan(action, requestFor(op), performer, eventKind === 'CLICK' ? CLICK_RULE : SALE_RULE);
    if (want.ok) {
      expect(result).toMatchObject({ ok: true, stateAfter: want.stateAfter });
      expect(result.ok && result.locks).toBe(want.stateAfter === 'APPROVED');
    } else {
      expect(result).toMatchObject({ ok: false, refusal: want.refusal });
      expect(!result.ok && result.message.length > 0).toBe(true);
    }
  });

  it('a refusal message names the action and says why', () => {
    const locked = plan(snapshot({ state: 'APPROVED' }), { op: 'REVERSE', reason: 'CONS_FRAUD' }, 'BRAND');
    expect(locked).toMatchObject({ ok: false, refusal: 'locked', message: expect.stringContaining('42') });
    const reversedForGood = plan(snapshot({ state: 'REVERSED', lockingAt: PAST_LOCK }), { op: 'RESTORE' }, 'BRAND');
    expect(reversedForGood).toMatchObject({ ok: false, refusal: 'locked', message: expect.stringMatching(/reversed for good/) });
  });

  it('the locking instant itself counts as past the locking date', () => {
    const action = snapshot({ lockingAt: NOW });
    expect(plan(action, { op: 'REVERSE', reason: 'CONS_FRAUD' }, 'BRAND')).toMatchObject({ ok: false, refusal: 'locked' });
    expect(plan(action, { op: 'APPROVE' }, 'BRAND')).toMatchObject({ ok: true, stateAfter: 'APPROVED' });
    const aMomentBefore = snapshot({ lockingAt: new Date(NOW.getTime() + 1) });
    expect(plan(aMomentBefore, { op: 'REVERSE', reason: 'CONS_FRAUD' }, 'BRAND')).toMatchObject({ ok: true, stateAfter: 'REVERSED' });
  });
});

function cpcValues(): Partial<ActionSnapshot> {
  return { eventKind: 'CLICK', amountMinor: 0n, originalAmountMinor: 0n, payoutMinor: 5n, originalPayoutMinor: 5n };
}

describe('each row of the domain table', () => {
  it('approve: PENDING → APPROVED by the brand, values kept, the plan locks (ledger posts)', () => {
    const result = plan(snapshot({ amountMinor: 5_000n, payoutMinor: 500n }), { op: 'APPROVE' }, 'BRAND');
    expect(result).toEqual({
      ok: true,
      stateAfter: 'APPROVED',
      amountMinor: 5_000n,
      payoutMinor: 500n,
      items: null,
      reversalReason: null,
      reason: null,
      locks: true,
    });
  });

  it('reverse (reason): PENDING → REVERSED, values kept, the reason recorded', () => {
    const result = plan(snapshot(), { op: 'REVERSE', reason: 'ITEM_RETURNED' }, 'BRAND');
    expect(result).toMatchObject({ ok: true, stateAfter: 'REVERSED', amountMinor: 10_000n, payoutMinor: 1_000n, reversalReason: 'ITEM_RETURNED', reason: 'ITEM_RETURNED', locks: false });
  });

  it('modify sales amount: PENDING → PENDING with the payout recomputed from the terms', () => {
    const result = plan(snapshot(), { op: 'MODIFY_AMOUNT', reason: 'ORDER_UPDATE', amountMinor: 12_345n }, 'BRAND');
    // 10% of 123.45 = 12.345 → 12.35 (half away from zero, rounded once)
    expect(result).toMatchObject({ ok: true, stateAfter: 'PENDING', amountMinor: 12_345n, payoutMinor: 1_235n, reason: 'ORDER_UPDATE', locks: false });
  });

  it('modify to 0 reverses the action (amounts kept for a later restore)', () => {
    const action = snapshot({ amountMinor: 7_000n, payoutMinor: 700n });
    const result = plan(action, { op: 'MODIFY_AMOUNT', reason: 'ITEM_RETURNED', amountMinor: 0n }, 'BRAND');
    expect(result).toMatchObject({ ok: true, stateAfter: 'REVERSED', amountMinor: 7_000n, payoutMinor: 700n, reversalReason: 'ITEM_RETURNED' });
  });

  it('modify to 0 does not reverse when the original amount was 0 (a lead): the payout is recomputed', () => {
    const lead = snapshot({ eventKind: 'LEAD', amountMinor: 3_000n, payoutMinor: 200n, originalAmountMinor: 0n, originalPayoutMinor: 200n });
    const result = plan(lead, { op: 'MODIFY_AMOUNT', reason: 'ORDER_UPDATE', amountMinor: 0n }, 'BRAND', LEAD_RULE);
    expect(result).toMatchObject({ ok: true, stateAfter: 'PENDING', amountMinor: 0n, payoutMinor: 200n });
  });

  it.each([
    ['a negative amount', { amountMinor: -1n }],
    ['neither amount nor items', {}],
    ['item amounts on an action without items', { itemAmounts: [{ index: 0, amountMinor: 100n }] }],
  ])('modify with %s is invalid', (_label, change) => {
    const result = plan(snapshot(), { op: 'MODIFY_AMOUNT', reason: 'ORDER_UPDATE', ...change }, 'BRAND');
    expect(result).toMatchObject({ ok: false, refusal: 'invalid' });
  });

  it('modify item amounts: the order amount becomes their sum and the payout follows the groups', () => {
    const result = plan(withItems(), { op: 'MODIFY_AMOUNT', reason: 'ITEM_RETURNED', itemAmounts: [{ index: 0, amountMinor: 10_000n }] }, 'BRAND');
    // Tents 100.00 at 20% + Socks 15.05 at 10% = 20.00 + 1.505 = 21.505 → 21.51
    expect(result).toMatchObject({ ok: true, stateAfter: 'PENDING', amountMinor: 11_505n, payoutMinor: 2_151n });
    expect(result.ok && result.items?.map((i) => i.amountMinor)).toEqual([10_000n, 1_505n]);
  });

  it.each([
    ['an unknown item', [{ index: 5, amountMinor: 100n }], withItems()],
    ['a negative item amount', [{ index: 0, amountMinor: -5n }], withItems()],
    [
      'a rejected item',
      [{ index: 0, amountMinor: 100n }],
      withItems({ items: [{ ...TWO_ITEMS[0]!, quantity: 0, amountMinor: 0n }, { ...TWO_ITEMS[1]! }] }),
    ],
  ])('modify the amount of %s is invalid', (_label, itemAmounts, action) => {
    expect(plan(action, { op: 'MODIFY_AMOUNT', reason: 'ITEM_RETURNED', itemAmounts }, 'BRAND')).toMatchObject({ ok: false, refusal: 'invalid' });
  });

  it('modify every item to 0 reverses the action', () => {
    const result = plan(
      withItems(),
      { op: 'MODIFY_AMOUNT', reason: 'ITEM_RETURNED', itemAmounts: [{ index: 0, amountMinor: 0n }, { index: 1, amountMinor: 0n }] },
      'BRAND',
    );
    expect(result).toMatchObject({ ok: true, stateAfter: 'REVERSED', amountMinor: 21_505n, payoutMinor: 4_151n });
  });

  it('modify the order amount of an action with items spreads it over the items, exactly', () => {
    const result = plan(withItems(), { op: 'MODIFY_AMOUNT', reason: 'ORDER_UPDATE', amountMinor: 10_000n }, 'BRAND');
    if (!result.ok) throw new Error(result.message);
    expect(result.amountMinor).toBe(10_000n);
    expect(result.items!.reduce((s, i) => s + i.amountMinor, 0n)).toBe(10_000n);
    expect(result.payoutMinor).toBe(computePayoutMinor(SALE_RULE, { amountMinor: 10_000n, items: result.items! }));
  });

  it('reject item: quantity 0, the amount and payout follow the remaining items', () => {
    const result = plan(withItems(), { op: 'REJECT_ITEM', reason: 'ITEM_RETURNED', itemIndex: 0 }, 'BRAND');
    expect(result).toMatchObject({ ok: true, stateAfter: 'PENDING', amountMinor: 1_505n, payoutMinor: 151n, detail: { itemIndex: 0 } });
    expect(result.ok && result.items).toEqual([
      { sku: 'T1', category: 'Tents', quantity: 0, amountMinor: 0n },
      { sku: 'S1', category: 'Socks', quantity: 2, amountMinor: 1_505n },
    ]);
  });

  it('rejecting the last item reverses the action, as it stood', () => {
    const oneLeft = withItems({
      amountMinor: 1_505n,
      payoutMinor: 151n,
      items: [{ ...TWO_ITEMS[0]!, quantity: 0, amountMinor: 0n }, { ...TWO_ITEMS[1]! }],
    });
    const result = plan(oneLeft, { op: 'REJECT_ITEM', reason: 'ITEM_OUT_OF_STOCK', itemIndex: 1 }, 'BRAND');
    expect(result).toMatchObject({
      ok: true,
      stateAfter: 'REVERSED',
      amountMinor: 1_505n,
      payoutMinor: 151n,
      reversalReason: 'ITEM_OUT_OF_STOCK',
      detail: { itemIndex: 1, lastItem: true },
    });
  });

  it.each([
    ['an action without items', snapshot(), 0],
    ['an unknown item', withItems(), 2],
    ['an item already rejected', withItems({ items: [{ ...TWO_ITEMS[0]!, quantity: 0, amountMinor: 0n }, { ...TWO_ITEMS[1]! }] }), 0],
  ])('reject item on %s is invalid', (_label, action, itemIndex) => {
    expect(plan(action, { op: 'REJECT_ITEM', reason: 'ITEM_RETURNED', itemIndex }, 'BRAND')).toMatchObject({ ok: false, refusal: 'invalid' });
  });

  it('restore: REVERSED → PENDING, the reversal reason cleared, values kept', () => {
    const action = snapshot({ state: 'REVERSED', reversalReason: 'CONS_FRAUD', amountMinor: 4_000n, payoutMinor: 400n });
    expect(plan(action, { op: 'RESTORE' }, 'BRAND')).toMatchObject({
      ok: true,
      stateAfter: 'PENDING',
      amountMinor: 4_000n,
      payoutMinor: 400n,
      reversalReason: null,
      locks: false,
    });
  });

  it.each<[string, Partial<ActionSnapshot>]>([
    ['a modified pending action', { amountMinor: 3_000n, payoutMinor: 300n }],
    ['a reversed action', { state: 'REVERSED', reversalReason: 'CONS_FRAUD', amountMinor: 3_000n, payoutMinor: 300n }],
    [
      'an action with a rejected item',
      {
        amountMinor: 1_505n,
        payoutMinor: 151n,
        items: [{ ...TWO_ITEMS[0]!, quantity: 0, amountMinor: 0n }, { ...TWO_ITEMS[1]! }],
        originalItems: TWO_ITEMS.map((i) => ({ ...i })),
        originalAmountMinor: 21_505n,
        originalPayoutMinor: 4_151n,
      },
    ],
  ])('reset of %s returns the original values', (_label, overrides) => {
    const action = snapshot(overrides);
    const result = plan(action, { op: 'RESET' }, 'BRAND');
    expect(result).toMatchObject({
      ok: true,
      stateAfter: 'PENDING',
      amountMinor: action.originalAmountMinor,
      payoutMinor: action.originalPayoutMinor,
      items: action.originalItems,
      reversalReason: null,
      reason: 'RESET',
    });
  });

  it('lock: PENDING → APPROVED by the system at the locking date; a reversed action is not locked', () => {
    expect(plan(snapshot({ lockingAt: PAST_LOCK }), { op: 'LOCK' }, 'SYSTEM')).toMatchObject({ ok: true, stateAfter: 'APPROVED', locks: true });
    expect(plan(snapshot({ lockingAt: PAST_LOCK, state: 'REVERSED' }), { op: 'LOCK' }, 'SYSTEM')).toMatchObject({ ok: false, refusal: 'wrong_state' });
  });

  it('re-attribute: PENDING → PENDING by an operator, naming the new partner', () => {
    expect(plan(snapshot(), { op: 'REATTRIBUTE', reason: 'PUB_ACT_DISPUTE', partnerAccountId: 9 }, 'OPERATOR')).toMatchObject({
      ok: true,
      stateAfter: 'PENDING',
      reason: 'PUB_ACT_DISPUTE',
      detail: { partnerAccountId: 9 },
    });
  });
});

describe('cost-per-click actions', () => {
  const cpc = () => snapshot(cpcValues());

  it('a brand cannot reverse a CPC action: it needs an operator', () => {
    expect(plan(cpc(), { op: 'REVERSE', reason: 'CONS_FRAUD' }, 'BRAND', CLICK_RULE)).toMatchObject({ ok: false, refusal: 'cpc_needs_operator' });
  });

  it('an operator reverses it with REVERSE_CPC', () => {
    expect(plan(cpc(), { op: 'REVERSE_CPC', reason: 'CONS_FRAUD' }, 'OPERATOR', CLICK_RULE)).toMatchObject({
      ok: true,
      stateAfter: 'REVERSED',
      reversalReason: 'CONS_FRAUD',
      payoutMinor: 5n,
    });
  });

  it('an operator cannot use the brand REVERSE on it either', () => {
    const result = plan(cpc(), { op: 'REVERSE', reason: 'CONS_FRAUD' }, 'OPERATOR', CLICK_RULE);
    expect(result.ok).toBe(false);
    expect(['forbidden', 'cpc_needs_operator']).toContain(!result.ok && result.refusal);
  });

  it.each(['SALE', 'LEAD', 'OTHER'] as const)('REVERSE_CPC on a %s action → not_cpc', (eventKind) => {
    expect(plan(snapshot({ eventKind }), { op: 'REVERSE_CPC', reason: 'CONS_FRAUD' }, 'OPERATOR')).toMatchObject({ ok: false, refusal: 'not_cpc' });
  });

  it.each<OperationRequest>([
    { op: 'MODIFY_AMOUNT', reason: 'ORDER_UPDATE', amountMinor: 100n },
    { op: 'REJECT_ITEM', reason: 'ITEM_RETURNED', itemIndex: 0 },
  ])('$op on a CPC action is invalid (no sale amount, no items)', (request) => {
    expect(plan(cpc(), request, 'BRAND', CLICK_RULE)).toMatchObject({ ok: false, refusal: 'invalid' });
  });

  it('a brand approves a CPC action like any other', () => {
    expect(plan(cpc(), { op: 'APPROVE' }, 'BRAND', CLICK_RULE)).toMatchObject({ ok: true, stateAfter: 'APPROVED', payoutMinor: 5n });
  });

  it('REVERSE_CPC stops at the locking date and on a locked action', () => {
    expect(plan(snapshot({ ...cpcValues(), lockingAt: PAST_LOCK }), { op: 'REVERSE_CPC', reason: 'CONS_FRAUD' }, 'OPERATOR', CLICK_RULE)).toMatchObject({
      ok: false,
      refusal: 'locked',
    });
    expect(plan(snapshot({ ...cpcValues(), state: 'APPROVED' }), { op: 'REVERSE_CPC', reason: 'CONS_FRAUD' }, 'OPERATOR', CLICK_RULE)).toMatchObject({
      ok: false,
      refusal: 'locked',
    });
  });
});

describe('the modification limit', () => {
  const BRAND_OPS: Array<{ op: Operation; request: OperationRequest; overrides: Partial<ActionSnapshot> }> = [
    { op: 'APPROVE', request: { op: 'APPROVE' }, overrides: {} },
    { op: 'REVERSE', request: { op: 'REVERSE', reason: 'CONS_FRAUD' }, overrides: {} },
    { op: 'MODIFY_AMOUNT', request: { op: 'MODIFY_AMOUNT', reason: 'ORDER_UPDATE', amountMinor: 1n }, overrides: {} },
    {
      op: 'REJECT_ITEM',
      request: { op: 'REJECT_ITEM', reason: 'ITEM_RETURNED', itemIndex: 0 },
      overrides: { items: TWO_ITEMS, originalItems: TWO_ITEMS },
    },
    { op: 'RESTORE', request: { op: 'RESTORE' }, overrides: { state: 'REVERSED' } },
    { op: 'RESET', request: { op: 'RESET' }, overrides: {} },
  ];

  it.each(BRAND_OPS)('$op is refused at 1,000 modifications and allowed at 999', ({ request, overrides }) => {
    const full = snapshot({ ...overrides, modificationCount: MAX_MODIFICATIONS_PER_ACTION });
    expect(plan(full, request, 'BRAND')).toMatchObject({ ok: false, refusal: 'modification_limit' });
    const oneLeft = snapshot({ ...overrides, modificationCount: MAX_MODIFICATIONS_PER_ACTION - 1 });
    expect(plan(oneLeft, request, 'BRAND').ok).toBe(true);
  });

  it('the limit is 1,000', () => {
    expect(MAX_MODIFICATIONS_PER_ACTION).toBe(1000);
  });

  it('operator operations count too', () => {
    const full = snapshot({ ...cpcValues(), modificationCount: 1000 });
    expect(plan(full, { op: 'REVERSE_CPC', reason: 'CONS_FRAUD' }, 'OPERATOR', CLICK_RULE)).toMatchObject({ ok: false, refusal: 'modification_limit' });
    expect(plan(snapshot({ modificationCount: 1000 }), { op: 'REATTRIBUTE', reason: 'OTHER', partnerAccountId: 3 }, 'OPERATOR')).toMatchObject({
      ok: false,
      refusal: 'modification_limit',
    });
  });

  it('the lock itself is never held back by the limit, so a full action still locks', () => {
    expect(plan(snapshot({ modificationCount: 1000, lockingAt: PAST_LOCK }), { op: 'LOCK' }, 'SYSTEM')).toMatchObject({ ok: true, stateAfter: 'APPROVED' });
  });

  it('a locked action says locked, not limit', () => {
    expect(plan(snapshot({ modificationCount: 1000, state: 'APPROVED' }), { op: 'RESET' }, 'BRAND')).toMatchObject({ ok: false, refusal: 'locked' });
  });
});

describe('scaleItems (property)', () => {
  const itemArb = fc.record({
    sku: fc.constantFrom('A', 'B', 'C'),
    category: fc.constantFrom('Tents', 'Socks', 'Shoes'),
    quantity: fc.integer({ min: 0, max: 5 }),
    amountMinor: fc.bigInt({ min: 0n, max: 10_000_000n }),
  });
  // A rejected item (quantity 0) has amount 0, as reject-item leaves it.
  const itemsArb = fc
    .array(itemArb, { minLength: 1, maxLength: 12 })
    .map((items) => items.map((i) => (i.quantity === 0 ? { ...i, amountMinor: 0n } : i)));

  it('keeps the sum of the live items exactly equal to the new total, and each share within one minor unit', () => {
    fc.assert(
      fc.property(itemsArb, fc.bigInt({ min: 0n, max: 100_000_000n }), (items, total) => {
        const scaled = scaleItems(items, total);
        expect(scaled).toHaveLength(items.length);
        const live = items.map((item, index) => ({ item, index })).filter(({ item }) => item.quantity > 0);
        const liveSum = scaled.filter((_, i) => items[i]!.quantity > 0).reduce((s, i) => s + i.amountMinor, 0n);
        if (live.length > 0) expect(liveSum).toBe(total);
        const oldTotal = live.reduce((s, { item }) => s + item.amountMinor, 0n);
        for (const [index, item] of items.entries()) {
          const out = scaled[index]!;
          expect(out.quantity).toBe(item.quantity);
          expect(out.sku).toBe(item.sku);
          expect(out.category).toBe(item.category);
          expect(out.amountMinor >= 0n).toBe(true);
          if (item.quantity === 0) {
            expect(out.amountMinor).toBe(item.amountMinor);
          } else if (oldTotal > 0n) {
            const floor = (item.amountMinor * total) / oldTotal;
            expect(out.amountMinor === floor || out.amountMinor === floor + 1n).toBe(true);
          }
        }
        // Proportional: a larger item never ends up smaller than a smaller one.
        for (const a of live) {
          for (const b of live) {
            if (a.item.amountMinor > b.item.amountMinor) expect(scaled[a.index]!.amountMinor >= scaled[b.index]!.amountMinor).toBe(true);
          }
        }
      }),
      { numRuns: 500 },
    );
  });

  it('does not change its input', () => {
    fc.assert(
      fc.property(itemsArb, fc.bigInt({ min: 0n, max: 1_000_000n }), (items, total) => {
        const copy = items.map((i) => ({ ...i }));
        scaleItems(items, total);
        expect(items).toEqual(copy);
      }),
    );
  });

  it('modify with an order amount keeps the items summing to the amount and prices them by the terms', () => {
    fc.assert(
      fc.property(itemsArb, fc.bigInt({ min: 1n, max: 100_000_000n }), (items, total) => {
        fc.pre(items.some((i) => i.quantity > 0));
        const amount = items.reduce((s, i) => s + i.amountMinor, 0n);
        const action = snapshot({ items, originalItems: items, amountMinor: amount, originalAmountMinor: amount + 1n });
        const result = plan(action, { op: 'MODIFY_AMOUNT', reason: 'ORDER_UPDATE', amountMinor: total }, 'BRAND');
        if (!result.ok) throw new Error(result.message);
        expect(result.stateAfter).toBe('PENDING');
        expect(result.amountMinor).toBe(total);
        expect(result.items!.reduce((s, i) => s + i.amountMinor, 0n)).toBe(total);
        expect(result.payoutMinor).toBe(computePayoutMinor(SALE_RULE, { amountMinor: total, items: result.items! }));
      }),
      { numRuns: 300 },
    );
  });
});

describe('allowedOperations: what the caller is offered, from the same table', () => {
  const rules: Record<EventKind, EventTypePayout> = { SALE: SALE_RULE, LEAD: LEAD_RULE, CLICK: CLICK_RULE, OTHER: LEAD_RULE };

  it.each([
    ['a pending sale with items, for its brand', withItems(), 'BRAND', NOW, ['APPROVE', 'REVERSE', 'MODIFY_AMOUNT', 'REJECT_ITEM']],
    ['a pending sale without items', snapshot(), 'BRAND', NOW, ['APPROVE', 'REVERSE', 'MODIFY_AMOUNT']],
    ['a modified pending sale (reset offered)', snapshot({ amountMinor: 5_000n, payoutMinor: 500n }), 'BRAND', NOW, ['APPROVE', 'REVERSE', 'MODIFY_AMOUNT', 'RESET']],
    ['a pending sale with every item rejected but one', withItems({ items: [{ ...TWO_ITEMS[0]!, quantity: 0, amountMinor: 0n }, TWO_ITEMS[1]!], amountMinor: 1_505n }), 'BRAND', NOW, ['APPROVE', 'REVERSE', 'MODIFY_AMOUNT', 'REJECT_ITEM', 'RESET']],
    ['a pending sale past its locking date (only approve, early)', snapshot({ lockingAt: PAST_LOCK }), 'BRAND', NOW, ['APPROVE']],
    ['a reversed sale', snapshot({ state: 'REVERSED', reversalReason: 'CONS_FRAUD' }), 'BRAND', NOW, ['RESTORE', 'RESET']],
    ['a reversed sale past its locking date', snapshot({ state: 'REVERSED', reversalReason: 'CONS_FRAUD', lockingAt: PAST_LOCK }), 'BRAND', NOW, []],
    ['an approved (locked) sale', snapshot({ state: 'APPROVED' }), 'BRAND', NOW, []],
    ['a pending cost-per-click action, for its brand', snapshot({ eventKind: 'CLICK', amountMinor: 0n, originalAmountMinor: 0n, payoutMinor: 5n, originalPayoutMinor: 5n }), 'BRAND', NOW, ['APPROVE']],
    ['an action at the modification limit', snapshot({ modificationCount: MAX_MODIFICATIONS_PER_ACTION }), 'BRAND', NOW, []],
    ['a pending sale, for an operator', withItems(), 'OPERATOR', NOW, ['REATTRIBUTE']],
    ['a pending cost-per-click action, for an operator', snapshot({ eventKind: 'CLICK', amountMinor: 0n, originalAmountMinor: 0n }), 'OPERATOR', NOW, ['REATTRIBUTE', 'REVERSE_CPC']],
    ['a pending sale past its locking date, for an operator', snapshot({ lockingAt: PAST_LOCK }), 'OPERATOR', NOW, []],
    ['a reversed sale, for an operator', snapshot({ state: 'REVERSED' }), 'OPERATOR', NOW, []],
    ['a pending sale, for a partner', withItems(), null, NOW, []],
  ] as const)('%s', (_what, action, performer, now, expected) => {
    expect(allowedOperations(action, performer, now)).toEqual(expected);
  });

  it('offers exactly what planOperation accepts (RESET and REJECT_ITEM only when they can change something)', () => {
    const states: ActionState[] = ['PENDING', 'APPROVED', 'REVERSED'];
    const kinds: EventKind[] = ['SALE', 'LEAD', 'CLICK'];
    for (const state of states)
      for (const eventKind of kinds)
        for (const lockingAt of [BEFORE_LOCK, PAST_LOCK])
          for (const modified of [false, true])
            for (const items of [null, TWO_ITEMS])
              for (const performer of ['BRAND', 'OPERATOR', 'SYSTEM'] as const) {
                const action = (items ? withItems : snapshot)({
                  state,
                  eventKind,
                  lockingAt,
                  ...(modified ? { payoutMinor: 1n } : {}),
                  ...(eventKind === 'CLICK' ? { items: null, originalItems: null } : {}),
                });
                const offered = new Set<string>(allowedOperations(action, performer, NOW));
                for (const op of REQUESTABLE_OPERATIONS) {
                  const accepted = plan(action, requestFor(op), performer, rules[eventKind]).ok;
                  const noOp = op === 'RESET' && !modified && state !== 'REVERSED';
                  const what = JSON.stringify({ op, state, eventKind, past: lockingAt === PAST_LOCK, modified, items: !!items, performer });
                  expect(offered.has(op), what).toBe(accepted && !noOp);
                }
              }
  });
});
