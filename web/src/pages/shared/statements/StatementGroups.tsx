/**
 * A statement's totals by partner, and by event type within a partner (the API's Groups),
 * with a bar of payout per partner when there are several to compare. Partner totals are
 * exact sums of the groups (amounts.ts), never float arithmetic.
 */
import { useMemo } from 'react';
import type { StatementDetail, StatementGroup } from '@contract/statements';
import { formatMoney } from '../../../lib/money';
import { compareAmounts, share, sumAmounts } from './amounts';

export interface PartnerTotals {
  partnerId: number;
  partnerName: string;
  actions: number;
  saleAmount: string;
  payout: string;
  groups: StatementGroup[];
}

/** The groups by partner, the largest payout first. */
export function partnerTotals(statement: Pick<StatementDetail, 'Groups' | 'Currency'>): PartnerTotals[] {
  const byPartner = new Map<number, StatementGroup[]>();
  for (const g of statement.Groups) byPartner.set(g.MediaPartnerId, [...(byPartner.get(g.MediaPartnerId) ?? []), g]);
  const currency = statement.Currency;
  const totals = [...byPartner.entries()].map(([partnerId, groups]) => ({
    partnerId,
    partnerName: groups[0]?.MediaPartnerName ?? `Partner ${partnerId}`,
    actions: groups.reduce((n, g) => n + g.Actions, 0),
    saleAmount: sumAmounts(
      groups.map((g) => g.SaleAmount),
      currency,
    ),
    payout: sumAmounts(
      groups.map((g) => g.Payout),
      currency,
    ),
    groups: [...groups].sort((a, b) => compareAmounts(b.Payout, a.Payout, currency) || a.EventTypeName.localeCompare(b.EventTypeName)),
  }));
  return totals.sort((a, b) => compareAmounts(b.payout, a.payout, currency) || a.partnerName.localeCompare(b.partnerName));
}

function percent(part: string, whole: string, currency: string): string {
  const value = share(part, whole, currency) * 100;
  return `${value >= 10 || value === 0 ? Math.round(value) : value.toFixed(1)}%`;
}

/** Payout by partner as horizontal bars: a list with each figure in words, the bars only drawn. */
export function PayoutByPartnerChart({ totals, currency, total }: { totals: PartnerTotals[]; currency: string; total: string }) {
  const largest = totals[0]?.payout ?? '0';
  return (
    <figure className="bar-chart" data-testid="payout-by-partner">
      <figcaption className="subhead">Payout by partner</figcaption>
      <ul className="bar-chart-list">
        {totals.map((t) => (
          <li key={t.partnerId} className="bar-chart-row">
            <span className="bar-chart-label">{t.partnerName}</span>
            <span className="bar-chart-track" aria-hidden="true">
              <span className="bar-chart-bar" style={{ width: `${Math.max(share(t.payout, largest, currency) * 100, 0.5)}%` }} />
            </span>
            <span className="bar-chart-value">
              {formatMoney(t.payout, currency)} <span className="muted small">({percent(t.payout, total, currency)})</span>
            </span>
          </li>
        ))}
      </ul>
    </figure>
  );
}

/**
 * The groups as a table: a row per partner with its totals, then its event types. "List
 * actions" narrows the action listing below to the partner.
 */
export function StatementGroupsTable({
  statement,
  onListPartner,
}: {
  statement: Pick<StatementDetail, 'Groups' | 'Currency' | 'Actions' | 'Total'>;
  onListPartner: (partnerId: number) => void;
}) {
  const currency = statement.Currency;
  const totals = useMemo(() => partnerTotals(statement), [statement]);
  if (totals.length === 0) return <p className="muted">This statement has no lines.</p>;
  return (
    <>
      {totals.length > 1 ? <PayoutByPartnerChart totals={totals} currency={currency} total={statement.Total} /> : null}
      <div className="table-scroll statement-groups-scroll">
        <table className="table statement-groups" aria-label="Totals by partner and event type" data-testid="statement-groups">
          <thead>
            <tr>
              <th scope="col">Partner / event type</th>
              <th scope="col" className="align-right">
                Actions
              </th>
              <th scope="col" className="align-right">
                Payout
              </th>
              <th scope="col" className="align-right">
                Sale Amount
              </th>
              <th scope="col">
                <span className="visually-hidden">Row actions</span>
              </th>
            </tr>
          </thead>
          {totals.map((t) => (
            <tbody key={t.partnerId} data-testid={`statement-partner-${t.partnerId}`}>
              <tr className="group-partner-row">
                <th scope="row">{t.partnerName}</th>
                <td className="align-right num">{t.actions}</td>
                <td className="align-right num nowrap" data-testid="partner-payout">
                  {formatMoney(t.payout, currency)}
                </td>
                <td className="align-right num nowrap">{formatMoney(t.saleAmount, currency)}</td>
                <td className="align-right">
                  <button type="button" className="btn btn-sm btn-ghost" onClick={() => onListPartner(t.partnerId)} aria-label={`List the actions of ${t.partnerName}`}>
                    List actions
                  </button>
                </td>
              </tr>
              {t.groups.map((g) => (
                <tr key={g.ActionTrackerId} className="group-type-row" data-testid={`statement-group-${t.partnerId}-${g.ActionTrackerId}`}>
                  <th scope="row" className="group-type-name" title={`ActionTrackerId ${g.ActionTrackerId}`}>
                    {g.EventTypeName}
                  </th>
                  <td className="align-right num">{g.Actions}</td>
                  <td className="align-right num nowrap">{formatMoney(g.Payout, currency)}</td>
                  <td className="align-right num nowrap">{formatMoney(g.SaleAmount, currency)}</td>
                  <td />
                </tr>
              ))}
            </tbody>
          ))}
          <tfoot>
            <tr className="group-total-row">
              <th scope="row">Total</th>
              <td className="align-right num">{statement.Actions}</td>
              <td className="align-right num nowrap">{formatMoney(statement.Total, currency)}</td>
              <td className="align-right num nowrap">
                {formatMoney(
                  sumAmounts(
                    totals.map((t) => t.saleAmount),
                    currency,
                  ),
                  currency,
                )}
              </td>
              <td />
            </tr>
          </tfoot>
        </table>
      </div>
    </>
  );
}
