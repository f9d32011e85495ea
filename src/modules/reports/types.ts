/**
 * The reports module's leaf types and constants: no imports, so the wire contract (and
 * through it the web UI) can name them without pulling in the services.
 */
export const EXPORT_STATES = ['QUEUED', 'RUNNING', 'COMPLETED', 'FAILED', 'CANCELLED'] as const;
export type ExportState = (typeof EXPORT_STATES)[number];
export type ExportFileFormat = 'csv' | 'xlsx' | 'pdf';

export const SCHEDULE_FREQUENCIES = ['DAILY', 'WEEKLY', 'MONTHLY'] as const;
export type ScheduleFrequency = (typeof SCHEDULE_FREQUENCIES)[number];
export const SCHEDULE_DELIVERIES = ['EMAIL', 'SFTP'] as const;
export type ScheduleDelivery = (typeof SCHEDULE_DELIVERIES)[number];
export const SCHEDULE_STATES = ['ACTIVE', 'PAUSED', 'STOPPED'] as const;
export type ScheduleState = (typeof SCHEDULE_STATES)[number];
export const DATE_RANGES = ['NONE', 'YESTERDAY', 'LAST_7_DAYS', 'LAST_30_DAYS', 'PREVIOUS_WEEK', 'PREVIOUS_MONTH', 'MONTH_TO_DATE'] as const;
export type DateRange = (typeof DATE_RANGES)[number];
/** day_of_month = -1: the last day of each month. */
export const LAST_DAY_OF_MONTH = -1;
export const DAYS_OF_WEEK = ['SUNDAY', 'MONDAY', 'TUESDAY', 'WEDNESDAY', 'THURSDAY', 'FRIDAY', 'SATURDAY'] as const;
