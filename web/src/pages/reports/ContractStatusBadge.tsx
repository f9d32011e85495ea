import type { Contract } from '@contract/contracts';
import { Badge } from '../../components/Form';

export function ContractStatusBadge({ contract }: { contract: Pick<Contract, 'Status' | 'EndDate'> }) {
  if (contract.Status === 'EXPIRED') return <Badge tone="gray">Expired</Badge>;
  return contract.EndDate ? (
    <Badge tone="amber" title="Active until its end date">
      Active
    </Badge>
  ) : (
    <Badge tone="green">Active</Badge>
  );
}
