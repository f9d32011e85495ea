import { useCallback, useEffect, useLayoutEffect, useRef, useState, type KeyboardEvent, type ReactNode } from 'react';
import { createPortal } from 'react-dom';

export interface MenuItem {
  label: string;
  onSelect?: () => void;
  /** A submenu, e.g. "Actions" → "Expire". */
  items?: MenuItem[];
  disabled?: boolean;
  /** Why the item is disabled; shown as its tooltip and description. */
  disabledReason?: string;
  danger?: boolean;
  /** Secondary text under the label. */
  description?: string;
  /** Makes the item a radio item (e.g. the current account). */
  checked?: boolean;
  testId?: string;
}

interface MenuProps {
  /** Shown at the top of the popover, above the items. */
  header?: ReactNode;
  label: ReactNode;
  items: MenuItem[];
  /** Accessible name when the label is not text. */
  ariaLabel?: string;
  buttonClassName?: string;
  testId?: string;
  align?: 'left' | 'right';
}

function focusable(container: HTMLElement | null): HTMLElement[] {
  if (!container) return [];
  return Array.from(container.querySelectorAll<HTMLElement>(':scope > li > [role^="menuitem"]'));
}

function moveFocus(container: HTMLElement | null, delta: number) {
  const items = focusable(container);
  if (!items.length) return;
  const index = items.indexOf(document.activeElement as HTMLElement);
  const next = items[(index + delta + items.length) % items.length];
  next?.focus();
}

function MenuList({
  items,
  onDone,
  onBack,
  autoFocus,
  opensLeft,
}: {
  items: MenuItem[];
  onDone: () => void;
  onBack?: () => void;
  autoFocus: boolean;
  opensLeft: boolean;
}) {
  const ref = useRef<HTMLUListElement>(null);
  const [openSub, setOpenSub] = useState<number | null>(null);
  const [focusSub, setFocusSub] = useState(false);

  useEffect(() => {
    if (autoFocus) focusable(ref.current)[0]?.focus();
  }, [autoFocus]);

  const onKeyDown = (event: KeyboardEvent<HTMLUListElement>) => {
    if (event.target instanceof HTMLElement && !ref.current?.contains(event.target)) return;
    if (event.key === 'ArrowDown') {
      event.preventDefault();
      event.stopPropagation();
      moveFocus(ref.current, 1);
    } else if (event.key === 'ArrowUp') {
      event.preventDefault();
      event.stopPropagation();
      moveFocus(ref.current, -1);
    } else if ((event.key === 'ArrowLeft' && !opensLeft) || (event.key === 'ArrowRight' && opensLeft)) {
      if (onBack) {
        event.preventDefault();
        event.stopPropagation();
        onBack();
      }
    }
  };

  return (
    // biome-ignore lint/a11y/noNoninteractiveElementToInteractiveRole: a list whose items have role none is the ARIA menu pattern
    <ul className="menu-list" role="menu" ref={ref} onKeyDown={onKeyDown}>
      {items.map((item, index) => {
        const hasSub = !!item.items?.length;
        const open = openSub === index;
        return (
          // biome-ignore lint/suspicious/noArrayIndexKey: an item is its place in the menu (openSub is an index too); labels need not be unique
          <li key={`${index}:${item.label}`} role="none" className="menu-li" onMouseEnter={() => hasSub && !item.disabled && setOpenSub(index)}>
            {/* biome-ignore lint/a11y/useAriaPropsSupportedByRole: aria-checked is set only when the role is menuitemradio */}
            <button
              type="button"
              role={item.checked === undefined ? 'menuitem' : 'menuitemradio'}
              aria-checked={item.checked}
              className={`menu-item ${item.danger ? 'menu-item-danger' : ''} ${item.checked ? 'menu-item-checked' : ''}`}
              aria-haspopup={hasSub ? 'menu' : undefined}
              aria-expanded={hasSub ? open : undefined}
              aria-disabled={item.disabled || undefined}
              title={item.disabled ? item.disabledReason : undefined}
              data-testid={item.testId}
              onClick={() => {
                if (item.disabled) return;
                if (hasSub) {
                  // Hovering already opens it; a click must not close it again.
                  setOpenSub(index);
                  setFocusSub(true);
                  return;
                }
                onDone();
                item.onSelect?.();
              }}
              onKeyDown={(event) => {
                const forward = opensLeft ? 'ArrowLeft' : 'ArrowRight';
                if (hasSub && event.key === forward && !item.disabled) {
                  event.preventDefault();
                  event.stopPropagation();
                  setOpenSub(index);
                  setFocusSub(true);
                }
              }}
            >
              {item.checked !== undefined ? (
                <span className="menu-check" aria-hidden="true">
                  {item.checked ? '✓' : ''}
                </span>
              ) : null}
              <span className="menu-item-label">
                {item.label}
                {item.description ? <span className="menu-item-description">{item.description}</span> : null}
                {item.disabled && item.disabledReason ? <span className="menu-item-reason">{item.disabledReason}</span> : null}
              </span>
              {hasSub ? (
                <span className="menu-caret" aria-hidden="true">
                  {opensLeft ? '‹' : '›'}
                </span>
              ) : null}
            </button>
            {hasSub && open ? (
              <div className={`menu-sub ${opensLeft ? 'menu-sub-left' : 'menu-sub-right'}`}>
                <MenuList
                  items={item.items!}
                  onDone={onDone}
                  autoFocus={focusSub}
                  opensLeft={opensLeft}
                  onBack={() => {
                    setOpenSub(null);
                    focusable(ref.current)[index]?.focus();
                  }}
                />
              </div>
            ) : null}
          </li>
        );
      })}
    </ul>
  );
}

