import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import { Link, useParams } from 'react-router';
import { errorDetail } from '../../api/client';
import { useEventTypes, useProgram, useTemplateTerms } from '../../api/queries';
import { useAccount, useAccountApi } from '../../api/session';
import { EVENT_TYPE_KINDS, type EventTypeKind, type ProgramStatus, RETURNS_PROCESSING, type ReturnsProcessing } from '@contract/enums';
import type { CreateEventTypeBody, EventType, Program, TemplateTerms, UpdateProgramBody } from '@contract/programs';
import { ChipList, ChipsInput, withDraft } from '../../components/ChipsInput';
import { columnsFor, DataTable } from '../../components/DataTable';
import { ConfirmDialog, Dialog } from '../../components/Dialog';
import { EmptyState, ErrorMessage, Loading, Notice, QueryError } from '../../components/Feedback';
import { Badge, Card, Details, Field, PageHeader } from '../../components/Form';
import { useToast } from '../../components/Toast';
import { formatDate, formatDateTime } from '../../lib/format';
import { RETURNS_PROCESSING_LABELS } from '../../lib/labels';
import { TermsSummary } from '../shared/TermsSummary';
import { TimeZoneOptions } from './ProgramsPage';
import { label } from '../../lib/labels';

const NO_EVENT_TYPES: EventType[] = [];
const etCol = columnsFor<EventType>();

const KIND_HINTS: Record<EventTypeKind, string> = {
  SALE: 'A purchase: payouts as a percentage of the sale or a fixed amount.',
  LEAD: 'A sign-up or form: usually a fixed amount.',
  CLICK: 'Cost per click: a fixed amount per click. At most one per program.',
  OTHER: 'Any other event, e.g. an app install.',
};

function EditProgramDialog({ program, onClose }: { program: Program; onClose: () => void }) {
  const account = useAccount();
  const http = useAccountApi();
  const queryClient = useQueryClient();
  const toast = useToast();
  const [name, setName] = useState(program.Name);
  const [timeZone, setTimeZone] = useState(program.TimeZone);
  const [status, setStatus] = useState<ProgramStatus>(program.Status);
  const save = useMutation({
    mutationFn: () => http.patch<Program>(`/api/v1/programs/${program.Id}`, { Name: name.trim(), TimeZone: timeZone.trim(), Status: status } satisfies UpdateProgramBody),
    onSuccess: async () => {
      toast.success('Program saved.');
      await queryClient.invalidateQueries({ queryKey: ['account', account.Id, 'programs'] });
      onClose();
    },
  });
  return (
    <Dialog
      title="Edit program"
      onClose={onClose}
      onSubmit={() => save.mutate()}
      footer={
        <>
          <button type="button" className="btn" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="btn btn-primary" disabled={save.isPending}>
            {save.isPending ? 'Saving…' : 'Save'}
          </button>
        </>
      }
    >
      <div className="form">
        <Field label="Program name">
          <input className="input" required value={name} onChange={(e) => setName(e.target.value)} />
        </Field>
        <div className="form-row">
          <Field label="Currency" hint="Fixed when the program was created.">
            <input className="input" value={program.Currency} disabled />
          </Field>
          <Field label="Time zone">
            <input className="input" list="edit-tz-options" value={timeZone} onChange={(e) => setTimeZone(e.target.value)} />
          </Field>
        </div>
        <TimeZoneOptions id="edit-tz-options" />
        <Field label="Status" hint="Partners cannot join an inactive program; existing contracts are unchanged.">
          <select className="select" value={status} onChange={(e) => setStatus(e.target.value as ProgramStatus)}>
            <option value="ACTIVE">Active</option>
            <option value="INACTIVE">Inactive</option>
          </select>
        </Field>
        {save.isError ? <ErrorMessage>{errorDetail(save.error)}</ErrorMessage> : null}
      </div>
    </Dialog>
  );
}

/** The host of a URL the way the server compares hosts, or '' while it is not a URL yet. */
function hostOf(url: string): string {
  try {
    return new URL(url.trim()).hostname.replace(/\.$/, '');
  } catch {
    return '';
  }
}

function coveredBy(host: string, domains: string[]): boolean {
  return domains.some((d) => (d.startsWith('*.') ? host.length > d.length - 1 && host.endsWith(d.slice(1)) : d === host));
}

export const LANDING_DOMAINS_HINT =
  'Exact hosts like shop.example.com, or *.example.com for any subdomain of example.com (not example.com itself: list both to allow both). No https://, port or path; at most 50.';

