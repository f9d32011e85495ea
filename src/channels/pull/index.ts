/**
 * The pull channel (issue 14 item 2): Lockstep fetches returns files from the brand's own
 * SFTP, FTPS or FTP server on a schedule, stores each new file as a batch (channel PULL),
 * and uploads the result to the brand's result folder. Importing this file registers its
 * work kinds (`returns-pull`, `returns-pull-result`) and its result delivery; the
 * scheduler imports its job (`enqueue-due-pulls`).
 */
export { configurePulls } from './pull-config.js';
export { pullKind, requestPull } from './pull-files.js';
export { pullResultKind } from './result-upload.js';
export { enqueueDuePulls, enqueueDuePullsJob } from './schedule.js';
