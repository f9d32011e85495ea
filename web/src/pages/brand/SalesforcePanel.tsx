import type { SalesforceStatusMapping } from '@contract/event-types';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link } from 'react-router';
import { errorDetail } from '../../api/client';
import { useAccount, useAccountApi, useAccountKey } from '../../api/session';
import { CHANGE_REASON_CODES } from '@contract/enums';
import type { BrandEventType, BrandEventTypeDetail, SetReturnsProcessingBody } from '@contract/event-types';
import type { SalesforceStatusDto } from '@contract/salesforce';
import { ErrorMessage, Notice } from '../../components/Feedback';
import { Badge, CopyField, Field } from '../../components/Form';
import { useToast } from '../../components/Toast';
import { formatDateTime } from '../../lib/format';

type Change = SalesforceStatusMapping['Change'];
/** A status row as the form edits it: the wire's mapping with text for its optional fields. */
type StatusRow = Omit<SalesforceStatusMapping, 'Reason' | 'AmountField'> & Record<'Reason' | 'AmountField', string>;

const CHANGE_TEXT: Record<Change, string> = {
  REVERSE: 'reverses the action',
  MODIFY_AMOUNT: 'sets the sale amount to a field',
  RESET: 'restores the original values',
  APPROVE: 'approves (locks) the action',
};

/** Enter in a field of this panel must not submit the Returns Processing dialog around it. */
const noSubmit = (e: React.KeyboardEvent) => {
  if (e.key === 'Enter') e.preventDefault();
};

/**
 * Returns Processing → Salesforce, once saved (issue 14 item 4): the Outbound Message URL
 * with a copy button (regenerable), every status value of the mapping and what it does,
 * the poller's credentials (write only) and interval, Poll now, and the last messages,
 * polls and notifications with their errors (a skipped notification says why).
 */
export function SalesforcePanel({ eventType }: { eventType: BrandEventType }) {
  const rp = eventType.ReturnsProcessing;
  if (rp.Method !== 'SALESFORCE' || !rp.Salesforce) {
    return (
      <p className="muted small" data-testid="salesforce-panel-hint">
        Save these settings first; then the Outbound Message URL, the whole status mapping and the poller's credentials appear here.
      </p>
    );
  }
  return <SavedSalesforcePanel eventType={eventType} />;
}