function EditLandingDomainsDialog({ program, onClose }: { program: Program; onClose: () => void }) {
  const account = useAccount();
  const http = useAccountApi();
  const queryClient = useQueryClient();
  const toast = useToast();
  const [websiteUrl, setWebsiteUrl] = useState(program.WebsiteUrl ?? '');
  const [domains, setDomains] = useState(program.LandingDomains);
  const [draft, setDraft] = useState('');
  const save = useMutation({
    mutationFn: () =>
      http.patch<Program>(`/api/v1/programs/${program.Id}`, {
        WebsiteUrl: websiteUrl.trim() || null,
        LandingDomains: withDraft(domains, draft),
      } satisfies UpdateProgramBody),
    onSuccess: async (saved) => {
      setDraft('');
      toast.success(`Landing domains of ${saved.Name} saved.`);
      await queryClient.invalidateQueries({ queryKey: ['account', account.Id, 'programs'] });
      onClose();
    },
  });
  const websiteHost = hostOf(websiteUrl);
  const current = withDraft(domains, draft);
  return (
    <Dialog
      title="Website and landing domains"
      testId="landing-domains-dialog"
      onClose={onClose}
      onSubmit={() => save.mutate()}
      footer={
        <>
          <button type="button" className="btn" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="btn btn-primary" disabled={save.isPending}>
            {save.isPending ? 'Saving…' : 'Save'}
          </button>
        </>
      }
    >
      <div className="form">
        <Field label="Website" hint="The program's own site, e.g. https://www.example.com.">
          <input className="input" inputMode="url" placeholder="https://www.example.com" value={websiteUrl} onChange={(e) => setWebsiteUrl(e.target.value)} />
        </Field>
        <ChipsInput
          label="Allowed landing domains"
          hint={LANDING_DOMAINS_HINT}
          values={domains}
          onChange={setDomains}
          draft={draft}
          onDraftChange={setDraft}
          placeholder="shop.example.com or *.example.com"
          emptyText="None: partners cannot create links to this program."
          testId="landing-domains-editor"
        />
        {websiteHost && !coveredBy(websiteHost, current) ? (
          <div>
            <button type="button" className="btn btn-sm" onClick={() => setDomains(withDraft(domains, websiteHost))}>
              Allow {websiteHost}
            </button>{' '}
            <span className="muted small">The website's host is not among the allowed domains.</span>
          </div>
        ) : null}
        <Notice kind="warning">
          Existing links whose landing page is on a host you remove stop redirecting within seconds: visitors see “Link not found” and
          nothing is counted. They work again if you allow the host again.
        </Notice>
        {save.isError ? <ErrorMessage>{errorDetail(save.error)}</ErrorMessage> : null}
      </div>
    </Dialog>
  );
}

function AddEventTypeDialog({ program, onClose }: { program: Program; onClose: () => void }) {
  const account = useAccount();
  const http = useAccountApi();
  const queryClient = useQueryClient();
  const toast = useToast();
  const [name, setName] = useState('');
  const [kind, setKind] = useState<EventTypeKind>('SALE');
  const [returnsProcessing, setReturnsProcessing] = useState<ReturnsProcessing>('API');
  const add = useMutation({
    mutationFn: () => http.post<EventType>(`/api/v1/programs/${program.Id}/event-types`, {
        Name: name.trim(),
        Kind: kind,
        ReturnsProcessing: returnsProcessing,
      } satisfies CreateEventTypeBody),
    onSuccess: async (et) => {
      toast.success(`Event type “${et.Name}” added with ActionTrackerId ${et.Id}.`);
      await queryClient.invalidateQueries({ queryKey: ['account', account.Id, 'programs', program.Id, 'event-types'] });
      onClose();
    },
  });
  return (
    <Dialog
      title="Add event type"
      testId="add-event-type-dialog"
      onClose={onClose}
      onSubmit={() => add.mutate()}
      footer={
        <>
          <button type="button" className="btn" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="btn btn-primary" disabled={add.isPending || !name.trim()}>
            {add.isPending ? 'Adding…' : 'Add event type'}
          </button>
        </>
      }
    >
      <div className="form">
        <Field label="Event type name">
          <input className="input" required maxLength={100} autoFocus value={name} onChange={(e) => setName(e.target.value)} />
        </Field>
        <Field label="Kind" hint={KIND_HINTS[kind]}>
          <select className="select" value={kind} onChange={(e) => setKind(e.target.value as EventTypeKind)}>
            {EVENT_TYPE_KINDS.map((k) => (
              <option key={k} value={k}>
                {k}
              </option>
            ))}
          </select>
        </Field>
        <Field label="Returns processing" hint="How you will send reversals and modifications of its actions.">
          <select className="select" value={returnsProcessing} onChange={(e) => setReturnsProcessing(e.target.value as ReturnsProcessing)}>
            {RETURNS_PROCESSING.map((r) => (
              <option key={r} value={r}>
                {RETURNS_PROCESSING_LABELS[r]}
              </option>
            ))}
          </select>
        </Field>
        {add.isError ? <ErrorMessage>{errorDetail(add.error)}</ErrorMessage> : null}
      </div>
    </Dialog>
  );
}

