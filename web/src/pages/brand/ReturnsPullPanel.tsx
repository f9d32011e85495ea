import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { errorDetail } from '../../api/client';
import { useAccount, useAccountApi, useAccountKey } from '../../api/session';
import type { BrandEventType } from '@contract/event-types';
import type { ConnectionTestDto, PullCredentialsBody, PullQueuedDto, PullStatusDto } from '@contract/returns-pull';
import { ErrorMessage, Notice } from '../../components/Feedback';
import { Field } from '../../components/Form';
import { useToast } from '../../components/Toast';
import { formatDateTime } from '../../lib/format';

const bytes = (n: number) => (n < 1024 ? `${n} B` : n < 1024 * 1024 ? `${(n / 1024).toFixed(1)} KiB` : `${(n / 1024 / 1024).toFixed(1)} MiB`);

/** Enter in a field of this panel must not submit the Returns Processing dialog around it. */
const noSubmit = (e: React.KeyboardEvent) => {
  if (e.key === 'Enter') e.preventDefault();
};

/**
 * Returns Processing → Pull from your server, once the settings are saved: the password or
 * private key (write only: never shown again), Test connection with the files the pattern
 * matches now, Pull now, the server key recorded on first connect, and the last pulls,
 * their errors and the files pulled.
 */
export function ReturnsPullPanel({ eventType }: { eventType: BrandEventType }) {
  const rp = eventType.ReturnsProcessing;
  if (rp.Method !== 'SFTP_PULL' || !rp.Pull) {
    return (
      <p className="muted small" data-testid="pull-panel-hint">
        Save these settings first; then the password or private key, Test connection and Pull now appear here.
      </p>
    );
  }
  return <SavedPullPanel eventType={eventType} />;
}

