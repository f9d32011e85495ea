import type { PullSettings } from '../../modules/programs/returns-settings.js';
import { resolvePullAddressOrThrow } from './address.js';
import { openFtp } from './ftp-remote.js';
import { pullConfigOrThrow } from './pull-config.js';
import type { OpenOptions, PullCredentials, RemoteSession } from './remote.js';
import { openSftp } from './sftp-remote.js';

/** A session on the brand's server, by the protocol of its settings, at the address its host resolves to (never an internal one unless allowed). */
export async function openRemote(settings: PullSettings, credentials: PullCredentials, options: Omit<OpenOptions, 'address'>): Promise<RemoteSession> {
  const address = await resolvePullAddressOrThrow(settings.host, settings.port, pullConfigOrThrow().allowedHosts, options.timeoutMs);
  const open = settings.protocol === 'SFTP' ? openSftp : openFtp;
  return open(settings, credentials, { ...options, address });
}
