import { browserTimeZone, formatContractDate, formatContractDateTime } from '../../../lib/format';

/**
 * The time of a contract date as a tooltip: in the program's time zone, and in the
 * viewer's own when that differs (a locking date at midnight in New York is the evening
 * before in Los Angeles).
 */
export function contractDateTitle(iso: string, programTimeZone: string): string {
  const own = browserTimeZone();
  const inProgram = `${formatContractDateTime(iso, programTimeZone)} (${programTimeZone})`;
  return own === programTimeZone ? inProgram : `${inProgram} · ${formatContractDateTime(iso, own)} your time (${own})`;
}

/**
 * A contract date (event, locking, locked, payment) in a table: the day in the program's
 * time zone, which brand and partner both see, the zone named under it, and the time in
 * that zone and in the viewer's own as a tooltip.
 */
export function ContractDate({ iso, timeZone, prefix, testId }: { iso: string | null; timeZone: string; prefix?: string; testId?: string }) {
  if (!iso) return <span className="muted">—</span>;
  return (
    <span className="two-line contract-date" title={contractDateTitle(iso, timeZone)} data-testid={testId}>
      <time dateTime={iso} className="nowrap">
        {prefix ? `${prefix} ` : ''}
        {formatContractDate(iso, timeZone)}
      </time>
      <span className="muted small nowrap">{timeZone}</span>
    </span>
  );
}

/**
 * A contract date in the details panel: the day and time in the program's time zone,
 * named, and under it the viewer's own time when their zone differs.
 */
export function ContractDateTime({ iso, timeZone }: { iso: string | null; timeZone: string }) {
  if (!iso) return <span className="muted">—</span>;
  const own = browserTimeZone();
  return (
    <span className="two-line contract-date">
      <time dateTime={iso} className="nowrap">
        {formatContractDateTime(iso, timeZone)} ({timeZone})
      </time>
      {own === timeZone ? null : (
        <span className="muted small nowrap">
          {formatContractDateTime(iso, own)} your time ({own})
        </span>
      )}
    </span>
  );
}

/**
 * The Locking Date column of an action: when it locked for an approved one (approved
 * early, that is before its planned date), else its planned locking date.
 */
export function ActionLockingDate({ action }: { action: { State: string; LockingDate: string; LockedDate: string | null; ProgramTimeZone: string } }) {
  return action.State === 'APPROVED' && action.LockedDate ? (
    <ContractDate iso={action.LockedDate} timeZone={action.ProgramTimeZone} prefix="Locked" testId="locked-date" />
  ) : (
    <ContractDate iso={action.LockingDate} timeZone={action.ProgramTimeZone} />
  );
}
