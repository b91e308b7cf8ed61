import { describe, expect, it } from 'vitest';
import { addDays, today } from '$lib/dates';
import { formatAmount, formatAmountShort, previewNumber, verifiedAgo } from '$lib/format';
import { newDraft, toInput, toTotalsInput } from '$lib/invoiceDraft';
import { settings } from './fixtures';

describe('amount display', () => {
  it('adds thousands separators without touching the digits', () => {
    expect(formatAmount('1234567.50')).toBe('1,234,567.50');
    expect(formatAmount('-1000.000001')).toBe('-1,000.000001');
    expect(formatAmount('999')).toBe('999');
    expect(formatAmount('12345678901234567890.123456789012345678')).toBe('12,345,678,901,234,567,890.123456789012345678');
    expect(formatAmount('not a number')).toBe('not a number');
  });

  it('shortens trailing zeros past two decimals for lists', () => {
    expect(formatAmountShort('8449.900000')).toBe('8,449.90');
    expect(formatAmountShort('0.000100')).toBe('0.0001');
    expect(formatAmountShort('5.000000000000000000')).toBe('5.00');
    expect(formatAmountShort('12.5')).toBe('12.5');
    expect(formatAmountShort('1200')).toBe('1,200');
  });
});

describe('dates and numbering', () => {
  it('adds calendar days across month and year ends', () => {
    expect(addDays('2026-01-31', 30)).toBe('2026-03-02');
    expect(addDays('2026-12-25', 7)).toBe('2027-01-01');
    expect(addDays('2026-13-01', 7)).toBe('');
    expect(addDays('2026-02-30', 1)).toBe('');
    expect(addDays('not-a-date', 7)).toBe('');
    expect(today(new Date(2026, 1, 3))).toBe('2026-02-03');
  });

  it('previews a numbering pattern', () => {
    const march = new Date(2026, 2, 15);
    expect(previewNumber('INV-{YYYY}-{SEQ:4}', march)).toBe('INV-2026-0001');
    expect(previewNumber('{YY}{MM}-{SEQ}', march, 42)).toBe('2603-42');
  });
});

describe('invoice draft', () => {
  it('sends payment terms or a due date, never both', () => {
    const draft = newDraft(settings, 'c1', new Date(2026, 0, 10));
    expect(draft.dueDate).toBe('2026-01-24');
    expect(toInput(draft)).toMatchObject({ paymentTermsDays: 14, dueDate: null, number: null });

    draft.termsDays = '';
    draft.dueDate = '2026-02-01';
    draft.number = '  INV-9 ';
    expect(toInput(draft)).toMatchObject({ paymentTermsDays: null, dueDate: '2026-02-01', number: 'INV-9' });
  });

  it('previews blank number fields as zero but sends typed text as typed', () => {
    const draft = newDraft(settings, 'c1');
    draft.lines[0].unitPrice = '';
    draft.lines[0].discount = '1,5';
    draft.discount.value = '';
    const preview = toTotalsInput(draft);
    expect(preview.lines[0]).toMatchObject({ unitPrice: '0', discount: '1,5', quantity: '1' });
    expect(preview.discount.value).toBe('0');
    expect(toInput(draft).lines[0].unitPrice).toBe('');
    expect(toInput(draft).lines[0]).not.toHaveProperty('key');
  });
});

describe('verifiedAgo', () => {
  const now = new Date('2026-11-21T12:00:00Z');
  const before = (seconds: number) => new Date(now.getTime() - seconds * 1000).toISOString();

  it('says never without a timestamp or with an unreadable one', () => {
    expect(verifiedAgo(null, now)).toBe('never');
    expect(verifiedAgo(undefined, now)).toBe('never');
    expect(verifiedAgo('', now)).toBe('never');
    expect(verifiedAgo('not a date', now)).toBe('never');
  });

  it('says just now under a minute, and for a slightly future time (clock skew)', () => {
    expect(verifiedAgo(before(0), now)).toBe('just now');
    expect(verifiedAgo(before(59), now)).toBe('just now');
    expect(verifiedAgo(before(-30), now)).toBe('just now');
  });

  it('counts whole minutes, singular and plural', () => {
    expect(verifiedAgo(before(60), now)).toBe('1 minute ago');
    expect(verifiedAgo(before(119), now)).toBe('1 minute ago');
    expect(verifiedAgo(before(120), now)).toBe('2 minutes ago');
    expect(verifiedAgo(before(59 * 60 + 59), now)).toBe('59 minutes ago');
  });

  it('counts whole hours from an hour on, then days', () => {
    expect(verifiedAgo(before(3600), now)).toBe('1 hour ago');
    expect(verifiedAgo(before(3 * 3600 + 1800), now)).toBe('3 hours ago');
    expect(verifiedAgo(before(23 * 3600 + 3599), now)).toBe('23 hours ago');
    expect(verifiedAgo(before(24 * 3600), now)).toBe('1 day ago');
    expect(verifiedAgo(before(3 * 24 * 3600), now)).toBe('3 days ago');
  });

  it('reads RFC 3339 offsets, not just Z', () => {
    expect(verifiedAgo('2026-11-21T13:55:00+02:00', now)).toBe('5 minutes ago');
  });
});
