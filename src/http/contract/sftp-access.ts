/**
 * The platform's SFTP server, as a brand's Settings show it (issue 14 item 1): where to
 * connect, the account's username, whether a password is set (it is shown once, when
 * generated), its public keys, its folders (one per event type set to SFTP upload), and
 * per event type the last files received by SFTP.
 */
import { z } from 'zod';
import { isoDate, rowIdText } from './common.js';

export const sftpKeyDto = z
  .object({
    Id: z.number().int(),
    Algorithm: z.string().describe('ssh-ed25519, ssh-rsa or ecdsa-sha2-nistp256/384/521'),
    Bits: z.number().int(),
    Fingerprint: z.string().describe('SHA256:…, as ssh-keygen -l prints it'),
    Label: z.string(),
    CreatedBy: z.number().int(),
    CreatedByName: z.string().nullable(),
    CreatedDate: isoDate,
    LastUsedDate: isoDate.nullable(),
  })
  .meta({ id: 'SftpKey' });
export type SftpKey = z.infer<typeof sftpKeyDto>;

export const sftpFolderDto = z.object({
  EventTypeId: z.number().int(),
  EventTypeName: z.string(),
  CampaignId: z.number().int(),
  CampaignName: z.string(),
  Folder: z.string().describe('The folder at the root of the account’s SFTP tree, e.g. 12-online-sale'),
});

export const sftpAccessDto = z
  .object({
    Running: z.boolean().describe('Whether this installation runs its SFTP server (SFTP_PORT is not 0)'),
    Host: z.string(),
    Port: z.number().int(),
    Username: z.string().nullable().describe('Null until a password is generated or a key added'),
    PasswordSet: z.boolean(),
    PasswordSetDate: isoDate.nullable().describe('When the password was last generated or removed'),
    Keys: z.array(sftpKeyDto),
    Folders: z.array(sftpFolderDto).describe('One per event type whose Returns Processing is SFTP_UPLOAD'),
  })
  .meta({ id: 'SftpAccess' });
export type SftpAccess = z.infer<typeof sftpAccessDto>;

export const issuedSftpPasswordDto = z.object({
  Username: z.string(),
  Password: z.string().describe('Shown once; only an argon2 hash is stored'),
  Host: z.string(),
  Port: z.number().int(),
});
export type IssuedSftpPassword = z.infer<typeof issuedSftpPasswordDto>;

export const addSftpKeyBody = z
  .object({
    PublicKey: z.string().max(8192).describe('One line of a .pub file: ssh-ed25519 AAAA… you@host (RSA at least 2048 bits, or ECDSA)'),
    Label: z.string().max(100).optional().describe('Default: the key’s comment'),
  })
  .strict();
export type AddSftpKeyBody = z.infer<typeof addSftpKeyBody>;

export const sftpKeyParams = z.object({ keyId: rowIdText() }).strict();

export const sftpFileDto = z.object({
  BatchId: z.string(),
  FileName: z.string(),
  Bytes: z.number().int(),
  Status: z.string().describe('RECEIVED, RUNNING, DONE or FAILED'),
  RowsTotal: z.number().int().nullable(),
  Counts: z.record(z.string(), z.number().int()),
  Error: z.string().nullable(),
  ReceivedDate: isoDate,
  CompletedDate: isoDate.nullable(),
  Deleted: z.boolean().describe('Removed from the folder by the brand (the batch is kept)'),
});
export type SftpFileItem = z.infer<typeof sftpFileDto>;

export const sftpFilesDto = z
  .object({ Folder: z.string(), Files: z.array(sftpFileDto).describe('The last 20, newest first') })
  .meta({ id: 'SftpFiles' });
export type SftpFiles = z.infer<typeof sftpFilesDto>;
