import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import { useBrandPartners } from '../../api/actions';
import { usePrograms } from '../../api/queries';
import { useAccount, useAccountApi, useAccountKey } from '../../api/session';
import type { Page } from '@contract/common';
import type { Contract } from '@contract/contracts';
import { CONTRACT_SORTS, TERMINATION_REASONS } from '@contract/enums';
import { columnsFor, DataTable, type ServerTableState } from '../../components/DataTable';
import { DownloadButtons } from '../../components/DownloadButton';
import { PageHeader } from '../../components/Form';
import { Menu } from '../../components/Menu';
import { ContractDate } from '../shared/actions/ContractDate';
import { tableStateToParams, useSearchState } from '../../lib/searchState';
import { ContractDetailsDialog } from './ContractDetailsDialog';
import { ContractStatusBadge } from './ContractStatusBadge';
import { ExpireContractDialog } from './ExpireContractDialog';
import { ReportActions } from './ReportActions';
import { labelWithCode, terminationReasonLabel } from '../../lib/labels';

const STATUS_OPTIONS = [
  ['ALL', 'All'],
  ['ACTIVE', 'Show only current active contracts'],
  ['EXPIRED', 'Show only expired contracts'],
] as const;
type StatusFilter = (typeof STATUS_OPTIONS)[number][0];

const SORT_KEYS: readonly string[] = CONTRACT_SORTS;
const PAGE_SIZES = [10, 25, 50, 100];
const NO_ROWS: Contract[] = [];
const col = columnsFor<Contract>();

/** Filter, sort and page live in the URL: reload or share the link and the report stays the same. */
function useReportParams() {
  const { params, update } = useSearchState();
  const status = (STATUS_OPTIONS.find(([v]) => v === params.get('status'))?.[0] ?? 'ALL') as StatusFilter;
  const reason = TERMINATION_REASONS.find((r) => r === params.get('terminationReason')) ?? '';
  const programId = /^\d+$/.test(params.get('programId') ?? '') ? params.get('programId')! : '';
  const partnerAccountId = /^[1-9]\d{0,9}$/.test(params.get('partnerAccountId') ?? '') ? params.get('partnerAccountId')! : '';
  const page = Math.max(1, Number(params.get('page')) || 1);
  const pageSize = PAGE_SIZES.includes(Number(params.get('pageSize'))) ? Number(params.get('pageSize')) : 25;
  const sort = SORT_KEYS.includes(params.get('sort') ?? '') ? params.get('sort')! : 'StartDate';
  const order: 'asc' | 'desc' = params.get('order') === 'asc' ? 'asc' : 'desc';
  return { status, reason, programId, partnerAccountId, page, pageSize, sort, order, update };
}

