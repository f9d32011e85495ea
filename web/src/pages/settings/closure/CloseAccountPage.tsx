/**
 * Settings → Account → Close account: a partner admin chooses the partner accounts to close
 * (any they administer, together), then walks the help page's three steps for all of them:
 * expire the contracts, clear the balance, ask for the closure in one ticket. Each step says
 * what still blocks the closure; the operator's final review checks it all again.
 */
import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link, useSearchParams } from 'react-router';
import { closureKeys, useClosureEligibility } from '../../../api/closure';
import { useAccount, useSession } from '../../../api/session';
import { Loading, Notice, QueryError } from '../../../components/Feedback';
import { Card, PageHeader } from '../../../components/Form';
import '../../../styles/closure.css';
import { ClearFundsStep } from './ClearFundsStep';
import { ExpireContractsStep } from './ExpireContractsStep';
import { RequestClosureStep } from './RequestClosureStep';
import { CLOSURE_STEPS, stepBlockers, type ClosureStep } from './steps';

function idsOf(text: string | null): number[] {
  return [...new Set((text ?? '').split(',').filter((id) => /^[1-9]\d{0,9}$/.test(id)).map(Number))];
}

/** The partner accounts the user administers: the ones they may close. */
function useClosableAccounts() {
  const { me } = useSession();
  return me.Accounts.filter((a) => a.Kind === 'PARTNER' && a.Role === 'ADMIN');
}

function ChooseAccounts({ initial, onChoose }: { initial: number[]; onChoose: (ids: number[]) => void }) {
  const closable = useClosableAccounts();
  const [chosen, setChosen] = useState<Set<number>>(() => new Set(initial.filter((id) => closable.some((a) => a.Id === id))));
  const toggle = (id: number, on: boolean) =>
    setChosen((before) => {
      const next = new Set(before);
      if (on) next.add(id);
      else next.delete(id);
      return next;
    });
  return (
    <Card title="Which accounts do you want to close?">
      <form
        onSubmit={(event) => {
          event.preventDefault();
          onChoose(closable.filter((a) => chosen.has(a.Id)).map((a) => a.Id));
        }}
      >
        <fieldset className="closure-choice">
          <legend>Partner accounts you administer. The same steps and one ticket close all the ones you choose.</legend>
          {closable.map((a) => (
            <label key={a.Id} className="checkbox">
              <input type="checkbox" checked={chosen.has(a.Id)} onChange={(e) => toggle(a.Id, e.target.checked)} />
              <span>
                {a.Name} <span className="muted small">#{a.Id}</span>
              </span>
            </label>
          ))}
        </fieldset>
        <div className="button-row">
          <button type="submit" className="btn btn-primary" disabled={chosen.size === 0}>
            Continue with {chosen.size === 1 ? '1 account' : `${chosen.size} accounts`}
          </button>
        </div>
      </form>
    </Card>
  );
}

