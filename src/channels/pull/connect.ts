import type { PullSettings } from '../../modules/programs/returns-settings.js';
import { openFtp } from './ftp-remote.js';
import type { OpenOptions, PullCredentials, RemoteSession } from './remote.js';
import { openSftp } from './sftp-remote.js';

/** A session on the brand's server, by the protocol of its settings. */
export function openRemote(settings: PullSettings, credentials: PullCredentials, options: OpenOptions): Promise<RemoteSession> {
  return settings.protocol === 'SFTP' ? openSftp(settings, credentials, options) : openFtp(settings, credentials, options);
}
