/** Step 1: every chosen account's contracts in force, each with Expire (the Contract History report's dialog). */
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import type { Contract } from '@contract/contracts';
import type { MeAccount } from '@contract/session';
import type { ClosureEligibilityItem } from '../../../api/closure';
import { accountApi } from '../../../api/client';
import { useSession } from '../../../api/session';
import { AccountLink } from '../../../components/AccountLink';
import { Loading, QueryError } from '../../../components/Feedback';
import { Card } from '../../../components/Form';
import { ExpireContractDialog } from '../../reports/ExpireContractDialog';
import { ACTIVE_CONTRACTS_PATH } from './steps';

/** Loads the contract as its account sees it, then asks how to expire it. */
function ExpireFromClosure({ account, contractId, onClose, onExpired }: { account: MeAccount; contractId: number; onClose: () => void; onExpired: () => void }) {
  const contract = useQuery({
    queryKey: ['account', account.Id, 'contracts', 'one', contractId],
    queryFn: () => accountApi(account.Id).get<Contract>(`/api/v1/contracts/${contractId}`),
  });
  if (contract.isPending) return <Loading />;
  if (contract.isError) return <QueryError error={contract.error} onRetry={() => void contract.refetch()} />;
  return <ExpireContractDialog contract={contract.data} account={account} onClose={onClose} onExpired={onExpired} />;
}

export function ExpireContractsStep({ items, onChanged }: { items: ClosureEligibilityItem[]; onChanged: () => void }) {
  const { me } = useSession();
  const [expiring, setExpiring] = useState<{ account: MeAccount; contractId: number } | null>(null);
  return (
    <Card title="Step 1: Expire your contracts" testId="closure-step-1">
      <p>
        An account with a contract in force cannot be closed. Expire each one here, or from the account's Contract History report (every program, contracts in
        force, still active: View → Actions → Expire). After expiry, conversions earn nothing; actions already tracked keep their locking dates.
      </p>
      {items.map((item) => {
        const account = me.Accounts.find((a) => a.Id === item.AccountId);
        return (
          <section key={item.AccountId} className="closure-account" aria-label={item.Name} data-testid={`closure-contracts-${item.AccountId}`}>
            <h3 className="subhead">{item.Name}</h3>
            {item.ActiveContracts.length === 0 ? (
              <p className="muted">No contract in force.</p>
            ) : (
              <ul className="closure-list">
                {item.ActiveContracts.map((c) => (
                  <li key={c.ContractId}>
                    <span>
                      {c.CampaignName} <span className="muted small">contract {c.ContractId}</span>
                    </span>
                    {account ? (
                      <button
                        type="button"
                        className="btn btn-sm btn-danger-ghost"
                        aria-label={`Expire contract ${c.ContractId} (${c.CampaignName}) of ${item.Name}`}
                        onClick={() => setExpiring({ account, contractId: c.ContractId })}
                      >
                        Expire
                      </button>
                    ) : null}
                  </li>
                ))}
              </ul>
            )}
            <AccountLink accountId={item.AccountId} to={ACTIVE_CONTRACTS_PATH} className="small">
              Contract History of {item.Name}: contracts in force
            </AccountLink>
          </section>
        );
      })}
      {expiring ? <ExpireFromClosure account={expiring.account} contractId={expiring.contractId} onClose={() => setExpiring(null)} onExpired={onChanged} /> : null}
    </Card>
  );
}
