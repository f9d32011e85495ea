/**
 * Reports → Schedules (issue 16 item 3): the wire types of the report-schedules routes, their
 * queries and mutations, and the words a schedule is described in.
 *
 * The types are those of the wire contract (src/http/contract/reports.ts), the enums its
 * leaf file's (@contract/enums).
 */
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { Page } from '@contract/common';
import { DATE_RANGES, DAYS_OF_WEEK, SCHEDULE_FREQUENCIES, type DateRange, type ExportFileFormat, type ScheduleFrequency, type ScheduleState } from '@contract/enums';
import type { Report, ScheduleDto, ScheduleRunDto, ScheduleBodyInput } from '@contract/reports';
import { useAccountApi, useAccountKey } from '../../../api/session';

export const SCHEDULE_FORMATS = ['csv', 'xlsx', 'pdf'] as const;
export type ScheduleFormat = ExportFileFormat;
export { DATE_RANGES, DAYS_OF_WEEK, SCHEDULE_FREQUENCIES };
export type { DateRange, ScheduleFrequency, ScheduleDto, ScheduleRunDto };
export type DayOfWeek = (typeof DAYS_OF_WEEK)[number];
export type ScheduleStatus = ScheduleState;
export type RunStatus = ScheduleRunDto['Status'];

/** The body of POST and PUT /api/v1/report-schedules, as the form sends it. */
export type ScheduleBody = Omit<ScheduleBodyInput, 'Delivery' | 'Filters'> & { Filters: Record<string, string>; Delivery: 'EMAIL' | 'SFTP' };

/** A report of the catalog, as much of it as a schedule needs. */
export type CatalogReport = Pick<Report, 'Id' | 'Title' | 'Category' | 'Filters' | 'Formats'>;

export const FORMAT_LABELS: Record<ScheduleFormat, string> = { csv: 'CSV', xlsx: 'Excel', pdf: 'PDF' };
export const FORMAT_MEDIA_TYPES: Record<ScheduleFormat, string> = {
  csv: 'text/csv',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  pdf: 'application/pdf',
};
export const FREQUENCY_LABELS: Record<ScheduleFrequency, string> = { DAILY: 'Daily', WEEKLY: 'Weekly', MONTHLY: 'Monthly' };
export const DATE_RANGE_LABELS: Record<DateRange, string> = {
  NONE: 'All dates (no date range)',
  YESTERDAY: 'Yesterday',
  LAST_7_DAYS: 'Last 7 days',
  LAST_30_DAYS: 'Last 30 days',
  PREVIOUS_WEEK: 'Previous week (Monday to Sunday)',
  PREVIOUS_MONTH: 'Previous month',
  MONTH_TO_DATE: 'Month to date',
};

const dayName = (day: DayOfWeek) => day.charAt(0) + day.slice(1).toLowerCase();

function ordinal(n: number): string {
  const tens = n % 100;
  if (tens >= 11 && tens <= 13) return `${n}th`;
  return `${n}${{ 1: 'st', 2: 'nd', 3: 'rd' }[n % 10] ?? 'th'}`;
}

/** When a schedule runs, in words: "Every Monday at 08:00 Europe/Paris". */
export function describeTiming(s: Pick<ScheduleDto, 'Frequency' | 'DayOfWeek' | 'DayOfMonth' | 'TimeOfDay' | 'TimeZone'>): string {
  const at = `at ${s.TimeOfDay} ${s.TimeZone}`;
  if (s.Frequency === 'WEEKLY') return `Every ${s.DayOfWeek ? dayName(s.DayOfWeek) : 'week'} ${at}`;
  if (s.Frequency === 'MONTHLY') {
    if (s.DayOfMonth === 'LAST') return `On the last day of every month ${at}`;
    return `On the ${typeof s.DayOfMonth === 'number' ? ordinal(s.DayOfMonth) : '?'} of every month ${at}`;
  }
  return `Every day ${at}`;
}

export function dayOfWeekLabel(day: DayOfWeek): string {
  return dayName(day);
}

/** The reports a schedule may run (the catalog), with their filters. */
export function useScheduleCatalog() {
  const http = useAccountApi();
  const key = useAccountKey();
  return useQuery({ queryKey: key('reports', 'catalog', 'for-schedules'), queryFn: () => http.get<{ Items: CatalogReport[] }>('/api/v1/reports'), staleTime: 5 * 60_000 });
}

/** The account's schedules; asked again every 30 s, so next runs and statuses follow the job. */
export function useSchedules(page: number, pageSize: number) {
  const http = useAccountApi();
  const key = useAccountKey();
  return useQuery({
    queryKey: key('report-schedules', page, pageSize),
    queryFn: () => http.get<Page<ScheduleDto>>('/api/v1/report-schedules', { page, pageSize }),
    placeholderData: keepPreviousData,
    refetchInterval: 30_000,
  });
}

/** A schedule's runs, newest first; asked every 5 s while one is running, else every 15 s. */
export function useScheduleRuns(scheduleId: string, page: number, pageSize: number) {
  const http = useAccountApi();
  const key = useAccountKey();
  return useQuery({
    queryKey: key('report-schedules', 'runs', scheduleId, page, pageSize),
    queryFn: () => http.get<Page<ScheduleRunDto>>(`/api/v1/report-schedules/${scheduleId}/runs`, { page, pageSize }),
    placeholderData: keepPreviousData,
    refetchInterval: (query) => (query.state.data?.Items.some((r) => r.Status === 'RUNNING') ? 5_000 : 15_000),
  });
}

export function useScheduleMutations() {
  const http = useAccountApi();
  const key = useAccountKey();
  const client = useQueryClient();
  const refresh = () => client.invalidateQueries({ queryKey: key('report-schedules') });
  return {
    save: useMutation({
      mutationFn: ({ id, body }: { id?: string; body: ScheduleBody }) =>
        id ? http.put<ScheduleDto>(`/api/v1/report-schedules/${id}`, body) : http.post<ScheduleDto>('/api/v1/report-schedules', body),
      onSuccess: refresh,
    }),
    setActive: useMutation({
      mutationFn: ({ id, active }: { id: string; active: boolean }) => http.post<ScheduleDto>(`/api/v1/report-schedules/${id}/${active ? 'resume' : 'pause'}`),
      onSuccess: refresh,
    }),
    remove: async (id: string) => {
      await http.del(`/api/v1/report-schedules/${id}`);
      await refresh();
    },
  };
}