export function ContractHistoryPage() {
  const account = useAccount();
  const http = useAccountApi();
  const key = useAccountKey();
  const programs = usePrograms();
  const { status, reason, programId, partnerAccountId, page, pageSize, sort, order, update } = useReportParams();
  const [viewing, setViewing] = useState<Contract | null>(null);
  const [expiring, setExpiring] = useState<Contract | null>(null);
  const isPartner = account.Kind === 'PARTNER';
  const partners = useBrandPartners(!isPartner);

  // The filters and sort, as the report and its exports (CSV, Excel, PDF) take them.
  const filter = { programId, partnerAccountId: isPartner ? '' : partnerAccountId, status, terminationReason: reason, sort, order };
  const query = { ...filter, page, pageSize };
  const contracts = useQuery({
    queryKey: key('contracts', 'history', query),
    queryFn: () => http.get<Page<Contract>>('/api/v1/contracts', query),
    placeholderData: keepPreviousData,
  });

  // Programs for the filter: the account's programs, plus any program seen in the report.
  const programOptions = useMemo(() => {
    const map = new Map<number, string>();
    for (const p of programs.data ?? []) map.set(p.Id, isPartner ? `${p.Name} (${p.BrandName})` : p.Name);
    for (const c of contracts.data?.Items ?? []) if (!map.has(c.CampaignId)) map.set(c.CampaignId, c.CampaignName);
    return [...map.entries()].sort((a, b) => a[1].localeCompare(b[1]));
  }, [programs.data, contracts.data, isPartner]);

  const columns = useMemo(
    () => [
      col.accessor('Id', { header: 'Contract Id', meta: { className: 'num', width: 110 } }),
      col.accessor('CampaignName', { header: 'Program' }),
      isPartner
        ? col.accessor('BrandName', { header: 'Brand' })
        : col.accessor('MediaPartnerName', { header: 'Partner' }),
      col.accessor('TemplateTermsName', { header: 'Terms', enableSorting: false }),
      col.accessor('StartDate', {
        header: 'Start',
        cell: (info) => <ContractDate iso={info.getValue()} timeZone={info.row.original.ProgramTimeZone} />,
        meta: { className: 'nowrap' },
      }),
      col.accessor('EndDate', {
        header: 'End',
        cell: (info) => <ContractDate iso={info.getValue()} timeZone={info.row.original.ProgramTimeZone} testId="contract-end" />,
        meta: { className: 'nowrap' },
      }),
      col.accessor('Status', {
        header: 'Status',
        enableSorting: false,
        cell: ({ row }) => <ContractStatusBadge contract={row.original} />,
      }),
      col.accessor('TerminationReason', {
        header: 'Termination Reason',
        cell: (info) => <span title={info.getValue()}>{terminationReasonLabel(info.getValue())}</span>,
      }),
      col.display({
        id: 'view',
        header: 'View',
        meta: { align: 'right', width: 90 },
        cell: ({ row }) => {
          const c = row.original;
          return (
            <Menu
              label="View"
              ariaLabel={`View contract ${c.Id}`}
              testId={`view-menu-${c.Id}`}
              items={[
                { label: 'Contract details', onSelect: () => setViewing(c) },
                {
                  label: 'Actions',
                  items: [
                    {
                      label: 'Expire',
                      danger: true,
                      disabled: c.Status === 'EXPIRED',
                      disabledReason: c.Status === 'EXPIRED' ? 'Already expired' : undefined,
                      onSelect: () => setExpiring(c),
                    },
                  ],
                },
              ]}
            />
          );
        },
      }),
    ],
    [isPartner],
  );

  const tableState: ServerTableState = {
    pageIndex: page - 1,
    pageSize,
    sorting: [{ id: sort, desc: order === 'desc' }],
    search: '',
  };
  const filtered = status !== 'ALL' || reason !== '' || programId !== '' || (!isPartner && partnerAccountId !== '');

  const toolbar = (
    <div className="filters">
      <label className="filter">
        <span className="filter-label">Program</span>
        <select className="select" value={programId} onChange={(e) => update({ programId: e.target.value, page: null })}>
          <option value="">All programs</option>
          {programOptions.map(([id, name]) => (
            <option key={id} value={id}>
              {name}
            </option>
          ))}
        </select>
      </label>
      {isPartner ? null : (
        <label className="filter">
          <span className="filter-label">Partner</span>
          <select className="select" value={partnerAccountId} onChange={(e) => update({ partnerAccountId: e.target.value, page: null })}>
            <option value="">All partners</option>
            {(partners.data ?? []).map((x) => (
              <option key={x.MediaPartnerId} value={x.MediaPartnerId}>
                {x.MediaPartnerName}
              </option>
            ))}
          </select>
        </label>
      )}
      <label className="filter">
        <span className="filter-label">Contract Status</span>
        <select className="select" value={status} onChange={(e) => update({ status: e.target.value === 'ALL' ? null : e.target.value, page: null })}>
          {STATUS_OPTIONS.map(([v, label]) => (
            <option key={v} value={v}>
              {label}
            </option>
          ))}
        </select>
      </label>
      <label className="filter">
        <span className="filter-label">Contract Termination Reason</span>
        <select className="select" value={reason} onChange={(e) => update({ terminationReason: e.target.value, page: null })}>
          <option value="">All reasons</option>
          {TERMINATION_REASONS.map((r) => (
            <option key={r} value={r}>
              {labelWithCode(terminationReasonLabel(r), r)}
            </option>
          ))}
        </select>
      </label>
      {filtered ? (
        <button type="button" className="btn btn-link" onClick={() => update({ programId: null, partnerAccountId: null, status: null, terminationReason: null, page: null })}>
          Clear filters
        </button>
      ) : null}
    </div>
  );

  return (
    <div className="page">
      <PageHeader
        title="Contract History"
        subtitle={`Contracts of ${account.Name} with ${isPartner ? 'brands' : 'partners'}: current and past. Dates are in each program's time zone, as both parties see them.`}
        actions={
          <>
            <DownloadButtons
              path="/api/v1/contracts/export"
              query={filter}
              accountId={account.Id}
              fallbackName="contract-history"
              description="the contracts matching the filters"
            />
            <ReportActions report={{ Id: 'contract-history', Title: 'Contract History' }} filters={filter} />
          </>
        }
      />
      <section className="card" aria-labelledby="signed-contracts-heading">
        <div className="card-header">
          <h2 className="card-title" id="signed-contracts-heading">
            Signed Contracts
          </h2>
        </div>
        <DataTable
          label="Signed Contracts"
          testId="contract-history"
          columns={columns}
          data={contracts.data?.Items ?? NO_ROWS}
          getRowId={(c) => String(c.Id)}
          rowTestId={(c) => `contract-row-${c.Id}`}
          itemName={['contract', 'contracts']}
          toolbar={toolbar}
          loading={contracts.isPending}
          refreshing={contracts.isFetching && !contracts.isPending}
          error={contracts.error}
          onRetry={() => void contracts.refetch()}
          emptyMessage={filtered ? 'No contracts match these filters.' : 'No contracts yet.'}
          pageSizeOptions={PAGE_SIZES}
          server={{
            rowCount: contracts.data?.Total ?? 0,
            state: tableState,
            onStateChange: (next) =>
              update(tableStateToParams(next)),
          }}
        />
      </section>
      {viewing ? <ContractDetailsDialog contract={viewing} onClose={() => setViewing(null)} /> : null}
      {expiring ? <ExpireContractDialog contract={expiring} onClose={() => setExpiring(null)} /> : null}
    </div>
  );
}
