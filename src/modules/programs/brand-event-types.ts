import { notFound } from '../../core/errors.js';
import type { Sql } from '../../db/types.js';
import type { ReturnsSettings } from './returns-settings.js';
import type { EventTypeKind, ReturnsProcessing } from './types.js';

/** An event type as its brand's Settings → Tracking → Event Types shows it: with its program and its Returns Processing. */
export interface BrandEventTypeRow {
  id: number;
  programId: number;
  programName: string;
  currency: string;
  name: string;
  kind: EventTypeKind;
  returnsProcessing: ReturnsProcessing;
  returnsSettings: ReturnsSettings;
  returnsEmailToken: string | null;
  returnsProcessingChangedAt: Date | null;
  createdAt: Date;
}

const COLUMNS = `e.id, e.program_id as "programId", p.name as "programName", p.currency, e.name, e.kind,
  e.returns_processing as "returnsProcessing", e.returns_settings as "returnsSettings",
  e.returns_email_token as "returnsEmailToken", e.returns_processing_changed_at as "returnsProcessingChangedAt",
  e.created_at as "createdAt"`;

/** Every event type of the brand's programs, by program then event type. */
export async function listBrandEventTypes(sql: Sql, brandAccountId: number, filter: { programId?: number } = {}): Promise<BrandEventTypeRow[]> {
  const { rows } = await sql.query<BrandEventTypeRow>(
    `select ${COLUMNS} from event_types e join programs p on p.id = e.program_id
      where p.brand_account_id = $1 and ($2::int is null or p.id = $2) order by p.name, p.id, e.id`,
    [brandAccountId, filter.programId ?? null],
  );
  return rows;
}

/** One of the brand's event types; another brand's is a 404, as one that does not exist. */
export async function getBrandEventTypeOrThrow(sql: Sql, brandAccountId: number, eventTypeId: number): Promise<BrandEventTypeRow> {
  const { rows } = await sql.query<BrandEventTypeRow>(
    `select ${COLUMNS} from event_types e join programs p on p.id = e.program_id where e.id = $1 and p.brand_account_id = $2`,
    [eventTypeId, brandAccountId],
  );
  if (!rows[0]) throw notFound(`Event type ${eventTypeId} does not exist in this account.`);
  return rows[0];
}