function SavedSalesforcePanel({ eventType }: { eventType: BrandEventType }) {
  const http = useAccountApi();
  const key = useAccountKey();
  const account = useAccount();
  const toast = useToast();
  const queryClient = useQueryClient();
  const base = `/api/v1/event-types/${eventType.Id}/salesforce`;
  const statusKey = key('event-types', 'salesforce', eventType.Id);
  const [pollUntil, setPollUntil] = useState(0);
  const status = useQuery({
    queryKey: statusKey,
    queryFn: () => http.get<SalesforceStatusDto>(base),
    refetchInterval: () => (Date.now() < pollUntil ? 1500 : 15_000),
  });
  const refresh = (data?: SalesforceStatusDto) => (data ? queryClient.setQueryData(statusKey, data) : queryClient.invalidateQueries({ queryKey: statusKey }));
  const mapping = eventType.ReturnsProcessing.Salesforce!;
  const [rows, setRows] = useState<StatusRow[]>(
    mapping.Statuses.map((s) => ({ Value: s.Value, Change: s.Change, Reason: s.Reason ?? '', AmountField: s.AmountField ?? '' })),
  );
  const [kind, setKind] = useState<'REFRESH_TOKEN' | 'PASSWORD'>('REFRESH_TOKEN');
  const [creds, setCreds] = useState({ ClientId: '', ClientSecret: '', RefreshToken: '', Username: '', Password: '', SecurityToken: '', IntervalMinutes: '15' });

  const regenerate = useMutation({
    mutationFn: () => http.post<SalesforceStatusDto>(`${base}/outbound-url`),
    onSuccess: (data) => {
      refresh(data);
      toast.success('New Outbound Message URL: paste it into the Outbound Message in Salesforce; the old one no longer works.');
    },
  });
  const saveMapping = useMutation({
    mutationFn: () => {
      const body: SetReturnsProcessingBody = {
        Method: 'SALESFORCE',
        Salesforce: {
          InstanceUrl: mapping.InstanceUrl,
          ObjectName: mapping.ObjectName,
          MatchField: mapping.MatchField,
          MatchBy: mapping.MatchBy,
          StatusField: mapping.StatusField,
          Statuses: rows.map((r) => ({
            Value: r.Value,
            Change: r.Change,
            ...(r.Change === 'REVERSE' || r.Change === 'MODIFY_AMOUNT' ? { Reason: (r.Reason || null) as (typeof CHANGE_REASON_CODES)[number] | null } : {}),
            ...(r.Change === 'MODIFY_AMOUNT' ? { AmountField: r.AmountField || null } : {}),
          })),
        },
      };
      return http.put<BrandEventTypeDetail>(`/api/v1/event-types/${eventType.Id}/returns-processing`, body);
    },
    onSuccess: async () => {
      toast.success('Status mapping saved.');
      await queryClient.invalidateQueries({ queryKey: ['account', account.Id, 'event-types'] });
      void refresh();
    },
  });
  const saveCredentials = useMutation({
    mutationFn: () =>
      http.put<SalesforceStatusDto>(`${base}/credentials`, {
        ClientId: creds.ClientId,
        ClientSecret: creds.ClientSecret,
        ...(kind === 'REFRESH_TOKEN' ? { RefreshToken: creds.RefreshToken } : { Username: creds.Username, Password: creds.Password, SecurityToken: creds.SecurityToken }),
        IntervalMinutes: Number(creds.IntervalMinutes),
      }),
    onSuccess: (data) => {
      setCreds({ ClientId: '', ClientSecret: '', RefreshToken: '', Username: '', Password: '', SecurityToken: '', IntervalMinutes: creds.IntervalMinutes });
      refresh(data);
      toast.success('Poll credentials saved (encrypted; they are not shown again).');
    },
  });
  const removeCredentials = useMutation({ mutationFn: () => http.del<SalesforceStatusDto>(`${base}/credentials`), onSuccess: (data) => refresh(data) });
  const pollNow = useMutation({
    mutationFn: () => http.post(`${base}/poll`),
    onSuccess: () => {
      toast.success('Poll queued: its outcome appears under Last messages and polls.');
      setPollUntil(Date.now() + 30_000);
      void refresh();
    },
  });

  const s = status.data;
  const tz = account.TimeZone;
  const setRow = (i: number, patch: Partial<StatusRow>) => setRows(rows.map((r, j) => (j === i ? { ...r, ...patch } : r)));
  const input = (label: string, value: string, set: (v: string) => void, extra: { type?: string; hint?: string; placeholder?: string } = {}) => (
    <Field label={label} {...(extra.hint ? { hint: extra.hint } : {})}>
      <input className="input" type={extra.type ?? 'text'} value={value} placeholder={extra.placeholder} onKeyDown={noSubmit} onChange={(e) => set(e.target.value)} autoComplete="off" />
    </Field>
  );

  return (
    <div className="stack" data-testid="salesforce-panel">
      {status.isError ? <ErrorMessage>{errorDetail(status.error)}</ErrorMessage> : null}

      <h3 className="subhead">Outbound Message</h3>
      {s?.OutboundMessageUrl ? (
        <>
          <CopyField label="Outbound Message URL" value={s.OutboundMessageUrl} testId="salesforce-outbound-url" />
          <p className="muted small">
            In Salesforce: Setup → Outbound Messages → New, object {mapping.ObjectName}, Endpoint URL this address, fields Id, {mapping.MatchField},{' '}
            {mapping.StatusField}
            {rows.some((r) => r.Change === 'MODIFY_AMOUNT' && r.AmountField) ? `, ${[...new Set(rows.filter((r) => r.AmountField).map((r) => r.AmountField))].join(', ')}` : ''}; then
            a flow or workflow rule that sends it when {mapping.StatusField} changes. Keep the URL secret: anyone who has it can send changes.
          </p>
          <div>
            <button
              type="button"
              className="btn btn-sm"
              data-testid="salesforce-regenerate"
              disabled={regenerate.isPending}
              onClick={() => {
                if (window.confirm('Make a new Outbound Message URL? The current one stops working at once.')) regenerate.mutate();
              }}
            >
              Regenerate URL
            </button>
          </div>
          {regenerate.isError ? <ErrorMessage>{errorDetail(regenerate.error)}</ErrorMessage> : null}
        </>
      ) : (
        <p className="muted small">Loading the Outbound Message URL…</p>
      )}

      <h3 className="subhead">Status mapping</h3>
      <p className="muted small">
        When {mapping.StatusField} of a {mapping.ObjectName} changes to one of these values, the action whose {mapping.MatchBy === 'ACTION_ID' ? 'id' : 'order id'} is in{' '}
        {mapping.MatchField} changes; any other value is recorded as skipped.
      </p>
      <table className="mini-table" data-testid="salesforce-statuses">
        <thead>
          <tr>
            <th scope="col">Value</th>
            <th scope="col">Change</th>
            <th scope="col">Reason</th>
            <th scope="col">Amount field</th>
            <th scope="col">
              <span className="visually-hidden">Remove</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r, i) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: rows are edited in place; the index is their identity while the panel is open
            <tr key={i}>
              <td>
                <input className="input" aria-label="Status value" value={r.Value} onKeyDown={noSubmit} onChange={(e) => setRow(i, { Value: e.target.value })} />
              </td>
              <td>
                <select className="select" aria-label="Change" value={r.Change} onChange={(e) => setRow(i, { Change: e.target.value as Change })}>
                  {(Object.keys(CHANGE_TEXT) as Change[]).map((c) => (
                    <option key={c} value={c}>
                      {CHANGE_TEXT[c]}
                    </option>
                  ))}
                </select>
              </td>
              <td>
                {r.Change === 'REVERSE' || r.Change === 'MODIFY_AMOUNT' ? (
                  <select className="select" aria-label="Reason" value={r.Reason} onChange={(e) => setRow(i, { Reason: e.target.value })}>
                    <option value="">Choose…</option>
                    {CHANGE_REASON_CODES.map((code) => (
                      <option key={code} value={code}>
                        {code}
                      </option>
                    ))}
                  </select>
                ) : (
                  <span className="muted small">{r.Change === 'RESET' ? 'RESET' : 'APPROVED'}</span>
                )}
              </td>
              <td>
                {r.Change === 'MODIFY_AMOUNT' ? (
                  <input className="input" aria-label="Amount field" placeholder="Amount" value={r.AmountField} onKeyDown={noSubmit} onChange={(e) => setRow(i, { AmountField: e.target.value })} />
                ) : null}
              </td>
              <td>
                <button type="button" className="btn btn-sm" onClick={() => setRows(rows.filter((_, j) => j !== i))}>
                  Remove
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <div className="row">
        <button type="button" className="btn btn-sm" onClick={() => setRows([...rows, { Value: '', Change: 'REVERSE', Reason: '', AmountField: '' }])}>
          Add a status value
        </button>{' '}
        <button type="button" className="btn btn-sm btn-primary" data-testid="salesforce-save-mapping" disabled={saveMapping.isPending} onClick={() => saveMapping.mutate()}>
          Save mapping
        </button>
      </div>
      {saveMapping.isError ? <ErrorMessage>{errorDetail(saveMapping.error)}</ErrorMessage> : null}

      <h3 className="subhead">Poller</h3>
      {s?.LastPollStatus === 'ERROR' && s.LastError ? (
        <Notice kind="warning">
          <span data-testid="salesforce-last-error">
            The last poll ({formatDateTime(s.LastPollDate, tz)}) failed: {s.LastError}
          </span>
        </Notice>
      ) : null}
      <p className="small" data-testid="salesforce-credentials-state">
        {s?.Credentials.Set
          ? `${s.Credentials.Kind === 'REFRESH_TOKEN' ? 'A refresh token' : 'A username and password'} is saved (${formatDateTime(s.Credentials.SavedDate, tz)}${s.Credentials.SavedBy ? `, by ${s.Credentials.SavedBy}` : ''}), kept encrypted and never shown again; polled every ${s.PollIntervalMinutes} minutes${s.NextPollDate ? `, next ${formatDateTime(s.NextPollDate, tz)}` : ''}${s.PollCursor ? `; records changed up to ${formatDateTime(s.PollCursor, tz)} are taken` : ''}.`
          : 'No poll credentials: only Outbound Messages come in. Save a connected app’s key and secret with a refresh token, or with a username and password, to poll as well.'}
      </p>
      {s?.Credentials.Set ? (
        <div className="row">
          <button type="button" className="btn btn-sm btn-primary" data-testid="salesforce-poll-now" disabled={pollNow.isPending} onClick={() => pollNow.mutate()}>
            Poll now
          </button>{' '}
          <button type="button" className="btn btn-sm" disabled={removeCredentials.isPending} onClick={() => removeCredentials.mutate()}>
            Remove credentials
          </button>
        </div>
      ) : null}
      {pollNow.isError ? <ErrorMessage>{errorDetail(pollNow.error)}</ErrorMessage> : null}
      <fieldset className="stack" data-testid="salesforce-credentials">
        <legend className="small">{s?.Credentials.Set ? 'Replace the credentials' : 'Poll credentials'}</legend>
        <label className="checkbox">
          <input type="radio" name={`sf-kind-${eventType.Id}`} checked={kind === 'REFRESH_TOKEN'} onChange={() => setKind('REFRESH_TOKEN')} />
          <span>OAuth refresh token</span>
        </label>
        <label className="checkbox">
          <input type="radio" name={`sf-kind-${eventType.Id}`} checked={kind === 'PASSWORD'} onChange={() => setKind('PASSWORD')} />
          <span>Username, password and security token</span>
        </label>
        {input('Consumer key', creds.ClientId, (v) => setCreds({ ...creds, ClientId: v }), { hint: 'Of the connected app (Setup → App Manager).' })}
        {input('Consumer secret', creds.ClientSecret, (v) => setCreds({ ...creds, ClientSecret: v }), { type: 'password' })}
        {kind === 'REFRESH_TOKEN' ? (
          input('Refresh token', creds.RefreshToken, (v) => setCreds({ ...creds, RefreshToken: v }), { type: 'password' })
        ) : (
          <>
            {input('Username', creds.Username, (v) => setCreds({ ...creds, Username: v }))}
            {input('Password', creds.Password, (v) => setCreds({ ...creds, Password: v }), { type: 'password' })}
            {input('Security token', creds.SecurityToken, (v) => setCreds({ ...creds, SecurityToken: v }), { type: 'password' })}
          </>
        )}
        {input('Every (minutes)', creds.IntervalMinutes, (v) => setCreds({ ...creds, IntervalMinutes: v }), { type: 'number', hint: 'From 5 minutes to once a day.' })}
        <div>
          <button type="button" className="btn btn-sm btn-primary" data-testid="salesforce-save-credentials" disabled={saveCredentials.isPending} onClick={() => saveCredentials.mutate()}>
            Save credentials
          </button>
        </div>
        {saveCredentials.isError ? <ErrorMessage>{errorDetail(saveCredentials.error)}</ErrorMessage> : null}
      </fieldset>

      <h3 className="subhead">Last messages and polls</h3>
      {!s || s.Messages.length === 0 ? (
        <p className="muted small">None yet.</p>
      ) : (
        <table className="mini-table" data-testid="salesforce-messages">
          <thead>
            <tr>
              <th scope="col">Received</th>
              <th scope="col">From</th>
              <th scope="col">Notifications</th>
              <th scope="col">Batch</th>
            </tr>
          </thead>
          <tbody>
            {s.Messages.map((m) => (
              <tr key={m.Id}>
                <td className="nowrap">{formatDateTime(m.ReceivedDate, tz)}</td>
                <td>
                  {m.Source === 'OUTBOUND' ? 'Outbound Message' : 'Poll'}
                  {m.Status === 'ERROR' ? (
                    <div className="field-error small" role="note">
                      {m.Error}
                    </div>
                  ) : null}
                </td>
                <td>
                  {m.Status === 'ERROR' ? (
                    <Badge tone="red">error</Badge>
                  ) : (
                    `${m.Notifications} (${m.New} new, ${m.Duplicates} seen before, ${m.Skipped} skipped)`
                  )}
                </td>
                <td>
                  {m.BatchId ? (
                    <>
                      <Link to={`/transactions/returns-batches/${m.BatchId}`} className="mono">
                        {m.BatchId}
                      </Link>
                      {m.BatchStatus ? <span className="muted small"> ({m.BatchStatus.toLowerCase()})</span> : null}
                    </>
                  ) : (
                    <span className="muted small">none</span>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}

      <h3 className="subhead">Last notifications</h3>
      {!s || s.Notifications.length === 0 ? (
        <p className="muted small">None yet.</p>
      ) : (
        <table className="mini-table" data-testid="salesforce-notifications">
          <thead>
            <tr>
              <th scope="col">Received</th>
              <th scope="col">Record</th>
              <th scope="col">Status value</th>
              <th scope="col">Outcome</th>
            </tr>
          </thead>
          <tbody>
            {s.Notifications.map((n) => (
              <tr key={n.NotificationId}>
                <td className="nowrap">{formatDateTime(n.ReceivedDate, tz)}</td>
                <td className="mono small">{n.RecordId}</td>
                <td>{n.StatusValue ?? <span className="muted">empty</span>}</td>
                <td>
                  {n.Outcome === 'QUEUED' ? <Badge tone="green">{n.Change?.toLowerCase().replace('_', ' ')}</Badge> : <Badge tone="amber">skipped</Badge>}
                  {n.BatchId ? (
                    <>
                      {' '}
                      <Link to={`/transactions/returns-batches/${n.BatchId}`} className="mono small">
                        batch {n.BatchId}
                      </Link>
                    </>
                  ) : null}
                  {n.Message ? <div className="muted small">{n.Message}</div> : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}
