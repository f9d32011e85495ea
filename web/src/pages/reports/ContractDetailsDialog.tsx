import { labelWithCode, terminationReasonLabel } from '../../lib/labels';
import { useEventTypes } from '../../api/queries';
import type { Contract } from '@contract/contracts';
import { Dialog } from '../../components/Dialog';
import { Details } from '../../components/Form';
import { ContractDateTime } from '../shared/actions/ContractDate';
import { TermsSummary } from '../shared/TermsSummary';
import { ContractStatusBadge } from './ContractStatusBadge';

export function ContractDetailsDialog({ contract, onClose }: { contract: Contract; onClose: () => void }) {
  const eventTypes = useEventTypes(contract.CampaignId);
  return (
    <Dialog
      title={`Contract ${contract.Id}`}
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
          ['Program', `${contract.CampaignName} (program ${contract.CampaignId})`],
          ['Brand', contract.BrandName],
          ['Partner', contract.MediaPartnerName],
          ['Terms', `${contract.TemplateTermsName} (terms ${contract.TemplateTermsId})`],
          ['Currency', contract.Currency],
          ['Start', <ContractDateTime key="start" iso={contract.StartDate} timeZone={contract.ProgramTimeZone} />],
          ['End', <ContractDateTime key="end" iso={contract.EndDate} timeZone={contract.ProgramTimeZone} />],
          ['Status', <ContractStatusBadge key="s" contract={contract} />],
          ['Termination reason', <span key="r">{labelWithCode(terminationReasonLabel(contract.TerminationReason), contract.TerminationReason)}</span>],
        ]}
      />
      <h3 className="subhead">Terms of this contract</h3>
      <TermsSummary terms={contract.Terms} currency={contract.Currency} eventTypes={eventTypes.data} />
    </Dialog>
  );
}
