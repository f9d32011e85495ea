import { useEffect, useRef, useState, type InputHTMLAttributes } from 'react';

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

  // The URL changed from outside (Clear filters, back button): show it.
  useEffect(() => {
    committed.current = value;
    setText(value);
  }, [value]);

  useEffect(() => {
    if (text.trim() === committed.current) return;
    const timer = window.setTimeout(() => {
      committed.current = text.trim();
      commitRef.current(text.trim());
    }, delayMs);
    return () => window.clearTimeout(timer);
  }, [text, delayMs]);

  return (
    <input
      {...rest}
      value={text}
      onChange={(event) => setText(event.target.value)}
      onKeyDown={(event) => {
        if (event.key === 'Enter') {
          event.preventDefault();
          if (text.trim() !== committed.current) {
            committed.current = text.trim();
            commitRef.current(text.trim());
          }
        }
        rest.onKeyDown?.(event);
      }}
    />
  );
}
