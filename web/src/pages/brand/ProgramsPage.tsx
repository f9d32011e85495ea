import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import { Link, useNavigate } from 'react-router';
import { errorDetail } from '../../api/client';
import { usePrograms } from '../../api/queries';
import { useAccount, useAccountApi } from '../../api/session';
import type { CreateProgramBody, Program } from '@contract/programs';
import { columnsFor, DataTable } from '../../components/DataTable';
import { Dialog } from '../../components/Dialog';
import { ErrorMessage } from '../../components/Feedback';
import { Badge, Field, PageHeader } from '../../components/Form';
import { useToast } from '../../components/Toast';
import { COMMON_CURRENCIES, formatDate, timeZones } from '../../lib/format';

const NO_PROGRAMS: Program[] = [];
const col = columnsFor<Program>();

export function TimeZoneOptions({ id }: { id: string }) {
  const zones = useMemo(() => timeZones(), []);
  return (
    <datalist id={id}>
      {zones.map((z) => (
        <option key={z} value={z} />
      ))}
    </datalist>
  );
}

function NewProgramDialog({ onClose }: { onClose: () => void }) {
  const account = useAccount();
  const http = useAccountApi();
  const queryClient = useQueryClient();
  const toast = useToast();
  const navigate = useNavigate();
  const [name, setName] = useState('');
  const [currency, setCurrency] = useState(account.Currency);
  const [timeZone, setTimeZone] = useState(account.TimeZone);
  const [websiteUrl, setWebsiteUrl] = useState('');

  const create = useMutation({
    mutationFn: () =>
      http.post<Program>('/api/v1/programs', {
        Name: name.trim(),
        Currency: currency.trim().toUpperCase(),
        TimeZone: timeZone.trim(),
        // Its host becomes the program's one allowed landing domain; more can be added on the program's page.
        ...(websiteUrl.trim() ? { WebsiteUrl: websiteUrl.trim() } : {}),
      } satisfies CreateProgramBody),
    onSuccess: async (program) => {
      toast.success(`Program “${program.Name}” created. Add its event types, then publish terms.`);
      await queryClient.invalidateQueries({ queryKey: ['account', account.Id, 'programs'] });
      navigate(`/settings/programs/${program.Id}`);
    },
  });

  return (
    <Dialog
      title="New program"
      testId="new-program-dialog"
      onClose={onClose}
      onSubmit={() => create.mutate()}
      footer={
        <>
          <button type="button" className="btn" onClick={onClose} disabled={create.isPending}>
            Cancel
          </button>
          <button type="submit" className="btn btn-primary" disabled={create.isPending || !name.trim()}>
            {create.isPending ? 'Creating…' : 'Create program'}
          </button>
        </>
      }
    >
      <div className="form">
        <Field label="Program name">
          <input className="input" required maxLength={200} autoFocus value={name} onChange={(e) => setName(e.target.value)} />
        </Field>
        <div className="form-row">
          <Field label="Currency" hint="ISO 4217. It cannot be changed later.">
            <input
              className="input"
              required
              maxLength={3}
              list="currency-options"
              value={currency}
              onChange={(e) => setCurrency(e.target.value.toUpperCase())}
            />
          </Field>
          <Field label="Time zone" hint="Locking and payment dates follow it.">
            <input className="input" required list="tz-options" value={timeZone} onChange={(e) => setTimeZone(e.target.value)} />
          </Field>
        </div>
        <datalist id="currency-options">
          {COMMON_CURRENCIES.map((c) => (
            <option key={c} value={c} />
          ))}
        </datalist>
        <TimeZoneOptions id="tz-options" />
        <Field label="Website" hint="Partners' links may land on pages of this host; you can allow more domains on the program's page.">
          <input className="input" inputMode="url" placeholder="https://www.example.com" value={websiteUrl} onChange={(e) => setWebsiteUrl(e.target.value)} />
        </Field>
        {create.isError ? <ErrorMessage>{errorDetail(create.error)}</ErrorMessage> : null}
      </div>
    </Dialog>
  );
}

export function ProgramsPage() {
  const account = useAccount();
  const programs = usePrograms();
  const [creating, setCreating] = useState(false);

  const columns = useMemo(
    () => [
      col.accessor('Id', { header: 'Program Id', meta: { className: 'num', width: 110 } }),
      col.accessor('Name', {
        header: 'Name',
        cell: ({ row }) => (
          <Link to={`/settings/programs/${row.original.Id}`} className="strong-link">
            {row.original.Name}
          </Link>
        ),
      }),
      col.accessor('Currency', { header: 'Currency', meta: { width: 100 } }),
      col.accessor('TimeZone', { header: 'Time zone' }),
      col.accessor((p) => p.LandingDomains.join(', '), {
        id: 'landingDomains',
        header: 'Landing domains',
        enableSorting: false,
        meta: { className: 'cell-truncate' },
        cell: (info) =>
          info.getValue() ? <span className="mono small" title={info.getValue()}>{info.getValue()}</span> : <span className="muted">None</span>,
      }),
      col.accessor('Status', {
        header: 'Status',
        cell: (info) => <Badge tone={info.getValue() === 'ACTIVE' ? 'green' : 'gray'}>{info.getValue()}</Badge>,
        meta: { width: 110 },
      }),
      col.accessor('CreatedDate', { header: 'Created', cell: (info) => formatDate(info.getValue(), account.TimeZone), meta: { width: 120 } }),
    ],
    [account.TimeZone],
  );

  return (
    <div className="page">
      <PageHeader
        title="Programs"
        subtitle="Your programs: their event types and the template terms partners accept."
        actions={
          <button type="button" className="btn btn-primary" onClick={() => setCreating(true)}>
            New program
          </button>
        }
      />
      <div className="card">
        <DataTable
          label="Programs"
          testId="programs-table"
          columns={columns}
          data={programs.data ?? NO_PROGRAMS}
          getRowId={(p) => String(p.Id)}
          rowTestId={(p) => `program-row-${p.Id}`}
          itemName={['program', 'programs']}
          loading={programs.isPending}
          error={programs.error}
          onRetry={() => void programs.refetch()}
          search={{ placeholder: 'Search programs' }}
          emptyMessage="No programs yet: create one to start."
          initialSorting={[{ id: 'Id', desc: false }]}
        />
      </div>
      {creating ? <NewProgramDialog onClose={() => setCreating(false)} /> : null}
    </div>
  );
}
