/**
 * The final review of a closure ticket: each account it names, checked again now (closed,
 * may be closed, or what blocks it), and the one button that closes every eligible account
 * (resolving the ticket). When some stay blocked the server says which and the ticket stays
 * in review; the accounts it closed stay closed, and resolving again later closes the rest.
 */
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import type { Ticket } from '@contract/tickets';
import { closureKeys, useClosureReview } from '../../api/closure';
import { api, errorDetail } from '../../api/client';
import { ticketKeys } from '../../api/tickets';
import { ConfirmDialog } from '../../components/Dialog';
import { ErrorMessage, Loading, Notice, QueryError } from '../../components/Feedback';
import { Card, Field } from '../../components/Form';
import { useToast } from '../../components/Toast';
import { ClosureStatusList } from '../settings/closure/ClosureStatusList';

export function ClosureReviewPanel({ ticket, timeZone }: { ticket: Ticket; timeZone: string }) {
  const queryClient = useQueryClient();
  const toast = useToast();
  const review = useClosureReview(ticket.Id);
  const [confirming, setConfirming] = useState(false);
  const [note, setNote] = useState('');
  const [refusal, setRefusal] = useState<string | null>(null);
  const refresh = () =>
    Promise.all([queryClient.invalidateQueries({ queryKey: closureKeys.review(ticket.Id) }), queryClient.invalidateQueries({ queryKey: ticketKeys.all(null) })]);
  const close = useMutation({
    mutationFn: () => api.post<Ticket>(`/api/v1/operator/tickets/${ticket.Id}/resolve`, note.trim() ? { Message: note } : {}),
    onSuccess: async (done) => {
      setRefusal(null);
      toast.success(`Ticket #${done.Id}: the accounts are closed; the ticket is resolved.`);
      await refresh();
    },
    onError: async (e) => {
      // Some accounts stay blocked: the ones eligible are closed all the same, so read it all again.
      setRefusal(errorDetail(e));
      await refresh();
    },
  });

  const items = review.data?.Items ?? [];
  const eligible = items.filter((i) => i.ClosedDate === null && i.Eligible);
  const open = ticket.Status === 'OPEN' || ticket.Status === 'IN_REVIEW';
  return (
    <Card title="Final review" testId="closure-review">
      {review.isPending ? <Loading /> : review.isError ? <QueryError error={review.error} onRetry={() => void review.refetch()} /> : null}
      {review.data ? (
        <>
          <p className="muted small">Each account as it is now: no contract in force, no funds, no pending action that would still earn.</p>
          <ClosureStatusList items={items} timeZone={timeZone} testId="closure-review-accounts" />
          {review.data.DeleteMemberAccount ? (
            <p data-testid="closure-delete-login">
              The requester also asks to delete their own login: <strong>{review.data.DeleteMemberAccount.Name}</strong>{' '}
              <span className="muted small">user #{review.data.DeleteMemberAccount.UserId}</span>.
            </p>
          ) : (
            <p className="muted">The requester keeps their own login.</p>
          )}
          {refusal ? <ErrorMessage>{refusal}</ErrorMessage> : null}
          {open ? (
            <div className="button-row">
              <button type="button" className="btn btn-danger" disabled={eligible.length === 0 || close.isPending} onClick={() => setConfirming(true)}>
                Close eligible accounts{eligible.length ? ` (${eligible.length})` : ''}
              </button>
              <button type="button" className="btn" disabled={review.isFetching} onClick={() => void review.refetch()}>
                Check again
              </button>
            </div>
          ) : null}
          {open && eligible.length === 0 && items.some((i) => i.ClosedDate === null) ? (
            <Notice kind="warning">No account can be closed now: each is blocked as said above. The requester is told by the thread; keep the ticket in review.</Notice>
          ) : null}
        </>
      ) : null}
      {confirming ? (
        <ConfirmDialog
          title={`Close ${eligible.length === 1 ? eligible[0]!.Name : `${eligible.length} accounts`}?`}
          confirmLabel="Close for good"
          danger
          testId="closure-review-confirm"
          onConfirm={() => close.mutateAsync().catch(() => undefined)}
          onClose={() => setConfirming(false)}
        >
          <p>
            <strong>This cannot be undone.</strong> {eligible.map((i) => i.Name).join(', ')}: the users lose access, credentials stop working, the personal data is erased
            and cannot be retrieved, open contracts end and links track nothing.
            {review.data?.DeleteMemberAccount ? ` The login of ${review.data.DeleteMemberAccount.Name} is deleted too.` : ''}
          </p>
          {items.some((i) => i.ClosedDate === null && !i.Eligible) ? <p>Accounts still blocked stay open; the ticket stays in review for them.</p> : null}
          <Field label="Note to the requester (optional)">
            <textarea className="input" rows={2} value={note} onChange={(e) => setNote(e.target.value)} />
          </Field>
        </ConfirmDialog>
      ) : null}
    </Card>
  );
}
