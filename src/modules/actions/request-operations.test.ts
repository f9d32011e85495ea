import { describe, expect, it } from 'vitest';
import { DomainError } from '../../core/errors.js';
import { bulkRequestOf, itemChangeRequestsOf, modifyAmountRequestOf, refusalError, rejectItemRequestOf, type FieldNames } from './request-operations.js';

/** How a returns file would name its fields: by row and column, not by the API's body. */
const FILE_FIELDS: FieldNames = {
  amount: 'row 7, column Amount',
  items: 'the item columns',
  item: (n) => `row 7, item ${n + 1}`,
  itemAmount: (n) => `row 7, item ${n + 1} amount`,
};

function refusedWith(fn: () => unknown): { status: number; message: string } {
  try {
    fn();
  } catch (error) {
    if (error instanceof DomainError) return { status: error.status, message: error.message };
    throw error;
  }
  throw new Error('expected a refusal');
}

describe('turning a request into operation requests', () => {
  it('parses amounts in the currency of the action: 2, 0 and 3 decimals', () => {
    expect(modifyAmountRequestOf({ reason: 'ORDER_UPDATE', amount: '12.50' }, 'USD')).toEqual({ op: 'MODIFY_AMOUNT', reason: 'ORDER_UPDATE', amountMinor: 1250n });
    expect(modifyAmountRequestOf({ reason: 'ORDER_UPDATE', amount: '1250' }, 'JPY')).toEqual({ op: 'MODIFY_AMOUNT', reason: 'ORDER_UPDATE', amountMinor: 1250n });
    // Items are numbered from 1 (item 3 is the transition table's position 2).
    expect(modifyAmountRequestOf({ reason: 'ITEM_RETURNED', items: [{ index: 3, amount: '0.125' }] }, 'KWD')).toEqual({
      op: 'MODIFY_AMOUNT',
      reason: 'ITEM_RETURNED',
      itemAmounts: [{ index: 2, amountMinor: 125n }],
    });
  });

  it('refuses an amount with more decimals than the currency has, naming the field as the caller knows it', () => {
    expect(refusedWith(() => modifyAmountRequestOf({ reason: 'ORDER_UPDATE', amount: '12.5' }, 'JPY'))).toMatchObject({ status: 400, message: expect.stringMatching(/^Amount: /) });
    expect(refusedWith(() => modifyAmountRequestOf({ reason: 'ORDER_UPDATE', amount: '1.001' }, 'USD', FILE_FIELDS))).toMatchObject({
      status: 400,
      message: expect.stringMatching(/^row 7, column Amount: /),
    });
    expect(refusedWith(() => itemChangeRequestsOf('ITEM_RETURNED', [{ index: 1, reject: true }, { index: 2, amount: 'ten' }], 'USD'))).toMatchObject({
      status: 400,
      message: expect.stringMatching(/^Items\[1\]\.Amount: /),
    });
  });

  it('wants exactly one of a new order amount and new item amounts', () => {
    expect(refusedWith(() => modifyAmountRequestOf({ reason: 'ORDER_UPDATE' }, 'USD')).message).toBe(
      'Give either Amount (the new order amount) or Items (new amounts for items), not both and not neither.',
    );
    expect(refusedWith(() => modifyAmountRequestOf({ reason: 'ORDER_UPDATE', amount: '1', items: [{ index: 1, amount: '1' }] }, 'USD')).status).toBe(400);
    // An empty list of items is no items.
    expect(refusedWith(() => modifyAmountRequestOf({ reason: 'ORDER_UPDATE', items: [] }, 'USD')).status).toBe(400);
  });

  it('splits item changes into the rejections first, then one modification of the amounts', () => {
    const steps = itemChangeRequestsOf(
      'ITEM_RETURNED',
      [{ index: 4, amount: '4.00' }, { index: 1, reject: true }, { index: 6, reject: true }, { index: 2, amount: '0.99' }],
      'EUR',
    );
    expect(steps).toEqual([
      { op: 'REJECT_ITEM', itemIndex: 0, reason: 'ITEM_RETURNED' },
      { op: 'REJECT_ITEM', itemIndex: 5, reason: 'ITEM_RETURNED' },
      { op: 'MODIFY_AMOUNT', reason: 'ITEM_RETURNED', itemAmounts: [{ index: 3, amountMinor: 400n }, { index: 1, amountMinor: 99n }] },
    ]);
    expect(itemChangeRequestsOf('ITEM_RETURNED', [{ index: 3, reject: true }], 'EUR')).toEqual([{ op: 'REJECT_ITEM', itemIndex: 2, reason: 'ITEM_RETURNED' }]);
  });

  it('numbers items from 1, as files do (Sku1 is the first item): 0 or less is refused, naming the field', () => {
    expect(rejectItemRequestOf('ITEM_RETURNED', 1)).toEqual({ op: 'REJECT_ITEM', itemIndex: 0, reason: 'ITEM_RETURNED' });
    expect(refusedWith(() => rejectItemRequestOf('ITEM_RETURNED', 0))).toMatchObject({ status: 400, message: expect.stringMatching(/^ItemIndex: items are numbered from 1/) });
    expect(refusedWith(() => itemChangeRequestsOf('ITEM_RETURNED', [{ index: 0, reject: true }], 'USD', FILE_FIELDS)).message).toMatch(/^row 7, item 1: items are numbered from 1/);
    expect(refusedWith(() => modifyAmountRequestOf({ reason: 'ORDER_UPDATE', items: [{ index: -2, amount: '1' }] }, 'USD')).message).toMatch(/^Items\[0\]: items are numbered from 1 .* got -2/);
  });

  it('refuses an item listed twice or with both or neither of a new amount and a rejection', () => {
    expect(refusedWith(() => itemChangeRequestsOf('ITEM_RETURNED', [{ index: 1, reject: true }, { index: 1, amount: '2.00' }], 'USD')).message).toBe(
      'Items[1]: item 1 is listed twice.',
    );
    expect(refusedWith(() => itemChangeRequestsOf('ITEM_RETURNED', [{ index: 1, reject: true, amount: '2.00' }], 'USD', FILE_FIELDS)).message).toBe(
      'row 7, item 1: give either Amount (a new amount) or Reject: true, not both and not neither.',
    );
    expect(refusedWith(() => itemChangeRequestsOf('ITEM_RETURNED', [{ index: 1 }], 'USD')).status).toBe(400);
  });

  it('asks a reason of a bulk reversal and of nothing else', () => {
    expect(bulkRequestOf('REVERSE', 'CONS_FRAUD')).toEqual({ op: 'REVERSE', reason: 'CONS_FRAUD' });
    expect(bulkRequestOf('APPROVE', undefined)).toEqual({ op: 'APPROVE' });
    expect(refusedWith(() => bulkRequestOf('REVERSE', undefined)).message).toBe('Reason is required to reverse actions.');
    expect(refusedWith(() => bulkRequestOf('RESET', 'OTHER')).message).toBe('Reason applies to REVERSE only, not to RESET.');
  });

  it('reports each refusal with the status of its kind', () => {
    const status = (refusal: Parameters<typeof refusalError>[0]['refusal']) =>
      refusalError({ actionId: '1', ok: false, refusal, message: 'no' }).status;
    expect([status('not_found'), status('forbidden'), status('cpc_needs_operator'), status('locked'), status('wrong_state'), status('invalid')]).toEqual([
      404, 403, 403, 409, 409, 400,
    ]);
    expect(refusalError({ actionId: '1', ok: false, refusal: 'locked', message: 'Action 1 is locked.' }, ' (change 2 of 3)').message).toBe(
      'Action 1 is locked. (change 2 of 3)',
    );
    expect(() => refusalError({ actionId: '1', ok: true })).toThrow(/not refused/);
  });
});
