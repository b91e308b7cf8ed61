import { describe, expect, it } from 'vitest';
import { addDays, today } from '$lib/dates';
import { formatAmount, formatAmountShort, previewNumber } from '$lib/format';
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