/**
 * A dropdown menu button. The menu is rendered in a portal with fixed position so it is
 * never clipped by a scrolling table; Esc or a click elsewhere closes it.
 */
export function Menu({ label, items, ariaLabel, buttonClassName, testId, align = 'right', header }: MenuProps) {
  const [open, setOpen] = useState(false);
  const [keyboard, setKeyboard] = useState(false);
  const buttonRef = useRef<HTMLButtonElement>(null);
  const popRef = useRef<HTMLDivElement>(null);
  const [position, setPosition] = useState<{ top: number; left: number; opensLeft: boolean } | null>(null);

  const close = useCallback((refocus: boolean) => {
    setOpen(false);
    if (refocus) buttonRef.current?.focus();
  }, []);

  useLayoutEffect(() => {
    if (!open) return;
    const place = () => {
      const rect = buttonRef.current?.getBoundingClientRect();
      const width = popRef.current?.offsetWidth ?? 200;
      if (!rect) return;
      const left = align === 'right' ? Math.max(8, rect.right - width) : Math.min(rect.left, window.innerWidth - width - 8);
      const height = popRef.current?.offsetHeight ?? 0;
      const below = rect.bottom + 4;
      const top = below + height > window.innerHeight - 8 && rect.top - height - 4 > 8 ? rect.top - height - 4 : below;
      setPosition({ top, left, opensLeft: left + width + 220 > window.innerWidth });
    };
    place();
    window.addEventListener('resize', place);
    window.addEventListener('scroll', place, true);
    return () => {
      window.removeEventListener('resize', place);
      window.removeEventListener('scroll', place, true);
    };
  }, [open, align]);

  useEffect(() => {
    if (!open) return;
    const onDown = (event: MouseEvent) => {
      const target = event.target as Node;
      if (popRef.current?.contains(target) || buttonRef.current?.contains(target)) return;
      close(false);
    };
    const onKey = (event: globalThis.KeyboardEvent) => {
      if (event.key === 'Escape') {
        event.preventDefault();
        close(true);
      } else if (event.key === 'Tab') {
        close(false);
      }
    };
    document.addEventListener('mousedown', onDown);
    document.addEventListener('keydown', onKey);
    return () => {
      document.removeEventListener('mousedown', onDown);
      document.removeEventListener('keydown', onKey);
    };
  }, [open, close]);

  return (
    <>
      <button
        ref={buttonRef}
        type="button"
        className={buttonClassName ?? 'btn btn-sm'}
        aria-haspopup="menu"
        aria-expanded={open}
        aria-label={ariaLabel}
        data-testid={testId}
        onClick={(event) => {
          setKeyboard(event.detail === 0);
          setOpen((o) => !o);
        }}
        onKeyDown={(event) => {
          if (event.key === 'ArrowDown' && !open) {
            event.preventDefault();
            setKeyboard(true);
            setOpen(true);
          }
        }}
      >
        {label}
        <span className="caret" aria-hidden="true">
          ▾
        </span>
      </button>
      {open
        ? createPortal(
            <div
              ref={popRef}
              className="menu-popover"
              style={{ top: position?.top ?? -9999, left: position?.left ?? -9999 }}
            >
              {header ? <div className="menu-header">{header}</div> : null}
              <MenuList items={items} onDone={() => close(false)} autoFocus={keyboard} opensLeft={position?.opensLeft ?? true} />
            </div>,
            document.body,
          )
        : null}
    </>
  );
}
