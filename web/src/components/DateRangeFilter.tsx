/** A list filter of a date range (two local dates, YYYY-MM-DD, either may be empty), labelled as one filter. */
export function DateRangeFilter({
  id,
  label,
  fromLabel,
  toLabel,
  from,
  to,
  onChange,
}: {
  id: string;
  label: string;
  fromLabel: string;
  toLabel: string;
  from: string;
  to: string;
  onChange: (change: { from?: string; to?: string }) => void;
}) {
  return (
    <div className="filter">
      <span className="filter-label" id={id}>
        {label}
      </span>
      <fieldset className="date-range" aria-labelledby={id}>
        <input
          type="date"
          className="input input-date"
          aria-label={fromLabel}
          value={from}
          max={to || undefined}
          onChange={(e) => onChange({ from: e.target.value })}
        />
        <span className="muted">to</span>
        <input type="date" className="input input-date" aria-label={toLabel} value={to} min={from || undefined} onChange={(e) => onChange({ to: e.target.value })} />
      </fieldset>
    </div>
  );
}
