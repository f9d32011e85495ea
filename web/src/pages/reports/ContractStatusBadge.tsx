import type { Contract } from '../../api/types';
import { Badge } from '../../components/Form';

export function ContractStatusBadge({ contract }: { contract: Pick<Contract, 'status' | 'endAt'> }) {
  if (contract.status === 'EXPIRED') return <Badge tone="gray">EXPIRED</Badge>;
  return contract.endAt ? (
    <Badge tone="amber" title="Active until its end date">
      ACTIVE
    </Badge>
  ) : (
    <Badge tone="green">ACTIVE</Badge>
  );
}
