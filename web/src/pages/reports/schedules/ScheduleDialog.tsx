import { useMemo, useState } from 'react';
import { useAccount, useSession } from '../../../api/session';
import { Dialog } from '../../../components/Dialog';
import { ErrorMessage, Loading, QueryError } from '../../../components/Feedback';
import { fieldErrorsOf, FormField as ScheduleField, type FieldErrors } from '../../../components/FormField';
import { timeZones } from '../../../lib/format';
import {
  DATE_RANGE_LABELS,
  DATE_RANGES,
  DAYS_OF_WEEK,
  dayOfWeekLabel,
  describeTiming,
  FORMAT_LABELS,
  FREQUENCY_LABELS,
  SCHEDULE_FORMATS,
  SCHEDULE_FREQUENCIES,
  useScheduleCatalog,
  useScheduleMutations,
  type CatalogReport,
  type DateRange,
  type DayOfWeek,
  type ScheduleBody,
  type ScheduleDto,
  type ScheduleFormat,
  type ScheduleFrequency,
} from './api';

/** The filters shown first; the report's others are under "More filters". */
const MAIN_FILTERS = ['state', 'programId'];
/** Filters a date range sets on each run. */
const DATE_FILTERS = ['from', 'to'];
const NO_REPORTS: CatalogReport[] = [];

const inputClass = (invalid: boolean, base = 'input') => (invalid ? `${base} input-invalid` : base);

