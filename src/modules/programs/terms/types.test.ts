import { describe, expect, it } from 'vitest';
import { TermsError, termsFromJson, termsToJson } from './types.js';
import type { TermsDefinition, TermsJson } from './types.js';

const terms: TermsDefinition = {
  payouts: [
    {
      eventTypeId: 1,
      payout: { kind: 'PERCENT', percent: '12.5' },
      groups: [
        { name: 'Shoes', match: { categories: ['shoes'] }, payout: { kind: 'FIXED', amountMinor: 250n } },
        { name: 'SKU', match: { skus: ['A', 'B'] }, payout: { kind: 'PERCENT', percent: '3' } },
      ],
    },
    // Larger than Number.MAX_SAFE_INTEGER, so a lossy conversion would show.
    { eventTypeId: 2, payout: { kind: 'FIXED', amountMinor: 9_007_199_254_740_993n }, groups: [] },
  ],
  locking: { form: 'MONTHS', months: 1, days: 15 },
  payment: { months: 0, days: 19 },
};

describe('termsToJson / termsFromJson', () => {
  it('writes FIXED amounts as strings of minor units', () => {
    const json = termsToJson(terms);
    expect(json.payouts[0]?.groups[0]?.payout).toEqual({ kind: 'FIXED', amountMinor: '250' });
    expect(json.payouts[1]?.payout).toEqual({ kind: 'FIXED', amountMinor: '9007199254740993' });
  });

  it('round-trips through JSON text', () => {
    const text = JSON.stringify(termsToJson(terms));
    expect(termsFromJson(JSON.parse(text) as TermsJson)).toEqual(terms);
  });

  it.each(['', '1.5', '01', '1e3', ' 1', 'abc'])('rejects stored amountMinor %j', (amountMinor) => {
    const json = termsToJson(terms);
    const broken: TermsJson = { ...json, payouts: [{ eventTypeId: 1, payout: { kind: 'FIXED', amountMinor }, groups: [] }] };
    expect(() => termsFromJson(broken)).toThrow(TermsError);
    expect(() => termsFromJson(broken)).toThrow('payouts[0].payout.amountMinor');
  });

  it('does not share arrays with its input', () => {
    const json = termsToJson(terms);
    json.payouts[0]?.groups[1]?.match.skus?.push('C');
    expect(terms.payouts[0]?.groups[1]?.match.skus).toEqual(['A', 'B']);
  });
});
