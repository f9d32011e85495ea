/**
 * Partner: Transactions → Links. Tracking links with copyable URLs and click counts;
 * create one for a program with an active contract; disable one (final).
 */
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import { Link } from 'react-router';
import { useActiveContracts, useProgram } from '../../api/queries';
import { errorDetail } from '../../api/client';
import { useAccount, useAccountApi, useAccountKey } from '../../api/session';
import type { Page } from '@contract/common';
import type { CreateLinkBody, TrackingLink } from '@contract/tracking';
import { CopyButton } from '../../components/CopyButton';
import { columnsFor, DataTable, type ServerTableState } from '../../components/DataTable';
import { ConfirmDialog } from '../../components/Dialog';
import { ErrorMessage, Notice } from '../../components/Feedback';
import { Badge, Card, CopyField, Field, PageHeader } from '../../components/Form';
import { useToast } from '../../components/Toast';
import { formatDate, formatDateTime } from '../../lib/format';
import { positiveIntParam, tableStateToParams, useSearchState } from '../../lib/searchState';
import { LINK_SORTS } from '@contract/enums';
import { LINK_STATE_LABELS, linkStateLabel } from '../../lib/labels';

const LINK_STATE_TONES: Record<string, 'green' | 'amber' | 'gray' | 'red'> = {
  ACTIVE: 'green',
  CONTRACT_EXPIRED: 'amber',
  BLOCKED: 'amber',
  DISABLED: 'gray',
  PARTNER_CLOSED: 'red',
};

const SORT_KEYS: readonly string[] = LINK_SORTS;
const PAGE_SIZES = [10, 25, 50, 100];
const NO_LINKS: TrackingLink[] = [];
const col = columnsFor<TrackingLink>();
const MAX_LABEL = 200;

function CreateLinkCard({ onCreated }: { onCreated: (link: TrackingLink) => void }) {
  const account = useAccount();
  const http = useAccountApi();
  const queryClient = useQueryClient();
  const toast = useToast();
  const active = useActiveContracts();
  const programs = useMemo(() => {
    const map = new Map<number, string>();
    for (const c of active.data?.Items ?? []) map.set(c.CampaignId, `${c.CampaignName} (${c.BrandName})`);
    return [...map.entries()].sort((a, b) => a[1].localeCompare(b[1]));
  }, [active.data]);
  const [programId, setProgramId] = useState('');
  const [landingUrl, setLandingUrl] = useState('');
  const [label, setLabel] = useState('');
  // The chosen program's allowed landing domains, as a hint (a program made inactive since the contract is not readable: no hint then).
  const program = useProgram(Number(programId), !!programId);
  const domains = programId ? program.data?.LandingDomains : undefined;
  const landingHint =
    domains === undefined ? (
      'Where visitors go after the click is recorded (http or https).'
    ) : domains.length === 0 ? (
      <span data-testid="landing-domains-hint">This program allows no landing domains yet: ask the brand to set them.</span>
    ) : (
      <span data-testid="landing-domains-hint">
        On one of the program's allowed domains: <span className="mono">{domains.join(', ')}</span>
        {domains.some((d) => d.startsWith('*.')) ? ' (*. means any subdomain)' : ''}.
      </span>
    );

  const create = useMutation({
    mutationFn: () =>
      http.post<TrackingLink>('/api/v1/links', {
        CampaignId: Number(programId),
        LandingUrl: landingUrl.trim(),
        ...(label.trim() ? { Label: label.trim() } : {}),
      } satisfies CreateLinkBody),
    onSuccess: async (link) => {
      toast.success(`Link “${link.Label || link.Code}” created for ${link.CampaignName}.`);
      setLandingUrl('');
      setLabel('');
      onCreated(link);
      await queryClient.invalidateQueries({ queryKey: ['account', account.Id, 'links'] });
    },
  });

  if (active.data && programs.length === 0) {
    return (
      <Card title="Create a tracking link">
        <Notice kind="info">
          Links are made for programs you have an active contract with. <Link to="/home">Join a program</Link> first.
        </Notice>
      </Card>
    );
  }

  return (
    <Card title="Create a tracking link" testId="create-link">
      <form
        className="link-form"
        onSubmit={(event) => {
          event.preventDefault();
          create.mutate();
        }}
      >
        <Field label="Program">
          <select className="select" required value={programId} onChange={(e) => setProgramId(e.target.value)}>
            <option value="" disabled>
              {active.isPending ? 'Loading programs…' : 'Choose a program…'}
            </option>
            {programs.map(([id, name]) => (
              <option key={id} value={id}>
                {name}
              </option>
            ))}
          </select>
        </Field>
        <Field label="Landing URL" hint={landingHint}>
          <input className="input" type="url" required maxLength={2000} placeholder="https://shop.example/page" value={landingUrl} onChange={(e) => setLandingUrl(e.target.value)} />
        </Field>
        <Field label="Label" hint="Optional: where you use the link, e.g. “Spring gift guide”.">
          <input className="input" maxLength={MAX_LABEL} value={label} onChange={(e) => setLabel(e.target.value)} />
        </Field>
        <div className="link-form-submit">
          <button type="submit" className="btn btn-primary" disabled={create.isPending || !programId || !landingUrl.trim()}>
            {create.isPending ? 'Creating…' : 'Create link'}
          </button>
        </div>
      </form>
      {create.isError ? <ErrorMessage>{errorDetail(create.error)}</ErrorMessage> : null}
    </Card>
  );
}

