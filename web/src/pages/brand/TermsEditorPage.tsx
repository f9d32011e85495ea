import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { errorDetail } from '../../api/client';
import { useEventTypes, useProgram } from '../../api/queries';
import { useAccount, useAccountApi } from '../../api/session';
import type { CreateTemplateTermsBody, EventType, LockingRule, Payout, PayoutGroup, Program, TemplateTerms } from '@contract/programs';
import { EmptyState, ErrorMessage, Loading, QueryError } from '../../components/Feedback';
import { Card, Field, PageHeader } from '../../components/Form';
import { useToast } from '../../components/Toast';
import { lockingText, paymentText } from '../../lib/format';
import { exampleLockDate, examplePaymentDate, longDate } from '../../lib/schedule';

type PayoutKind = Payout['Kind'];

interface GroupDraft {
  key: number;
  name: string;
  matchBy: 'categories' | 'skus';
  values: string;
  kind: PayoutKind;
  value: string;
}

interface PayoutDraft {
  eventType: EventType;
  included: boolean;
  kind: PayoutKind;
  value: string;
  groups: GroupDraft[];
  /** Open-ended locking instead of the locking rule below (not for CLICK). */
  openEnded: boolean;
}

let nextGroupKey = 1;

function toPayout(kind: PayoutKind, value: string): Payout {
  return kind === 'PERCENT' ? { Kind: kind, Percent: value.trim() } : { Kind: kind, Amount: value.trim() };
}

function splitValues(text: string): string[] {
  return text
    .split(',')
    .map((v) => v.trim())
    .filter(Boolean);
}

/** "Payouts[1].Payout.Amount: …" names the event type the server means (indexes count included rows only). */
function withEventTypeNames(detail: string, payouts: PayoutDraft[]): string {
  const included = payouts.filter((p) => p.included);
  const match = /Payouts\[(\d+)\]/.exec(detail);
  const eventType = match ? included[Number(match[1])]?.eventType : undefined;
  return eventType ? `${eventType.Name}: ${detail}` : detail;
}

function clampInt(text: string, max: number): number {
  const n = Math.floor(Number(text));
  return Number.isFinite(n) ? Math.min(Math.max(n, 0), max) : 0;
}

function PayoutInput({
  kind,
  value,
  currency,
  label,
  onKind,
  onValue,
  clickOnly,
}: {
  kind: PayoutKind;
  value: string;
  currency: string;
  label: string;
  onKind: (k: PayoutKind) => void;
  onValue: (v: string) => void;
  clickOnly?: boolean;
}) {
  return (
    <div className="payout-input">
      <select className="select select-sm" aria-label={`${label}: payout kind`} value={kind} onChange={(e) => onKind(e.target.value as PayoutKind)} disabled={clickOnly}>
        {clickOnly ? null : <option value="PERCENT">Percent of sale</option>}
        <option value="FIXED">{clickOnly ? 'Fixed per click' : 'Fixed amount'}</option>
      </select>
      <div className="input-affix">
        <input
          className="input input-sm"
          inputMode="decimal"
          aria-label={`${label}: ${kind === 'PERCENT' ? 'percent' : `amount in ${currency}`}`}
          placeholder={kind === 'PERCENT' ? '10' : '5.00'}
          value={value}
          required
          onChange={(e) => onValue(e.target.value)}
        />
        <span className="affix">{kind === 'PERCENT' ? '%' : currency}</span>
      </div>
    </div>
  );
}