export function CloseAccountPage() {
  const account = useAccount();
  const closable = useClosableAccounts();
  const queryClient = useQueryClient();
  const [params, setParams] = useSearchParams();
  const ids = idsOf(params.get('accounts')).filter((id) => closable.some((a) => a.Id === id));
  const step = (CLOSURE_STEPS.find((s) => String(s.step) === params.get('step'))?.step ?? 1) as ClosureStep;
  // Any of the user's accounts may ask; the current one when it is chosen, so the tickets land where the user is.
  const acting = ids.includes(account.Id) ? account.Id : (ids[0] ?? account.Id);
  const eligibility = useClosureEligibility(acting, ids);
  const refresh = () => queryClient.invalidateQueries({ queryKey: closureKeys.all });
  const go = (next: { accounts?: number[]; step?: number }) => {
    const p = new URLSearchParams();
    const accounts = next.accounts ?? ids;
    if (accounts.length) p.set('accounts', accounts.join(','));
    if (accounts.length && next.step) p.set('step', String(next.step));
    setParams(p);
  };

  const header = (
    <PageHeader
      title="Close partner accounts"
      subtitle={
        <>
          Closing is for good: follow the three steps, and the support team closes the accounts after a final review. <Link to="/settings/account">Back to Account</Link>
        </>
      }
    />
  );
  if (closable.length === 0) {
    return (
      <div className="page">
        {header}
        <Notice kind="warning">Only an admin of a partner account can close it, and you administer none. Ask an admin of the account.</Notice>
      </div>
    );
  }
  if (ids.length === 0) {
    return (
      <div className="page">
        {header}
        <ChooseAccounts initial={params.has('choose') ? idsOf(params.get('choose')) : account.Role === 'ADMIN' && account.Kind === 'PARTNER' ? [account.Id] : []} onChoose={(accounts) => go({ accounts, step: 1 })} />
      </div>
    );
  }

  const items = eligibility.data?.Items ?? [];
  const names = ids.map((id) => closable.find((a) => a.Id === id)?.Name ?? `#${id}`);
  return (
    <div className="page closure-page">
      {header}
      <p className="closure-chosen">
        Closing <strong>{names.join(', ')}</strong>.{' '}
        <button type="button" className="btn btn-link btn-sm" onClick={() => setParams(new URLSearchParams({ choose: ids.join(',') }))}>
          Change
        </button>
      </p>
      <nav aria-label="Closure steps">
        <ol className="steps closure-steps">
          {CLOSURE_STEPS.map((s) => {
            const open = items.length > 0 && stepBlockers(s.step, items).length > 0;
            return (
              <li key={s.step} className={`step ${s.step === step ? 'step-current' : open ? '' : 'step-done'}`}>
                <button type="button" className="step-button" aria-current={s.step === step ? 'step' : undefined} onClick={() => go({ step: s.step })}>
                  {s.step}. {s.title}
                  {items.length > 0 ? <span className="visually-hidden">{open ? ' (still to do)' : ' (nothing blocks it)'}</span> : null}
                </button>
              </li>
            );
          })}
        </ol>
      </nav>
      {eligibility.isPending ? (
        <Loading />
      ) : eligibility.isError ? (
        <QueryError error={eligibility.error} onRetry={() => void eligibility.refetch()} />
      ) : (
        <>
          {step === 1 ? <ExpireContractsStep items={items} onChanged={refresh} /> : null}
          {step === 2 ? <ClearFundsStep items={items} /> : null}
          {step === 3 ? <RequestClosureStep items={items} actingAccountId={acting} /> : null}
          <StepFooter step={step} blockers={stepBlockers(step, items)} onGo={(s) => go({ step: s })} />
        </>
      )}
    </div>
  );
}

/** What the step still has to do before the closure can be asked for, and the way to the next step. */
function StepFooter({ step, blockers, onGo }: { step: ClosureStep; blockers: string[]; onGo: (step: ClosureStep) => void }) {
  return (
    <div className="closure-footer" data-testid="step-blockers">
      {step < 3 ? (
        blockers.length ? (
          <Notice kind="warning">
            <strong>Still blocks the closure:</strong>
            <ul className="closure-blockers">
              {blockers.map((b) => (
                <li key={b}>{b}</li>
              ))}
            </ul>
          </Notice>
        ) : (
          <Notice kind="success">Step {step} is done: nothing here blocks the closure.</Notice>
        )
      ) : null}
      <div className="button-row">
        {step > 1 ? (
          <button type="button" className="btn" onClick={() => onGo((step - 1) as ClosureStep)}>
            Back to step {step - 1}
          </button>
        ) : null}
        {step < 3 ? (
          <button type="button" className={`btn ${blockers.length ? '' : 'btn-primary'}`} onClick={() => onGo((step + 1) as ClosureStep)}>
            Go to step {step + 1}
          </button>
        ) : null}
      </div>
    </div>
  );
}