export function PartnerLinksPage() {
  const account = useAccount();
  const http = useAccountApi();
  const key = useAccountKey();
  const queryClient = useQueryClient();
  const toast = useToast();
  const { get, update } = useSearchState();
  const active = useActiveContracts();
  const [created, setCreated] = useState<TrackingLink | null>(null);
  const [disabling, setDisabling] = useState<TrackingLink | null>(null);

  const programId = positiveIntParam(get('programId'));
  const status = get('status') === 'ACTIVE' || get('status') === 'DISABLED' ? get('status') : '';
  const page = Math.max(1, Number(get('page')) || 1);
  const pageSize = PAGE_SIZES.includes(Number(get('pageSize'))) ? Number(get('pageSize')) : 25;
  const sort = SORT_KEYS.includes(get('sort')) ? get('sort') : 'CreatedDate';
  const order: 'asc' | 'desc' = get('order') === 'asc' ? 'asc' : 'desc';

  const query = { programId, status, page, pageSize, sort, order };
  const links = useQuery({
    queryKey: key('links', query),
    queryFn: () => http.get<Page<TrackingLink>>('/api/v1/links', query),
    placeholderData: keepPreviousData,
  });

  const programOptions = useMemo(() => {
    const map = new Map<number, string>();
    for (const c of active.data?.Items ?? []) map.set(c.CampaignId, c.CampaignName);
    for (const l of links.data?.Items ?? []) if (!map.has(l.CampaignId)) map.set(l.CampaignId, l.CampaignName);
    return [...map.entries()].sort((a, b) => a[1].localeCompare(b[1]));
  }, [active.data, links.data]);

  const columns = useMemo(
    () => [
      col.accessor('Label', {
        header: 'Label',
        cell: (info) => <strong>{info.getValue() || <span className="muted">No label</span>}</strong>,
      }),
      col.accessor('CampaignName', { header: 'Program' }),
      col.accessor('TrackingUrl', {
        header: 'Tracking URL',
        enableSorting: false,
        cell: (info) => {
          const link = info.row.original;
          return (
            <span className="url-cell">
              <input
                className="input input-sm mono url-input"
                readOnly
                value={link.TrackingUrl}
                aria-label={`Tracking URL of ${link.Label || link.Code}`}
                data-testid={`tracking-url-${link.Id}`}
                onFocus={(e) => e.currentTarget.select()}
              />
              <CopyButton text={link.TrackingUrl} ariaLabel={`Copy tracking URL of ${link.Label || link.Code}`} />
            </span>
          );
        },
      }),
      col.accessor('LandingUrl', {
        header: 'Landing URL',
        enableSorting: false,
        meta: { className: 'cell-truncate' },
        cell: (info) => (
          <a href={info.getValue()} target="_blank" rel="noreferrer noopener" title={info.getValue()}>
            {info.getValue().replace(/^https?:\/\//, '')}
          </a>
        ),
      }),
      col.accessor('ClickCount', {
        header: 'Clicks',
        enableSorting: false,
        meta: { align: 'right', className: 'num' },
        cell: (info) => info.getValue().toLocaleString('en-US'),
      }),
      // The link's effective state, computed by the server: what a visit does now.
      col.accessor('EffectiveState', {
        id: 'Status',
        header: 'Status',
        enableSorting: false,
        cell: (info) => {
          const link = info.row.original;
          const state = info.getValue();
          const explanation = LINK_STATE_LABELS[state]?.explanation;
          const disabledOn = link.DisabledDate ? ` Disabled ${formatDateTime(link.DisabledDate, account.TimeZone)}.` : '';
          return (
            <span className="two-line-cell link-state" data-state={state}>
              <Badge tone={LINK_STATE_TONES[state] ?? 'gray'} title={`${state}: ${explanation ?? ''}${disabledOn}`}>
                {linkStateLabel(state)}
              </Badge>
              {state === 'ACTIVE' ? null : <span className="muted small link-state-explanation">{explanation}</span>}
            </span>
          );
        },
      }),
      col.accessor('CreatedDate', {
        header: 'Created',
        meta: { className: 'nowrap' },
        cell: (info) => <span title={formatDateTime(info.getValue(), account.TimeZone)}>{formatDate(info.getValue(), account.TimeZone)}</span>,
      }),
      col.display({
        id: 'rowActions',
        header: () => <span className="visually-hidden">Row actions</span>,
        meta: { align: 'right', width: 96 },
        cell: ({ row }) =>
          row.original.Status === 'ACTIVE' ? (
            <button type="button" className="btn btn-sm btn-danger-ghost" onClick={() => setDisabling(row.original)} aria-label={`Disable link ${row.original.Label || row.original.Code}`}>
              Disable
            </button>
          ) : null,
      }),
    ],
    [account.TimeZone],
  );

  const tableState: ServerTableState = { pageIndex: page - 1, pageSize, sorting: [{ id: sort, desc: order === 'desc' }], search: '' };
  const filtered = !!(programId || status);

  return (
    <div className="page">
      <PageHeader
        title="Links"
        subtitle={`Tracking links of ${account.Name}. Each visit is counted, then sent on to the landing page with a click id; conversions on it become your actions.`}
      />
      <div className="stack">
        <CreateLinkCard onCreated={setCreated} />
        {created ? (
          <div className="alert alert-success new-link" data-testid="new-link">
            <div className="new-link-body">
              <div>
                <strong>Your new link is ready.</strong> Share this URL for {created.CampaignName}:
              </div>
              <CopyField label={`Tracking URL of ${created.Label || created.Code}`} value={created.TrackingUrl} testId="new-link-url" />
            </div>
            <button type="button" className="icon-button" aria-label="Dismiss" onClick={() => setCreated(null)}>
              ×
            </button>
          </div>
        ) : null}
        <div className="card">
          <DataTable
            label="Tracking links"
            testId="links-table"
            columns={columns}
            data={links.data?.Items ?? NO_LINKS}
            getRowId={(l) => String(l.Id)}
            rowTestId={(l) => `link-row-${l.Id}`}
            rowClassName={(l) => (l.Status === 'DISABLED' ? 'row-muted' : l.Id === created?.Id ? 'row-new' : undefined)}
            itemName={['link', 'links']}
            toolbar={
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
                <label className="filter">
                  <span className="filter-label">Status</span>
                  <select className="select" value={status} onChange={(e) => update({ status: e.target.value, page: null })}>
                    <option value="">All links</option>
                    <option value="ACTIVE">Active</option>
                    <option value="DISABLED">Disabled</option>
                  </select>
                </label>
                {filtered ? (
                  <button type="button" className="btn btn-link" onClick={() => update({ programId: null, status: null, page: null })}>
                    Clear filters
                  </button>
                ) : null}
              </div>
            }
            loading={links.isPending}
            refreshing={links.isFetching && !links.isPending}
            error={links.error}
            onRetry={() => void links.refetch()}
            emptyMessage={filtered ? 'No links match these filters.' : 'No links yet: create one above.'}
            pageSizeOptions={PAGE_SIZES}
            server={{
              rowCount: links.data?.Total ?? 0,
              state: tableState,
              onStateChange: (next) =>
                update(tableStateToParams(next)),
            }}
          />
        </div>
      </div>
      {disabling ? (
        <ConfirmDialog
          title={`Disable “${disabling.Label || disabling.Code}”?`}
          confirmLabel="Disable link"
          danger
          testId="disable-link-dialog"
          onClose={() => setDisabling(null)}
          onConfirm={async () => {
            await http.post<TrackingLink>(`/api/v1/links/${disabling.Id}/disable`);
            toast.success(`Link “${disabling.Label || disabling.Code}” disabled.`);
            if (created?.Id === disabling.Id) setCreated(null);
            await queryClient.invalidateQueries({ queryKey: ['account', account.Id, 'links'] });
          }}
        >
          <p>
            Visits to <span className="mono">{disabling.TrackingUrl}</span> will get a “link not found” page and count nothing. This
            cannot be undone; you can create a new link at any time.
          </p>
        </ConfirmDialog>
      ) : null}
    </div>
  );
}
