import { loadCorrections } from '../modules/billing/corrections.js';
import { loadContractRows } from '../modules/contracts/queries.js';
import { loadStatementRows } from '../modules/billing/queries.js';
import { findAccounts } from '../modules/accounts/queries.js';
import { loadPaystubRows } from '../modules/payouts/queries.js';
import { getBatchById } from '../modules/returns/queries.js';
import { loadTicketRows } from '../modules/tickets/queries.js';
import { renderResourcesWith } from '../outbox/resources.js';
import { toAccountDto } from './contract-mapping/accounts.js';
import { toPaystubDto } from './contract-mapping/payouts.js';
import { toReturnsBatchDto } from './contract-mapping/returns.js';
import { toStatementDto } from './contract-mapping/statements.js';
import { toTicketDto } from './contract-mapping/tickets.js';
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

// Webhooks' finance, returns, ticket and account events (issue 16 item 6), each the resource
// as its own route returns it. Who may receive one: the account it belongs to (a statement
// the brand's, a paystub the partner's), and for a ticket every account it names.
renderResourcesWith('statement', async (tx, ids, now) =>
  (await loadStatementRows(tx, ids.map(Number), now)).map((row) => ({ id: String(row.id), accountIds: [row.brandAccountId], payload: toStatementDto(row) })),
);

renderResourcesWith('paystub', async (tx, ids) =>
  (await loadPaystubRows(tx, ids)).map((row) => ({ id: row.id.toString(), accountIds: [row.partnerAccountId], payload: toPaystubDto(row) })),
);

renderResourcesWith('returns_batch', async (tx, ids) => {
  const batches = await Promise.all(ids.map((id) => getBatchById(tx, BigInt(id))));
  return batches.flatMap((batch) => (batch ? [{ id: batch.id.toString(), accountIds: [batch.brandAccountId], payload: toReturnsBatchDto(batch) }] : []));
});

renderResourcesWith('ticket', async (tx, ids) =>
  (await loadTicketRows(tx, ids)).map((row) => ({
    id: row.id.toString(),
    accountIds: [...new Set([row.accountId, ...row.accountIds])],
    payload: toTicketDto(row),
  })),
);

renderResourcesWith('account', async (tx, ids) =>
  [...(await findAccounts(tx, ids.map(Number))).values()].map((row) => ({ id: String(row.id), accountIds: [row.id], payload: toAccountDto(row) })),
);
