/**
 * Settings → Withdrawal settings (partners): where the available balance is paid (a bank
 * account or PayPal, shown masked) and when (a balance threshold, or the 1st or 15th).
 * Changing the bank details asks for the password again and holds withdrawals for 48
 * hours, shown as a banner with the time the hold ends. The server validates everything
 * (IBAN check digits, BIC, ABA routing, the 10.00 minimum) and names the field it refuses;
 * the form shows each message next to its field.
 */
import { useState } from 'react';
import { useSaveWithdrawalSettings, useWithdrawalSettings } from '../../api/payouts';
import { useAccount } from '../../api/session';
import type { WithdrawalSettings, WithdrawalSettingsBody } from '@contract/payouts';
import { Dialog } from '../../components/Dialog';
import { ErrorMessage, Loading, Notice, QueryError } from '../../components/Feedback';
import { Card, Details, PageHeader } from '../../components/Form';
import { fieldErrorsOf, FormField, type FieldErrors } from '../../components/FormField';
import { useToast } from '../../components/Toast';
import { formatDateTime } from '../../lib/format';
import { formatMoney } from '../../lib/money';
import '../../styles/payouts.css';

/** Countries whose banks are reached through US clearing (ABA routing numbers), as the server decides. */
const ABA_COUNTRIES = new Set(['US', 'AS', 'GU', 'MP', 'PR', 'UM', 'VI']);

type Method = 'BANK_TRANSFER' | 'PAYPAL';
type Schedule = 'BALANCE_THRESHOLD' | 'FIXED_DAY';

interface DestinationForm {
  method: Method;
  bankCountry: string;
  holderName: string;
  accountNumber: string;
  accountType: 'CHECKING' | 'SAVINGS';
  swift: string;
  routing: string;
  paypalEmail: string;
}

const EMPTY_DESTINATION: DestinationForm = {
  method: 'BANK_TRANSFER',
  bankCountry: '',
  holderName: '',
  accountNumber: '',
  accountType: 'CHECKING',
  swift: '',
  routing: '',
  paypalEmail: '',
};

/** How a withdrawal in the account currency is charged, as partners know the wording. */
export function withdrawalMethodText(s: Pick<WithdrawalSettings, 'WithdrawalMethod' | 'WireFee' | 'Currency'>): string {
  switch (s.WithdrawalMethod) {
    case 'EFT':
      return 'EFT withdrawal (free)';
    case 'WIRE':
      return s.WireFee ? `Wire (${formatMoney(s.WireFee, s.Currency)} processing fee)` : 'Wire (no wire fee is configured for this currency: withdrawals wait)';
    case 'PAYPAL':
      return `PayPal (2% fee, at most ${formatMoney('20.00', s.Currency)})`;
    default:
      return '—';
  }
}

function scheduleText(s: WithdrawalSettings): string {
  if (s.PaymentSchedulingType === 'BALANCE_THRESHOLD') {
    return `When the available balance reaches ${formatMoney(s.PaymentThreshold, s.Currency)}: paid on the following Tuesday or Thursday`;
  }
  if (s.PaymentSchedulingType === 'FIXED_DAY') {
    return `On the ${s.PaymentDay === 1 ? '1st' : '15th'} of each month (the next business day after a weekend), when at least ${formatMoney(s.MinimumWithdrawal, s.Currency)} is available`;
  }
  return '—';
}

/** The hold after a change of bank details: when it ends, in the account's time zone. */
export function HoldBanner({ settings, timeZone }: { settings: WithdrawalSettings; timeZone: string }) {
  if (!settings.HoldEndsDate) return null;
  return (
    <Notice kind="warning">
      <span data-testid="hold-banner">
        <strong>Withdrawals are on hold until {formatDateTime(settings.HoldEndsDate, timeZone)}</strong> because the bank details changed
        {settings.BankDetailsChangedDate ? ` on ${formatDateTime(settings.BankDetailsChangedDate, timeZone)}` : ''}. A payout due before then is made once
        the hold ends.
      </span>
    </Notice>
  );
}

