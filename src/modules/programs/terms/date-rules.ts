import { computeLockingDate, computePaymentDate, lockingRuleFor } from './dates.js';
import type { TermsDefinition } from './types.js';

/** Memoized date rules: locking and payment dates cluster on a few local midnights. */
export class DateRules {
  private cache = new Map<string, Date>();
  locking(eventAt: Date, timeZone: string, terms: TermsDefinition): Date {
    // The locking date depends only on the local day (or month) of the event, and every
    // time zone's day starts on a quarter hour, so events in one quarter hour share it.
    const key = `L|${timeZone}|${JSON.stringify(terms.locking)}|${Math.floor(eventAt.getTime() / 900_000)}`;
    let value = this.cache.get(key);
    if (!value) {
      value = computeLockingDate(eventAt, timeZone, terms.locking);
      this.cache.set(key, value);
    }
    return value;
  }
  /**
   * The locking date of an action of `eventTypeId` under `terms`: the terms' locking period,
   * or OPEN_ENDED_LOCKING_DAYS when the terms give the event type open-ended locking.
   * (`locking` is for callers whose event type cannot be open-ended: CLICK.)
   */
  lockingFor(eventAt: Date, timeZone: string, terms: TermsDefinition, eventTypeId: number): Date {
    const rule = lockingRuleFor(terms, eventTypeId);
    return rule === terms.locking ? this.locking(eventAt, timeZone, terms) : computeLockingDate(eventAt, timeZone, rule);
  }
  payment(lockingAt: Date, timeZone: string, terms: TermsDefinition): Date {
    const key = `P|${timeZone}|${terms.payment.months}|${terms.payment.days}|${lockingAt.getTime()}`;
    let value = this.cache.get(key);
    if (!value) {
      value = computePaymentDate(lockingAt, timeZone, terms.payment).at;
      this.cache.set(key, value);
    }
    return value;
  }
}

