import type { Sql } from '../../db/types.js';
import type { ReturnsSettings, SalesforceSettings } from '../../modules/programs/returns-settings.js';
import type { ReturnsProcessing } from '../../modules/programs/types.js';

/** An event type as the Salesforce channel reads it: its brand, whether that is active, its option and its mapping. */
export interface SalesforceEventType {
  id: number;
  name: string;
  programId: number;
  brandAccountId: number;
  brandActive: boolean;
  returnsProcessing: ReturnsProcessing;
  settings: SalesforceSettings | undefined;
}

export async function salesforceEventType(sql: Sql, eventTypeId: number): Promise<SalesforceEventType | undefined> {
  const { rows } = await sql.query<Omit<SalesforceEventType, 'settings'> & { returnsSettings: ReturnsSettings }>(
    `select e.id, e.name, p.id as "programId", p.brand_account_id as "brandAccountId", a.status = 'ACTIVE' as "brandActive",
            e.returns_processing as "returnsProcessing", e.returns_settings as "returnsSettings"
       from event_types e join programs p on p.id = e.program_id join accounts a on a.id = p.brand_account_id
      where e.id = $1`,
    [eventTypeId],
  );
  const row = rows[0];
  if (!row) return undefined;
  const { returnsSettings, ...rest } = row;
  return { ...rest, settings: returnsSettings.SALESFORCE };
}
