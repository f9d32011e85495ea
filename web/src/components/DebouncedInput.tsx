import { useCallback, useEffect, useRef, useState, type InputHTMLAttributes } from 'react';

interface DebouncedInputProps extends Omit<InputHTMLAttributes<HTMLInputElement>, 'value' | 'onChange'> {
  value: string;
  /** Called after a pause in typing, or at once on Enter. */
  onCommit: (value: string) => void;
  delayMs?: number;
}

/** A text filter that applies itself after a short pause in typing (or on Enter). */
export function DebouncedInput({ value, onCommit, delayMs = 400, ...rest }: DebouncedInputProps) {
  const [text, setText] = useState(value);
  const commitRef = useRef(onCommit);
  commitRef.current = onCommit;
  const committed = useRef(value);
  const timer = useRef<number | undefined>(undefined);

  // Reads refs only, so it is the same function for the component's whole life.
  const commit = useCallback((next: string) => {
    window.clearTimeout(timer.current);
    if (next === committed.current) return;
    committed.current = next;
    commitRef.current(next);
  }, []);

  // The URL changed from outside (Clear filters, back button): show it, and drop any
  // commit still waiting for the pause in typing.
  useEffect(() => {
    window.clearTimeout(timer.current);
    committed.current = value;
    setText(value);
  }, [value]);

  useEffect(() => {
    if (text.trim() === committed.current) return;
    timer.current = window.setTimeout(() => commit(text.trim()), delayMs);
    return () => window.clearTimeout(timer.current);
  }, [text, delayMs, commit]);

  return (
    <input
      {...rest}
      value={text}
      onChange={(event) => setText(event.target.value)}
      onKeyDown={(event) => {
        if (event.key === 'Enter') {
          event.preventDefault();
          commit(text.trim());
        }
        rest.onKeyDown?.(event);
      }}
    />
  );
}
