import { useMemo, useState } from 'react';
import { Link } from 'react-router';
import { useActiveContracts, usePrograms } from '../../api/queries';
import { useAccount, useSession } from '../../api/session';
import type { Contract } from '@contract/contracts';
import type { Program } from '@contract/programs';
import { columnsFor, DataTable } from '../../components/DataTable';
import { Badge, Card, PageHeader } from '../../components/Form';
import { formatDate } from '../../lib/format';
import { BalanceCards } from '../shared/Balances';
import { PartnerPerformance } from '../home/LazyCharts';
import { PinnedReports } from '../home/PinnedReports';
import { Kpi, Kpis } from '../shared/Kpi';
import { JoinProgramDialog } from './JoinProgramDialog';
import { NextPayoutCard } from './NextPayoutCard';

const NO_CONTRACTS: Contract[] = [];
const NO_PROGRAMS: Program[] = [];
const contractCol = columnsFor<Contract>();
const programCol = columnsFor<Program>();

export function PartnerHome() {
  const account = useAccount();
  const { me } = useSession();
  const programs = usePrograms();
  const active = useActiveContracts();
  const [joining, setJoining] = useState<Program | null>(null);
  const firstName = me.User.Name.split(' ')[0] ?? me.User.Name;

  const contracts = active.data?.Items ?? NO_CONTRACTS;
  const byProgram = useMemo(() => new Map(contracts.map((c) => [c.CampaignId, c])), [contracts]);
  const brands = new Set(contracts.map((c) => c.BrandAccountId));

  const contractColumns = useMemo(
    () => [
      contractCol.accessor('Id', { header: 'Contract Id', meta: { className: 'num', width: 110 } }),
      contractCol.accessor('CampaignName', { header: 'Program' }),
      contractCol.accessor('BrandName', { header: 'Brand' }),
      contractCol.accessor('TemplateTermsName', { header: 'Terms' }),
      contractCol.accessor('StartDate', {
        header: 'Since',
        cell: (info) => formatDate(info.getValue(), account.TimeZone),
        meta: { className: 'nowrap' },
      }),
      contractCol.accessor('EndDate', {
        header: 'Ends',
        cell: (info) => (info.getValue() ? formatDate(info.getValue(), account.TimeZone) : <span className="muted">—</span>),
        meta: { className: 'nowrap' },
      }),
    ],
    [account.TimeZone],
  );

  const programColumns = useMemo(
    () => [
      programCol.accessor('Name', { header: 'Program', cell: (info) => <strong>{info.getValue()}</strong> }),
      programCol.accessor('BrandName', { header: 'Brand' }),
      programCol.accessor('Currency', { header: 'Currency', meta: { width: 90 } }),
      programCol.accessor('TimeZone', { header: 'Time zone' }),
      programCol.display({
        id: 'contract',
        header: 'Your contract',
        cell: ({ row }) => {
          const c = byProgram.get(row.original.Id);
          return c ? (
            <Badge tone="green" title={`Contract ${c.Id}`}>
              Active · {c.TemplateTermsName}
            </Badge>
          ) : (
            <span className="muted">Not joined</span>
          );
        },
      }),
      programCol.display({
        id: 'actions',
        header: () => <span className="visually-hidden">Actions</span>,
        meta: { align: 'right', width: 130 },
        cell: ({ row }) => {
          const joined = byProgram.has(row.original.Id);
          return (
            <button
              type="button"
              className={`btn btn-sm ${joined ? '' : 'btn-primary'}`}
              onClick={() => setJoining(row.original)}
              aria-label={`${joined ? 'Change terms of' : 'Join'} ${row.original.Name}`}
            >
              {joined ? 'Change terms' : 'Join'}
            </button>
          );
        },
      }),
    ],
    [byProgram],
  );

  return (
    <div className="page">
      <PageHeader
        title={`Welcome back, ${firstName}`}
        subtitle={`${account.Name} · Partner account · ${account.Currency} · ${account.TimeZone}`}
        actions={
          <>
            <Link to="/reports/contract-history" className="btn">
              Contract History
            </Link>
            <Link to="/transactions/actions" className="btn">
              Actions
            </Link>
            <Link to="/transactions/links" className="btn btn-primary">
              Tracking links
            </Link>
          </>
        }
      />
      <Kpis>
        <Kpi label="Active contracts" value={active.data?.Total ?? '—'} testId="kpi-active-contracts" />
        <Kpi label="Brands you work with" value={active.data ? brands.size : '—'} />
        <Kpi label="Programs open to join" value={programs.data?.length ?? '—'} />
      </Kpis>
      <BalanceCards />
      <PinnedReports />
      <PartnerPerformance />
      <NextPayoutCard />
      <div className="stack">
        <Card
          title="Active contracts"
          actions={
            <Link to="/reports/contract-history?status=ACTIVE" className="btn btn-sm">
              View in Contract History
            </Link>
          }
        >
          <DataTable
            label="Active contracts"
            testId="active-contracts"
            columns={contractColumns}
            data={contracts}
            getRowId={(c) => String(c.Id)}
            itemName={['active contract', 'active contracts']}
            loading={active.isPending}
            error={active.error}
            onRetry={() => void active.refetch()}
            emptyMessage="No active contracts. Join a program below to start earning."
            initialPageSize={10}
          />
        </Card>
        <Card title="Programs you can join">
          <DataTable
            label="Programs you can join"
            testId="joinable-programs"
            columns={programColumns}
            data={programs.data ?? NO_PROGRAMS}
            getRowId={(p) => String(p.Id)}
            itemName={['program', 'programs']}
            loading={programs.isPending}
            error={programs.error}
            onRetry={() => void programs.refetch()}
            search={{ placeholder: 'Search programs or brands' }}
            emptyMessage="No programs are open to join right now."
            rowTestId={(p) => `program-row-${p.Id}`}
            initialPageSize={10}
          />
        </Card>
      </div>
      {joining ? <JoinProgramDialog program={joining} current={byProgram.get(joining.Id)} onClose={() => setJoining(null)} /> : null}
    </div>
  );
}
