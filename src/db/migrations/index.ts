import type { Migration } from '../types.js';
import { foundation } from './0001-foundation.js';
import { trackingActions } from './0002-tracking-actions.js';
import { hotPaths } from './0003-hot-paths.js';
import { conversionsWithTheirActions } from './0004-conversions-with-their-actions.js';
import { landingDomains } from './0005-landing-domains.js';
import { authThrottle } from './0006-auth-throttle.js';
import { workItems } from './0007-work-items.js';
import { outbox } from './0008-outbox.js';
import { outboxWithoutIndexes } from './0009-outbox-without-indexes.js';
import { billing } from './0010-billing.js';
import { payouts } from './0011-payouts.js';
import { corrections } from './0012-corrections.js';
import { returnsBatches } from './0013-returns-batches.js';
import { outboxChangeEvents } from './0019-outbox-change-events.js';
import { returnsProcessing } from './0014-returns-processing.js';
import { clickCredits } from './0015-click-credits.js';
import { tickets } from './0020-tickets.js';
import { outboxEmails } from './0018-outbox-emails.js';
import { lastAccountAndActorCredentials } from './0016-last-account-and-actor-credentials.js';
import { accountClosures } from './0021-account-closures.js';
import { reportExports } from './0026-report-exports.js';
import { reportSchedules } from './0028-report-schedules.js';

/** Append only: a migration that has shipped is never edited. */
export const migrations: Migration[] = [foundation, trackingActions, hotPaths, conversionsWithTheirActions, landingDomains, authThrottle, workItems, outbox, outboxWithoutIndexes, billing, payouts, corrections, returnsBatches, outboxChangeEvents, returnsProcessing, clickCredits, tickets, outboxEmails, lastAccountAndActorCredentials, accountClosures, reportExports, reportSchedules];