/** What the browser can tell before asking the server: required fields, the threshold's shape and minimum. */
function checkForm(destination: DestinationForm | null, schedule: Schedule, threshold: string, minimum: string, currency: string): FieldErrors {
  const errors: FieldErrors = {};
  if (destination) {
    if (destination.method === 'PAYPAL') {
      if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(destination.paypalEmail.trim())) errors.PaypalEmailAddress = 'Enter the e-mail address of your PayPal account, like name@example.com.';
    } else {
      if (!/^[A-Za-z]{2}$/.test(destination.bankCountry.trim())) errors.BankCountry = 'Enter the two-letter code of the country of your bank, e.g. US, DE or GB.';
      if (!destination.holderName.trim()) errors.BeneficiaryAccountName = "Enter the account holder's name exactly as your bank has it.";
      if (!destination.accountNumber.trim()) errors.BankAccountNumber = 'Enter the IBAN or account number.';
      if (ABA_COUNTRIES.has(destination.bankCountry.trim().toUpperCase()) && !/^\d{9}$/.test(destination.routing.replace(/[\s-]/g, ''))) {
        errors.RoutingCode = 'Enter the 9-digit ABA routing number.';
      }
    }
  }
  if (schedule === 'BALANCE_THRESHOLD') {
    const text = threshold.trim();
    if (!/^\d+(\.\d+)?$/.test(text)) errors.PaymentThreshold = `Enter an amount in ${currency}, e.g. 50.00.`;
    else if (Number(text) < Number(minimum)) errors.PaymentThreshold = `The threshold must be at least the minimum withdrawal of ${formatMoney(minimum, currency)}.`;
  }
  return errors;
}

function bodyOf(destination: DestinationForm | null, schedule: Schedule, threshold: string, paymentDay: 1 | 15, password?: string): WithdrawalSettingsBody {
  const scheduleFields: WithdrawalSettingsBody =
    schedule === 'BALANCE_THRESHOLD' ? { PaymentSchedulingType: schedule, PaymentThreshold: threshold.trim() } : { PaymentSchedulingType: schedule, PaymentDay: paymentDay };
  if (!destination) return scheduleFields;
  const country = destination.bankCountry.trim().toUpperCase();
  const fields: Omit<WithdrawalSettingsBody, 'PaymentSchedulingType'> =
    destination.method === 'PAYPAL'
      ? { PaymentMethod: 'PAYPAL', PaypalEmailAddress: destination.paypalEmail.trim() }
      : {
          PaymentMethod: 'BANK_TRANSFER',
          BankCountry: country,
          BeneficiaryAccountName: destination.holderName,
          BankAccountNumber: destination.accountNumber,
          ...(ABA_COUNTRIES.has(country)
            ? { RoutingCode: destination.routing, BankAccountType: destination.accountType, ...(destination.swift.trim() ? { SwiftCode: destination.swift } : {}) }
            : destination.swift.trim()
              ? { SwiftCode: destination.swift }
              : {}),
        };
  return { ...scheduleFields, ...fields, ...(password !== undefined ? { Password: password } : {}) };
}

