/**
 * The charts on Home (issue 16 item 5), drawn with recharts in light colours, with axes,
 * units and the currency named: a brand's actions, sale amounts and payouts per day over
 * the last 30 days (one program at a time) and its top partners; a partner's earnings per
 * day and by brand. Each chart links to the report behind it with the same dates. Money
 * arrives as decimal strings; it becomes a number only to place a point on the chart,
 * and tooltips show the exact string.
 */
import { useState } from 'react';
import { Link } from 'react-router';
import { Bar, BarChart, CartesianGrid, ComposedChart, Legend, Line, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { DailySeries } from '@contract/performance';
import { useDailyPerformance, useEarningsByBrand, useTopPartners } from '../../api/reports';
import { EmptyState, Loading, QueryError } from '../../components/Feedback';
import { Card } from '../../components/Form';
import { formatMoney } from '../../lib/money';
import '../../styles/reports.css';

export const CHART_COLOURS = { actions: '#c7d5fb', amount: '#5fb48a', payout: '#4f74e8', grid: '#e8ecf2', axis: '#5f6878' };

const dayLabel = (date: string) => {
  const [, month, day] = date.split('-');
  return `${Number(day)} ${['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'][Number(month) - 1]}`;
};

/** A compact money tick: "$1.2k". */
function moneyTick(value: number, currency: string): string {
  try {
    return new Intl.NumberFormat('en-US', { style: 'currency', currency, notation: 'compact', maximumFractionDigits: 1 }).format(value);
  } catch {
    return `${value} ${currency}`;
  }
}

/** A day as the chart plots it (the wire's decimal strings kept for the tooltip). */
interface DayPoint {
  date: string;
  actions: number;
  amount: number;
  payout: number;
  amountText: string;
  payoutText: string;
}

function pointsOf(series: DailySeries): DayPoint[] {
  return series.Days.map((d) => ({ date: d.Date, actions: d.Actions, amount: Number(d.Amount), payout: Number(d.Payout), amountText: d.Amount, payoutText: d.Payout }));
}

function DailyTooltip({ active, payload, currency, earnings }: { active?: boolean; payload?: Array<{ payload: DayPoint }>; currency: string; earnings?: boolean }) {
  const point = active ? payload?.[0]?.payload : undefined;
  if (!point) return null;
  return (
    <div className="chart-tooltip">
      <strong>{dayLabel(point.date)}</strong>
      <div>
        {point.actions} {point.actions === 1 ? 'action' : 'actions'}
      </div>
      <div>Sale amount {formatMoney(point.amountText, currency)}</div>
      <div>
        {earnings ? 'Earnings' : 'Payout'} {formatMoney(point.payoutText, currency)}
      </div>
    </div>
  );
}

/** Actions (bars, right axis) and sale amount and payout (lines, left axis, in the currency) per day. */
function DailyChart({ series, earnings = false, testId }: { series: DailySeries; earnings?: boolean; testId: string }) {
  const currency = series.Currency;
  return (
    <figure className="chart" data-testid={testId} aria-label={`${earnings ? 'Earnings' : 'Actions, sale amount and payout'} per day in ${currency}`}>
      <ResponsiveContainer width="100%" height={260}>
        <ComposedChart data={pointsOf(series)} margin={{ top: 8, right: 8, bottom: 8, left: 8 }}>
          <CartesianGrid stroke={CHART_COLOURS.grid} vertical={false} />
          <XAxis dataKey="date" tickFormatter={dayLabel} tick={{ fontSize: 11, fill: CHART_COLOURS.axis }} minTickGap={16} />
          <YAxis
            yAxisId="money"
            tickFormatter={(v: number) => moneyTick(v, currency)}
            tick={{ fontSize: 11, fill: CHART_COLOURS.axis }}
            width={64}
            label={{ value: currency, angle: -90, position: 'insideLeft', fill: CHART_COLOURS.axis, fontSize: 11 }}
          />
          <YAxis
            yAxisId="count"
            orientation="right"
            allowDecimals={false}
            tick={{ fontSize: 11, fill: CHART_COLOURS.axis }}
            width={40}
            label={{ value: 'Actions', angle: 90, position: 'insideRight', fill: CHART_COLOURS.axis, fontSize: 11 }}
          />
          <Tooltip content={<DailyTooltip currency={currency} earnings={earnings} />} />
          <Legend wrapperStyle={{ fontSize: 12 }} formatter={(value) => <span className="chart-legend-text">{value}</span>} />
          <Bar yAxisId="count" dataKey="actions" name="Actions" fill={CHART_COLOURS.actions} radius={[3, 3, 0, 0]} />
          {/* A partner reads its earnings: the sale amounts, ten times larger, would flatten them (they are in the tooltip). */}
          {earnings ? null : <Line yAxisId="money" dataKey="amount" name={`Sale amount (${currency})`} stroke={CHART_COLOURS.amount} strokeWidth={2} dot={false} />}
          <Line yAxisId="money" dataKey="payout" name={`${earnings ? 'Earnings' : 'Payout'} (${currency})`} stroke={CHART_COLOURS.payout} strokeWidth={2} dot={false} />
        </ComposedChart>
      </ResponsiveContainer>
      <figcaption className="muted small">
        Totals: {series.Totals.Actions} actions · sale amount {formatMoney(series.Totals.Amount, currency)} · {earnings ? 'earnings' : 'payout'}{' '}
        {formatMoney(series.Totals.Payout, currency)} (pending and approved; reversed actions left out)
      </figcaption>
    </figure>
  );
}

interface PartyPoint {
  name: string;
  payout: number;
  payoutText: string;
  actions: number;
}

/** Payout per partner (or brand) in one currency, the highest first, as horizontal bars. */
function PartyChart({ points, currency, testId, what }: { points: PartyPoint[]; currency: string; testId: string; what: string }) {
  return (
    <figure className="chart" data-testid={testId} aria-label={`${what} in ${currency}`}>
      <ResponsiveContainer width="100%" height={Math.max(120, 40 + points.length * 30)}>
        <BarChart data={points} layout="vertical" margin={{ top: 4, right: 16, bottom: 16, left: 8 }}>
          <CartesianGrid stroke={CHART_COLOURS.grid} horizontal={false} />
          <XAxis
            type="number"
            tickFormatter={(v: number) => moneyTick(v, currency)}
            tick={{ fontSize: 11, fill: CHART_COLOURS.axis }}
            label={{ value: `Payout (${currency})`, position: 'insideBottom', offset: -8, fill: CHART_COLOURS.axis, fontSize: 11 }}
          />
          <YAxis type="category" dataKey="name" width={120} tick={{ fontSize: 11, fill: CHART_COLOURS.axis }} />
          <Tooltip formatter={(_value, _name, item) => [formatMoney((item.payload as PartyPoint).payoutText, currency), 'Payout']} />
          <Bar dataKey="payout" name={`Payout (${currency})`} fill={CHART_COLOURS.payout} fillOpacity={0.75} radius={[0, 3, 3, 0]} />
        </BarChart>
      </ResponsiveContainer>
    </figure>
  );
}

function reportLink(path: string, from: string, to: string, programId?: number | null): string {
  const query = new URLSearchParams({ from, to, ...(programId ? { programId: String(programId) } : {}) });
  return `${path}?${query.toString()}`;
}

/** A partner's (or brand's) figures in one currency, named for the chart. */
interface PartyFigures {
  name: string;
  currency: string;
  actions: number;
  payout: string;
}

/**
 * One Home panel: the per-day chart of one series (chosen with a select when there are
 * several) and the by-party chart in that series' currency, each linking to its report.
 */
function PerformancePanel({
  daily,
  earnings,
  chooseLabel,
  optionLabel,
  onChoose,
  selected,
  party,
  title,
  partyTitle,
  link,
  linkLabel,
  empty,
  testId,
}: {
  daily: ReturnType<typeof useDailyPerformance>;
  earnings: boolean;
  chooseLabel: string;
  optionLabel: (s: DailySeries) => string;
  onChoose: (key: string) => void;
  selected: DailySeries | undefined;
  party: { isPending: boolean; error: unknown; refetch: () => unknown; items: PartyFigures[] | undefined };
  title: string;
  partyTitle: string;
  link: string;
  linkLabel: string;
  empty: { title: string; text: string };
  testId: string;
}) {
  if (daily.isPending) return <Loading label="Loading performance…" />;
  if (daily.isError) return <QueryError error={daily.error} onRetry={() => void daily.refetch()} />;
  const { From: from, To: to, TimeZone: timeZone, Series: series } = daily.data;
  const open = (id?: string) => (
    <Link to={link} className="btn btn-sm" data-testid={id}>
      {linkLabel}
    </Link>
  );
  return (
    <div className="chart-grid">
      <Card
        testId={testId}
        title={
          <>
            {title}{' '}
            <span className="card-title-meta">
              {dayLabel(from)} – {dayLabel(to)} · {timeZone}
            </span>
          </>
        }
        actions={selected ? open(`${testId}-report`) : null}
      >
        {!selected ? (
          <EmptyState title={empty.title}>{empty.text}</EmptyState>
        ) : (
          <>
            {series.length > 1 ? (
              <label className="chart-select">
                <span>{chooseLabel}</span>
                <select className="select" value={selected.Key} onChange={(e) => onChoose(e.target.value)} data-testid={`${testId}-choice`}>
                  {series.map((s) => (
                    <option key={s.Key} value={s.Key}>
                      {optionLabel(s)}
                    </option>
                  ))}
                </select>
              </label>
            ) : (
              <p className="muted small">{optionLabel(selected)}</p>
            )}
            <DailyChart series={selected} earnings={earnings} testId={`${testId}-figure`} />
          </>
        )}
      </Card>
      {selected ? (
        <Card
          testId={`${testId}-party`}
          title={
            <>
              {partyTitle} <span className="card-title-meta">{optionLabel(selected)}</span>
            </>
          }
          actions={open()}
        >
          {party.isPending ? (
            <Loading />
          ) : party.error ? (
            <QueryError error={party.error} onRetry={() => void party.refetch()} />
          ) : (
            <PartyChart
              testId={`${testId}-party-figure`}
              what={partyTitle}
              currency={selected.Currency}
              points={(party.items ?? [])
                .filter((i) => i.currency === selected.Currency)
                .map((i) => ({ name: i.name, payout: Number(i.payout), payoutText: i.payout, actions: i.actions }))}
            />
          )}
        </Card>
      ) : null}
    </div>
  );
}

/** Brand Home: per day for the last 30 days, one program at a time, and the top partners. */
export function BrandPerformance() {
  const daily = useDailyPerformance({ by: 'program' });
  const [key, setKey] = useState('');
  const series = daily.data?.Series ?? [];
  const selected = series.find((s) => s.Key === key) ?? series[0];
  const programId = selected?.ProgramId ?? undefined;
  const top = useTopPartners({ ...(programId ? { programId: String(programId) } : {}) }, !!selected);
  return (
    <PerformancePanel
      daily={daily}
      earnings={false}
      chooseLabel="Program"
      optionLabel={(s) => `${s.ProgramName} (${s.Currency})`}
      onChoose={setKey}
      selected={selected}
      party={{ isPending: top.isPending, error: top.error, refetch: top.refetch, items: top.data?.Items.map((i) => ({ name: i.MediaPartnerName, currency: i.Currency, actions: i.Actions, payout: i.Payout })) }}
      title="Last 30 days"
      partyTitle="Top partners by payout"
      link={reportLink('/transactions/pending-payouts', daily.data?.From ?? '', daily.data?.To ?? '', programId)}
      linkLabel="Open in Pending Payouts"
      empty={{ title: 'No actions in the last 30 days', text: 'Sales and leads your partners bring in appear here per day.' }}
      testId="chart-daily"
    />
  );
}

/** Partner Home: earnings per day (one currency at a time) and by brand. */
export function PartnerPerformance() {
  const daily = useDailyPerformance({ by: 'currency' });
  const [key, setKey] = useState('');
  const series = daily.data?.Series ?? [];
  const selected = series.find((s) => s.Key === key) ?? series[0];
  const byBrand = useEarningsByBrand({}, !!selected);
  return (
    <PerformancePanel
      daily={daily}
      earnings
      chooseLabel="Currency"
      optionLabel={(s) => s.Currency}
      onChoose={setKey}
      selected={selected}
      party={{ isPending: byBrand.isPending, error: byBrand.error, refetch: byBrand.refetch, items: byBrand.data?.Items.map((i) => ({ name: i.BrandName, currency: i.Currency, actions: i.Actions, payout: i.Payout })) }}
      title="Earnings, last 30 days"
      partyTitle="Earnings by brand"
      link={reportLink('/transactions/actions', daily.data?.From ?? '', daily.data?.To ?? '')}
      linkLabel="Open in Actions"
      empty={{ title: 'No earnings in the last 30 days', text: 'Actions on your links appear here per day.' }}
      testId="chart-earnings"
    />
  );
}

/** A pinned Pending Payouts Actions shown as a chart: payout per day with the pin's program. */
export function PinnedChart({ programId }: { programId?: string }) {
  const daily = useDailyPerformance({ by: 'currency', ...(programId ? { programId } : {}) });
  if (daily.isPending) return <Loading />;
  if (daily.isError) return <QueryError error={daily.error} />;
  const series = daily.data.Series[0];
  if (!series) return <p className="muted">No actions in the last 30 days.</p>;
  return <DailyChart series={series} testId="pin-chart" />;
}
