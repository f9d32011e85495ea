import { useId, type ReactNode } from 'react';

/** Splits typed or pasted text into entries: commas, spaces and new lines separate them. */
export function splitEntries(text: string): string[] {
  return text
    .split(/[\s,]+/)
    .map((entry) => entry.trim())
    .filter(Boolean);
}

/** The values plus what is still typed in the box, without duplicates: what a Save should send. */
export function withDraft(values: string[], draft: string): string[] {
  return [...new Set([...values, ...splitEntries(draft)])];
}

interface ChipsInputProps {
  label: string;
  hint?: ReactNode;
  values: string[];
  onChange: (values: string[]) => void;
  /** The text being typed, held by the parent so that a Save can include it (withDraft). */
  draft: string;
  onDraftChange: (draft: string) => void;
  placeholder?: string;
  /** Shown in place of the chips when there are none. */
  emptyText?: ReactNode;
  testId?: string;
}

/**
 * A short list of values edited as chips: type one (or paste several) and press Enter or
 * Add; × removes one. It only trims and drops duplicates: the server checks the values
 * and its problem detail says which one is wrong.
 */
export function ChipsInput({ label, hint, values, onChange, draft, onDraftChange, placeholder, emptyText, testId }: ChipsInputProps) {
  const id = useId();
  const hintId = `${id}-hint`;
  const add = () => {
    if (!splitEntries(draft).length) return;
    onChange(withDraft(values, draft));
    onDraftChange('');
  };
  return (
    <div className="field chips-field" data-testid={testId}>
      <label htmlFor={id}>{label}</label>
      <ul className="chips" aria-label={`${label}: entries`}>
        {values.map((value) => (
          <li key={value} className="chip">
            <span className="mono">{value}</span>
            <button type="button" className="chip-remove" aria-label={`Remove ${value}`} onClick={() => onChange(values.filter((v) => v !== value))}>
              ×
            </button>
          </li>
        ))}
        {values.length === 0 && emptyText ? <li className="chips-empty">{emptyText}</li> : null}
      </ul>
      <div className="copy-field">
        <input
          id={id}
          className="input mono"
          value={draft}
          placeholder={placeholder}
          aria-describedby={hint ? hintId : undefined}
          onChange={(e) => onDraftChange(e.target.value)}
          onKeyDown={(e) => {
            // Enter adds the entry instead of submitting the surrounding form.
            if (e.key === 'Enter') {
              e.preventDefault();
              add();
            }
          }}
        />
        <button type="button" className="btn" onClick={add} disabled={!draft.trim()}>
          Add
        </button>
      </div>
      {hint ? (
        <div className="field-hint" id={hintId}>
          {hint}
        </div>
      ) : null}
    </div>
  );
}

/** The same chips, read-only. */
export function ChipList({ values, label, emptyText }: { values: string[]; label: string; emptyText?: ReactNode }) {
  if (values.length === 0) return <>{emptyText ?? null}</>;
  return (
    <ul className="chips" aria-label={label}>
      {values.map((value) => (
        <li key={value} className="chip">
          <span className="mono">{value}</span>
        </li>
      ))}
    </ul>
  );
}