/** New schedule or edit one: the report, its filters, the dates of each run, when it runs and where it goes. */
export function ScheduleDialog({ schedule, onSaved, onClose }: { schedule?: ScheduleDto; onSaved: (saved: ScheduleDto) => void; onClose: () => void }) {
  const account = useAccount();
  const { me } = useSession();
  const catalog = useScheduleCatalog();
  const { save } = useScheduleMutations();
  const reports = catalog.data?.Items ?? NO_REPORTS;
  const zones = useMemo(() => {
    const all = timeZones();
    const wanted = [account.TimeZone, schedule?.TimeZone].filter((z): z is string => Boolean(z));
    return [...new Set([...wanted, ...all])];
  }, [account.TimeZone, schedule?.TimeZone]);

  const [reportId, setReportId] = useState(schedule?.Report ?? '');
  const [name, setName] = useState(schedule?.Name ?? '');
  const [nameTouched, setNameTouched] = useState(Boolean(schedule));
  const [format, setFormat] = useState<ScheduleFormat>(schedule?.Format ?? 'csv');
  const [filters, setFilters] = useState<Record<string, string>>(schedule?.Filters ?? {});
  const [dateRange, setDateRange] = useState<DateRange>(schedule?.DateRange ?? 'NONE');
  const [frequency, setFrequency] = useState<ScheduleFrequency>(schedule?.Frequency ?? 'DAILY');
  const [dayOfWeek, setDayOfWeek] = useState<DayOfWeek>(schedule?.DayOfWeek ?? 'MONDAY');
  const [dayOfMonth, setDayOfMonth] = useState<string>(schedule?.DayOfMonth === null || schedule?.DayOfMonth === undefined ? '1' : String(schedule.DayOfMonth));
  const [timeOfDay, setTimeOfDay] = useState(schedule?.TimeOfDay ?? '08:00');
  const [timeZone, setTimeZone] = useState(schedule?.TimeZone ?? account.TimeZone);
  const [delivery, setDelivery] = useState<'EMAIL' | 'SFTP'>(schedule?.Delivery ?? 'EMAIL');
  const [errors, setErrors] = useState<FieldErrors>({});

  const report = reports.find((r) => r.Id === reportId);
  const hasDates = report ? DATE_FILTERS.every((f) => report.Filters.includes(f)) : true;
  const shownFilters = (report?.Filters ?? []).filter((f) => !(dateRange !== 'NONE' && DATE_FILTERS.includes(f)));
  const mainFilters = shownFilters.filter((f) => MAIN_FILTERS.includes(f));
  const otherFilters = shownFilters.filter((f) => !MAIN_FILTERS.includes(f));
  const categories = [...new Set(reports.map((r) => r.Category))];
  const suggestedName = report ? `${report.Title} (${FREQUENCY_LABELS[frequency].toLowerCase()})` : '';

  const pickReport = (id: string) => {
    setReportId(id);
    const next = reports.find((r) => r.Id === id);
    if (!next) return;
    // Keep only the filters the new report takes; its formats and dates decide the rest.
    setFilters((current) => Object.fromEntries(Object.entries(current).filter(([k]) => next.Filters.includes(k))));
    if (!next.Formats.includes(format)) setFormat(next.Formats[0] ?? 'csv');
    if (!DATE_FILTERS.every((f) => next.Filters.includes(f))) setDateRange('NONE');
  };

  const submit = () => {
    const body: ScheduleBody = {
      Name: (nameTouched ? name : name || suggestedName).trim(),
      Report: reportId,
      Format: format,
      Filters: Object.fromEntries(Object.entries(filters).filter(([k, v]) => v.trim() !== '' && shownFilters.includes(k)).map(([k, v]) => [k, v.trim()])),
      DateRange: dateRange,
      Frequency: frequency,
      DayOfWeek: frequency === 'WEEKLY' ? dayOfWeek : null,
      DayOfMonth: frequency === 'MONTHLY' ? (dayOfMonth === 'LAST' ? 'LAST' : Number(dayOfMonth)) : null,
      TimeOfDay: timeOfDay,
      TimeZone: timeZone,
      Delivery: delivery,
    };
    const local: FieldErrors = {};
    if (!body.Report) local.Report = 'Choose the report to run.';
    if (!body.Name) local.Name = 'Name the schedule.';
    if (Object.keys(local).length) {
      setErrors(local);
      return;
    }
    setErrors({});
    save.mutate(schedule ? { id: schedule.Id, body } : { body }, { onSuccess: onSaved, onError: (error) => setErrors(fieldErrorsOf(error)) });
  };

  // Field errors the form has no place for (and the problem's detail when it names no field).
  const placed = new Set(['Name', 'Report', 'Format', 'DateRange', 'Frequency', 'DayOfWeek', 'DayOfMonth', 'TimeOfDay', 'TimeZone', 'Delivery', 'Filters', ...shownFilters.map((f) => `Filters.${f}`)]);
  const unplaced = Object.entries(errors).filter(([field]) => !placed.has(field));

  const filterInput = (filter: string) => (
    <ScheduleField key={filter} label={<span className="code">{filter}</span>} name={`Filters.${filter}`} errors={errors}>
      {(props) => (
        <input
          {...props}
          className={inputClass(props['aria-invalid'])}
          maxLength={200}
          value={filters[filter] ?? ''}
          placeholder={filter === 'state' ? 'e.g. PENDING' : filter === 'programId' ? 'e.g. 3' : ''}
          onChange={(e) => setFilters((current) => ({ ...current, [filter]: e.target.value }))}
          data-testid={`schedule-filter-${filter}`}
        />
      )}
    </ScheduleField>
  );

  return (
    <Dialog
      title={schedule ? `Edit schedule: ${schedule.Name}` : 'New schedule'}
      testId="schedule-dialog"
      size="lg"
      onClose={onClose}
      onSubmit={submit}
      footer={
        <>
          <button type="button" className="btn" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="btn btn-primary" disabled={save.isPending || catalog.isPending}>
            {save.isPending ? 'Saving…' : schedule ? 'Save schedule' : 'Create schedule'}
          </button>
        </>
      }
    >
      {catalog.isPending ? (
        <Loading label="Loading the reports…" />
      ) : catalog.isError ? (
        <QueryError error={catalog.error} onRetry={() => void catalog.refetch()} />
      ) : (
        <div className="form schedule-form">
          <div className="form-row">
            <ScheduleField label="Report" name="Report" errors={errors}>
              {(props) => (
                <select {...props} className={inputClass(props['aria-invalid'], 'select')} value={reportId} onChange={(e) => pickReport(e.target.value)} required>
                  <option value="">Choose a report…</option>
                  {categories.map((category) => (
                    <optgroup key={category} label={category}>
                      {reports
                        .filter((r) => r.Category === category)
                        .map((r) => (
                          <option key={r.Id} value={r.Id}>
                            {r.Title}
                          </option>
                        ))}
                    </optgroup>
                  ))}
                </select>
              )}
            </ScheduleField>
            <ScheduleField label="Name" name="Name" errors={errors}>
              {(props) => (
                <input
                  {...props}
                  className={inputClass(props['aria-invalid'])}
                  maxLength={120}
                  value={nameTouched ? name : name || suggestedName}
                  onChange={(e) => {
                    setNameTouched(true);
                    setName(e.target.value);
                  }}
                />
              )}
            </ScheduleField>
          </div>
          <div className="form-row">
            <ScheduleField label="Format" name="Format" errors={errors}>
              {(props) => (
                <select {...props} className={inputClass(props['aria-invalid'], 'select')} value={format} onChange={(e) => setFormat(e.target.value as ScheduleFormat)}>
                  {(report?.Formats ?? SCHEDULE_FORMATS).map((f) => (
                    <option key={f} value={f}>
                      {FORMAT_LABELS[f]}
                    </option>
                  ))}
                </select>
              )}
            </ScheduleField>
            <ScheduleField
              label="Date range"
              name="DateRange"
              errors={errors}
              hint={hasDates ? 'The dates of each run, counted back from it in the schedule’s time zone (whole days).' : 'This report has no date filters.'}
            >
              {(props) => (
                <select {...props} className={inputClass(props['aria-invalid'], 'select')} value={dateRange} disabled={!hasDates} onChange={(e) => setDateRange(e.target.value as DateRange)}>
                  {DATE_RANGES.map((r) => (
                    <option key={r} value={r}>
                      {DATE_RANGE_LABELS[r]}
                    </option>
                  ))}
                </select>
              )}
            </ScheduleField>
          </div>
          {report ? (
            <fieldset className="schedule-filters" data-testid="schedule-filters">
              <legend>Filters of {report.Title}</legend>
              {errors.Filters ? (
                <div className="field-error" data-testid="error-Filters">
                  {errors.Filters}
                </div>
              ) : null}
              {mainFilters.length ? <div className="form-row">{mainFilters.map(filterInput)}</div> : null}
              {otherFilters.length ? (
                <details className="schedule-more-filters" open={otherFilters.some((f) => errors[`Filters.${f}`] || filters[f])}>
                  <summary>More filters ({otherFilters.length})</summary>
                  <div className="form-row">{otherFilters.map(filterInput)}</div>
                </details>
              ) : null}
              {shownFilters.length === 0 ? <p className="muted small">This report takes no filters.</p> : null}
            </fieldset>
          ) : null}
          <div className="form-row">
            <ScheduleField label="Frequency" name="Frequency" errors={errors}>
              {(props) => (
                <select {...props} className={inputClass(props['aria-invalid'], 'select')} value={frequency} onChange={(e) => setFrequency(e.target.value as ScheduleFrequency)}>
                  {SCHEDULE_FREQUENCIES.map((f) => (
                    <option key={f} value={f}>
                      {FREQUENCY_LABELS[f]}
                    </option>
                  ))}
                </select>
              )}
            </ScheduleField>
            {frequency === 'WEEKLY' ? (
              <ScheduleField label="Day of week" name="DayOfWeek" errors={errors}>
                {(props) => (
                  <select {...props} className={inputClass(props['aria-invalid'], 'select')} value={dayOfWeek} onChange={(e) => setDayOfWeek(e.target.value as DayOfWeek)}>
                    {DAYS_OF_WEEK.map((d) => (
                      <option key={d} value={d}>
                        {dayOfWeekLabel(d)}
                      </option>
                    ))}
                  </select>
                )}
              </ScheduleField>
            ) : frequency === 'MONTHLY' ? (
              <ScheduleField label="Day of month" name="DayOfMonth" errors={errors} hint="1 to 28 run every month; the last day follows each month’s length.">
                {(props) => (
                  <select {...props} className={inputClass(props['aria-invalid'], 'select')} value={dayOfMonth} onChange={(e) => setDayOfMonth(e.target.value)}>
                    {Array.from({ length: 28 }, (_, i) => String(i + 1)).map((d) => (
                      <option key={d} value={d}>
                        {d}
                      </option>
                    ))}
                    <option value="LAST">Last day of the month</option>
                  </select>
                )}
              </ScheduleField>
            ) : (
              <div className="field" />
            )}
          </div>
          <div className="form-row">
            <ScheduleField label="Time of day" name="TimeOfDay" errors={errors}>
              {(props) => <input {...props} className={inputClass(props['aria-invalid'])} type="time" required value={timeOfDay} onChange={(e) => setTimeOfDay(e.target.value)} />}
            </ScheduleField>
            <ScheduleField label="Time zone" name="TimeZone" errors={errors} hint={`The account’s is ${account.TimeZone}.`}>
              {(props) => (
                <select {...props} className={inputClass(props['aria-invalid'], 'select')} value={timeZone} onChange={(e) => setTimeZone(e.target.value)}>
                  {zones.map((z) => (
                    <option key={z} value={z}>
                      {z}
                    </option>
                  ))}
                </select>
              )}
            </ScheduleField>
          </div>
          <ScheduleField
            label="Delivery"
            name="Delivery"
            errors={errors}
            hint={
              delivery === 'SFTP'
                ? 'Put into the SFTP folder /reports of the account’s SFTP login (Returns Processing → SFTP upload), kept 7 days.'
                : `E-mailed to ${schedule && schedule.UserId !== me.User.Id ? 'the schedule’s user' : me.User.Email}, the file attached (a link that needs a login past 10 MB).`
            }
          >
            {(props) => (
              <select {...props} className={inputClass(props['aria-invalid'], 'select')} value={delivery} onChange={(e) => setDelivery(e.target.value as 'EMAIL' | 'SFTP')}>
                <option value="EMAIL">E-mail</option>
                {account.Kind === 'BRAND' ? <option value="SFTP">SFTP folder /reports</option> : null}
              </select>
            )}
          </ScheduleField>
          <p className="muted small" data-testid="schedule-summary">
            {describeTiming({ Frequency: frequency, DayOfWeek: dayOfWeek, DayOfMonth: dayOfMonth === 'LAST' ? 'LAST' : Number(dayOfMonth), TimeOfDay: timeOfDay || '—', TimeZone: timeZone })}
            {report ? `: ${report.Title} as ${FORMAT_LABELS[format]}, ${DATE_RANGE_LABELS[dateRange].toLowerCase()}.` : '.'}
          </p>
          {unplaced.length ? (
            <ErrorMessage>
              {unplaced.map(([field, message]) => (
                <div key={field}>{field === '_' ? message : `${field}: ${message}`}</div>
              ))}
            </ErrorMessage>
          ) : null}
        </div>
      )}
    </Dialog>
  );
}
