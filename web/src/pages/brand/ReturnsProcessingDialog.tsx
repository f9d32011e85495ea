import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { ApiError, errorDetail } from '../../api/client';
import { useAccount, useAccountApi } from '../../api/session';
import { RETURNS_CHANNEL_RUNNING, RETURNS_PROCESSING, type ReturnsProcessing } from '@contract/enums';
import type { BrandEventType, BrandEventTypeDetail, SetReturnsProcessingBody } from '@contract/event-types';
import { Dialog } from '../../components/Dialog';
import { ErrorMessage, Notice } from '../../components/Feedback';
import { Field } from '../../components/Form';
import { useToast } from '../../components/Toast';
import { RETURNS_PROCESSING_LABELS } from '../../lib/labels';
import { ReturnsPullPanel } from './ReturnsPullPanel';
import { SftpUploadPanel } from './SftpUploadPanel';
import { ReturnsEmailAddress, ReturnsEmailMessages } from './ReturnsEmailPanel';
import { SalesforcePanel } from './SalesforcePanel';

/** What each option is, as the brand reads it in the dialog. */
export const RETURNS_PROCESSING_HINTS: Record<ReturnsProcessing, string> = {
  API: 'Send batch files through the API or upload them on Transactions → Returns batches; scripts written for impact.com’s Actions API work unchanged.',
  SFTP_UPLOAD: 'Upload batch files to the platform’s SFTP server with credentials issued to your account.',
  SFTP_PULL: 'The platform fetches matching files from your own SFTP, FTPS or FTP server on a schedule (every 4 hours by default).',
  EMAIL: 'E-mail the batch file as an attachment to an address unique to this event type.',
  SALESFORCE: 'A change of a record’s status in Salesforce changes the action here.',
};

/** Said plainly where a channel does not take files yet (issue 14 builds them). */
export const CHANNEL_NOT_RUNNING =
  'This channel is not running yet: the settings are saved, but no file arrives this way until the channel is built (Returns processing, part 2). Until then, send files through the API or upload them on Transactions → Returns batches.';

type FieldErrors = Record<string, string>;

function fieldErrorsOf(error: unknown): FieldErrors {
  if (!(error instanceof ApiError) || !error.problem.errors) return {};
  return Object.fromEntries(error.problem.errors.map((e) => [e.field.replace(/^body\./, ''), e.message]));
}

function FieldError({ errors, name }: { errors: FieldErrors; name: string }) {
  return errors[name] ? (
    <div className="field-error" role="alert">
      {errors[name]}
    </div>
  ) : null;
}

const lines = (text: string) =>
  text
    .split(/[\n,]/)
    .map((s) => s.trim())
    .filter(Boolean);

