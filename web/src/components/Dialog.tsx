import { useEffect, useId, useRef, useState, type FormEvent, type ReactNode } from 'react';
import { errorDetail } from '../api/client';
import { ErrorMessage } from './Feedback';

interface DialogProps {
  title: ReactNode;
  onClose: () => void;
  children: ReactNode;
  footer?: ReactNode;
  size?: 'sm' | 'md' | 'lg';
  testId?: string;
  /** Renders the body and footer inside a <form>; Enter submits. */
  onSubmit?: (event: FormEvent<HTMLFormElement>) => void;
}

/**
 * A modal dialog on the native <dialog> element: focus is trapped, Esc closes it,
 * and it is announced as a dialog. Mount it to open it, unmount it to close it.
 */
export function Dialog({ title, onClose, children, footer, size = 'md', testId, onSubmit }: DialogProps) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const onCloseRef = useRef(onClose);
  onCloseRef.current = onClose;

  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (!dialog.open) dialog.showModal();
    const onCancel = (event: Event) => {
      event.preventDefault();
      onCloseRef.current();
    };
    dialog.addEventListener('cancel', onCancel);
    return () => {
      dialog.removeEventListener('cancel', onCancel);
      if (dialog.open) dialog.close();
    };
  }, []);

  const body = (
    <>
      <div className="dialog-body">{children}</div>
      {footer ? <div className="dialog-footer">{footer}</div> : null}
    </>
  );

  return (
    <dialog ref={ref} className={`dialog dialog-${size}`} aria-labelledby={titleId} data-testid={testId}>
      <div className="dialog-header">
        <h2 id={titleId}>{title}</h2>
        <button type="button" className="icon-button" aria-label="Close" onClick={onClose}>
          ×
        </button>
      </div>
      {onSubmit ? (
        <form
          noValidate={false}
          onSubmit={(event) => {
            event.preventDefault();
            onSubmit(event);
          }}
        >
          {body}
        </form>
      ) : (
        body
      )}
    </dialog>
  );
}

interface ConfirmDialogProps {
  title: string;
  children: ReactNode;
  confirmLabel: string;
  danger?: boolean;
  onConfirm: () => Promise<unknown>;
  onClose: () => void;
  testId?: string;
  /** What to offer under a refusal (e.g. a support ticket), from the error thrown. */
  errorHelp?: (error: unknown) => ReactNode;
}

/** Asks before doing something; the server's error detail is shown in the dialog. */
export function ConfirmDialog({ title, children, confirmLabel, danger, onConfirm, onClose, testId, errorHelp }: ConfirmDialogProps) {
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const submit = async () => {
    setPending(true);
    setError(null);
    try {
      await onConfirm();
      onClose();
    } catch (e) {
      setError(e);
      setPending(false);
    }
  };
  return (
    <Dialog
      title={title}
      onClose={onClose}
      size="sm"
      testId={testId ?? 'confirm-dialog'}
      onSubmit={() => void submit()}
      footer={
        <>
          <button type="button" className="btn" onClick={onClose} disabled={pending}>
            Cancel
          </button>
          <button type="submit" className={`btn ${danger ? 'btn-danger' : 'btn-primary'}`} disabled={pending}>
            {pending ? 'Working…' : confirmLabel}
          </button>
        </>
      }
    >
      <div className="confirm-text">{children}</div>
      {error ? <ErrorMessage>{errorDetail(error)}</ErrorMessage> : null}
      {error && errorHelp ? errorHelp(error) : null}
    </Dialog>
  );
}
