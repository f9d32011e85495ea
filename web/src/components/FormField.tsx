import { useId, type ReactNode } from 'react';
import { ApiError, errorDetail } from '../api/client';

/** Messages by field name (the server's `errors[].field`, `body.` left off); `_` for the rest. */
export type FieldErrors = Partial<Record<string, string>>;

export interface FormFieldControlProps {
  id: string;
  'aria-invalid': boolean;
  'aria-describedby'?: string;
  className: string;
}

/** A labelled control with its field's error under it (else its hint); the control gets its id, state and class. */
export function FormField({
  label,
  name,
  errors,
  hint,
  children,
}: {
  label: ReactNode;
  name: string;
  errors: FieldErrors;
  hint?: ReactNode;
  children: (props: FormFieldControlProps) => ReactNode;
}) {
  const id = useId();
  const error = errors[name];
  const describedBy = error ? `${id}-error` : hint ? `${id}-hint` : undefined;
  return (
    <div className="field" data-field={name}>
      <label htmlFor={id}>{label}</label>
      {children({ id, 'aria-invalid': Boolean(error), ...(describedBy ? { 'aria-describedby': describedBy } : {}), className: error ? 'input input-invalid' : 'input' })}
      {error ? (
        <div className="field-error" id={`${id}-error`} data-testid={`error-${name}`}>
          {error}
        </div>
      ) : hint ? (
        <div className="field-hint" id={`${id}-hint`}>
          {hint}
        </div>
      ) : null}
    </div>
  );
}

/** The server's field errors (`body.BankAccountNumber`) by field name; anything else under `_`. */
export function fieldErrorsOf(error: unknown): FieldErrors {
  if (!(error instanceof ApiError)) return { _: errorDetail(error) };
  const errors: FieldErrors = {};
  for (const e of error.problem.errors ?? []) {
    const name = e.field.replace(/^body\./, '');
    errors[name] ??= e.message;
  }
  if (Object.keys(errors).length === 0) errors._ = error.detail;
  return errors;
}
