import type { Action } from '@contract/actions';
import { CHANGE_REASON_CODES, type ChangeReasonCode } from '@contract/enums';
import { formatDate } from '../../lib/format';
import { labelWithCode, reasonLabel } from '../../lib/labels';

/** A select of the reason codes, with nothing chosen until the user picks one. */
export function ReasonSelect({
  value,
  onChange,
  id,
}: {
  value: ChangeReasonCode | '';
  onChange: (value: ChangeReasonCode | '') => void;
  id?: string;
}) {
  return (
    <select id={id} className="select" required value={value} onChange={(e) => onChange(e.target.value as ChangeReasonCode | '')}>
      <option value="" disabled>
        Choose a reason…
      </option>
      {CHANGE_REASON_CODES.map((code) => (
        <option key={code} value={code}>
          {labelWithCode(reasonLabel(code), code)}
        </option>
      ))}
    </select>
  );
}

export function actionSummary(a: Action, timeZone: string): string {
  return `${a.EventTypeName} of ${formatDate(a.EventDate, timeZone)}${a.OrderId && a.EventKind !== 'CLICK' ? `, order ${a.OrderId}` : ''}, ${a.MediaPartnerName}`;
}

