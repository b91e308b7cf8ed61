// Display helpers. Amounts stay strings: formatting only inserts separators, never parses.
import type { InvoiceStatus } from './types';

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
