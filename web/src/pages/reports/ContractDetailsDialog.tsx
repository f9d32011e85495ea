import { useEventTypes } from '../../api/queries';
import { useAccount } from '../../api/session';
import type { Contract } from '../../api/types';
import { Dialog } from '../../components/Dialog';
import { Details } from '../../components/Form';
import { formatDateTime } from '../../lib/format';
import { TermsSummary } from '../shared/TermsSummary';
import { ContractStatusBadge } from './ContractStatusBadge';

export function ContractDetailsDialog({ contract, onClose }: { contract: Contract; onClose: () => void }) {
  const account = useAccount();
  const eventTypes = useEventTypes(contract.programId);
  return (
    <Dialog
      title={`Contract ${contract.id}`}
      size="lg"
      testId="contract-details"
      onClose={onClose}
      footer={
        <button type="button" className="btn" onClick={onClose}>
          Close
        </button>
      }
    >
      <Details
        items={[
          ['Program', `${contract.programName} (program ${contract.programId})`],
          ['Brand', contract.brandName],
          ['Partner', contract.partnerName],
          ['Terms', `${contract.templateTermsName} (terms ${contract.templateTermsId})`],
          ['Currency', contract.currency],
          ['Start', formatDateTime(contract.startAt, account.TimeZone)],
          ['End', contract.endAt ? formatDateTime(contract.endAt, account.TimeZone) : '—'],
          ['Status', <ContractStatusBadge key="s" contract={contract} />],
          ['Termination reason', <span key="r" className="mono">{contract.terminationReason}</span>],
        ]}
      />
      <h3 className="subhead">Terms of this contract</h3>
      <TermsSummary terms={contract.terms} currency={contract.currency} eventTypes={eventTypes.data} />
    </Dialog>
  );
}
