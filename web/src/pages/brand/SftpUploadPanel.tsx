import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link } from 'react-router';
import type { BrandEventType } from '@contract/event-types';
import type { AddSftpKeyBody, IssuedSftpPassword, SftpAccess, SftpFiles, SftpKey } from '@contract/sftp-access';
import { ApiError, errorDetail } from '../../api/client';
import { useAccount, useAccountApi, useAccountKey } from '../../api/session';
import { CopyButton } from '../../components/CopyButton';
import { ErrorMessage, Loading, Notice, QueryError } from '../../components/Feedback';
import { Badge, CopyField, Field } from '../../components/Form';
import { formatDateTime } from '../../lib/format';

const STATUS_TONE: Record<string, 'green' | 'red' | 'gray' | 'blue'> = { DONE: 'green', FAILED: 'red', RECEIVED: 'gray', RUNNING: 'blue' };

/**
 * Upload file to system FTP server (issue 14, item 1): where to connect, the account's
 * username, its password (generated and shown once, rotatable) and public keys, this
 * event type's folder, a command to copy, and the last files the folder received.
 */
export function SftpUploadPanel({ eventType }: { eventType: BrandEventType }) {
  const account = useAccount();
  const http = useAccountApi();
  const key = useAccountKey();
  const queryClient = useQueryClient();
  const saved = eventType.ReturnsProcessing.Method === 'SFTP_UPLOAD';
  const access = useQuery({ queryKey: key('sftp-access'), queryFn: () => http.get<SftpAccess>('/api/v1/sftp-access'), retry: false });
  const files = useQuery({
    queryKey: key('event-types', 'sftp-files', eventType.Id),
    queryFn: () => http.get<SftpFiles>(`/api/v1/event-types/${eventType.Id}/sftp-files`),
    refetchInterval: 15_000,
  });
  const [issued, setIssued] = useState<(IssuedSftpPassword & { rotated: boolean }) | null>(null);
  const [newKey, setNewKey] = useState({ PublicKey: '', Label: '' });
  const refresh = () => queryClient.invalidateQueries({ queryKey: key('sftp-access') });

  const password = useMutation({
    mutationFn: async () => ({ ...(await http.post<IssuedSftpPassword>('/api/v1/sftp-access/password')), rotated: access.data?.PasswordSet ?? false }),
    onSuccess: async (p) => {
      setIssued(p);
      await refresh();
    },
  });
  const passwordOff = useMutation({
    mutationFn: () => http.del('/api/v1/sftp-access/password'),
    onSuccess: async () => {
      setIssued(null);
      await refresh();
    },
  });
  const addKey = useMutation({
    mutationFn: () => http.post<SftpKey>('/api/v1/sftp-access/keys', { PublicKey: newKey.PublicKey, ...(newKey.Label.trim() ? { Label: newKey.Label.trim() } : {}) } satisfies AddSftpKeyBody),
    onSuccess: async () => {
      setNewKey({ PublicKey: '', Label: '' });
      await refresh();
    },
  });
  const removeKey = useMutation({ mutationFn: (id: number) => http.del(`/api/v1/sftp-access/keys/${id}`), onSuccess: refresh });

  const folder = files.data?.Folder;
  const notAdmin = access.error instanceof ApiError && access.error.status === 403;
  const a = access.data;
  const username = a?.Username ?? '<username>';
  const example = a && folder ? `sftp -P ${a.Port} ${username}@${a.Host}\nsftp> cd ${folder}\nsftp> put returns.csv` : '';

  return (
    <div className="stack" data-testid="sftp-upload-panel">
      {!saved ? <p className="muted small">Save to give this event type its folder on the SFTP server; the login below is your account’s, for every such folder.</p> : null}
      {access.isPending ? (
        <Loading label="Loading your SFTP login…" />
      ) : notAdmin ? (
        <Notice>Only an admin of {account.Name} can see and manage the SFTP login (username, password and keys).</Notice>
      ) : access.isError ? (
        <QueryError error={access.error} onRetry={() => void access.refetch()} />
      ) : a ? (
        <>
          {!a.Running ? <Notice kind="warning">This installation runs no SFTP server (SFTP_PORT=0): files cannot be uploaded until it does.</Notice> : null}
          <div className="form-row">
            <CopyField label="Host" value={a.Host} testId="sftp-host" />
            <CopyField label="Port" value={String(a.Port)} testId="sftp-port" />
          </div>
          {a.Username ? (
            <CopyField label="Username" value={a.Username} testId="sftp-username" />
          ) : (
            <Field label="Username">
              <span className="muted small">Made with the first password or key.</span>
            </Field>
          )}
          {folder ? <CopyField label="Folder" value={`/${folder}`} testId="sftp-folder" /> : null}

          <Field label="Password" hint="Generated for you and shown once; Lockstep keeps only a hash of it.">
            <span className="row-actions">
              <span className="muted small" data-testid="sftp-password-state">
                {a.PasswordSet ? `Set ${formatDateTime(a.PasswordSetDate, account.TimeZone)}` : 'None (key login only)'}
              </span>
              <button type="button" className="btn btn-sm" disabled={password.isPending} onClick={() => password.mutate()}>
                {a.PasswordSet ? 'Rotate password' : 'Generate password'}
              </button>
              {a.PasswordSet ? (
                <button type="button" className="btn btn-sm btn-danger-ghost" disabled={passwordOff.isPending} onClick={() => passwordOff.mutate()}>
                  Turn off
                </button>
              ) : null}
            </span>
          </Field>
          {issued ? (
            <Notice kind="warning">
              Copy the password now: it is shown only once{issued.rotated ? ', and the one before stopped working' : ''}.
              <CopyField label="Password" value={issued.Password} testId="sftp-password" />
            </Notice>
          ) : null}
          {password.isError ? <ErrorMessage>{errorDetail(password.error)}</ErrorMessage> : null}

          <div className="stack">
            <h3 className="small">Public keys</h3>
            {a.Keys.length === 0 ? (
              <p className="muted small">None yet.</p>
            ) : (
              <table className="mini-table" data-testid="sftp-keys">
                <thead>
                  <tr>
                    <th scope="col">Label</th>
                    <th scope="col">Key</th>
                    <th scope="col">Last used</th>
                    <th scope="col">
                      <span className="visually-hidden">Actions</span>
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {a.Keys.map((k) => (
                    <tr key={k.Id}>
                      <td>{k.Label || <span className="muted">(no label)</span>}</td>
                      <td>
                        <span className="mono small">{k.Fingerprint}</span>
                        <div className="muted small">
                          {k.Algorithm} {k.Bits} bits, added by {k.CreatedByName ?? 'a former member'}
                        </div>
                      </td>
                      <td className="nowrap">{k.LastUsedDate ? formatDateTime(k.LastUsedDate, account.TimeZone) : <span className="muted">Never</span>}</td>
                      <td>
                        <button type="button" className="btn btn-sm btn-danger-ghost" disabled={removeKey.isPending} onClick={() => removeKey.mutate(k.Id)}>
                          Remove
                        </button>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
            <Field label="Add a public key" hint="One line of a .pub file (ssh-ed25519, RSA of 2048 bits or more, or ECDSA), e.g. the contents of ~/.ssh/id_ed25519.pub.">
              <textarea
                className="input input-wide mono"
                rows={2}
                value={newKey.PublicKey}
                placeholder="ssh-ed25519 AAAAC3Nza… you@host"
                onChange={(e) => setNewKey({ ...newKey, PublicKey: e.target.value })}
              />
            </Field>
            <Field label="Or upload the .pub file">
              <input
                type="file"
                accept=".pub,text/plain"
                data-testid="sftp-key-file"
                onChange={(e) => {
                  const file = e.target.files?.[0];
                  if (file) void file.text().then((text) => setNewKey((k) => ({ ...k, PublicKey: text.trim() })));
                }}
              />
            </Field>
            <Field label="Label (optional)">
              <input className="input" maxLength={100} value={newKey.Label} onChange={(e) => setNewKey({ ...newKey, Label: e.target.value })} />
            </Field>
            <div>
              <button type="button" className="btn btn-sm" disabled={addKey.isPending || newKey.PublicKey.trim() === ''} onClick={() => addKey.mutate()}>
                Add key
              </button>
            </div>
            {addKey.isError ? <ErrorMessage>{errorDetail(addKey.error)}</ErrorMessage> : null}
            {removeKey.isError ? <ErrorMessage>{errorDetail(removeKey.error)}</ErrorMessage> : null}
          </div>

          {example && saved ? (
            <div className="stack">
              <p className="muted small">
                Upload into the folder; each file becomes a batch, and its <span className="mono">receipt_…txt</span> and (once applied) <span className="mono">result_…csv</span>{' '}
                appear next to it. Files named receipt_* or result_* are ignored.
              </p>
              <pre className="code" style={{ display: 'block', whiteSpace: 'pre-wrap', padding: '8px 10px' }} data-testid="sftp-example">
                {example}
              </pre>
              <CopyButton text={`sftp -P ${a.Port} ${username}@${a.Host}`} label="Copy command" />
            </div>
          ) : null}
        </>
      ) : null}

      <div className="stack" data-testid="sftp-files">
        <h3 className="small">Last files received by SFTP</h3>
        {files.isPending ? (
          <Loading label="Loading the files received…" />
        ) : files.isError ? (
          <QueryError error={files.error} onRetry={() => void files.refetch()} />
        ) : files.data.Files.length === 0 ? (
          <p className="muted small">None yet.</p>
        ) : (
          <table className="mini-table">
            <thead>
              <tr>
                <th scope="col">Received</th>
                <th scope="col">File</th>
                <th scope="col">Status</th>
              </tr>
            </thead>
            <tbody>
              {files.data.Files.map((f) => (
                <tr key={f.BatchId}>
                  <td className="nowrap">{formatDateTime(f.ReceivedDate, account.TimeZone)}</td>
                  <td>
                    <Link to={`/transactions/returns-batches/${f.BatchId}`} className="mono">
                      {f.FileName}
                    </Link>
                    {f.Deleted ? <span className="muted small"> (deleted from the folder)</span> : null}
                  </td>
                  <td>
                    <Badge tone={STATUS_TONE[f.Status] ?? 'gray'}>{f.Status.toLowerCase()}</Badge>
                    {f.Status === 'DONE' ? (
                      <div className="muted small">
                        {Object.entries(f.Counts)
                          .filter(([, n]) => n > 0)
                          .map(([outcome, n]) => `${outcome} ${n}`)
                          .join(', ') || 'no rows'}
                      </div>
                    ) : null}
                    {f.Error ? <div className="field-error small">{f.Error}</div> : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </div>
    </div>
  );
}