function TermsForm({ program, eventTypes }: { program: Program; eventTypes: EventType[] }) {
  const account = useAccount();
  const http = useAccountApi();
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const toast = useToast();
  const [name, setName] = useState('');
  const [payouts, setPayouts] = useState<PayoutDraft[]>(() =>
    eventTypes.map((eventType) => ({
      eventType,
      included: true,
      kind: eventType.Kind === 'SALE' ? 'PERCENT' : 'FIXED',
      value: '',
      groups: [],
      openEnded: false,
    })),
  );
  const [lockForm, setLockForm] = useState<LockingRule['Form']>('MONTHS');
  const [lockDays, setLockDays] = useState('27');
  const [lockMonths, setLockMonths] = useState('0');
  const [lockMonthDays, setLockMonthDays] = useState('27');
  const [payMonths, setPayMonths] = useState('0');
  const [payDays, setPayDays] = useState('19');

  const locking: LockingRule =
    lockForm === 'DAYS'
      ? { Form: 'DAYS', Days: clampInt(lockDays, 27) }
      : { Form: 'MONTHS', Months: clampInt(lockMonths, 12), Days: clampInt(lockMonthDays, 30) };
  const payment = { Months: clampInt(payMonths, 12), Days: clampInt(payDays, 30) };
  const exampleEvent = new Date(Date.UTC(new Date().getUTCFullYear(), 0, 15));
  const exampleLock = exampleLockDate(exampleEvent, locking);
  const examplePay = examplePaymentDate(exampleLock, payment);

  const update = (index: number, change: Partial<PayoutDraft>) =>
    setPayouts((list) => list.map((p, i) => (i === index ? { ...p, ...change } : p)));
  const updateGroup = (index: number, key: number, change: Partial<GroupDraft>) =>
    setPayouts((list) =>
      list.map((p, i) => (i === index ? { ...p, groups: p.groups.map((g) => (g.key === key ? { ...g, ...change } : g)) } : p)),
    );
  const moveGroup = (index: number, from: number, delta: number) =>
    setPayouts((list) =>
      list.map((p, i) => {
        if (i !== index) return p;
        const groups = [...p.groups];
        const to = from + delta;
        if (to < 0 || to >= groups.length) return p;
        [groups[from], groups[to]] = [groups[to]!, groups[from]!];
        return { ...p, groups };
      }),
    );

  const publish = useMutation({
    mutationFn: () => {
      const body: CreateTemplateTermsBody = {
        Name: name.trim(),
        Terms: {
          Payouts: payouts
            .filter((p) => p.included)
            .map((p) => {
              const groups: PayoutGroup[] = p.groups.map((g) => ({
                Name: g.name.trim(),
                Match: g.matchBy === 'categories' ? { Categories: splitValues(g.values) } : { Skus: splitValues(g.values) },
                Payout: toPayout(g.kind, g.value),
              }));
              return {
                EventTypeId: p.eventType.Id,
                Payout: toPayout(p.kind, p.value),
                ...(groups.length ? { Groups: groups } : {}),
                ...(p.openEnded && p.eventType.Kind !== 'CLICK' ? { OpenEndedLocking: true } : {}),
              };
            }),
          Locking: locking,
          Payment: payment,
        },
      };
      return http.post<TemplateTerms>(`/api/v1/programs/${program.Id}/terms`, body);
    },
    onSuccess: async (terms) => {
      toast.success(`Terms “${terms.Name}” published: partners can now accept them.`);
      await queryClient.invalidateQueries({ queryKey: ['account', account.Id, 'programs', program.Id] });
      navigate(`/settings/programs/${program.Id}`);
    },
  });

  const included = payouts.filter((p) => p.included).length;

  return (
    <form
      className="stack"
      onSubmit={(event) => {
        event.preventDefault();
        publish.mutate();
      }}
    >
      <Card title="Name">
        <Field label="Terms name" hint="Partners see it when they join, e.g. “Standard 2026” or “VIP creators”.">
          <input className="input input-wide" required maxLength={200} value={name} onChange={(e) => setName(e.target.value)} />
        </Field>
      </Card>

      <Card title="Payouts per event type">
        <p className="muted small">
          Pay for the event types you include. Payout groups are checked top-down and the first one that matches an item wins;
          items that match no group get the event type's payout.
        </p>
        <div className="payout-list">
          {payouts.map((p, index) => {
            const label = p.eventType.Name;
            const isClick = p.eventType.Kind === 'CLICK';
            return (
              <div key={p.eventType.Id} className={`payout-row ${p.included ? '' : 'payout-row-off'}`} data-testid={`payout-${p.eventType.Id}`}>
                <div className="payout-main">
                  <label className="checkbox payout-name">
                    <input type="checkbox" checked={p.included} onChange={(e) => update(index, { included: e.target.checked })} />
                    <span>
                      <strong>{label}</strong>{' '}
                      <span className="muted small">
                        {p.eventType.Kind} · ActionTrackerId {p.eventType.Id}
                      </span>
                    </span>
                  </label>
                  {p.included ? (
                    <>
                      <PayoutInput
                        label={label}
                        kind={isClick ? 'FIXED' : p.kind}
                        value={p.value}
                        currency={program.Currency}
                        clickOnly={isClick}
                        onKind={(kind) => update(index, { kind })}
                        onValue={(value) => update(index, { value })}
                      />
                      {isClick ? (
                        <span className="payout-spacer" />
                      ) : (
                        <button
                          type="button"
                          className="btn btn-sm btn-link"
                          onClick={() =>
                            update(index, {
                              groups: [...p.groups, { key: nextGroupKey++, name: '', matchBy: 'categories', values: '', kind: 'PERCENT', value: '' }],
                            })
                          }
                        >
                          + Payout group
                        </button>
                      )}
                    </>
                  ) : null}
                </div>
                {p.included && !isClick ? (
                  <label className="checkbox payout-open-ended">
                    <input type="checkbox" checked={p.openEnded} onChange={(e) => update(index, { openEnded: e.target.checked })} />
                    <span>
                      Open-ended locking{' '}
                      <span className="muted small">
                        instead of the locking rule: {label} actions stay pending until a returns file or the API approves or reverses them, and lock on
                        their own 730 days after the day they were tracked (pre-orders, hotel stays, subscriptions).
                      </span>
                    </span>
                  </label>
                ) : null}
                {p.included && p.groups.length ? (
                  <div className="groups">
                    {p.groups.map((g, gi) => {
                      const gLabel = `${label} group ${gi + 1}`;
                      return (
                        <div key={g.key} className="group-editor">
                          <span className="group-order">{gi + 1}</span>
                          <input
                            className="input input-sm"
                            aria-label={`${gLabel}: name`}
                            placeholder="Group name"
                            value={g.name}
                            required
                            onChange={(e) => updateGroup(index, g.key, { name: e.target.value })}
                          />
                          <select
                            className="select select-sm"
                            aria-label={`${gLabel}: match by`}
                            value={g.matchBy}
                            onChange={(e) => updateGroup(index, g.key, { matchBy: e.target.value as GroupDraft['matchBy'] })}
                          >
                            <option value="categories">Category is</option>
                            <option value="skus">SKU is</option>
                          </select>
                          <input
                            className="input input-sm"
                            aria-label={`${gLabel}: values`}
                            placeholder="Comma-separated, e.g. Tents, Sleeping bags"
                            value={g.values}
                            required
                            onChange={(e) => updateGroup(index, g.key, { values: e.target.value })}
                          />
                          <PayoutInput
                            label={gLabel}
                            kind={g.kind}
                            value={g.value}
                            currency={program.Currency}
                            onKind={(kind) => updateGroup(index, g.key, { kind })}
                            onValue={(value) => updateGroup(index, g.key, { value })}
                          />
                          <span className="group-tools">
                            <button type="button" className="icon-button" aria-label={`Move ${gLabel} up`} disabled={gi === 0} onClick={() => moveGroup(index, gi, -1)}>
                              ↑
                            </button>
                            <button
                              type="button"
                              className="icon-button"
                              aria-label={`Move ${gLabel} down`}
                              disabled={gi === p.groups.length - 1}
                              onClick={() => moveGroup(index, gi, 1)}
                            >
                              ↓
                            </button>
                            <button
                              type="button"
                              className="icon-button"
                              aria-label={`Remove ${gLabel}`}
                              onClick={() => update(index, { groups: p.groups.filter((x) => x.key !== g.key) })}
                            >
                              ×
                            </button>
                          </span>
                        </div>
                      );
                    })}
                  </div>
                ) : null}
              </div>
            );
          })}
        </div>
      </Card>

      <div className="split">
        <Card title="Locking rule">
          <fieldset className="radio-group">
            <legend className="visually-hidden">Locking rule</legend>
            <label className="radio radio-sentence">
              <input type="radio" name="lockForm" checked={lockForm === 'DAYS'} onChange={() => setLockForm('DAYS')} />
              <span className="sentence">
                Actions are locked
                <input
                  className="input input-num"
                  type="number"
                  min={0}
                  max={27}
                  aria-label="Locking days after the day"
                  value={lockDays}
                  disabled={lockForm !== 'DAYS'}
                  onChange={(e) => setLockDays(e.target.value)}
                />
                days after the end of the day they are tracked (at most 27)
              </span>
            </label>
            <label className="radio radio-sentence">
              <input type="radio" name="lockForm" checked={lockForm === 'MONTHS'} onChange={() => setLockForm('MONTHS')} />
              <span className="sentence">
                Actions are locked
                <input
                  className="input input-num"
                  type="number"
                  min={0}
                  max={12}
                  aria-label="Locking months after the month"
                  value={lockMonths}
                  disabled={lockForm !== 'MONTHS'}
                  onChange={(e) => setLockMonths(e.target.value)}
                />
                months and
                <input
                  className="input input-num"
                  type="number"
                  min={0}
                  max={30}
                  aria-label="Locking days after the month"
                  value={lockMonthDays}
                  disabled={lockForm !== 'MONTHS'}
                  onChange={(e) => setLockMonthDays(e.target.value)}
                />
                days after the end of the month
              </span>
            </label>
          </fieldset>
        </Card>
        <Card title="Payment schedule">
          <div className="sentence">
            Actions are paid
            <input
              className="input input-num"
              type="number"
              min={0}
              max={12}
              aria-label="Payment months"
              value={payMonths}
              onChange={(e) => setPayMonths(e.target.value)}
            />
            months and
            <input
              className="input input-num"
              type="number"
              min={0}
              max={30}
              aria-label="Payment days"
              value={payDays}
              onChange={(e) => setPayDays(e.target.value)}
            />
            days after the end of the month they lock
          </div>
        </Card>
      </div>

      <Card title="Summary">
        <ul className="terms-rules">
          <li>{lockingText(locking)}.</li>
          <li>{paymentText(payment)}.</li>
          <li data-testid="schedule-example">
            Example: an action tracked on {longDate(exampleEvent)} locks on {longDate(exampleLock)} and is paid on{' '}
            {longDate(examplePay)} (program time zone {program.TimeZone}).
          </li>
        </ul>
        {publish.isError ? <ErrorMessage>{withEventTypeNames(errorDetail(publish.error), payouts)}</ErrorMessage> : null}
        <div className="form-actions">
          <Link to={`/settings/programs/${program.Id}`} className="btn">
            Cancel
          </Link>
          <button type="submit" className="btn btn-primary" disabled={publish.isPending || included === 0}>
            {publish.isPending ? 'Publishing…' : 'Publish terms'}
          </button>
        </div>
      </Card>
    </form>
  );
}

