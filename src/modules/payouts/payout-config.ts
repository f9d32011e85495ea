import type { KeyObject } from 'node:crypto';
import type { Config } from '../../core/config.js';
import { loadSecretsKey } from '../../core/secrets.js';

/**
 * What payouts need from the configuration: the key of the bank details at rest, the wire
 * fees, and the platform's own account for the bank files. Set once per process at start
 * (buildApp, and the command line before it runs a job), because payouts run both in
 * requests and in the worker, whose handlers get only the database and the clock. The key
 * is read on first use, so a process that never touches bank details never creates the
 * key file.
 */
export interface PayoutConfig {
  secretsKey(): KeyObject;
  wireFeesMinor: Readonly<Record<string, bigint>>;
  debtor: { name: string; iban: string; bic: string };
}

let current: PayoutConfig | undefined;

export function payoutConfigFrom(config: Pick<Config, 'secretsKey' | 'dataDir' | 'wireFeesMinor' | 'payoutDebtor'>): PayoutConfig {
  let key: KeyObject | undefined;
  return {
    secretsKey() {
      key ??= loadSecretsKey({ ...(config.secretsKey ? { secretsKey: config.secretsKey } : {}), dataDir: config.dataDir }).key;
      return key;
    },
    wireFeesMinor: config.wireFeesMinor,
    debtor: config.payoutDebtor,
  };
}

/** Configures this process's payouts (see PayoutConfig). */
export function configurePayouts(config: Pick<Config, 'secretsKey' | 'dataDir' | 'wireFeesMinor' | 'payoutDebtor'>): void {
  current = payoutConfigFrom(config);
}

export function payoutConfigOrThrow(): PayoutConfig {
  if (!current) throw new Error('Payouts are not configured in this process: call configurePayouts(config) at start (buildApp does).');
  return current;
}