function TermsCard({ program, terms, eventTypes }: { program: Program; terms: TemplateTerms; eventTypes: EventType[] }) {
  const account = useAccount();
  const http = useAccountApi();
  const queryClient = useQueryClient();
  const toast = useToast();
  const [archiving, setArchiving] = useState(false);
  return (
    <div className={`terms-card ${terms.Status === 'ARCHIVED' ? 'terms-card-archived' : ''}`} data-testid={`terms-${terms.Id}`}>
      <div className="terms-card-header">
        <div>
          <span className="terms-card-name">{terms.Name}</span>{' '}
          <Badge tone={terms.Status === 'ACTIVE' ? 'green' : 'gray'}>{label.termsStatus(terms.Status)}</Badge>
          <div className="muted small">
            Terms {terms.Id} · published {formatDateTime(terms.CreatedDate, account.TimeZone)}
          </div>
        </div>
        {terms.Status === 'ACTIVE' ? (
          <button type="button" className="btn btn-sm" onClick={() => setArchiving(true)} aria-label={`Archive ${terms.Name}`}>
            Archive
          </button>
        ) : null}
      </div>
      <TermsSummary terms={terms.Terms} currency={program.Currency} eventTypes={eventTypes} />
      {archiving ? (
        <ConfirmDialog
          title={`Archive “${terms.Name}”?`}
          confirmLabel="Archive terms"
          onClose={() => setArchiving(false)}
          onConfirm={async () => {
            await http.post(`/api/v1/programs/${program.Id}/terms/${terms.Id}/archive`);
            toast.success(`“${terms.Name}” archived.`);
            await queryClient.invalidateQueries({ queryKey: ['account', account.Id, 'programs', program.Id, 'terms'] });
          }}
        >
          Partners can no longer accept these terms. Existing contracts on them are unchanged.
        </ConfirmDialog>
      ) : null}
    </div>
  );
}

