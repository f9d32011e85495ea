/**
 * OpenSSH public keys as a brand pastes them (`ssh-ed25519 AAAA… comment`, one line of
 * `~/.ssh/id_ed25519.pub`): which are taken, and the fingerprint `ssh-keygen -l` prints,
 * so the brand can tell its keys apart. No database: the key's checks only.
 */
import { createHash } from 'node:crypto';
import ssh2 from 'ssh2';
import { invalid } from '../../core/errors.js';

const { utils } = ssh2;

/** ed25519, RSA of at least 2048 bits, ECDSA on the three NIST curves: what OpenSSH generates today. */
export const SFTP_KEY_ALGORITHMS = ['ssh-ed25519', 'ssh-rsa', 'ecdsa-sha2-nistp256', 'ecdsa-sha2-nistp384', 'ecdsa-sha2-nistp521'] as const;
export type SftpKeyAlgorithm = (typeof SFTP_KEY_ALGORITHMS)[number];
export const MIN_RSA_BITS = 2048;
/** A public key line is short (an RSA 16384-bit key is about 2,800 characters). */
export const MAX_PUBLIC_KEY_LENGTH = 8192;

export interface ParsedPublicKey {
  algorithm: SftpKeyAlgorithm;
  bits: number;
  /** The key in the SSH wire format (what a client presents at login). */
  blob: Buffer;
  /** `SHA256:<base64 without padding>`, as ssh-keygen -l prints it. */
  fingerprint: string;
  comment: string;
}

/** The key's fingerprint as OpenSSH prints it. */
export function fingerprintOf(blob: Buffer): string {
  return `SHA256:${createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`;
}

/** Reads one SSH string (uint32 length, then bytes) at `at`. */
function sshString(blob: Buffer, at: number): { value: Buffer; next: number } {
  if (at + 4 > blob.length) throw new Error('short key');
  const length = blob.readUInt32BE(at);
  if (at + 4 + length > blob.length) throw new Error('short key');
  return { value: blob.subarray(at + 4, at + 4 + length), next: at + 4 + length };
}

/** The bit length of an RSA key's modulus (the blob is: "ssh-rsa", e, n). */
function rsaBits(blob: Buffer): number {
  const name = sshString(blob, 0);
  const e = sshString(blob, name.next);
  let n = sshString(blob, e.next).value;
  while (n.length > 0 && n[0] === 0) n = n.subarray(1);
  if (n.length === 0) return 0;
  return (n.length - 1) * 8 + (32 - Math.clz32(n[0]!));
}

const ECDSA_BITS: Record<string, number> = { 'ecdsa-sha2-nistp256': 256, 'ecdsa-sha2-nistp384': 384, 'ecdsa-sha2-nistp521': 521 };

/**
 * One OpenSSH public key line, checked: a private key, a certificate, DSA, a short RSA key
 * or anything else is refused with what to send instead.
 */
export function parsePublicKeyOrThrow(text: string): ParsedPublicKey {
  const line = text.trim();
  if (line.length === 0) throw invalid('PublicKey: paste your public key, the one line of a .pub file (e.g. ~/.ssh/id_ed25519.pub).');
  if (line.length > MAX_PUBLIC_KEY_LENGTH) throw invalid(`PublicKey: at most ${MAX_PUBLIC_KEY_LENGTH} characters; paste the one line of a .pub file.`);
  if (/PRIVATE KEY/.test(line)) {
    throw invalid('PublicKey: this is a private key. Never share it; paste the public key instead (the .pub file next to it, e.g. ~/.ssh/id_ed25519.pub).');
  }
  if (/[\r\n]/.test(line)) throw invalid('PublicKey: one key at a time, on one line (the contents of a .pub file).');
  const parsed = utils.parseKey(line);
  if (parsed instanceof Error || Array.isArray(parsed) || !parsed) {
    throw invalid('PublicKey: not an OpenSSH public key. It looks like "ssh-ed25519 AAAAC3Nza… you@host"; make one with ssh-keygen -t ed25519.');
  }
  const algorithm = parsed.type as string;
  if (!(SFTP_KEY_ALGORITHMS as readonly string[]).includes(algorithm)) {
    throw invalid(`PublicKey: ${algorithm} keys are not taken; use ed25519 (ssh-keygen -t ed25519), RSA of at least ${MIN_RSA_BITS} bits, or ECDSA.`);
  }
  const blob = parsed.getPublicSSH();
  const bits = algorithm === 'ssh-rsa' ? rsaBits(blob) : algorithm === 'ssh-ed25519' ? 256 : ECDSA_BITS[algorithm]!;
  if (algorithm === 'ssh-rsa' && bits < MIN_RSA_BITS) {
    throw invalid(`PublicKey: this RSA key has ${bits} bits; at least ${MIN_RSA_BITS} are needed (ssh-keygen -t rsa -b 4096, or better ssh-keygen -t ed25519).`);
  }
  return { algorithm: algorithm as SftpKeyAlgorithm, bits, blob, fingerprint: fingerprintOf(blob), comment: (parsed.comment ?? '').slice(0, 100) };
}
