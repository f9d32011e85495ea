/**
 * The SFTP server as `lockstep start` runs it: on SFTP_PORT (0: none), on the same
 * interface as the web server (HOST), with the host key of SFTP_HOST_KEY or DATA_DIR.
 */
import type { Config } from '../../core/config.js';
import type { ServiceContext } from '../../core/context.js';
import { loadOrCreateHostKey, type HostKey } from './host-key.js';
import { startSftpServer, type SftpLogger, type SftpServerHandle } from './server.js';

export { startSftpServer } from './server.js';

export interface RunningSftp extends SftpServerHandle {
  hostKey: HostKey;
  /** How a brand connects, as `lockstep start` prints it. */
  describe(publicHost: string): string;
}

export async function startSftpFromConfig(ctx: ServiceContext, config: Config, logger: SftpLogger): Promise<RunningSftp | undefined> {
  if (config.sftpPort === 0) return undefined;
  const hostKey = loadOrCreateHostKey({ dataDir: config.dataDir, hostKeyFile: config.sftpHostKey, secretsKey: config.secretsKey });
  const server = await startSftpServer({ ctx, port: config.sftpPort, host: config.host, hostKey, dataDir: config.dataDir, logger });
  return {
    ...server,
    hostKey,
    describe: (publicHost) =>
      `  SFTP (returns files): sftp -P ${server.port} <username>@${publicHost}   host key ${hostKey.fingerprint}${hostKey.created ? ` (new: ${hostKey.file})` : ''}`,
  };
}
