import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import { api, errorDetail } from '../../api/client';
import type { Page as PascalPage } from '@contract/common';
import type { AccountKind } from '@contract/enums';
import type { CreateAccountBody, CreatedAccount, OperatorAccount } from '@contract/operator';
import { columnsFor, DataTable, type ServerTableState } from '../../components/DataTable';
import { Dialog } from '../../components/Dialog';
import { ErrorMessage, Notice } from '../../components/Feedback';
import { Badge, CopyField, Field, PageHeader } from '../../components/Form';
import { useToast } from '../../components/Toast';
import { browserTimeZone, COMMON_CURRENCIES, formatDate, humanize } from '../../lib/format';
import { TimeZoneOptions } from '../brand/ProgramsPage';

const NO_ACCOUNTS: OperatorAccount[] = [];
const col = columnsFor<OperatorAccount>();

function OpenAccountDialog({ onClose }: { onClose: () => void }) {
  const queryClient = useQueryClient();
  const toast = useToast();
  const [kind, setKind] = useState<AccountKind>('PARTNER');
  const [name, setName] = useState('');
  const [currency, setCurrency] = useState('USD');
  const [timeZone, setTimeZone] = useState(browserTimeZone());
  const [adminEmail, setAdminEmail] = useState('');
  const [adminName, setAdminName] = useState('');
  const [adminPassword, setAdminPassword] = useState('');
  const [opened, setOpened] = useState<CreatedAccount | null>(null);

  const open = useMutation({
    mutationFn: () =>
      api.post<CreatedAccount>('/api/v1/operator/accounts', {
        Kind: kind,
        Name: name.trim(),
        Currency: currency.trim().toUpperCase(),
        TimeZone: timeZone.trim(),
        Admin: { Email: adminEmail.trim(), Name: adminName.trim(), ...(adminPassword ? { Password: adminPassword } : {}) },
      } satisfies CreateAccountBody),
    onSuccess: async (data) => {
      toast.success(`${humanize(kind)} account “${name}” opened.`);
      await queryClient.invalidateQueries({ queryKey: ['operator', 'accounts'] });
      setOpened(data);
    },
  });

  if (opened) {
    return (
      <Dialog
        title="Account opened"
        onClose={onClose}
        footer={
          <button type="button" className="btn btn-primary" onClick={onClose}>
            Done
          </button>
        }
      >
        <p>
          <strong>{name}</strong> (account {opened.Id}) is open; {adminEmail} is its first admin
          {adminPassword ? ' and can log in with the password you set' : ''}.
        </p>
        <CopyField label="Account SID" value={opened.AccountSid} />
      </Dialog>
    );
  }

  return (
    <Dialog
      title="Open an account"
      size="md"
      testId="open-account-dialog"
      onClose={onClose}
      onSubmit={() => open.mutate()}
      footer={
        <>
          <button type="button" className="btn" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="btn btn-primary" disabled={open.isPending}>
            {open.isPending ? 'Opening…' : 'Open account'}
          </button>
        </>
      }
    >
      <div className="form">
        <div className="form-row">
          <Field label="Kind">
            <select className="select" value={kind} onChange={(e) => setKind(e.target.value as AccountKind)}>
              <option value="PARTNER">Partner</option>
              <option value="BRAND">Brand</option>
            </select>
          </Field>
          <Field label="Account name">
            <input className="input" required maxLength={200} value={name} onChange={(e) => setName(e.target.value)} />
          </Field>
        </div>
        <div className="form-row">
          <Field label="Currency">
            <input className="input" required maxLength={3} list="op-currencies" value={currency} onChange={(e) => setCurrency(e.target.value.toUpperCase())} />
          </Field>
          <Field label="Time zone">
            <input className="input" required list="op-tz" value={timeZone} onChange={(e) => setTimeZone(e.target.value)} />
          </Field>
        </div>
        <datalist id="op-currencies">
          {COMMON_CURRENCIES.map((c) => (
            <option key={c} value={c} />
          ))}
        </datalist>
        <TimeZoneOptions id="op-tz" />
        <h3 className="subhead">First admin</h3>
        <div className="form-row">
          <Field label="Admin e-mail">
            <input className="input" type="email" required value={adminEmail} onChange={(e) => setAdminEmail(e.target.value)} />
          </Field>
          <Field label="Admin name">
            <input className="input" required value={adminName} onChange={(e) => setAdminName(e.target.value)} />
          </Field>
        </div>
        <Field label="Initial password (optional)" hint="At least 10 characters. Leave empty if the admin will get a password another way.">
          <input className="input" type="password" autoComplete="new-password" value={adminPassword} onChange={(e) => setAdminPassword(e.target.value)} />
        </Field>
        {open.isError ? <ErrorMessage>{errorDetail(open.error)}</ErrorMessage> : null}
      </div>
    </Dialog>
  );
}

