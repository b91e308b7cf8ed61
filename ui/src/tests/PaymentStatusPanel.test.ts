import { render, screen, waitFor, within } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { client, currencies, invoice, linkState, minutesAgo, paymentSettings, paymentStatus, statusEvent } from './fixtures';

vi.mock('$lib/backend', async () => (await import('./backendMock')).backendMock());

import * as backend from '$lib/backend';
import { BackendError } from '$lib/backendError';
import type { PaymentStatusChanged } from '$lib/types';
import PaymentStatusPanel from '../components/PaymentStatusPanel.svelte';
import InvoiceEditor from '../screens/InvoiceEditor.svelte';

const api = vi.mocked(backend);
const text = (testid: string) => screen.getByTestId(testid).textContent?.trim();
const issued = invoice({ status: 'issued' });

function captureStatusEvents() {
  const pushed: { handler: ((event: PaymentStatusChanged) => void) | null } = { handler: null };
  api.onPaymentStatusChanged.mockImplementation(async (handler) => {
    pushed.handler = handler;
    return () => {};
  });
  return pushed;
}

describe('payment status panel', () => {
  it('shows the pay state and how long ago it was verified', async () => {
    api.getPaymentStatus.mockResolvedValue(paymentStatus({ verifiedAt: minutesAgo(5) }));
    render(PaymentStatusPanel, { invoice: issued });

    await waitFor(() => expect(text('status-verified')).toBe('Verified 5 minutes ago'));
    expect(text('status-pay-state')).toBe('Awaiting payment');
    expect(screen.getByTestId('status-pay-state').dataset.payState).toBe('open');
    expect(text('status-invoice-status')).toContain('Issued');
    expect(screen.queryByTestId('status-paid-amount')).toBeNull();
    expect(api.getPaymentStatus).toHaveBeenCalledWith('01INVOICE0001');
  });

  it('says when the status was never verified', async () => {
    api.getPaymentStatus.mockResolvedValue(paymentStatus({ verifiedAt: null }));
    render(PaymentStatusPanel, { invoice: issued });
    await waitFor(() => expect(text('status-verified')).toBe('Not verified yet'));
  });

  it('shows what was paid and what is left of a partial payment', async () => {
    api.getPaymentStatus.mockResolvedValue(
      paymentStatus({ invoiceStatus: 'partially_paid', payState: 'partially_paid', total: '1000.00', amountPaid: '400.00', amountLeft: '600.00', verifiedAt: minutesAgo(1) }),
    );
    render(PaymentStatusPanel, { invoice: invoice({ status: 'partially_paid' }) });

    await waitFor(() => expect(text('status-paid-amount')).toBe('400.00 of 1,000.00 EUR'));
    expect(text('status-left-amount')).toBe('600.00 EUR');
    expect(text('status-pay-state')).toBe('Partially paid');
    expect(text('status-verified')).toBe('Verified 1 minute ago');
    expect(screen.queryByTestId('status-tx')).toBeNull();
  });

  it('shows the transaction of a paid invoice', async () => {
    api.getPaymentStatus.mockResolvedValue(
      paymentStatus({ invoiceStatus: 'paid', payState: 'paid', amountPaid: '120.00', amountLeft: '0.00', txHash: '0xabc123', paidAt: '2026-11-21T10:00:00Z', nextCheckAt: null }),
    );
    render(PaymentStatusPanel, { invoice: invoice({ status: 'paid' }) });

    await waitFor(() => expect(text('status-tx')).toBe('0xabc123'));
    expect(text('status-next-check')).toContain('final');
  });

  it('explains the status with its history, marking stale observations as ignored', async () => {
    api.getPaymentStatus.mockResolvedValue(
      paymentStatus({
        invoiceStatus: 'paid',
        payState: 'paid',
        events: [
          statusEvent({ at: '2026-11-21T10:06:00Z', source: 'poll', observed: 'paid', applied: false, payState: 'paid' }),
          statusEvent({ at: '2026-11-21T10:05:00Z', source: 'poll', observed: 'processing', applied: false, payState: 'paid' }),
          statusEvent({ at: '2026-11-21T10:04:00Z', source: 'webhook', observed: 'paid', detail: 'tx 0xabc…', payState: 'paid' }),
          statusEvent({ at: '2026-11-21T10:00:00Z', source: 'system', observed: 'open', detail: 'payment link created' }),
        ],
      }),
    );
    render(PaymentStatusPanel, { invoice: invoice({ status: 'paid' }) });

    const history = await screen.findByTestId('status-history');
    const rows = within(history).getAllByTestId('status-event');
    expect(rows).toHaveLength(4);
    // A routine poll that saw what was already known is "no change", not stale.
    expect(within(rows[0]).getByTestId('status-event-unchanged').textContent).toBe('no change');
    expect(within(rows[0]).queryByTestId('status-event-stale')).toBeNull();
    rows.shift();
    expect(rows[0].dataset.applied).toBe('false');
    expect(within(rows[0]).getByTestId('status-event-stale').textContent).toBe('ignored (stale)');
    expect(rows[0].textContent).toContain('Scheduled check');
    expect(rows[0].textContent).toContain('payment processing');
    expect(rows[1].textContent).toContain('Webhook');
    expect(rows[1].textContent).toContain('tx 0xabc…');
    expect(rows[1].textContent).toContain('→ Paid');
    expect(within(rows[1]).queryByTestId('status-event-stale')).toBeNull();
    expect(rows[2].textContent).toContain('payment link created');
    expect(rows[2].querySelector('time')?.getAttribute('datetime')).toBe('2026-11-21T10:00:00Z');
  });

  it('checks now and shows the fresh result', async () => {
    api.getPaymentStatus.mockResolvedValue(paymentStatus({ verifiedAt: minutesAgo(30) }));
    api.checkNow.mockResolvedValue(
      paymentStatus({ payState: 'processing', verifiedAt: new Date().toISOString(), events: [statusEvent({ source: 'check', observed: 'processing', payState: 'processing' })] }),
    );
    render(PaymentStatusPanel, { invoice: issued });
    await waitFor(() => expect(text('status-verified')).toBe('Verified 30 minutes ago'));

    await userEvent.click(screen.getByTestId('status-check-now'));

    await waitFor(() => expect(text('status-pay-state')).toBe('Payment processing'));
    expect(api.checkNow).toHaveBeenCalledWith('01INVOICE0001');
    expect(text('status-verified')).toBe('Verified just now');
    expect(text('status-check-result')).toBe('Checked just now: Payment processing.');
    expect(within(screen.getByTestId('status-history')).getAllByTestId('status-event')[0].textContent).toContain('Manual check');
    expect(screen.queryByTestId('status-error')).toBeNull();
  });

  it('shows the error when check now fails and keeps the last status', async () => {
    api.getPaymentStatus.mockResolvedValue(paymentStatus({ verifiedAt: minutesAgo(2) }));
    api.checkNow.mockRejectedValue(new BackendError('conflict', 'invoiceId: checked too often; try again in a few seconds', 'invoiceId'));
    render(PaymentStatusPanel, { invoice: issued });
    await waitFor(() => expect(text('status-pay-state')).toBe('Awaiting payment'));

    await userEvent.click(screen.getByTestId('status-check-now'));

    expect((await screen.findByTestId('status-error')).textContent).toContain('checked too often');
    expect(text('status-pay-state')).toBe('Awaiting payment');
    expect(text('status-verified')).toBe('Verified 2 minutes ago');
    expect(screen.queryByTestId('status-check-result')).toBeNull();
    expect((screen.getByTestId('status-check-now') as HTMLButtonElement).disabled).toBe(false);
  });

  it('cannot check an invoice without a payment link, and shows the last poll error', async () => {
    api.getPaymentStatus.mockResolvedValue(paymentStatus({ payState: 'none', lastError: 'API unavailable (503)' }));
    render(PaymentStatusPanel, { invoice: issued });
    await waitFor(() => expect(text('status-pay-state')).toBe('No payment link'));
    expect((screen.getByTestId('status-check-now') as HTMLButtonElement).disabled).toBe(true);
    expect(text('status-last-error')).toContain('API unavailable (503)');
  });

  it('reloads on the payment-status-changed event of this invoice only, and tells the editor', async () => {
    const pushed = captureStatusEvents();
    const onchange = vi.fn();
    api.getPaymentStatus
      .mockResolvedValueOnce(paymentStatus())
      .mockResolvedValue(paymentStatus({ invoiceStatus: 'paid', payState: 'paid', amountPaid: '120.00', amountLeft: '0.00' }));
    render(PaymentStatusPanel, { invoice: issued, onchange });
    await waitFor(() => expect(text('status-pay-state')).toBe('Awaiting payment'));
    await waitFor(() => expect(pushed.handler).not.toBeNull());

    pushed.handler!({ invoiceId: 'SOMEONE_ELSE', number: 'INV-9', clientName: 'X', status: 'paid', amountPaid: null, currency: 'EUR' });
    await new Promise((r) => setTimeout(r, 20));
    expect(api.getPaymentStatus).toHaveBeenCalledTimes(1);

    pushed.handler!({ invoiceId: '01INVOICE0001', number: 'INV-2026-0001', clientName: 'Acme Corp', status: 'paid', amountPaid: '120.00', currency: 'EUR' });
    await waitFor(() => expect(text('status-pay-state')).toBe('Paid'));
    expect(text('status-paid-amount')).toBe('120.00 of 120.00 EUR');
    expect(onchange).toHaveBeenCalledWith('paid');
  });

  it('shows what the client did in their wallet, marking test events', async () => {
    api.getPaymentStatus.mockResolvedValue(
      paymentStatus({
        activity: [
          { at: minutesAgo(2), userEvent: 'payment_approved_in_wallet', test: false },
          { at: minutesAgo(3), userEvent: 'payment_sent_to_wallet', test: false },
          { at: '2026-11-21T10:00:00Z', userEvent: 'wallet_connected', test: false },
          { at: '2026-11-21T09:00:00Z', userEvent: 'wallet_disconnected', test: true },
        ],
      }),
    );
    render(PaymentStatusPanel, { invoice: issued });

    await waitFor(() => expect(screen.getAllByTestId('payer-activity')).toHaveLength(4));
    const rows = screen.getAllByTestId('payer-activity');
    expect(screen.getByRole('heading', { name: 'Client activity' })).toBeTruthy();
    expect(rows[0].textContent).toContain('Client approved the payment in their wallet');
    expect(rows[0].textContent).toContain('2 minutes ago');
    expect(rows[1].textContent).toContain("Payment sent to the client's wallet");
    expect(rows[2].textContent).toContain('Client connected a wallet');
    expect(rows[2].querySelector('time')?.getAttribute('datetime')).toBe('2026-11-21T10:00:00Z');
    // Unknown user events are shown by their raw name; test ones say so.
    expect(rows[3].textContent).toContain('wallet_disconnected');
    expect(within(rows[3]).getByTestId('payer-activity-test').textContent).toBe('(test)');
    expect(within(rows[0]).queryByTestId('payer-activity-test')).toBeNull();
  });

  it('has no client activity list when there is none', async () => {
    api.getPaymentStatus.mockResolvedValue(paymentStatus({ activity: [] }));
    render(PaymentStatusPanel, { invoice: issued });
    await waitFor(() => expect(text('status-pay-state')).toBe('Awaiting payment'));
    expect(screen.queryByTestId('payer-activity')).toBeNull();
    expect(screen.queryByRole('heading', { name: 'Client activity' })).toBeNull();
  });

  it('polls get_payment_status while open and stops when closed', async () => {
    api.getPaymentStatus.mockResolvedValue(paymentStatus());
    const { unmount } = render(PaymentStatusPanel, { invoice: issued, pollMs: 20 });
    await waitFor(() => expect(api.getPaymentStatus.mock.calls.length).toBeGreaterThanOrEqual(3));
    unmount();
    const calls = api.getPaymentStatus.mock.calls.length;
    await new Promise((r) => setTimeout(r, 60));
    expect(api.getPaymentStatus.mock.calls.length).toBe(calls);
  });
});

describe('invoice editor: payment status section', () => {
  function editorMocks(status: 'draft' | 'issued') {
    api.listClients.mockResolvedValue([client()]);
    api.listCurrencies.mockResolvedValue(currencies);
    api.getInvoice.mockResolvedValue(invoice({ status }));
    api.getLinkState.mockResolvedValue(linkState());
    api.getPaymentSettings.mockResolvedValue(paymentSettings());
  }

  it('is shown for a saved, issued invoice', async () => {
    editorMocks('issued');
    api.getPaymentStatus.mockResolvedValue(paymentStatus({ verifiedAt: minutesAgo(3) }));
    render(InvoiceEditor, { id: '01INVOICE0001' });
    await screen.findByTestId('status-panel');
    await waitFor(() => expect(text('status-verified')).toBe('Verified 3 minutes ago'));
  });

  it('is not shown for a draft', async () => {
    editorMocks('draft');
    render(InvoiceEditor, { id: '01INVOICE0001' });
    await screen.findByTestId('link-panel');
    expect(screen.queryByTestId('status-panel')).toBeNull();
    expect(api.getPaymentStatus).not.toHaveBeenCalled();
  });
});
