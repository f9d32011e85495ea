import { useEffect, useId, useRef, type ReactNode } from 'react';

interface DrawerProps {
  title: ReactNode;
  /** Secondary line under the title. */
  subtitle?: ReactNode;
  /** Buttons in the header, left of the close button. */
  actions?: ReactNode;
  onClose: () => void;
  children: ReactNode;
  testId?: string;
}

/**
 * A details panel that slides in from the right over the page. It is not modal: the list
 * behind it stays usable (open another row and the panel shows that one), and dialogs
 * opened from it stack above it. Esc closes it when no dialog or menu is open.
 */
export function Drawer({ title, subtitle, actions, onClose, children, testId }: DrawerProps) {
  const titleId = useId();
  const panelRef = useRef<HTMLElement>(null);
  const onCloseRef = useRef(onClose);
  onCloseRef.current = onClose;

  useEffect(() => {
    // Focus the panel itself, so keyboard users continue from there and Tab reaches its buttons.
    panelRef.current?.focus({ preventScroll: true });
    const onKey = (event: KeyboardEvent) => {
      if (event.key !== 'Escape' || event.defaultPrevented) return;
      // A modal dialog or an open menu handles its own Esc.
      if (document.querySelector('dialog[open]') || document.querySelector('.menu-popover')) return;
      onCloseRef.current();
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, []);

  return (
    <aside ref={panelRef} tabIndex={-1} className="drawer" role="dialog" aria-modal="false" aria-labelledby={titleId} data-testid={testId}>
      <div className="drawer-header">
        <div className="drawer-heading">
          <h2 id={titleId}>{title}</h2>
          {subtitle ? <div className="drawer-subtitle">{subtitle}</div> : null}
        </div>
        <div className="drawer-header-actions">
          {actions}
          <button type="button" className="icon-button" aria-label="Close details" onClick={onClose}>
            ×
          </button>
        </div>
      </div>
      <div className="drawer-body">{children}</div>
    </aside>
  );
}
