// Display helpers. Amounts stay strings: formatting only inserts separators, never parses.
import type {
  AttentionReason,
  DeliveryOutcome,
  InvoiceStatus,
  PayoutAction,
  PayoutState,
  PayState,
  StatusEventSource,
  TunnelKind,
} from './types';

/** "1234567.50" -> "1,234,567.50"; anything that is not a plain decimal is returned as is. */
export function formatAmount(value: string): string {
  const match = /^(-?)(\d+)(\.\d+)?$/.exec(value.trim());
  if (!match) return value;
  const [, sign, whole, fraction = ''] = match;
  return sign + whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',') + fraction;
}

/**
 * Like formatAmount, but drops trailing zeros past two decimals ("8449.900000" -> "8,449.90"),
 * for glanceable lists; the digits kept are exactly the ones given.
 */
export function formatAmountShort(value: string): string {
  const trimmed = value.trim().replace(/^(-?\d+\.\d\d\d*?)0+$/, '$1');
  return formatAmount(trimmed);
}

export const STATUS_LABELS: Record<InvoiceStatus, string> = {
  draft: 'Draft',
  issued: 'Issued',
  partially_paid: 'Partially paid',
  paid: 'Paid',
  overdue: 'Overdue',
  expired: 'Expired',
  void: 'Void',
};

export const STATUSES = Object.keys(STATUS_LABELS) as InvoiceStatus[];

export const PAYMENT_TERMS = [7, 14, 30, 60] as const;

/** An RFC 3339 timestamp as a short local date, e.g. "21 Nov 2026". */
export function formatTimestamp(value: string): string {
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) return value;
  return date.toLocaleDateString(undefined, { day: 'numeric', month: 'short', year: 'numeric' });
}

/**
 * A sample of what a numbering pattern produces, for the settings help text.
 * Tokens: {YYYY}, {YY}, {MM}, {SEQ:n}.
 */
export function previewNumber(pattern: string, today = new Date(), seq = 1): string {
  const yyyy = String(today.getFullYear());
  const mm = String(today.getMonth() + 1).padStart(2, '0');
  return pattern
    .replaceAll('{YYYY}', yyyy)
    .replaceAll('{YY}', yyyy.slice(2))
    .replaceAll('{MM}', mm)
    .replace(/\{SEQ(?::(\d+))?\}/g, (_, width: string | undefined) =>
      String(seq).padStart(width ? Number(width) : 1, '0'),
    );
}

/** An RFC 3339 timestamp as a short local date and time, e.g. "21 Nov 2026, 14:05". */
export function formatDateTime(value: string): string {
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) return value;
  return date.toLocaleString(undefined, {
    day: 'numeric',
    month: 'short',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
  });
}

const plural = (n: number, unit: string) => `${n} ${unit}${n === 1 ? '' : 's'} ago`;

/**
 * How long ago a payment status was verified: "just now", "1 minute ago", "N minutes ago",
 * "N hours ago", "N days ago"; "never" for null or an unreadable timestamp. A time slightly
 * in the future (clock skew) counts as "just now".
 */
export function verifiedAgo(iso: string | null | undefined, now: Date = new Date()): string {
  if (!iso) return 'never';
  const at = new Date(iso).getTime();
  if (Number.isNaN(at)) return 'never';
  const seconds = Math.floor((now.getTime() - at) / 1000);
  if (seconds < 60) return 'just now';
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return plural(minutes, 'minute');
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return plural(hours, 'hour');
  return plural(Math.floor(hours / 24), 'day');
}

export const PAY_STATE_LABELS: Record<PayState, string> = {
  none: 'No payment link',
  open: 'Awaiting payment',
  processing: 'Payment processing',
  partially_paid: 'Partially paid',
  paid: 'Paid',
  expired: 'Link expired',
};

export const EVENT_SOURCE_LABELS: Record<StatusEventSource, string> = {
  poll: 'Scheduled check',
  check: 'Manual check',
  webhook: 'Webhook',
  system: 'Paydesk',
};

