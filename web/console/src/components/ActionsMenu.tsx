// The ⋮ menu of a member row: a menu button (WAI-ARIA APG pattern). Arrow keys, Home and
// End move between items, Enter and Space choose, Escape and Tab close; focus returns to
// the button. Its items are fixed when it opens, so a row that changes underneath (say
// the member accepted meanwhile) does not pull the item away from under the pointer: the
// server then answers with the reason, shown on the row.
import { useEffect, useId, useRef, useState, type KeyboardEvent } from 'react';

export interface MenuItem {
  key: string;
  label: string;
  danger?: boolean;
  onSelect(): void;
}

export function ActionsMenu({ label, items, disabled }: { label: string; items: () => MenuItem[]; disabled?: boolean }) {
  const [open, setOpen] = useState<MenuItem[] | null>(null);
  const [active, setActive] = useState(0);
  const buttonRef = useRef<HTMLButtonElement>(null);
  const menuRef = useRef<HTMLUListElement>(null);
  const id = useId();

  const close = (focusButton: boolean) => {
    setOpen(null);
    if (focusButton) buttonRef.current?.focus();
  };

  const show = (at: 'first' | 'last') => {
    const snapshot = items();
    if (snapshot.length === 0) return;
    setOpen(snapshot);
    setActive(at === 'first' ? 0 : snapshot.length - 1);
  };

  useEffect(() => {
    if (!open) return;
    const el = menuRef.current?.querySelectorAll<HTMLElement>('[role="menuitem"]')[active];
    el?.focus();
  }, [open, active]);

  useEffect(() => {
    if (!open) return;
    const onPointer = (e: PointerEvent) => {
      const t = e.target as Node;
      if (!menuRef.current?.contains(t) && !buttonRef.current?.contains(t)) close(false);
    };
    document.addEventListener('pointerdown', onPointer);
    return () => document.removeEventListener('pointerdown', onPointer);
  }, [open]);

  const choose = (item: MenuItem) => {
    close(true);
    item.onSelect();
  };

  const onButtonKey = (e: KeyboardEvent) => {
    if (e.key === 'ArrowDown' || e.key === 'Enter' || e.key === ' ') {
      e.preventDefault();
      show('first');
    } else if (e.key === 'ArrowUp') {
      e.preventDefault();
      show('last');
    }
  };

  const onMenuKey = (e: KeyboardEvent) => {
    if (!open) return;
    const n = open.length;
    switch (e.key) {
      case 'ArrowDown':
        e.preventDefault();
        setActive((a) => (a + 1) % n);
        break;
      case 'ArrowUp':
        e.preventDefault();
        setActive((a) => (a - 1 + n) % n);
        break;
      case 'Home':
        e.preventDefault();
        setActive(0);
        break;
      case 'End':
        e.preventDefault();
        setActive(n - 1);
        break;
      case 'Escape':
        e.preventDefault();
        close(true);
        break;
      case 'Tab':
        close(false);
        break;
      case 'Enter':
      case ' ':
        e.preventDefault();
        choose(open[active]);
        break;
      default: {
        const ch = e.key.length === 1 ? e.key.toLowerCase() : '';
        if (ch) {
          const i = open.findIndex((it, j) => j > active && it.label.toLowerCase().startsWith(ch));
          const k = i >= 0 ? i : open.findIndex((it) => it.label.toLowerCase().startsWith(ch));
          if (k >= 0) setActive(k);
        }
      }
    }
  };

  const hasItems = !disabled && items().length > 0;

  return (
    <div className="menu">
      <button
        ref={buttonRef}
        type="button"
        className="icon-button"
        id={`${id}-button`}
        aria-label={label}
        aria-haspopup="menu"
        aria-expanded={open ? true : false}
        aria-controls={open ? `${id}-menu` : undefined}
        disabled={!hasItems}
        title={hasItems ? label : 'No actions available'}
        onClick={() => (open ? close(true) : show('first'))}
        onKeyDown={onButtonKey}
      >
        <span aria-hidden="true">⋮</span>
      </button>
      {open && (
        <ul
          ref={menuRef}
          className="menu-list"
          role="menu"
          id={`${id}-menu`}
          aria-labelledby={`${id}-button`}
          onKeyDown={onMenuKey}
        >
          {open.map((item, i) => (
            <li
              key={item.key}
              role="menuitem"
              tabIndex={i === active ? 0 : -1}
              className={item.danger ? 'danger' : undefined}
              onClick={() => choose(item)}
              onMouseMove={() => i !== active && setActive(i)}
            >
              {item.label}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
