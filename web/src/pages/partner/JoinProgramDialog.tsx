import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { errorDetail } from '../../api/client';
import { useEventTypes, useTemplateTerms } from '../../api/queries';
import { useAccount, useAccountApi } from '../../api/session';
import type { AcceptTermsBody, Contract } from '@contract/contracts';
import type { Program } from '@contract/programs';
import { Dialog } from '../../components/Dialog';
import { ErrorMessage, Loading, Notice, QueryError } from '../../components/Feedback';
import { useToast } from '../../components/Toast';
import { TermsSummary } from '../shared/TermsSummary';

/** Join a program: pick one of its template terms, review, accept → a new ACTIVE contract. */
export function JoinProgramDialog({ program, current, onClose }: { program: Program; current?: Contract; onClose: () => void }) {
  const account = useAccount();
  const http = useAccountApi();
  const queryClient = useQueryClient();
  const toast = useToast();
  const terms = useTemplateTerms(program.Id);
  const eventTypes = useEventTypes(program.Id);
  const [chosenId, setChosenId] = useState<number | null>(null);
  const [step, setStep] = useState<'choose' | 'confirm'>('choose');

  const offered = (terms.data ?? []).filter((t) => t.Status === 'ACTIVE');
  const chosen = offered.find((t) => t.Id === chosenId) ?? null;

  const accept = useMutation({
    mutationFn: (templateTermsId: number) => http.post<Contract>('/api/v1/contracts', { TemplateTermsId: templateTermsId } satisfies AcceptTermsBody),
    onSuccess: async (contract) => {
      toast.success(`Contract ${contract.Id} created: you joined ${contract.CampaignName} on “${contract.TemplateTermsName}”.`);
      await queryClient.invalidateQueries({ queryKey: ['account', account.Id, 'contracts'] });
      onClose();
    },
  });

  return (
    <Dialog
      title={step === 'choose' ? `Join ${program.Name}` : 'Review and accept'}
      size="lg"
      testId="join-program-dialog"
      onClose={onClose}
      onSubmit={() => {
        if (step === 'choose' && chosen) setStep('confirm');
        else if (step === 'confirm' && chosen) accept.mutate(chosen.Id);
      }}
      footer={
        step === 'choose' ? (
          <>
            <button type="button" className="btn" onClick={onClose}>
              Cancel
            </button>
            <button type="submit" className="btn btn-primary" disabled={!chosen}>
              Continue
            </button>
          </>
        ) : (
          <>
            <button type="button" className="btn" onClick={() => setStep('choose')} disabled={accept.isPending}>
              Back
            </button>
            <button type="submit" className="btn btn-primary" disabled={accept.isPending}>
              {accept.isPending ? 'Accepting…' : 'Accept terms and join'}
            </button>
          </>
        )
      }
    >
      {step === 'choose' ? (
        <>
          <p className="muted">
            {program.BrandName} · {program.Currency} · {program.TimeZone}. Choose the terms you want to work on.
          </p>
          {terms.isPending ? (
            <Loading />
          ) : terms.isError ? (
            <QueryError error={terms.error} onRetry={() => void terms.refetch()} />
          ) : offered.length === 0 ? (
            <Notice kind="warning">This program offers no terms at the moment.</Notice>
          ) : (
            <fieldset className="choice-list">
              <legend className="visually-hidden">Template terms</legend>
              {offered.map((t) => {
                const isCurrent = current?.TemplateTermsId === t.Id;
                return (
                  <label key={t.Id} className={`choice ${chosenId === t.Id ? 'choice-selected' : ''} ${isCurrent ? 'choice-disabled' : ''}`}>
                    <input
                      type="radio"
                      name="terms"
                      value={t.Id}
                      disabled={isCurrent}
                      checked={chosenId === t.Id}
                      onChange={() => setChosenId(t.Id)}
                    />
                    <div className="choice-body">
                      <div className="choice-title">
                        {t.Name}
                        {isCurrent ? <span className="muted small"> · your current terms</span> : null}
                      </div>
                      <TermsSummary terms={t.Terms} currency={program.Currency} eventTypes={eventTypes.data} />
                    </div>
                  </label>
                );
              })}
            </fieldset>
          )}
        </>
      ) : chosen ? (
        <>
          <p>
            You are accepting <strong>{chosen.Name}</strong> of <strong>{program.Name}</strong> ({program.BrandName}). This
            creates a contract for {account.Name}, starting now. Contracts cannot be edited: new terms make a new contract.
          </p>
          {current ? (
            <Notice kind="warning">
              Your current contract {current.Id} on “{current.TemplateTermsName}” ends now, with termination reason REPLACED.
            </Notice>
          ) : null}
          <TermsSummary terms={chosen.Terms} currency={program.Currency} eventTypes={eventTypes.data} />
          {accept.isError ? <ErrorMessage>{errorDetail(accept.error)}</ErrorMessage> : null}
        </>
      ) : null}
    </Dialog>
  );
}
