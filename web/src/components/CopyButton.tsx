import { useState } from 'react';

/** Copies a text to the clipboard; says "Copied" for a moment. */
export function CopyButton({ text, label = 'Copy', ariaLabel, className }: { text: string; label?: string; ariaLabel?: string; className?: string }) {
  const [copied, setCopied] = useState(false);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(text);
    } catch {
      // No clipboard permission (or an insecure page): the old way still works.
      const area = document.createElement('textarea');
      area.value = text;
      area.setAttribute('readonly', '');
      area.style.position = 'fixed';
      area.style.opacity = '0';
      document.body.appendChild(area);
      area.select();
      document.execCommand('copy');
      area.remove();
    }
    setCopied(true);
    window.setTimeout(() => setCopied(false), 2000);
  };
  return (
    <button type="button" className={className ?? 'btn btn-sm'} aria-label={ariaLabel} onClick={() => void copy()}>
      {copied ? 'Copied' : label}
    </button>
  );
}
