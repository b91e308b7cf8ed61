// Short-lived confirmations ("Invoice saved") shown in one place for the whole app.

export interface Toast {
  id: number;
  kind: 'success' | 'error';
  text: string;
}

export const toasts = $state<Toast[]>([]);
let nextId = 1;

/** Shows `text` for a few seconds. */
export function notify(text: string, kind: Toast['kind'] = 'success', ms = 4000): void {
  const id = nextId++;
  toasts.push({ id, kind, text });
  setTimeout(() => dismiss(id), ms);
}

export function dismiss(id: number): void {
  const index = toasts.findIndex((t) => t.id === id);
  if (index >= 0) toasts.splice(index, 1);
}
