import type { ComponentChildren } from 'preact';
import { useEffect, useRef } from 'preact/hooks';

interface DialogProps {
  title: string;
  isOpen: boolean;
  onClose: () => void;
  children: ComponentChildren;
  testId?: string;
}

/** A modal `<dialog>`: focus is kept inside, Escape closes it, focus returns where it was. */
export function Dialog({ title, isOpen, onClose, children, testId }: DialogProps) {
  const dialog = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const element = dialog.current;
    if (!element) return;
    if (isOpen && !element.open) element.showModal();
    if (!isOpen && element.open) element.close();
  }, [isOpen]);
  return (
    <dialog
      ref={dialog}
      class="dialog"
      aria-labelledby={`${testId ?? 'dialog'}-title`}
      data-testid={testId}
      onClose={onClose}
      onCancel={(event) => {
        event.preventDefault();
        onClose();
      }}
    >
      {isOpen && (
        <>
          <header class="dialog-header">
            <h2 id={`${testId ?? 'dialog'}-title`}>{title}</h2>
            <button type="button" class="ghost" aria-label="Close" onClick={onClose}>
              ✕
            </button>
          </header>
          <div class="dialog-body">{children}</div>
        </>
      )}
    </dialog>
  );
}

interface ConfirmProps {
  title: string;
  isOpen: boolean;
  confirmLabel: string;
  onConfirm: () => void;
  onClose: () => void;
  children: ComponentChildren;
  isDanger?: boolean;
}

export function ConfirmDialog(props: ConfirmProps) {
  return (
    <Dialog title={props.title} isOpen={props.isOpen} onClose={props.onClose} testId="confirm">
      {props.children}
      <div class="actions">
        <button type="button" onClick={props.onClose}>
          Keep
        </button>
        <button
          type="button"
          class={props.isDanger ? 'danger' : 'primary'}
          onClick={() => {
            props.onConfirm();
            props.onClose();
          }}
        >
          {props.confirmLabel}
        </button>
      </div>
    </Dialog>
  );
}