export function OperatorAccountsPage() {
  const [state, setState] = useState<ServerTableState>({ pageIndex: 0, pageSize: 25, sorting: [{ id: 'Id', desc: false }], search: '' });
  const [kind, setKind] = useState<'' | AccountKind>('');
  const [opening, setOpening] = useState(false);

  const query = {
    q: state.search.trim(),
    kind,
    page: state.pageIndex + 1,
    pageSize: state.pageSize,
    sort: state.sorting[0]?.id,
    order: state.sorting[0] ? (state.sorting[0].desc ? 'desc' : 'asc') : undefined,
  };
  const accounts = useQuery({
    queryKey: ['operator', 'accounts', query],
    queryFn: () => api.get<PascalPage<OperatorAccount>>('/api/v1/operator/accounts', query),
    placeholderData: keepPreviousData,
  });

  const columns = useMemo(
    () => [
      col.accessor('Id', { header: 'Account Id', meta: { className: 'num', width: 110 } }),
      col.accessor('Name', { header: 'Name', cell: (info) => <strong>{info.getValue()}</strong> }),
      col.accessor('Kind', {
        header: 'Kind',
        cell: (info) => <span className={`kind-tag kind-${info.getValue().toLowerCase()}`}>{humanize(info.getValue())}</span>,
        meta: { width: 100 },
      }),
      col.accessor('AccountSid', { header: 'Account SID', enableSorting: false, cell: (info) => <span className="code">{info.getValue()}</span> }),
      col.accessor('Currency', { header: 'Currency', enableSorting: false, meta: { width: 90 } }),
      col.accessor('TimeZone', { header: 'Time zone', enableSorting: false }),
      col.accessor('Members', { header: 'Users', enableSorting: false, meta: { align: 'right', width: 80 } }),
      col.accessor('Status', {
        header: 'Status',
        enableSorting: false,
        cell: (info) => <Badge tone={info.getValue() === 'ACTIVE' ? 'green' : 'gray'}>{info.getValue()}</Badge>,
        meta: { width: 100 },
      }),
      col.accessor('CreatedDate', { header: 'Opened', cell: (info) => formatDate(info.getValue()), meta: { width: 120 } }),
    ],
    [],
  );

  return (
    <div className="page">
      <PageHeader
        title="Accounts"
        subtitle="Every brand and partner account on the platform. Dates in UTC."
        actions={
          <button type="button" className="btn btn-primary" onClick={() => setOpening(true)}>
            Open account
          </button>
        }
      />
      <Notice>Operator console: you act as platform support. Changes here affect customers directly.</Notice>
      <div className="card">
        <DataTable
          label="Accounts"
          testId="operator-accounts"
          columns={columns}
          data={accounts.data?.Items ?? NO_ACCOUNTS}
          getRowId={(a) => String(a.Id)}
          rowTestId={(a) => `account-row-${a.Id}`}
          itemName={['account', 'accounts']}
          loading={accounts.isPending}
          refreshing={accounts.isFetching && !accounts.isPending}
          error={accounts.error}
          onRetry={() => void accounts.refetch()}
          search={{ placeholder: 'Search name or Account SID', label: 'Search accounts' }}
          toolbar={
            <label className="filter">
              <span className="filter-label">Kind</span>
              <select
                className="select"
                value={kind}
                onChange={(e) => {
                  setKind(e.target.value as '' | AccountKind);
                  setState((s) => ({ ...s, pageIndex: 0 }));
                }}
              >
                <option value="">All kinds</option>
                <option value="BRAND">Brands</option>
                <option value="PARTNER">Partners</option>
              </select>
            </label>
          }
          server={{ rowCount: accounts.data?.Total ?? 0, state, onStateChange: setState }}
        />
      </div>
      {opening ? <OpenAccountDialog onClose={() => setOpening(false)} /> : null}
    </div>
  );
}