function DestinationFields({ value, onChange, errors }: { value: DestinationForm; onChange: (next: DestinationForm) => void; errors: FieldErrors }) {
  const set = <K extends keyof DestinationForm>(key: K, v: DestinationForm[K]) => onChange({ ...value, [key]: v });
  const country = value.bankCountry.trim().toUpperCase();
  const us = ABA_COUNTRIES.has(country);
  return (
    <div className="form" data-testid="destination-form">
      <fieldset className="radio-group">
        <legend>Payment method</legend>
        <label className="radio">
          <input type="radio" name="payment-method" checked={value.method === 'BANK_TRANSFER'} onChange={() => set('method', 'BANK_TRANSFER')} />
          <span>Bank transfer</span>
        </label>
        <label className="radio">
          <input type="radio" name="payment-method" checked={value.method === 'PAYPAL'} onChange={() => set('method', 'PAYPAL')} />
          <span>PayPal</span>
        </label>
      </fieldset>
      {errors.PaymentMethod ? <div className="field-error">{errors.PaymentMethod}</div> : null}
      {value.method === 'PAYPAL' ? (
        <FormField label="PayPal e-mail address" name="PaypalEmailAddress" errors={errors} hint="The e-mail address of your PayPal account.">
          {(props) => <input {...props} type="email" autoComplete="email" value={value.paypalEmail} onChange={(e) => set('paypalEmail', e.target.value)} />}
        </FormField>
      ) : (
        <>
          <div className="form-row">
            <FormField label="Bank country" name="BankCountry" errors={errors} hint="Two letters: US, DE, GB, FR…">
              {(props) => (
                <input
                  {...props}
                  className={`${props.className} input-country`}
                  maxLength={2}
                  autoCapitalize="characters"
                  value={value.bankCountry}
                  onChange={(e) => set('bankCountry', e.target.value.toUpperCase())}
                />
              )}
            </FormField>
            <FormField label="Account holder's name" name="BeneficiaryAccountName" errors={errors} hint="Exactly as your bank has it.">
              {(props) => <input {...props} autoComplete="name" value={value.holderName} onChange={(e) => set('holderName', e.target.value)} />}
            </FormField>
          </div>
          <div className="form-row">
            <FormField
              label={us ? 'Account number' : 'IBAN or account number'}
              name="BankAccountNumber"
              errors={errors}
              hint={us ? '4 to 17 digits, as printed on your checks.' : 'In Europe and most other countries, your IBAN (spaces are fine).'}
            >
              {(props) => <input {...props} className={`${props.className} mono`} autoComplete="off" spellCheck={false} value={value.accountNumber} onChange={(e) => set('accountNumber', e.target.value)} />}
            </FormField>
            {us ? (
              <FormField label="ABA routing number" name="RoutingCode" errors={errors} hint="The 9 digits at the bottom left of a check.">
                {(props) => <input {...props} className={`${props.className} mono`} inputMode="numeric" autoComplete="off" value={value.routing} onChange={(e) => set('routing', e.target.value)} />}
              </FormField>
            ) : (
              <FormField label="SWIFT / BIC" name="SwiftCode" errors={errors} hint="8 or 11 characters; optional for a SEPA IBAN.">
                {(props) => <input {...props} className={`${props.className} mono`} autoComplete="off" maxLength={11} value={value.swift} onChange={(e) => set('swift', e.target.value.toUpperCase())} />}
              </FormField>
            )}
          </div>
          {us ? (
            <FormField label="Account type" name="BankAccountType" errors={errors}>
              {(props) => (
                <select {...props} className="select select-narrow" value={value.accountType} onChange={(e) => set('accountType', e.target.value as 'CHECKING' | 'SAVINGS')}>
                  <option value="CHECKING">Checking</option>
                  <option value="SAVINGS">Savings</option>
                </select>
              )}
            </FormField>
          ) : null}
        </>
      )}
    </div>
  );
}

function PasswordDialog({
  onClose,
  onConfirm,
  pending,
  error,
  holds,
}: {
  onClose: () => void;
  onConfirm: (password: string) => void;
  pending: boolean;
  error?: string;
  /** A change of existing details (not the first ones): withdrawals are then held. */
  holds: boolean;
}) {
  const [password, setPassword] = useState('');
  return (
    <Dialog
      title="Confirm with your password"
      testId="password-dialog"
      size="sm"
      onClose={onClose}
      onSubmit={() => onConfirm(password)}
      footer={
        <>
          <button type="button" className="btn" onClick={onClose} disabled={pending}>
            Cancel
          </button>
          <button type="submit" className="btn btn-primary" disabled={pending || !password}>
            {pending ? 'Saving…' : 'Confirm and save'}
          </button>
        </>
      }
    >
      <div className="form">
        <p>
          Bank details say where your money goes, so enter your password again.{holds ? ' After a change, withdrawals are held for 48 hours.' : ''}
        </p>
        <div className="field">
          <label htmlFor="confirm-password">Password</label>
          <input
            id="confirm-password"
            className={error ? 'input input-invalid' : 'input'}
            type="password"
            autoComplete="current-password"
            autoFocus
            value={password}
            aria-invalid={Boolean(error)}
            onChange={(e) => setPassword(e.target.value)}
            data-testid="confirm-password"
          />
          {error ? (
            <div className="field-error" data-testid="error-Password">
              {error}
            </div>
          ) : null}
        </div>
      </div>
    </Dialog>
  );
}

