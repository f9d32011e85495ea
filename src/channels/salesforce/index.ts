/**
 * The Salesforce returns channel (issue 14 item 4): record changes in the brand's
 * Salesforce become returns batches (channel SALESFORCE), by two ways in that feed the
 * same mapping and engine: the Outbound Message listener (`POST /salesforce/outbound/<token>`,
 * src/http/routes/salesforce.ts) and the jsforce poller. Importing this file registers the
 * poll's work kind (`salesforce-poll`); the scheduler imports its job
 * (`enqueue-due-salesforce-polls`).
 */
export { configureSalesforce } from './config.js';
export { enqueueDuePolls, enqueueDueSalesforcePollsJob, requestPoll, salesforcePollKind } from './poll.js';
export { receiveOutboundMessage } from './receive-outbound.js';