const OBSERVED_LABELS: Record<string, string> = {
  open: 'open, not paid yet',
  processing: 'payment processing',
  partially_paid: 'partially paid',
  paid: 'paid',
  not_payable: 'not payable',
  unknown: 'unknown',
};

/** What a status event saw, in words; unknown values are shown as given. */
export const observedLabel = (observed: string) => OBSERVED_LABELS[observed] ?? observed;

export const ATTENTION_LABELS: Record<AttentionReason, string> = {
  overdue: 'Overdue',
  expired: 'Payment link expired',
  partially_paid: 'Partially paid, balance open',
  link_failed: 'Payment link failed',
};

/** An RFC 3339 timestamp as a local time of day with seconds, e.g. "14:05:09". */
export function formatClock(value: string): string {
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) return value;
  return date.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit' });
}

export const TUNNEL_LABELS: Record<TunnelKind, string> = {
  cloudflared: 'Cloudflare quick tunnel',
  ngrok: 'ngrok',
  manual: 'My own URL',
};

export const DELIVERY_OUTCOME_LABELS: Record<DeliveryOutcome, string> = {
  applied: 'Applied',
  duplicate: 'Duplicate (ignored)',
  test: 'Test',
  unknown_request: 'Unknown request',
  user_event: 'Client activity',
  noted: 'Noted',
  ignored: 'Ignored',
  rejected: 'Rejected',
  error: 'Error',
};

/** A webhook delivery's outcome in words; unknown values are shown as given. */
export const deliveryOutcomeLabel = (outcome: string) =>
  (DELIVERY_OUTCOME_LABELS as Record<string, string>)[outcome] ?? outcome;

const PAYER_ACTIVITY_LABELS: Record<string, string> = {
  wallet_connected: 'Client connected a wallet',
  payment_sent_to_wallet: "Payment sent to the client's wallet",
  payment_approved_in_wallet: 'Client approved the payment in their wallet',
};

/** What the payer did, in words; other user events are shown by their raw name. */
export const payerActivityLabel = (userEvent: string) => PAYER_ACTIVITY_LABELS[userEvent] ?? userEvent;

export const PAYOUT_STATE_LABELS: Record<PayoutState, string> = {
  draft: 'Draft',
  approved: 'Approved, sending',
  live: 'Ready to sign',
  paid: 'Paid',
  expired: 'Expired',
  cancelled: 'Cancelled',
  failed: 'Failed',
  batched: 'In a batch',
};

const PAYOUT_ACTION_LABELS: Record<PayoutAction, string> = {
  drafted: 'Draft created',
  edited: 'Draft edited',
  approved: 'Approved',
  link_created: 'Payout link created',
  opened: 'Opened to sign',
  paid: 'Paid',
  expired: 'Link expired',
  cancelled: 'Cancelled',
  failed: 'Refused by the API',
  batched: 'Combined into a batch',
  address_flagged: 'Flagged: the address changed',
};

/** A payout history action in words; unknown values are shown as given. */
export const payoutActionLabel = (action: string) => (PAYOUT_ACTION_LABELS as Record<string, string>)[action] ?? action;

/** "0x1234…abcd": the start and end of an address, for lists (the full one goes in a title). */
export function shortAddress(address: string): string {
  return address.length <= 14 ? address : `${address.slice(0, 6)}…${address.slice(-4)}`;
}

/** An address in groups of 4 characters, for reading it out; copy and approve use the exact string. */
export function addressGroups(address: string): string[] {
  return address.match(/.{1,4}/g) ?? [];
}

/** A file size for people: "512 B", "14.2 KB", "3.1 MB" (1 KB = 1024 bytes). */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 1024) return `${Math.max(0, Math.round(bytes || 0))} B`;
  const units = ['KB', 'MB', 'GB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
}

/** "1 page", "3 pages", "12 rows". */
export const count = (n: number, unit: string) => `${n} ${unit}${n === 1 ? '' : 's'}`;