function SavedPullPanel({ eventType }: { eventType: BrandEventType }) {
  const http = useAccountApi();
  const key = useAccountKey();
  const account = useAccount();
  const toast = useToast();
  const queryClient = useQueryClient();
  const base = `/api/v1/event-types/${eventType.Id}/pull`;
  const statusKey = key('event-types', 'pull', eventType.Id);
  const [pollUntil, setPollUntil] = useState(0);
  const status = useQuery({
    queryKey: statusKey,
    queryFn: () => http.get<PullStatusDto>(base),
    refetchInterval: (query) => (Date.now() < pollUntil || query.state.data?.Runs.some((r) => r.Status === 'RUNNING') ? 1500 : false),
  });
  const [kind, setKind] = useState<'PASSWORD' | 'PRIVATE_KEY'>(eventType.ReturnsProcessing.Pull?.Protocol === 'SFTP' ? 'PRIVATE_KEY' : 'PASSWORD');
  const [password, setPassword] = useState('');
  const [privateKey, setPrivateKey] = useState('');
  const [keyFileName, setKeyFileName] = useState('');
  const [passphrase, setPassphrase] = useState('');
  const [test, setTest] = useState<ConnectionTestDto | null>(null);
  const refresh = (data?: PullStatusDto) => (data ? queryClient.setQueryData(statusKey, data) : queryClient.invalidateQueries({ queryKey: statusKey }));

  const saveCredentials = useMutation({
    mutationFn: () => {
      const body: PullCredentialsBody = kind === 'PASSWORD' ? { Password: password } : { PrivateKey: privateKey, ...(passphrase ? { Passphrase: passphrase } : {}) };
      return http.put<PullStatusDto>(`${base}/credentials`, body);
    },
    onSuccess: (data) => {
      setPassword('');
      setPrivateKey('');
      setKeyFileName('');
      setPassphrase('');
      refresh(data);
      toast.success(kind === 'PASSWORD' ? 'Password saved (encrypted; it is not shown again).' : 'Private key saved (encrypted; it is not shown again).');
    },
  });
  const removeCredentials = useMutation({ mutationFn: () => http.del<PullStatusDto>(`${base}/credentials`), onSuccess: (data) => refresh(data) });
  const forgetKey = useMutation({ mutationFn: () => http.del<PullStatusDto>(`${base}/server-key`), onSuccess: (data) => refresh(data) });
  const testConnection = useMutation({
    mutationFn: () => http.post<ConnectionTestDto>(`${base}/test`),
    onSuccess: (data) => {
      setTest(data);
      void refresh();
    },
  });
  const pullNow = useMutation({
    mutationFn: () => http.post<PullQueuedDto>(`${base}/run`),
    onSuccess: () => {
      toast.success('Pull queued: it starts within moments; its outcome appears under Last pulls.');
      setPollUntil(Date.now() + 30_000);
      void refresh();
    },
  });

  const readKeyFile = (file: File | undefined) => {
    if (!file) return;
    setKeyFileName(file.name);
    void file.text().then(setPrivateKey);
  };
  const s = status.data;
  const tz = account.TimeZone;

  return (
    <div className="stack" data-testid="pull-panel">
      <h3 className="subhead">Connection</h3>
      {status.isError ? <ErrorMessage>{errorDetail(status.error)}</ErrorMessage> : null}
      {s?.LastPullStatus === 'ERROR' && s.LastError ? (
        <Notice kind="warning">
          <span data-testid="pull-last-error">
            The last pull ({formatDateTime(s.LastPullDate, tz)}) failed: {s.LastError}
          </span>
        </Notice>
      ) : null}
      <p className="small" data-testid="pull-credentials-state">
        {s?.Credentials.Set
          ? `${s.Credentials.Kind === 'PASSWORD' ? 'A password' : 'A private key'} is saved (${formatDateTime(s.Credentials.SavedDate, tz)}${s.Credentials.SavedBy ? `, by ${s.Credentials.SavedBy}` : ''}); it is kept encrypted and never shown again.`
          : 'No password or private key is saved yet: pulls cannot log in.'}
        {s?.Credentials.Set ? (
          <>
            {' '}
            <button type="button" className="btn btn-sm" onClick={() => removeCredentials.mutate()} disabled={removeCredentials.isPending}>
              Remove
            </button>
          </>
        ) : null}
      </p>
      <fieldset className="radio-group">
        <legend>{s?.Credentials.Set ? 'Replace the credentials' : 'Log in with'}</legend>
        <label className="radio">
          <input type="radio" name="pull-credentials-kind" checked={kind === 'PASSWORD'} onChange={() => setKind('PASSWORD')} /> <span>Password</span>
        </label>
        <label className="radio">
          <input type="radio" name="pull-credentials-kind" checked={kind === 'PRIVATE_KEY'} onChange={() => setKind('PRIVATE_KEY')} /> <span>Private key (SFTP)</span>
        </label>
      </fieldset>
      {kind === 'PASSWORD' ? (
        <Field label="Password">
          <input className="input input-wide" type="password" autoComplete="new-password" value={password} onKeyDown={noSubmit} onChange={(e) => setPassword(e.target.value)} />
        </Field>
      ) : (
        <>
          <Field label="Private key file" hint="OpenSSH or PEM (id_ed25519, id_rsa); its public key must be in the account's authorized_keys on your server.">
            <input className="input" type="file" aria-label="Private key file" onChange={(e) => readKeyFile(e.target.files?.[0])} />
          </Field>
          {keyFileName ? <p className="muted small">{`${keyFileName} read (${privateKey.length} characters).`}</p> : null}
          <Field label="Passphrase (if the key has one)">
            <input className="input input-wide" type="password" autoComplete="off" value={passphrase} onKeyDown={noSubmit} onChange={(e) => setPassphrase(e.target.value)} />
          </Field>
        </>
      )}
      <div>
        <button
          type="button"
          className="btn"
          onClick={() => saveCredentials.mutate()}
          disabled={saveCredentials.isPending || (kind === 'PASSWORD' ? !password : !privateKey)}
        >
          {saveCredentials.isPending ? 'Saving…' : kind === 'PASSWORD' ? 'Save password' : 'Save private key'}
        </button>
      </div>
      {saveCredentials.isError ? <ErrorMessage>{errorDetail(saveCredentials.error)}</ErrorMessage> : null}
      {eventType.ReturnsProcessing.Pull?.Protocol === 'FTP' ? (
        <Notice kind="warning">Plain FTP sends the password and the files unencrypted; choose FTPS or SFTP if your server offers them.</Notice>
      ) : null}

      {s?.ServerKey ? (
        <p className="small" data-testid="pull-server-key">
          Server key of {s.ServerKey.Server}: <span className="mono">{s.ServerKey.Key}</span>, recorded {formatDateTime(s.ServerKey.RecordedDate, tz)} on the first connection. A
          different key is refused.{' '}
          <button type="button" className="btn btn-sm" onClick={() => forgetKey.mutate()} disabled={forgetKey.isPending}>
            Forget the recorded key
          </button>
        </p>
      ) : (
        <p className="muted small">The server’s key is recorded on the first connection (Test connection or the first pull); afterwards a different key is refused.</p>
      )}

      <p className="muted small">Test connection and Pull now use the saved settings above: save a change first.</p>
      <div className="button-row">
        <button type="button" className="btn" onClick={() => testConnection.mutate()} disabled={testConnection.isPending}>
          {testConnection.isPending ? 'Testing…' : 'Test connection'}
        </button>{' '}
        <button type="button" className="btn" onClick={() => pullNow.mutate()} disabled={pullNow.isPending || !s?.Credentials.Set}>
          Pull now
        </button>
        {s?.NextPullDate ? <span className="muted small"> Next scheduled pull: {formatDateTime(s.NextPullDate, tz)}</span> : null}
      </div>
      {testConnection.isError ? <ErrorMessage>{errorDetail(testConnection.error)}</ErrorMessage> : null}
      {pullNow.isError ? <ErrorMessage>{errorDetail(pullNow.error)}</ErrorMessage> : null}
      {test ? (
        <div data-testid="pull-test-result">
          {test.Ok ? (
            <>
              <Notice kind="success">
                Connected{test.Trust === 'certificate-authority' ? ' (certificate verified by a certificate authority)' : test.Trust === 'none' ? ' (plain FTP: nothing verified)' : ''}.{' '}
                {test.Matches.length ? `${test.Matches.length}${test.Truncated ? '+' : ''} file(s) match the pattern now:` : 'No file matches the pattern now.'}
              </Notice>
              {test.Matches.length ? (
                <table className="mini-table">
                  <thead>
                    <tr>
                      <th scope="col">File</th>
                      <th scope="col">Size</th>
                      <th scope="col">Modified</th>
                      <th scope="col">Pulled before</th>
                    </tr>
                  </thead>
                  <tbody>
                    {test.Matches.map((m) => (
                      <tr key={m.FileName}>
                        <td className="mono">{m.FileName}</td>
                        <td>{bytes(m.Size)}</td>
                        <td className="nowrap">{formatDateTime(m.ModifiedDate, tz)}</td>
                        <td>{m.AlreadyPulled ? 'yes (not applied again)' : 'no'}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              ) : null}
            </>
          ) : (
            <ErrorMessage>{test.Error}</ErrorMessage>
          )}
        </div>
      ) : null}

      <h3 className="subhead">Last pulls</h3>
      {s?.Runs.length ? (
        <table className="mini-table" data-testid="pull-runs">
          <thead>
            <tr>
              <th scope="col">Started</th>
              <th scope="col">By</th>
              <th scope="col">Outcome</th>
              <th scope="col">Files</th>
            </tr>
          </thead>
          <tbody>
            {s.Runs.slice(0, 10).map((r) => (
              <tr key={r.Id}>
                <td className="nowrap">{formatDateTime(r.StartedDate, tz)}</td>
                <td>{r.Trigger === 'MANUAL' ? 'Pull now' : 'schedule'}</td>
                <td>{r.Status === 'ERROR' ? <span className="field-error">{r.Error}</span> : r.Status === 'RUNNING' ? 'running…' : 'OK'}</td>
                <td className="nowrap">{`${r.FilesPulled} new, ${r.FilesSkipped} pulled before, ${r.FilesMatched} matched`}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        <p className="muted small">No pull yet.</p>
      )}

      <h3 className="subhead">Files pulled</h3>
      {s?.Files.length ? (
        <table className="mini-table" data-testid="pull-files">
          <thead>
            <tr>
              <th scope="col">File</th>
              <th scope="col">Size</th>
              <th scope="col">Pulled</th>
              <th scope="col">Batch</th>
              <th scope="col">On your server</th>
              <th scope="col">Result</th>
            </tr>
          </thead>
          <tbody>
            {s.Files.slice(0, 20).map((f) => (
              <tr key={`${f.FileName}-${f.PulledDate}`}>
                <td className="mono">{f.FileName}</td>
                <td>{bytes(f.Size)}</td>
                <td className="nowrap">{formatDateTime(f.PulledDate, tz)}</td>
                <td className="mono">{f.BatchId}</td>
                <td>{f.DeletedDate ? 'deleted' : 'left in place'}</td>
                <td>{f.ResultUploadedDate ? 'uploaded' : f.ResultError ? <span className="field-error">{f.ResultError}</span> : eventType.ReturnsProcessing.Pull?.ResultFolder ? 'pending' : '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        <p className="muted small">No file pulled yet.</p>
      )}
    </div>
  );
}
