import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { errorDetail } from '../../api/client';
import { useAccount, useAccountApi } from '../../api/session';
import type { Contract } from '../../api/types';
import { Dialog } from '../../components/Dialog';
import { ErrorMessage, Notice } from '../../components/Feedback';
import { useToast } from '../../components/Toast';
import { formatDate, todayIn } from '../../lib/format';

/** Expire a contract now, or at 23:59:59 of a date in the account's time zone. */
export function ExpireContractDialog({ contract, onClose }: { contract: Contract; onClose: () => void }) {
  const account = useAccount();
  const http = useAccountApi();
  const queryClient = useQueryClient();
  const toast = useToast();
  const today = todayIn(account.timeZone);
  const [when, setWhen] = useState<'now' | 'on'>('now');
  const [date, setDate] = useState(today);
  const counterparty = account.kind === 'PARTNER' ? contract.brandName : contract.partnerName;

  const expire = useMutation({
    mutationFn: () => http.post<Contract>(`/api/v1/contracts/${contract.id}/expire`, when === 'on' ? { on: date } : {}),
    onSuccess: async (updated) => {
      toast.success(
        updated.status === 'EXPIRED'
          ? `Contract ${updated.id} expired (${updated.terminationReason}).`
          : `Contract ${updated.id} will expire at the end of ${formatDate(updated.endAt, account.timeZone)} (${updated.terminationReason}).`,
      );
      await queryClient.invalidateQueries({ queryKey: ['account', account.id, 'contracts'] });
      onClose();
    },
  });

  return (
    <Dialog
      title={`Expire contract ${contract.id}`}
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
        <strong>{contract.programName}</strong> on “{contract.templateTermsName}” with <strong>{counterparty}</strong>, active
        since {formatDate(contract.startAt, account.timeZone)}.
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
            <div className="field-hint">The contract ends at 23:59:59 on this date ({account.timeZone}).</div>
          </div>
        ) : null}
      </fieldset>
      <Notice kind="warning">
        After expiry, locked actions are still paid and clicks on live links are still counted, but new conversions earn
        {account.kind === 'PARTNER' ? ' you' : ' the partner'} nothing. This cannot be undone.
      </Notice>
      {expire.isError ? <ErrorMessage>{errorDetail(expire.error)}</ErrorMessage> : null}
    </Dialog>
  );
}
