/**
 * Every kind of work item `lockstep start`'s worker runs: importing this file registers
 * them (each kind registers itself in the module that owns the work). A worker claims
 * only the kinds registered in its process, so a kind whose module is not imported here
 * waits in the queue for an instance that knows it: add one import line per new kind's
 * module.
 */
import '../jobs/scheduler.js';
import '../flows/expire-contract.js';
import '../flows/clear-statement.js';
import '../flows/run-payouts.js';
import '../flows/apply-returns-batch.js';
// Pulls from brands' servers and the upload of their results (and the pull channel's result delivery).
import '../channels/pull/index.js';
// Polls of brands' Salesforce (the Outbound Message listener is an HTTP route).
import '../channels/salesforce/index.js';
import '../flows/close-account.js';
// Whatever changes data records outbox events, whose payloads are the API's resources.
import '../http/event-payloads.js';
// E-mails queued in the outbox (invitations) leave through SMTP_RELAY_URL.
import '../outbox/emails.js';
// Report exports asked for through the API (src/http/reports, written with the downloads' writers).
import '../http/reports/export-job.js';
// Returns files by e-mail: their result mail, delivered when a batch that came by e-mail is finished.
import '../flows/receive-returns-email.js';
// Webhooks: the outbox fanned out to the endpoints and sent (src/modules/webhooks/pump.ts).
import '../modules/webhooks/pump.js';
