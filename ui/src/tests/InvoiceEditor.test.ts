import { fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { client, currencies, deferred, invoice, linkInfo, linkState, paymentSettings, settings, totals } from './fixtures';

vi.mock('$lib/backend', async () => (await import('./backendMock')).backendMock());

import * as backend from '$lib/backend';
import { BackendError } from '$lib/backendError';
import { navigate, router } from '$lib/router.svelte';
import type { Totals } from '$lib/types';
import InvoiceEditor from '../screens/InvoiceEditor.svelte';

const api = vi.mocked(backend);
const text = (testid: string) => screen.getByTestId(testid).textContent;

beforeEach(() => {
  navigate({ name: 'invoice-editor', id: null });
  api.listClients.mockResolvedValue([client(), client({ id: '01CLIENTGLOBEX', name: 'Globex' })]);
  api.listCurrencies.mockResolvedValue(currencies);
  api.getSettings.mockResolvedValue(settings);
  api.computeTotals.mockResolvedValue(totals({ subtotal: '0.00', tax: '0.00', total: '0.00' }));
  api.getLinkState.mockResolvedValue(linkState());
  api.getPaymentSettings.mockResolvedValue(paymentSettings());
});

describe('invoice editor: live totals', () => {
  it('asks compute_totals for the typed lines and renders its strings', async () => {
    api.computeTotals.mockImplementation(async (input) =>
      input.lines[0].unitPrice === '1234.5'
        ? totals({ subtotal: '1234.50', discount: '0.00', tax: '246.90', total: '1481.40', lines: [{ amount: '1234.50', discount: '0.00', net: '1234.50', tax: '246.90' }] })
        : totals({ subtotal: '0.00', tax: '0.00', total: '0.00' }),
    );
    render(InvoiceEditor, { id: null });

    await userEvent.type(await screen.findByTestId('line-unitPrice-0'), '1234.5');
    await userEvent.clear(screen.getByTestId('line-taxRate-0'));
    await userEvent.type(screen.getByTestId('line-taxRate-0'), '20');

    await waitFor(() => expect(text('totals-total')).toBe('1,481.40'));
    expect(text('totals-subtotal')).toBe('1,234.50');
    expect(text('totals-tax')).toBe('246.90');
    expect(text('totals-discount')).toBe('0.00');
    expect(text('line-amount-0')).toContain('1,234.50');
    expect(api.computeTotals).toHaveBeenLastCalledWith({
      currency: 'EUR',
      lines: [{ description: '', quantity: '1', unitPrice: '1234.5', taxRate: '20', discount: '0' }],
      discount: { kind: 'percent', value: '0' },
    });
  });

  it('keeps the last good totals and shows the field error while a line is invalid', async () => {
    api.computeTotals.mockImplementation(async (input) => {
      if (input.lines[0].quantity === '0') {
        throw new BackendError('invalid_input', 'lines[0].quantity: must be greater than zero', 'lines[0].quantity');
      }
      return totals({ total: '120.00' });
    });
    render(InvoiceEditor, { id: null });
    await waitFor(() => expect(text('totals-total')).toBe('120.00'));

    const quantity = screen.getByTestId('line-quantity-0');
    await userEvent.clear(quantity);
    await userEvent.type(quantity, '0');

    expect((await screen.findByTestId('error-lines[0].quantity')).textContent).toBe('Must be greater than zero');
    expect(text('totals-total')).toBe('120.00');
    expect(quantity.getAttribute('aria-invalid')).toBe('true');

    await userEvent.type(quantity, '3');
    await waitFor(() => expect(screen.queryByTestId('error-lines[0].quantity')).toBeNull());
  });

  it('ignores a stale compute_totals answer that arrives after a newer one', async () => {
    const slow = deferred<Totals>();
    api.computeTotals.mockImplementation((input) =>
      input.lines[0].unitPrice === '1' ? slow.promise : Promise.resolve(totals({ total: '12.00' })),
    );
    render(InvoiceEditor, { id: null });
    const price = await screen.findByTestId('line-unitPrice-0');

    await fireEvent.input(price, { target: { value: '1' } });
    await waitFor(() => expect(api.computeTotals).toHaveBeenLastCalledWith(expect.objectContaining({ lines: [expect.objectContaining({ unitPrice: '1' })] })));
    await fireEvent.input(price, { target: { value: '10' } });
    await waitFor(() => expect(text('totals-total')).toBe('12.00'));

    slow.resolve(totals({ total: '999.00' }));
    await slow.promise;
    // Let every pending continuation run before checking that the late answer changed nothing.
    await new Promise((r) => setTimeout(r, 0));
    expect(text('totals-total')).toBe('12.00');
  });
});

describe('invoice editor: saving', () => {
  it('creates the invoice from the form and opens it', async () => {
    const saved = invoice({ id: '01NEW', number: 'INV-2026-0042' });
    api.createInvoice.mockResolvedValue(saved);
    render(InvoiceEditor, { id: null });

    await userEvent.selectOptions(await screen.findByTestId('invoice-client'), '01CLIENTGLOBEX');
    await userEvent.type(screen.getByTestId('line-description-0'), 'Logo design');
    await userEvent.type(screen.getByTestId('line-unitPrice-0'), '500');
    await userEvent.click(screen.getByTestId('invoice-save'));

    await waitFor(() => expect(router.route).toMatchObject({ name: 'invoice-editor', id: '01NEW' }));
    const input = api.createInvoice.mock.calls[0][0];
    expect(input).toMatchObject({
      clientId: '01CLIENTGLOBEX',
      currency: 'EUR',
      dueDate: null,
      paymentTermsDays: 14,
      number: null,
      lines: [{ description: 'Logo design', quantity: '1', unitPrice: '500', taxRate: '0', discount: '0' }],
      discount: { kind: 'percent', value: '0' },
    });
    expect(input.issueDate).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  });

  it('shows a save error for a line field next to that field', async () => {
    api.createInvoice.mockRejectedValue(
      new BackendError('invalid_input', 'lines[1].description: must not be empty', 'lines[1].description'),
    );
    render(InvoiceEditor, { id: null });
    await userEvent.click(await screen.findByTestId('line-add'));
    expect(screen.getByTestId('line-description-1')).toBeTruthy();

    await userEvent.click(screen.getByTestId('invoice-save'));

    expect((await screen.findByTestId('error-lines[1].description')).textContent).toBe('Must not be empty');
    expect(screen.queryByTestId('error-lines[0].description')).toBeNull();
  });

  it('sends a typed due date instead of payment terms', async () => {
    api.createInvoice.mockRejectedValue(new BackendError('not_found', 'clientId: no such client', 'clientId'));
    render(InvoiceEditor, { id: null, clientId: '01CLIENTACME' });

    const due = (await screen.findByTestId('invoice-dueDate')) as HTMLInputElement;
    await userEvent.clear(due);
    await userEvent.type(due, '2026-12-31');
    expect((screen.getByTestId('invoice-termsDays') as HTMLSelectElement).value).toBe('');
    await userEvent.click(screen.getByTestId('invoice-save'));

    await screen.findByTestId('error-clientId');
    expect(api.createInvoice.mock.calls[0][0]).toMatchObject({ clientId: '01CLIENTACME', dueDate: '2026-12-31', paymentTermsDays: null });
  });
});

describe('invoice editor: saved invoices', () => {
  it('shows the number and status, and voids after confirmation', async () => {
    api.getInvoice.mockResolvedValue(invoice());
    api.voidInvoice.mockResolvedValue(invoice({ status: 'void', voidedAt: '2026-03-02T09:00:00Z' }));
    render(InvoiceEditor, { id: '01INVOICE0001' });

    expect((await screen.findByTestId('invoice-heading-number')).textContent).toBe('INV-2026-0001');
    expect(text('invoice-heading-status')).toContain('Draft');
    expect(text('totals-total')).toBe('120.00');

    await userEvent.click(screen.getByTestId('invoice-void'));
    expect(api.voidInvoice).not.toHaveBeenCalled();
    await userEvent.click(screen.getByTestId('invoice-void-confirm'));

    await waitFor(() => expect(text('invoice-heading-status')).toContain('Void'));
    expect(api.voidInvoice).toHaveBeenCalledWith('01INVOICE0001');
    expect(screen.queryByTestId('invoice-save')).toBeNull();
    expect(screen.queryByTestId('invoice-void')).toBeNull();
    expect((screen.getByTestId('line-description-0') as HTMLInputElement).closest('fieldset')?.disabled).toBe(true);
    expect(screen.getByTestId('invoice-duplicate')).toBeTruthy();
  });

  it('duplicates into a new draft and opens it', async () => {
    api.getInvoice.mockResolvedValue(invoice({ status: 'void' }));
    api.duplicateInvoice.mockResolvedValue(invoice({ id: '01COPY', number: 'INV-2026-0002' }));
    render(InvoiceEditor, { id: '01INVOICE0001' });

    await userEvent.click(await screen.findByTestId('invoice-duplicate'));

    await waitFor(() => expect(router.route).toMatchObject({ name: 'invoice-editor', id: '01COPY' }));
    expect(api.computeTotals).not.toHaveBeenCalled(); // a void invoice shows its saved totals
  });
});

describe('invoice editor: payment link', () => {
  const QR = '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"></svg>';

  it('creates a link, shows it queued with the reason, then live with URL, QR and share actions', async () => {
    const live = linkState({ state: 'live', link: linkInfo(), history: [linkInfo()] });
    api.getInvoice.mockResolvedValue(invoice());
    api.requestLink.mockResolvedValue(
      linkState({
        state: 'queued',
        message: 'the API is unavailable (503)',
        pending: { lastError: 'the API is unavailable (503)', nextAttemptAt: '2026-11-21T10:00:05Z', attempts: 1 },
      }),
    );
    api.getLinkState.mockResolvedValueOnce(linkState()).mockResolvedValue(live);
    api.linkQrSvg.mockResolvedValue(QR);
    render(InvoiceEditor, { id: '01INVOICE0001' });

    await userEvent.click(await screen.findByTestId('link-create'));
    expect(api.requestLink).toHaveBeenCalledWith('01INVOICE0001', { redirectUrl: null, redirectLabel: null });
    await waitFor(() => expect(text('link-state')).toContain('the API is unavailable (503)'));
    expect(text('link-state')).toContain('retrying');

    await waitFor(() => expect(text('link-url')).toBe(linkInfo().url), { timeout: 6000 });
    const qr = (await screen.findByTestId('link-qr')) as HTMLImageElement;
    expect(qr.getAttribute('src')).toBe(`data:image/svg+xml;base64,${btoa(QR)}`);
    api.openLink.mockResolvedValue(linkInfo().url);
    await userEvent.click(screen.getByTestId('link-open'));
    expect(api.openLink).toHaveBeenLastCalledWith('01INVOICE0001', 'browser');
    await userEvent.click(screen.getByTestId('link-email'));
    expect(api.openLink).toHaveBeenLastCalledWith('01INVOICE0001', 'email');
    expect(screen.getByTestId('link-history').textContent).toContain(linkInfo().url);
  }, 10000);

  it('shows an unsafe redirect URL error next to the field', async () => {
    api.getInvoice.mockResolvedValue(invoice());
    api.requestLink.mockRejectedValue(
      new BackendError('invalid_input', 'redirectUrl: must be an https URL', 'redirectUrl'),
    );
    render(InvoiceEditor, { id: '01INVOICE0001' });
    await userEvent.type(await screen.findByTestId('link-redirectUrl'), 'javascript:alert(1)');
    await userEvent.click(screen.getByTestId('link-create'));
    await waitFor(() => expect(text('error-redirectUrl')).toMatch(/must be an https URL/i));
    expect(screen.getByTestId('link-redirectUrl').getAttribute('aria-invalid')).toBe('true');
  });

  it('shows why the browser could not be opened', async () => {
    api.getInvoice.mockResolvedValue(invoice());
    api.getLinkState.mockResolvedValue(linkState({ state: 'live', link: linkInfo(), history: [linkInfo()] }));
    api.linkQrSvg.mockResolvedValue(QR);
    api.openLink.mockRejectedValue(new BackendError('internal', 'could not start the default browser (no xdg-open); copy the link instead', null));
    render(InvoiceEditor, { id: '01INVOICE0001' });
    await userEvent.click(await screen.findByTestId('link-open'));
    await waitFor(() => expect(text('link-error')).toContain('could not start the default browser'));
  });

  it('locks the invoice while a link is live and unlocks it when the link is voided', async () => {
    api.getInvoice.mockResolvedValue(invoice());
    api.getLinkState.mockResolvedValue(linkState({ state: 'live', link: linkInfo(), history: [linkInfo()] }));
    api.linkQrSvg.mockResolvedValue(QR);
    api.voidLink.mockResolvedValue(linkState({ history: [{ ...linkInfo(), status: 'void' }] }));
    render(InvoiceEditor, { id: '01INVOICE0001' });
    await screen.findByTestId('invoice-locked-notice');
    expect(screen.queryByTestId('invoice-save')).toBeNull();
    expect((screen.getByTestId('invoice-notes') as HTMLTextAreaElement).closest('fieldset')?.disabled).toBe(true);
    await userEvent.click(screen.getByTestId('link-void'));
    await waitFor(() => expect(screen.queryByTestId('invoice-locked-notice')).toBeNull());
    expect(screen.getByTestId('invoice-save')).toBeTruthy();
    expect((screen.getByTestId('invoice-notes') as HTMLTextAreaElement).closest('fieldset')?.disabled).toBe(false);
  });

  it('offers to void an expired link that still locks the amounts, and unlocks the invoice', async () => {
    const expired = linkInfo({ status: 'expired', expiresAt: '2026-11-28T10:00:00Z' });
    api.getInvoice.mockResolvedValue(invoice());
    api.getLinkState.mockResolvedValue(linkState({ state: 'expired', link: expired, history: [expired], locked: true }));
    api.voidLink.mockResolvedValue(linkState({ history: [{ ...expired, status: 'void' }] }));
    render(InvoiceEditor, { id: '01INVOICE0001' });
    await screen.findByTestId('invoice-locked-notice');
    expect(screen.getByTestId('link-reissue')).toBeTruthy();
    await userEvent.click(screen.getByTestId('link-void'));
    await waitFor(() => expect(screen.queryByTestId('invoice-locked-notice')).toBeNull());
    expect(api.voidLink).toHaveBeenCalledWith('01INVOICE0001');
    expect(screen.getByTestId('invoice-save')).toBeTruthy();
  });

  it('has no void button for an expired link the API already ended', async () => {
    const expired = linkInfo({ status: 'expired', expiresAt: '2026-11-28T10:00:00Z' });
    api.getInvoice.mockResolvedValue(invoice());
    api.getLinkState.mockResolvedValue(linkState({ state: 'expired', link: expired, history: [expired], locked: false }));
    render(InvoiceEditor, { id: '01INVOICE0001' });
    await screen.findByTestId('link-reissue');
    expect(screen.queryByTestId('link-void')).toBeNull();
    expect(screen.queryByTestId('invoice-locked-notice')).toBeNull();
  });

  it('copies the link URL to the clipboard', async () => {
    const writeText = vi.fn().mockResolvedValue(undefined);
    Object.defineProperty(navigator, 'clipboard', { value: { writeText }, configurable: true });
    api.getInvoice.mockResolvedValue(invoice());
    api.getLinkState.mockResolvedValue(linkState({ state: 'live', link: linkInfo(), history: [linkInfo()] }));
    api.linkQrSvg.mockResolvedValue(QR);
    render(InvoiceEditor, { id: '01INVOICE0001' });
    await fireEvent.click(await screen.findByTestId('link-copy'));
    await waitFor(() => expect(writeText).toHaveBeenCalledWith(linkInfo().url));
  });
});