function SettingsForm({ settings, onDone }: { settings: WithdrawalSettings; onDone: () => void }) {
  const toast = useToast();
  const save = useSaveWithdrawalSettings();
  const configured = settings.Configured;
  const [editingDestination, setEditingDestination] = useState(!configured);
  const [destination, setDestination] = useState<DestinationForm>(EMPTY_DESTINATION);
  const [schedule, setSchedule] = useState<Schedule>(settings.PaymentSchedulingType ?? 'BALANCE_THRESHOLD');
  const [threshold, setThreshold] = useState(settings.PaymentThreshold ?? '50.00');
  const [paymentDay, setPaymentDay] = useState<1 | 15>(settings.PaymentDay === 15 ? 15 : 1);
  const [errors, setErrors] = useState<FieldErrors>({});
  const [askingPassword, setAskingPassword] = useState(false);

  const submit = (password?: string) => {
    const body = bodyOf(editingDestination ? destination : null, schedule, threshold, paymentDay, password);
    save.mutate(body, {
      onSuccess: (answer) => {
        setAskingPassword(false);
        setErrors({});
        toast.success(answer.HoldEndsDate && answer.BankDetailsChanged ? 'Bank details saved. Withdrawals are held for 48 hours.' : 'Withdrawal settings saved.');
        onDone();
      },
      onError: (error) => {
        const found = fieldErrorsOf(error);
        // A wrong password keeps the dialog open; anything else is the form's to show.
        if (found.Password && Object.keys(found).length === 1) {
          setErrors(found);
          return;
        }
        setAskingPassword(false);
        setErrors(found);
      },
    });
  };

  const onSave = () => {
    const found = checkForm(editingDestination ? destination : null, schedule, threshold, settings.MinimumWithdrawal, settings.Currency);
    setErrors(found);
    if (Object.keys(found).length > 0) return;
    if (editingDestination) setAskingPassword(true);
    else submit();
  };

  return (
    <>
    <form
      className="form withdrawal-form"
      data-testid="withdrawal-form"
      noValidate
      onSubmit={(event) => {
        event.preventDefault();
        onSave();
      }}
    >
      <Card
        title="Where withdrawals go"
        actions={
          configured ? (
            <button type="button" className="btn btn-sm" onClick={() => setEditingDestination((v) => !v)} data-testid="change-bank-details">
              {editingDestination ? 'Keep the current details' : 'Change bank details'}
            </button>
          ) : null
        }
      >
        {editingDestination ? (
          <>
            {configured ? <Notice kind="info">Saving new bank details asks for your password and holds withdrawals for 48 hours.</Notice> : null}
            <DestinationFields value={destination} onChange={setDestination} errors={errors} />
          </>
        ) : (
          <p className="muted">Your current payment method is kept. Change it with “Change bank details”.</p>
        )}
      </Card>
      <Card title="When you are paid (autopay)">
        <fieldset className="radio-group">
          <legend className="visually-hidden">Schedule</legend>
          <label className="radio">
            <input type="radio" name="schedule" checked={schedule === 'BALANCE_THRESHOLD'} onChange={() => setSchedule('BALANCE_THRESHOLD')} />
            <span>When my available balance reaches a threshold (paid on the following Tuesday or Thursday)</span>
          </label>
          {schedule === 'BALANCE_THRESHOLD' ? (
            <div className="radio-detail">
              <FormField label={`Threshold (${settings.Currency})`} name="PaymentThreshold" errors={errors} hint={`At least ${formatMoney(settings.MinimumWithdrawal, settings.Currency)}.`}>
                {(props) => (
                  <input {...props} className={`${props.className} input-amount`} inputMode="decimal" value={threshold} onChange={(e) => setThreshold(e.target.value)} data-testid="threshold" />
                )}
              </FormField>
            </div>
          ) : null}
          <label className="radio">
            <input type="radio" name="schedule" checked={schedule === 'FIXED_DAY'} onChange={() => setSchedule('FIXED_DAY')} />
            <span>On a fixed day of the month (the next business day after a weekend)</span>
          </label>
          {schedule === 'FIXED_DAY' ? (
            <div className="radio-detail">
              <FormField label="Day" name="PaymentDay" errors={errors} hint={`Paid when at least ${formatMoney(settings.MinimumWithdrawal, settings.Currency)} is available.`}>
                {(props) => (
                  <select {...props} className="select select-narrow" value={paymentDay} onChange={(e) => setPaymentDay(Number(e.target.value) === 15 ? 15 : 1)}>
                    <option value={1}>The 1st</option>
                    <option value={15}>The 15th</option>
                  </select>
                )}
              </FormField>
            </div>
          ) : null}
        </fieldset>
      </Card>
      {errors._ ? <ErrorMessage>{errors._}</ErrorMessage> : null}
      <div className="form-actions">
        {configured ? (
          <button type="button" className="btn" onClick={onDone} disabled={save.isPending}>
            Cancel
          </button>
        ) : null}
        <button type="submit" className="btn btn-primary" disabled={save.isPending} data-testid="save-withdrawal-settings">
          {save.isPending && !askingPassword ? 'Saving…' : 'Save'}
        </button>
      </div>
    </form>
      {/* Outside the form: the dialog has a form of its own. */}
      {askingPassword ? (
        <PasswordDialog
          onClose={() => setAskingPassword(false)}
          onConfirm={(password) => submit(password)}
          pending={save.isPending}
          holds={configured}
          {...(errors.Password ? { error: errors.Password } : {})}
        />
      ) : null}
    </>
  );
}

