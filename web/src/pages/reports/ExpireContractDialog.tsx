import { terminationReasonLabel } from '../../lib/labels';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import { accountApi, errorDetail } from '../../api/client';
import { useAccount } from '../../api/session';
import type { Contract, ExpireContractBody, ExpiredContract } from '@contract/contracts';
import type { MeAccount } from '@contract/session';
import { CHANGE_REASON_CODES, type ChangeReasonCode } from '@contract/enums';
import { Dialog } from '../../components/Dialog';
import { ErrorMessage, Notice } from '../../components/Feedback';
import { useToast } from '../../components/Toast';
import { formatDate, todayIn } from '../../lib/format';

/**
 * Expire a contract now, or at 23:59:59 of a date in the account's time zone. It acts for the
 * current account unless given another of the user's accounts (the closure wizard expires
 * the contracts of every account it closes).
 */
export function ExpireContractDialog({
  contract,
  onClose,
  account: forAccount,
  onExpired,
}: {
  contract: Contract;
  onClose: () => void;
  account?: MeAccount;
  onExpired?: (contract: ExpiredContract) => void;
}) {
  const current = useAccount();
  const account = forAccount ?? current;
  const http = useMemo(() => accountApi(account.Id), [account.Id]);
  const queryClient = useQueryClient();
  const toast = useToast();
  const today = todayIn(account.TimeZone);
  const [when, setWhen] = useState<'now' | 'on'>('now');
  const [date, setDate] = useState(today);
  const isBrand = account.Kind === 'BRAND';
  const [reverse, setReverse] = useState(false);
  const [reversalReason, setReversalReason] = useState<ChangeReasonCode>('NOT_COMPLIANCE_TERMS');
  const counterparty = account.Kind === 'PARTNER' ? contract.BrandName : contract.MediaPartnerName;

  const expire = useMutation({
    mutationFn: () =>
      http.post<ExpiredContract>(`/api/v1/contracts/${contract.Id}/expire`, {
        ...(when === 'on' ? { On: date } : {}),
        ...(isBrand && reverse ? { ReversePendingActions: true, ReversalReason: reversalReason } : {}),
      } satisfies ExpireContractBody),
    onSuccess: async (updated) => {
      const ended =
        updated.Status === 'EXPIRED'
          ? `Contract ${updated.Id} expired: ${terminationReasonLabel(updated.TerminationReason)}.`
          : `Contract ${updated.Id} will expire at the end of ${formatDate(updated.EndDate, account.TimeZone)}: ${terminationReasonLabel(updated.TerminationReason)}.`;
      const reversed =
        isBrand && reverse
          ? ` ${updated.ReversedActions ?? 0} pending action(s) reversed${updated.UnreversedActions ? `; ${updated.UnreversedActions} could not be (cost-per-click actions need an operator)` : ''}.`
          : '';
      toast.success(ended + reversed);
      await queryClient.invalidateQueries({ queryKey: ['account', account.Id, 'contracts'] });
      onExpired?.(updated);
      onClose();
    },
  });

  return (
    <Dialog
      title={`Expire contract ${contract.Id}`}
      testId="expire-dialog"
      onClose={onClose}
      onSubmit={() => expire.mutate()}
      footer={
        <>
          <button type="button" className="btn" onClick={onClose} disabled={expire.isPending}>
            Cancel
          </button>
          <button type="submit" className="btn btn-danger" disabled={expire.isPending || (when === 'on' && !date)}>
            {expire.isPending ? 'Expiring…' : 'Expire contract'}
          </button>
        </>
      }
    >
      <p>
        <strong>{contract.CampaignName}</strong> on “{contract.TemplateTermsName}” with <strong>{counterparty}</strong>, active
        since {formatDate(contract.StartDate, account.TimeZone)}.
      </p>
      <fieldset className="radio-group">
        <legend>When should the contract end?</legend>
        <label className="radio">
          <input type="radio" name="when" value="now" checked={when === 'now'} onChange={() => setWhen('now')} />
          <span>Expire now</span>
        </label>
        <label className="radio">
          <input type="radio" name="when" value="on" checked={when === 'on'} onChange={() => setWhen('on')} />
          <span>Expire on a date</span>
        </label>
        {when === 'on' ? (
          <div className="radio-detail">
            <label className="visually-hidden" htmlFor="expire-on">
              Expiry date
            </label>
            <input
              id="expire-on"
              className="input input-date"
              type="date"
              min={today}
              value={date}
              required
              onChange={(e) => setDate(e.target.value)}
            />
            <div className="field-hint">The contract ends at 23:59:59 on this date ({account.TimeZone}).</div>
          </div>
        ) : null}
      </fieldset>
      {isBrand ? (
        <div className="reverse-option">
          <label className="checkbox">
            <input type="checkbox" checked={reverse} onChange={(e) => setReverse(e.target.checked)} />
            <span>Reverse all existing pending actions</span>
          </label>
          {reverse ? (
            <div className="radio-detail">
              <label className="field-hint" htmlFor="reversal-reason">
                Reason shown to the partner
              </label>
              <select
                id="reversal-reason"
                className="select select-sm"
                value={reversalReason}
                onChange={(e) => setReversalReason(e.target.value as ChangeReasonCode)}
              >
                {CHANGE_REASON_CODES.map((r) => (
                  <option key={r} value={r}>
                    {r}
                  </option>
                ))}
              </select>
            </div>
          ) : null}
        </div>
      ) : null}
      <Notice kind="warning">
        After expiry, locked actions are still paid and clicks on live links are still counted, but new conversions earn
        {account.Kind === 'PARTNER' ? ' you' : ' the partner'} nothing. This cannot be undone.
      </Notice>
      {expire.isError ? <ErrorMessage>{errorDetail(expire.error)}</ErrorMessage> : null}
    </Dialog>
  );
}