/** Returns Processing → Edit: the five options, each with what it needs. */
export function ReturnsProcessingDialog({ eventType, onClose }: { eventType: BrandEventType; onClose: () => void }) {
  const http = useAccountApi();
  const account = useAccount();
  const queryClient = useQueryClient();
  const toast = useToast();
  const rp = eventType.ReturnsProcessing;
  const [method, setMethod] = useState<ReturnsProcessing>(rp.Method);
  const [pull, setPull] = useState({
    Protocol: rp.Pull?.Protocol ?? 'SFTP',
    Host: rp.Pull?.Host ?? '',
    Port: rp.Pull?.Port ? String(rp.Pull.Port) : '',
    Username: rp.Pull?.Username ?? '',
    Folder: rp.Pull?.Folder ?? '',
    FilePattern: rp.Pull?.FilePattern ?? '*.csv',
    ResultFolder: rp.Pull?.ResultFolder ?? '',
    DeleteAfterPull: rp.Pull?.DeleteAfterPull ?? false,
    IntervalMinutes: String(rp.Pull?.IntervalMinutes ?? 240),
  });
  const [email, setEmail] = useState({
    FilePattern: rp.Email?.FilePattern ?? '*.csv, *.xml',
    ReturnAddress: rp.Email?.ReturnAddress ?? '',
    AllowedSenders: (rp.Email?.AllowedSenders ?? []).join('\n'),
    Regenerate: false,
  });
  const [sf, setSf] = useState({
    InstanceUrl: rp.Salesforce?.InstanceUrl ?? '',
    ObjectName: rp.Salesforce?.ObjectName ?? 'Opportunity',
    MatchField: rp.Salesforce?.MatchField ?? '',
    MatchBy: rp.Salesforce?.MatchBy ?? 'ACTION_ID',
    StatusField: rp.Salesforce?.StatusField ?? 'StageName',
    ReverseValue: rp.Salesforce?.Statuses.find((s) => s.Change === 'REVERSE')?.Value ?? 'Closed Lost',
    ApproveValue: rp.Salesforce?.Statuses.find((s) => s.Change === 'APPROVE')?.Value ?? '',
  });

  const save = useMutation({
    mutationFn: () => {
      const body: SetReturnsProcessingBody = { Method: method };
      if (method === 'SFTP_PULL') {
        body.Pull = {
          Protocol: pull.Protocol,
          Host: pull.Host,
          Username: pull.Username,
          Folder: pull.Folder,
          FilePattern: pull.FilePattern,
          ResultFolder: pull.ResultFolder || null,
          DeleteAfterPull: pull.DeleteAfterPull,
          ...(pull.Port ? { Port: Number(pull.Port) } : {}),
          IntervalMinutes: Number(pull.IntervalMinutes),
        };
      }
      if (method === 'EMAIL') {
        body.Email = { FilePattern: email.FilePattern, ReturnAddress: email.ReturnAddress || null, AllowedSenders: lines(email.AllowedSenders) };
        if (email.Regenerate) body.RegenerateEmailAddress = true;
      }
      if (method === 'SALESFORCE') {
        body.Salesforce = {
          InstanceUrl: sf.InstanceUrl,
          ObjectName: sf.ObjectName,
          MatchField: sf.MatchField,
          MatchBy: sf.MatchBy,
          StatusField: sf.StatusField,
          Statuses: [
            ...(sf.ReverseValue ? [{ Value: sf.ReverseValue, Change: 'REVERSE' as const, Reason: 'ORDER_ERROR' as const }] : []),
            ...(sf.ApproveValue ? [{ Value: sf.ApproveValue, Change: 'APPROVE' as const }] : []),
            // The values this form does not edit (set in the Salesforce panel below: modify amount, reset, more than one per change) are kept.
            ...(rp.Salesforce?.Statuses ?? []).filter((s, i, all) => (s.Change !== 'REVERSE' && s.Change !== 'APPROVE') || (all.findIndex((x) => x.Change === s.Change) !== i && s.Value !== sf.ReverseValue && s.Value !== sf.ApproveValue)).map((s) => ({ Value: s.Value, Change: s.Change, Reason: s.Reason as NonNullable<SetReturnsProcessingBody['Salesforce']>['Statuses'][number]['Reason'], AmountField: s.AmountField })),
          ],
        };
      }
      return http.put<BrandEventTypeDetail>(`/api/v1/event-types/${eventType.Id}/returns-processing`, body);
    },
    onSuccess: async (saved) => {
      toast.success(`Returns Processing of ${saved.Name}: ${RETURNS_PROCESSING_LABELS[saved.ReturnsProcessing.Method]}.`);
      await queryClient.invalidateQueries({ queryKey: ['account', account.Id, 'event-types'] });
      onClose();
    },
  });
  const errors = fieldErrorsOf(save.error);
  const text = (label: string, value: string, set: (v: string) => void, name: string, extra: { placeholder?: string; hint?: string; type?: string } = {}) => (
    <div>
      <Field label={label} {...(extra.hint ? { hint: extra.hint } : {})}>
        <input
          className="input input-wide"
          type={extra.type ?? 'text'}
          value={value}
          placeholder={extra.placeholder}
          aria-invalid={errors[name] ? true : undefined}
          onChange={(e) => set(e.target.value)}
        />
      </Field>
      <FieldError errors={errors} name={name} />
    </div>
  );

  return (
    <Dialog
      title={`Returns Processing · ${eventType.Name}`}
      onClose={onClose}
      size="lg"
      testId="returns-processing-dialog"
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
      <fieldset className="radio-group">
        <legend>How this event type’s returns (reversals, modifications) arrive</legend>
        {RETURNS_PROCESSING.map((m) => (
          <label key={m} className="radio radio-block">
            <input type="radio" name="returns-method" value={m} checked={method === m} onChange={() => setMethod(m)} />
            <span>
              <strong>{RETURNS_PROCESSING_LABELS[m]}</strong>
              {!RETURNS_CHANNEL_RUNNING[m] ? <span className="badge badge-amber">not running yet</span> : null}
              <br />
              <span className="muted small">{RETURNS_PROCESSING_HINTS[m]}</span>
            </span>
          </label>
        ))}
      </fieldset>

      {!RETURNS_CHANNEL_RUNNING[method] ? <Notice kind="warning">{CHANNEL_NOT_RUNNING}</Notice> : null}

      {method === 'SFTP_UPLOAD' ? <SftpUploadPanel eventType={eventType} /> : null}

      {method === 'SFTP_PULL' ? (
        <div className="stack" data-testid="pull-settings">
          <Field label="Protocol">
            <select className="select" value={pull.Protocol} onChange={(e) => setPull({ ...pull, Protocol: e.target.value as typeof pull.Protocol })}>
              <option value="SFTP">SFTP</option>
              <option value="FTPS">FTPS (FTP over TLS)</option>
              <option value="FTP">FTP (unencrypted)</option>
            </select>
          </Field>
          {text('Host', pull.Host, (v) => setPull({ ...pull, Host: v }), 'Pull.Host', { placeholder: 'sftp.example.com' })}
          {text('Port', pull.Port, (v) => setPull({ ...pull, Port: v }), 'Pull.Port', { placeholder: pull.Protocol === 'SFTP' ? '22' : '21', type: 'number' })}
          {text('Username', pull.Username, (v) => setPull({ ...pull, Username: v }), 'Pull.Username', {
            hint: 'The password or private key is saved below, once these settings are saved; it is kept encrypted and never shown again.',
          })}
          {text('Folder', pull.Folder, (v) => setPull({ ...pull, Folder: v }), 'Pull.Folder', { placeholder: '/home/acme/returns' })}
          {text('File pattern', pull.FilePattern, (v) => setPull({ ...pull, FilePattern: v }), 'Pull.FilePattern', { hint: '* any run of characters, ? one character.' })}
          {text('Result folder (optional)', pull.ResultFolder, (v) => setPull({ ...pull, ResultFolder: v }), 'Pull.ResultFolder')}
          {text('Every (minutes)', pull.IntervalMinutes, (v) => setPull({ ...pull, IntervalMinutes: v }), 'Pull.IntervalMinutes', {
            type: 'number',
            hint: 'From 15 minutes to once a day; 240 is every 4 hours.',
          })}
          <label className="checkbox">
            <input type="checkbox" checked={pull.DeleteAfterPull} onChange={(e) => setPull({ ...pull, DeleteAfterPull: e.target.checked })} />
            <span>Delete files after they are pulled (left in place, a file is never pulled twice)</span>
          </label>
          <ReturnsPullPanel eventType={eventType} />
        </div>
      ) : null}

      {method === 'EMAIL' ? (
        <div className="stack" data-testid="email-settings">
          <ReturnsEmailAddress eventType={eventType} regenerate={email.Regenerate} onRegenerateChange={(Regenerate) => setEmail({ ...email, Regenerate })} />
          {text('Attachments to take', email.FilePattern, (v) => setEmail({ ...email, FilePattern: v }), 'Email.FilePattern')}
          {text('Send results to (optional)', email.ReturnAddress, (v) => setEmail({ ...email, ReturnAddress: v }), 'Email.ReturnAddress', {
            hint: 'Empty: results go back to the sender.',
          })}
          <Field label="Allowed senders (optional)" hint="One address a line; empty: anyone with the address.">
            <textarea className="input input-wide" rows={3} value={email.AllowedSenders} onChange={(e) => setEmail({ ...email, AllowedSenders: e.target.value })} />
          </Field>
          {Object.entries(errors)
            .filter(([k]) => k.startsWith('Email.AllowedSenders'))
            .map(([k, v]) => (
              <div key={k} className="field-error" role="alert">
                {v}
              </div>
            ))}
          <ReturnsEmailMessages eventType={eventType} />
        </div>
      ) : null}

      {method === 'SALESFORCE' ? (
        <div className="stack" data-testid="salesforce-settings">
          {text('Instance URL', sf.InstanceUrl, (v) => setSf({ ...sf, InstanceUrl: v }), 'Salesforce.InstanceUrl', { placeholder: 'https://acme.my.salesforce.com' })}
          {text('Object', sf.ObjectName, (v) => setSf({ ...sf, ObjectName: v }), 'Salesforce.ObjectName', { hint: 'Opportunity, Lead or a custom object such as Order__c.' })}
          {text('Field with the action', sf.MatchField, (v) => setSf({ ...sf, MatchField: v }), 'Salesforce.MatchField', { placeholder: 'Lockstep_Action_Id__c' })}
          <Field label="That field holds">
            <select className="select" value={sf.MatchBy} onChange={(e) => setSf({ ...sf, MatchBy: e.target.value as typeof sf.MatchBy })}>
              <option value="ACTION_ID">the Lockstep action id</option>
              <option value="ORDER_ID">the order id</option>
            </select>
          </Field>
          {text('Status field', sf.StatusField, (v) => setSf({ ...sf, StatusField: v }), 'Salesforce.StatusField')}
          {text('Status that reverses (reason ORDER_ERROR)', sf.ReverseValue, (v) => setSf({ ...sf, ReverseValue: v }), 'Salesforce.Statuses.0.Value')}
          {text('Status that approves (optional)', sf.ApproveValue, (v) => setSf({ ...sf, ApproveValue: v }), 'Salesforce.Statuses.1.Value')}
          <FieldError errors={errors} name="Salesforce.Statuses" />
          <SalesforcePanel eventType={eventType} />
        </div>
      ) : null}

      {save.isError ? (
        <ErrorMessage>{Object.keys(errors).length > 0 ? 'Fix the fields marked above, then save again.' : errorDetail(save.error)}</ErrorMessage>
      ) : null}
    </Dialog>
  );
}
