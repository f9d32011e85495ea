/**
 * Pulls from the brand's own server (Returns Processing → SFTP_PULL, issue 14 item 2): the
 * credentials (write only: the API says whether some are set, never what), "Test
 * connection", "Pull now", the recorded server key, and the last pulls and files pulled.
 */
import { z } from 'zod';
import { isoDate } from './common.js';

const passwordBody = z.object({ Password: z.string().min(1).max(1_000).describe('The password of the account on your server') }).strict();
const privateKeyBody = z
  .object({
    PrivateKey: z.string().min(1).max(16_384).describe('An OpenSSH or PEM private key (SFTP only); its public key must be in the account\'s authorized_keys'),
    Passphrase: z.string().max(1_000).nullable().optional().describe("The key's passphrase, if it has one"),
  })
  .strict();
export const pullCredentialsBody = z.union([passwordBody, privateKeyBody]).describe('A password, or a private key with its passphrase');
export type PullCredentialsBody = z.infer<typeof pullCredentialsBody>;

const pullRunDto = z.object({
  Id: z.string(),
  Trigger: z.enum(['SCHEDULE', 'MANUAL']),
  StartedDate: isoDate,
  FinishedDate: isoDate.nullable(),
  Status: z.enum(['RUNNING', 'OK', 'ERROR']),
  FilesMatched: z.number().int(),
  FilesPulled: z.number().int().describe('New files stored as batches'),
  FilesSkipped: z.number().int().describe('Files pulled before (same name, size and time, or the same content)'),
  Error: z.string().nullable(),
});

const pulledFileDto = z.object({
  FileName: z.string(),
  Size: z.number().int(),
  ModifiedDate: isoDate.nullable().describe("The server's modification time"),
  ContentHash: z.string().describe('SHA-256 of the bytes'),
  BatchId: z.string().describe('The returns batch the file became (an earlier one when the same bytes arrived before)'),
  PulledDate: isoDate,
  DeletedDate: isoDate.nullable().describe('When it was deleted on your server (Delete after pull)'),
  ResultUploadedDate: isoDate.nullable(),
  ResultError: z.string().nullable(),
});

export const pullStatusDto = z
  .object({
    EventTypeId: z.number().int(),
    Credentials: z.object({
      Set: z.boolean(),
      Kind: z.enum(['PASSWORD', 'PRIVATE_KEY']).nullable(),
      SavedDate: isoDate.nullable(),
      SavedBy: z.string().nullable(),
    }),
    ServerKey: z
      .object({ Server: z.string().describe('protocol://host:port'), Key: z.string().describe('ssh-ed25519 SHA256:… or TLS certificate SHA256:…'), RecordedDate: isoDate })
      .nullable()
      .describe('The key recorded on the first connection (trust on first use); a different one is refused'),
    LastPullDate: isoDate.nullable(),
    LastPullStatus: z.enum(['OK', 'ERROR']).nullable(),
    LastError: z.string().nullable().describe("The last pull's error, if it failed"),
    LastSuccessDate: isoDate.nullable(),
    NextPullDate: isoDate.nullable(),
    Runs: z.array(pullRunDto).describe('The latest pulls, newest first'),
    Files: z.array(pulledFileDto).describe('The latest files pulled, newest first'),
  })
  .meta({ id: 'ReturnsPullStatus' });
export type PullStatusDto = z.infer<typeof pullStatusDto>;

export const connectionTestDto = z
  .object({
    Ok: z.boolean(),
    Error: z.string().nullable().describe('What went wrong, when not Ok'),
    Trust: z.enum(['pinned', 'certificate-authority', 'none']).nullable().describe('How the server was trusted: its key pinned, a certificate authority, or nothing (plain FTP)'),
    ServerKey: z.object({ Server: z.string(), Key: z.string(), RecordedNow: z.boolean() }).nullable(),
    Matches: z.array(
      z.object({ FileName: z.string(), Size: z.number().int(), ModifiedDate: isoDate.nullable(), AlreadyPulled: z.boolean() }),
    ),
    Truncated: z.boolean().describe('More files matched than are listed'),
  })
  .meta({ id: 'ReturnsPullConnectionTest' });
export type ConnectionTestDto = z.infer<typeof connectionTestDto>;

export const pullQueuedDto = z.object({ WorkItemId: z.string(), Status: z.literal('QUEUED') });
export type PullQueuedDto = z.infer<typeof pullQueuedDto>;
