// What the invoice editor edits, and how it becomes the IPC's InvoiceInput / TotalsInput.
// Every value stays a string; nothing here does arithmetic on money.
import { addDays, today } from './dates';
import type { Discount, Invoice, InvoiceInput, LineItemInput, Settings, TotalsInput } from './types';

/** "" = a custom due date; otherwise net N days. */
export type TermsChoice = '' | '7' | '14' | '30' | '60';

export interface DraftLine extends LineItemInput {
  /** Local key for the list; never sent. */
  key: number;
}

export interface InvoiceDraft {
  clientId: string;
  currency: string;
  issueDate: string;
  dueDate: string;
  termsDays: TermsChoice;
  number: string;
  lines: DraftLine[];
  discount: Discount;
  notes: string;
  terms: string;
}

/** Days from issue to due when a new invoice has no default payment terms. */
export const FALLBACK_DUE_DAYS = 30;
const LINE_FIELDS = ['description', 'quantity', 'unitPrice', 'taxRate', 'discount'] as const;
export type LineField = (typeof LINE_FIELDS)[number];

let nextKey = 1;

export function blankLine(): DraftLine {
  return { key: nextKey++, description: '', quantity: '1', unitPrice: '', taxRate: '0', discount: '0' };
}

export function termsChoice(days: number | null | undefined): TermsChoice {
  return days === 7 || days === 14 || days === 30 || days === 60 ? (String(days) as TermsChoice) : '';
}

/** A new invoice: today's date, the settings' currency and terms, one empty line. */
export function newDraft(settings: Settings | null, clientId = '', now = new Date()): InvoiceDraft {
  const issueDate = today(now);
  const termsDays = termsChoice(settings?.defaultPaymentTermsDays);
  return {
    clientId,
    currency: settings?.defaultCurrency ?? '',
    issueDate,
    dueDate: addDays(issueDate, termsDays ? Number(termsDays) : FALLBACK_DUE_DAYS),
    termsDays,
    number: '',
    lines: [blankLine()],
    discount: { kind: 'percent', value: '0' },
    notes: '',
    terms: '',
  };
}

/** The editable form of a saved invoice; `keys` keeps row identity (and focus) across a save. */
export function draftFrom(invoice: Invoice, keys: number[] = []): InvoiceDraft {
  return {
    clientId: invoice.clientId,
    currency: invoice.currency,
    issueDate: invoice.issueDate,
    dueDate: invoice.dueDate,
    termsDays: termsChoice(invoice.paymentTermsDays),
    number: invoice.number,
    lines: invoice.lines.map((line, i) => ({ ...pickLine(line), key: keys[i] ?? nextKey++ })),
    discount: { kind: invoice.discount.kind, value: invoice.discount.value },
    notes: invoice.notes,
    terms: invoice.terms,
  };
}

/** The due date the editor shows: issue date + N days under payment terms, else the typed date. */
export function shownDueDate(draft: InvoiceDraft): string {
  return draft.termsDays ? addDays(draft.issueDate, Number(draft.termsDays)) || draft.dueDate : draft.dueDate;
}

/** The exact input for create_invoice / update_invoice. */
export function toInput(draft: InvoiceDraft): InvoiceInput {
  const byTerms = draft.termsDays !== '';
  return {
    clientId: draft.clientId,
    currency: draft.currency,
    issueDate: draft.issueDate.trim(),
    dueDate: byTerms ? null : draft.dueDate.trim() || null,
    paymentTermsDays: byTerms ? Number(draft.termsDays) : null,
    number: draft.number.trim() || null,
    lines: draft.lines.map(pickLine),
    discount: { kind: draft.discount.kind, value: draft.discount.value.trim() },
    notes: draft.notes,
    terms: draft.terms,
  };
}

/**
 * The input for live totals. A number field still left blank counts as "0" here, so a line being
 * typed does not flag errors before the person got to it; anything typed is sent as typed.
 */
export function toTotalsInput(draft: InvoiceDraft): TotalsInput {
  const orZero = (value: string) => (value.trim() === '' ? '0' : value.trim());
  return {
    currency: draft.currency,
    lines: draft.lines.map((line) => ({
      description: line.description,
      quantity: orZero(line.quantity),
      unitPrice: orZero(line.unitPrice),
      taxRate: orZero(line.taxRate),
      discount: orZero(line.discount),
    })),
    discount: { kind: draft.discount.kind, value: orZero(draft.discount.value) },
  };
}

const TOP_LEVEL_FIELDS = new Set([
  'clientId',
  'currency',
  'issueDate',
  'dueDate',
  'paymentTermsDays',
  'number',
  'lines',
  'discount',
  'discount.kind',
  'discount.value',
  'notes',
  'terms',
]);
const LINE_FIELD_PATH = new RegExp(`^lines\\[\\d+\\]\\.(${LINE_FIELDS.join('|')})$`);

/** Whether the editor has a place to show an error about `field`. */
export function editorShowsField(field: string): boolean {
  return TOP_LEVEL_FIELDS.has(field) || LINE_FIELD_PATH.test(field);
}

export function lineField(index: number, field: LineField): string {
  return `lines[${index}].${field}`;
}

function pickLine(line: LineItemInput): LineItemInput {
  return {
    description: line.description,
    quantity: line.quantity,
    unitPrice: line.unitPrice,
    taxRate: line.taxRate,
    discount: line.discount,
  };
}
