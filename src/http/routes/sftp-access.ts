import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Config } from '../../core/config.js';
import type { ServiceContext } from '../../core/context.js';
import type { SftpKeySummary } from '../../modules/sftp-access/queries.js';
import {
  addSftpKey,
  issueSftpPassword,
  readSftpAccess,
  readSftpFiles,
  removeSftpKey,
  removeSftpPassword,
} from '../../modules/sftp-access/sftp-credentials.js';
import { actorOf } from '../auth.js';
import { emptyBody, errorResponses, noContentResponses } from '../contract/common.js';
import { eventTypeIdParams } from '../contract/event-types.js';
import {
  addSftpKeyBody,
  issuedSftpPasswordDto,
  sftpAccessDto,
  sftpFilesDto,
  sftpKeyDto,
  sftpKeyParams,
  type SftpKey,
} from '../contract/sftp-access.js';

function toSftpKeyDto(k: SftpKeySummary): SftpKey {
  return {
    Id: k.id,
    Algorithm: k.algorithm,
    Bits: k.bits,
    Fingerprint: k.fingerprint,
    Label: k.label,
    CreatedBy: k.createdBy,
    CreatedByName: k.createdByName,
    CreatedDate: k.createdAt.toISOString(),
    LastUsedDate: k.lastUsedAt?.toISOString() ?? null,
  };
}

/** The SFTP server's credentials of a brand (admins), and the files each event type received by SFTP. */
export async function sftpAccessRoutes(app: FastifyInstance, opts: { ctx: ServiceContext; config: Config }): Promise<void> {
  const { ctx, config } = opts;
  const host = new URL(config.publicUrl).hostname;
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.get(
    '/api/v1/sftp-access',
    {
      schema: {
        tags: ['returns'],
        summary: "The brand's SFTP login for returns files (admins): host, port, username, whether a password is set, public keys, folders",
        response: { 200: sftpAccessDto, ...errorResponses },
      },
    },
    async (request) => {
      const { access, folders } = await readSftpAccess(ctx, actorOf(request));
      return {
        Running: config.sftpPort > 0,
        Host: host,
        Port: config.sftpPort,
        Username: access?.username ?? null,
        PasswordSet: access?.passwordSet ?? false,
        PasswordSetDate: access?.passwordSetAt?.toISOString() ?? null,
        Keys: (access?.keys ?? []).map(toSftpKeyDto),
        Folders: folders.map((f) => ({ EventTypeId: f.eventTypeId, EventTypeName: f.eventTypeName, CampaignId: f.programId, CampaignName: f.programName, Folder: f.folder })),
      };
    },
  );

  r.post(
    '/api/v1/sftp-access/password',
    {
      schema: {
        tags: ['returns'],
        summary: 'Generate the SFTP password (admins), or a new one instead of the old, which stops working at once; shown once',
        body: emptyBody,
        response: { 201: issuedSftpPasswordDto, ...errorResponses },
      },
    },
    async (request, reply) => {
      const issued = await issueSftpPassword(ctx, actorOf(request));
      return reply.status(201).send({ Username: issued.username, Password: issued.password, Host: host, Port: config.sftpPort });
    },
  );

  r.delete(
    '/api/v1/sftp-access/password',
    { schema: { tags: ['returns'], summary: 'Turn SFTP password login off (admins); keys keep working', response: noContentResponses } },
    async (request, reply) => {
      await removeSftpPassword(ctx, actorOf(request));
      return reply.status(204).send(null);
    },
  );

  r.post(
    '/api/v1/sftp-access/keys',
    {
      schema: {
        tags: ['returns'],
        summary: 'Add an OpenSSH public key that may log in to the SFTP server as the account (admins)',
        body: addSftpKeyBody,
        response: { 201: sftpKeyDto, ...errorResponses },
      },
    },
    async (request, reply) => {
      const { PublicKey, Label } = request.body;
      const key = await addSftpKey(ctx, actorOf(request), { publicKey: PublicKey, ...(Label !== undefined ? { label: Label } : {}) });
      return reply.status(201).send(toSftpKeyDto(key));
    },
  );

  r.delete(
    '/api/v1/sftp-access/keys/:keyId',
    { schema: { tags: ['returns'], summary: 'Remove an SFTP public key (admins): refused from the next login on', params: sftpKeyParams, response: noContentResponses } },
    async (request, reply) => {
      await removeSftpKey(ctx, actorOf(request), request.params.keyId);
      return reply.status(204).send(null);
    },
  );

  r.get(
    '/api/v1/event-types/:eventTypeId/sftp-files',
    {
      schema: {
        tags: ['returns'],
        summary: "The last files an event type received by SFTP, newest first, with their batches' status, and its folder's name",
        params: eventTypeIdParams,
        response: { 200: sftpFilesDto, ...errorResponses },
      },
    },
    async (request) => {
      const { folder, files } = await readSftpFiles(ctx, actorOf(request), request.params.eventTypeId);
      return {
        Folder: folder,
        Files: files.map((f) => ({
          BatchId: f.batchId.toString(),
          FileName: f.fileName,
          Bytes: f.bytes,
          Status: f.status,
          RowsTotal: f.rowsTotal,
          Counts: f.counts,
          Error: f.error,
          ReceivedDate: f.receivedAt.toISOString(),
          CompletedDate: f.completedAt?.toISOString() ?? null,
          Deleted: f.hidden,
        })),
      };
    },
  );
}
