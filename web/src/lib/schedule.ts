import type { LockingRule, PaymentSchedule } from '@contract/programs';

/** Calendar arithmetic on plain dates (as UTC midnights), mirroring the server's rules, for examples. */
function addDays(date: Date, days: number): Date {
  return new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate() + days));
}

function firstOfMonthAfter(date: Date, months: number): Date {
  return new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1 + months, 1));
}

/** The local date an action tracked on `event` locks (at the start of that day). */
export function exampleLockDate(event: Date, rule: LockingRule): Date {
  return rule.Form === 'DAYS' ? addDays(event, rule.Days + 1) : addDays(firstOfMonthAfter(event, rule.Months), rule.Days);
}

/** The date actions that locked on `lock` are paid. */
export function examplePaymentDate(lock: Date, schedule: PaymentSchedule): Date {
  return addDays(firstOfMonthAfter(lock, schedule.Months), schedule.Days);
}

export function longDate(date: Date): string {
  return new Intl.DateTimeFormat('en-GB', { timeZone: 'UTC', day: 'numeric', month: 'long', year: 'numeric' }).format(date);
}
