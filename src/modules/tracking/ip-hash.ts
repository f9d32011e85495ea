import { createHmac } from 'node:crypto';
import type { Sql } from '../../db/types.js';

/**
 * Visitors' IP addresses are never stored: only an HMAC-SHA256 under a random key of
 * this installation (instance_settings 'ip_hash_key'). The same visitor hashes the same
 * way, which is enough for fraud checks, but without the key the hash cannot be reversed
 * by trying all 2^32 IPv4 addresses.
 */
export async function loadIpHashKey(sql: Sql): Promise<string> {
  const { rows } = await sql.query<{ value: string }>(`select value from instance_settings where key = 'ip_hash_key'`);
  if (!rows[0]) throw new Error('instance_settings has no ip_hash_key; run the migrations.');
  return rows[0].value;
}

export function hashIp(key: string | Buffer, ip: string): string {
  // An IPv4 client on a dual-stack socket shows up as ::ffff:a.b.c.d; hash the plain form.
  const plain = ip.startsWith('::ffff:') && ip.includes('.') ? ip.slice(7) : ip;
  return createHmac('sha256', key).update(plain).digest('hex');
}
