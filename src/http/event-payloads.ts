import { loadCorrections } from '../modules/billing/corrections.js';
import { loadContractRows } from '../modules/contracts/queries.js';
import { renderResourcesWith } from '../outbox/resources.js';
import { toContractDto } from './contract-mapping/contracts.js';
import { toCorrectionDto } from './contract-mapping/corrections.js';

/**
 * The outbox's contract events carry the contract as the API returns it
 * (src/outbox/resources.ts), through the same mapping the routes use. (Action events are
 * built in SQL by the actions module, held to the API's mapping by a test.) Imported by
 * every entry point that changes data: the app (src/http/app.ts) and the command line
 * (src/cli/work-kinds.ts).
 */
renderResourcesWith('contract', async (tx, ids, now) =>
  (await loadContractRows(tx, ids.map(Number), now)).map((row) => ({
    id: String(row.id),
    accountIds: [row.brandAccountId, row.partnerAccountId],
    payload: toContractDto(row),
  })),
);

renderResourcesWith('correction', async (tx, ids) =>
  (await loadCorrections(tx, ids)).map((row) => ({
    id: row.id.toString(),
    accountIds: [row.brandAccountId, row.partnerAccountId],
    payload: toCorrectionDto(row),
  })),
);