export function TermsEditorPage() {
  const { programId: raw } = useParams();
  const programId = Number(raw);
  const program = useProgram(programId);
  const eventTypes = useEventTypes(programId, program.isSuccess);

  if (program.isPending || (program.isSuccess && eventTypes.isPending)) return <div className="page"><Loading /></div>;
  if (program.isError) return <div className="page"><QueryError error={program.error} /></div>;
  if (eventTypes.isError) return <div className="page"><QueryError error={eventTypes.error} /></div>;
  const p = program.data;
  return (
    <div className="page">
      <div className="breadcrumbs">
        <Link to="/settings/programs">Programs</Link> <span aria-hidden="true">/</span>{' '}
        <Link to={`/settings/programs/${p.Id}`}>{p.Name}</Link> <span aria-hidden="true">/</span> <span>Publish terms</span>
      </div>
      <PageHeader title="Publish template terms" subtitle={`${p.Name} · amounts in ${p.Currency}. Published terms cannot be edited; publish new ones and archive the old.`} />
      {eventTypes.data && eventTypes.data.length > 0 ? (
        <TermsForm program={p} eventTypes={eventTypes.data} />
      ) : (
        <EmptyState
          title="Add an event type first"
          action={
            <Link to={`/settings/programs/${p.Id}`} className="btn btn-primary">
              Back to the program
            </Link>
          }
        >
          Terms say what each event type pays, so the program needs at least one.
        </EmptyState>
      )}
    </div>
  );
}