export function ProgramDetailPage() {
  const { programId: raw } = useParams();
  const programId = Number(raw);
  const account = useAccount();
  const program = useProgram(programId);
  const eventTypes = useEventTypes(programId, program.isSuccess);
  const terms = useTemplateTerms(programId, program.isSuccess);
  const [editing, setEditing] = useState(false);
  const [addingEventType, setAddingEventType] = useState(false);
  const [editingDomains, setEditingDomains] = useState(false);
  const [showArchived, setShowArchived] = useState(false);

  const columns = useMemo(
    () => [
      etCol.accessor('Id', { header: 'ActionTrackerId', meta: { className: 'num', width: 140 } }),
      etCol.accessor('Name', { header: 'Name' }),
      etCol.accessor('Kind', { header: 'Kind', cell: (info) => <Badge tone="blue">{info.getValue()}</Badge>, meta: { width: 100 } }),
      etCol.accessor('ReturnsProcessing', {
        header: 'Returns processing',
        cell: (info) => RETURNS_PROCESSING_LABELS[info.getValue()] ?? info.getValue(),
      }),
      etCol.accessor('CreatedDate', { header: 'Added', cell: (info) => formatDate(info.getValue(), account.TimeZone), meta: { width: 120 } }),
    ],
    [account.TimeZone],
  );

  if (!Number.isInteger(programId) || programId <= 0) return <div className="page"><EmptyState title="No such program" /></div>;
  if (program.isPending) return <div className="page"><Loading /></div>;
  if (program.isError) return <div className="page"><QueryError error={program.error} onRetry={() => void program.refetch()} /></div>;
  const p = program.data;
  const allTerms = terms.data ?? [];
  const shownTerms = showArchived ? allTerms : allTerms.filter((t) => t.Status === 'ACTIVE');
  const archivedCount = allTerms.length - allTerms.filter((t) => t.Status === 'ACTIVE').length;

  return (
    <div className="page">
      <div className="breadcrumbs">
        <Link to="/settings/programs">Programs</Link> <span aria-hidden="true">/</span> <span>{p.Name}</span>
      </div>
      <PageHeader
        title={
          <>
            {p.Name} <Badge tone={p.Status === 'ACTIVE' ? 'green' : 'gray'}>{label.programStatus(p.Status)}</Badge>
          </>
        }
        subtitle={`Program ${p.Id} · ${p.Currency} · ${p.TimeZone}`}
        actions={
          <>
            <button type="button" className="btn" onClick={() => setEditing(true)}>
              Edit program
            </button>
            <Link to={`/settings/programs/${p.Id}/terms/new`} className="btn btn-primary">
              Publish terms
            </Link>
          </>
        }
      />
      <div className="stack">
        <Card
          title="Event types"
          actions={
            <button type="button" className="btn btn-sm" onClick={() => setAddingEventType(true)}>
              Add event type
            </button>
          }
        >
          <DataTable
            label="Event types"
            testId="event-types-table"
            columns={columns}
            data={eventTypes.data ?? NO_EVENT_TYPES}
            getRowId={(e) => String(e.Id)}
            itemName={['event type', 'event types']}
            loading={eventTypes.isPending}
            error={eventTypes.error}
            emptyMessage="No event types yet. Add the events you pay for: sales, leads, clicks…"
            hideFooter
            initialPageSize={100}
          />
        </Card>
        <Card
          title="Template terms"
          actions={
            archivedCount > 0 ? (
              <label className="checkbox small">
                <input type="checkbox" checked={showArchived} onChange={(e) => setShowArchived(e.target.checked)} /> Show {archivedCount}{' '}
                archived
              </label>
            ) : null
          }
        >
          {terms.isPending ? (
            <Loading />
          ) : terms.isError ? (
            <QueryError error={terms.error} onRetry={() => void terms.refetch()} />
          ) : shownTerms.length === 0 ? (
            <EmptyState
              title="No active terms"
              action={
                <Link to={`/settings/programs/${p.Id}/terms/new`} className="btn btn-primary">
                  Publish terms
                </Link>
              }
            >
              Partners join a program by accepting one of its template terms.
            </EmptyState>
          ) : (
            <div className="terms-grid">
              {shownTerms.map((t) => (
                <TermsCard key={t.Id} program={p} terms={t} eventTypes={eventTypes.data ?? NO_EVENT_TYPES} />
              ))}
            </div>
          )}
        </Card>
        <Card
          title="Website and landing domains"
          testId="landing-domains-card"
          actions={
            <button type="button" className="btn btn-sm" onClick={() => setEditingDomains(true)}>
              Edit landing domains
            </button>
          }
        >
          <Details
            items={[
              [
                'Website',
                p.WebsiteUrl ? (
                  <a key="website" href={p.WebsiteUrl} target="_blank" rel="noreferrer noopener" data-testid="program-website">
                    {p.WebsiteUrl}
                  </a>
                ) : (
                  <span key="website" className="muted" data-testid="program-website">
                    Not set
                  </span>
                ),
              ],
              [
                'Allowed landing domains',
                <div key="domains" data-testid="program-landing-domains">
                  <ChipList
                    values={p.LandingDomains}
                    label="Allowed landing domains"
                    emptyText={<span className="muted">None: partners cannot create tracking links to this program yet.</span>}
                  />
                </div>,
              ],
            ]}
          />
          <p className="muted small">Partners' tracking links may only send visitors to pages on these hosts.</p>
        </Card>
        <Card title="Details">
          <Details
            items={[
              ['Program Id', <span key="id" className="mono">{p.Id}</span>],
              ['Brand', p.BrandName],
              ['Currency', p.Currency],
              ['Time zone', p.TimeZone],
              ['Created', formatDateTime(p.CreatedDate, account.TimeZone)],
            ]}
          />
        </Card>
      </div>
      {editing ? <EditProgramDialog program={p} onClose={() => setEditing(false)} /> : null}
      {addingEventType ? <AddEventTypeDialog program={p} onClose={() => setAddingEventType(false)} /> : null}
      {editingDomains ? <EditLandingDomainsDialog program={p} onClose={() => setEditingDomains(false)} /> : null}
    </div>
  );
}