function Summary({ settings, timeZone }: { settings: WithdrawalSettings; timeZone: string }) {
  const destination =
    settings.PaymentMethod === 'PAYPAL' ? (
      <>
        PayPal · <span className="mono">{settings.PaypalEmailAddress}</span>
      </>
    ) : (
      <>
        Bank transfer ({settings.BankCountry}) · <span className="mono">{settings.BankAccountNumber}</span>
      </>
    );
  return (
    <Card title="Your withdrawal settings" testId="withdrawal-summary">
      <Details
        items={[
          ['Paid to', <span key="d" data-testid="destination">{destination}</span>],
          ['Method and fee', withdrawalMethodText(settings)],
          ['Autopay', scheduleText(settings)],
          ['Currency', `${settings.Currency} (minimum withdrawal ${formatMoney(settings.MinimumWithdrawal, settings.Currency)})`],
          ['Bank details changed', settings.BankDetailsChangedDate ? formatDateTime(settings.BankDetailsChangedDate, timeZone) : '—'],
        ]}
      />
    </Card>
  );
}

export function WithdrawalSettingsPage() {
  const account = useAccount();
  const settings = useWithdrawalSettings();
  const [editing, setEditing] = useState(false);
  const isAdmin = account.Role === 'ADMIN';
  return (
    <div className="page withdrawal-settings-page">
      <PageHeader
        title="Withdrawal settings"
        subtitle={`Where your available balance is paid, and when. Withdrawals are in ${account.Currency}.`}
        actions={
          settings.data?.Configured && isAdmin && !editing ? (
            <button type="button" className="btn btn-primary" onClick={() => setEditing(true)} data-testid="edit-withdrawal-settings">
              Edit
            </button>
          ) : null
        }
      />
      {settings.isPending ? (
        <Loading />
      ) : settings.isError ? (
        <QueryError error={settings.error} onRetry={() => void settings.refetch()} />
      ) : (
        <>
          <HoldBanner settings={settings.data} timeZone={account.TimeZone} />
          {!settings.data.Configured && !isAdmin ? (
            <Notice kind="info">No withdrawal settings yet: nothing is paid out until an admin of {account.Name} says where withdrawals go.</Notice>
          ) : null}
          {settings.data.Configured && !editing ? <Summary settings={settings.data} timeZone={account.TimeZone} /> : null}
          {isAdmin && (editing || !settings.data.Configured) ? (
            <SettingsForm key={settings.data.UpdatedDate ?? 'new'} settings={settings.data} onDone={() => setEditing(false)} />
          ) : null}
          {!isAdmin && settings.data.Configured ? <p className="muted small">Only admins of {account.Name} can change the withdrawal settings.</p> : null}
        </>
      )}
    </div>
  );
}
