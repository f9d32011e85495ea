import type { KeyObject } from 'node:crypto';
import type { Config } from '../../core/config.js';
import { loadSecretsKey } from '../../core/secrets.js';

/**
 * What the Salesforce channel needs from the configuration: the key the poll credentials
 * are encrypted with (the key of the bank details), the hosts the poller may reach at an
 * internal address (SALESFORCE_ALLOWED_HOSTS), and the longest wait for Salesforce. Set
 * once per process at start (buildApp's routes, and the worker processes the tests start):
 * polls run in the worker, whose handlers get only the database and the clock.
 */
export interface SalesforceConfig {
  secretsKey(): KeyObject;
  allowedHosts: ReadonlySet<string>;
  timeoutMs: number;
}

let current: SalesforceConfig | undefined;

export function configureSalesforce(config: Pick<Config, 'secretsKey' | 'dataDir' | 'salesforceAllowedHosts'> & { salesforceTimeoutMs?: number }): void {
  let key: KeyObject | undefined;
  current = {
    secretsKey() {
      key ??= loadSecretsKey({ ...(config.secretsKey ? { secretsKey: config.secretsKey } : {}), dataDir: config.dataDir }).key;
      return key;
    },
    allowedHosts: new Set(config.salesforceAllowedHosts ?? []),
    timeoutMs: config.salesforceTimeoutMs ?? 60_000,
  };
}

export function salesforceConfigOrThrow(): SalesforceConfig {
  if (!current) throw new Error('The Salesforce channel is not configured in this process: call configureSalesforce(config) at start (buildApp does).');
  return current;
}
