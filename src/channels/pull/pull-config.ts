import type { KeyObject } from 'node:crypto';
import type { Config } from '../../core/config.js';
import { loadSecretsKey } from '../../core/secrets.js';

/**
 * What pulls need from the configuration: the key the credentials are encrypted with (the
 * key of the bank details), the timeout of every network wait, and the most files one pull
 * takes. Set once per process at start (buildApp, and the worker processes the tests
 * start), because pulls run in the worker, whose handlers get only the database and the
 * clock. The key is read on first use.
 */
export interface PullConfig {
  secretsKey(): KeyObject;
  timeoutMs: number;
  maxFiles: number;
  /** Hosts (names or addresses, lower case) a pull may reach at an internal address. */
  allowedHosts: ReadonlySet<string>;
}

let current: PullConfig | undefined;

export function configurePulls(config: Pick<Config, 'secretsKey' | 'dataDir' | 'pullTimeoutMs' | 'pullMaxFiles' | 'pullAllowedHosts'>): void {
  let key: KeyObject | undefined;
  current = {
    secretsKey() {
      key ??= loadSecretsKey({ ...(config.secretsKey ? { secretsKey: config.secretsKey } : {}), dataDir: config.dataDir }).key;
      return key;
    },
    timeoutMs: config.pullTimeoutMs,
    maxFiles: config.pullMaxFiles,
    allowedHosts: new Set(config.pullAllowedHosts),
  };
}

export function pullConfigOrThrow(): PullConfig {
  if (!current) throw new Error('Pulls are not configured in this process: call configurePulls(config) at start (buildApp does).');
  return current;
}
