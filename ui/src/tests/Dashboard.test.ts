import { render, screen, waitFor, within } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { appInfo, dashboard, paymentSettings, settings } from './fixtures';

vi.mock('$lib/backend', async () => (await import('./backendMock')).backendMock());

import * as backend from '$lib/backend';
import { BackendError } from '$lib/backendError';
import { app } from '$lib/appState.svelte';
import { navigate, router } from '$lib/router.svelte';
import type { PaymentStatusChanged } from '$lib/types';
import App from '../App.svelte';
import Dashboard from '../screens/Dashboard.svelte';

const api = vi.mocked(backend);

const sample = dashboard({
  totals: [
    { currency: 'EUR', outstanding: '12345.50', overdue: '300.00', paidThisMonth: '0.00', paidThisYear: '98765.43' },
    { currency: 'USDC-base', outstanding: '1000.000000', overdue: '0.000000', paidThisMonth: '250.500000', paidThisYear: '250.500000' },
  ],
  attention: [
    { invoiceId: '01INV_OVERDUE', number: 'INV-2026-0007', clientName: 'Globex', currency: 'EUR', total: '300.00', status: 'overdue', dueDate: '2026-10-01', reason: 'overdue' },
    { invoiceId: '01INV_PARTIAL', number: 'INV-2026-0009', clientName: 'Acme Corp', currency: 'USDC-base', total: '1000.000000', status: 'partially_paid', dueDate: '2026-12-01', reason: 'partially_paid' },
    { invoiceId: '01INV_FAILED', number: 'INV-2026-0011', clientName: 'Initech', currency: 'EUR', total: '50.00', status: 'issued', dueDate: '2026-12-05', reason: 'link_failed' },
  ],
});

beforeEach(() => {
  navigate({ name: 'dashboard' });
});

describe('dashboard', () => {
  it('shows the totals of each currency as given, without arithmetic', async () => {
    api.getDashboard.mockResolvedValue(sample);
    render(Dashboard);

    const eur = within(await screen.findByTestId('dashboard-total-EUR'));
    expect(eur.getByTestId('dashboard-outstanding').textContent).toBe('12,345.50');
    expect(eur.getByTestId('dashboard-overdue').textContent).toBe('300.00');
    expect(eur.getByTestId('dashboard-paidThisMonth').textContent).toBe('0.00');
    expect(eur.getByTestId('dashboard-paidThisYear').textContent).toBe('98,765.43');

    const usdc = within(screen.getByTestId('dashboard-total-USDC-base'));
    expect(usdc.getByTestId('dashboard-outstanding').textContent).toBe('1,000.00');
    expect(usdc.getByTestId('dashboard-paidThisMonth').textContent).toBe('250.50');
    expect(within(screen.getByTestId('dashboard-totals')).getAllByRole('article')).toHaveLength(2);
  });

  it('lists what needs attention with the reason and opens the invoice on click', async () => {
    api.getDashboard.mockResolvedValue(sample);
    render(Dashboard);

    const rows = await screen.findAllByTestId('attention-row');
    expect(rows).toHaveLength(3);
    expect(rows[0].textContent).toContain('INV-2026-0007');
    expect(rows[0].textContent).toContain('Globex');
    expect(within(rows[0]).getByTestId('attention-reason').textContent).toBe('Overdue since 2026-10-01');
    expect(within(rows[1]).getByTestId('attention-reason').textContent).toMatch(/partially paid/i);
    expect(within(rows[2]).getByTestId('attention-reason').textContent).toBe('Payment link failed');

    await userEvent.click(rows[1]);
    expect(router.route).toEqual({ name: 'invoice-editor', id: '01INV_PARTIAL' });
  });

  it('shows empty states when there is nothing to total or to look at', async () => {
    api.getDashboard.mockResolvedValue(dashboard());
    render(Dashboard);

    expect((await screen.findByTestId('dashboard-totals-empty')).textContent).toContain('Nothing to total yet');
    expect(screen.getByTestId('attention-empty').textContent).toContain('Nothing needs your attention');
    expect(screen.queryByTestId('attention-row')).toBeNull();
  });

  it('shows a load error', async () => {
    api.getDashboard.mockRejectedValue(new BackendError('storage', 'database is locked', null));
    render(Dashboard);
    expect((await screen.findByTestId('dashboard-error')).textContent).toContain('database is locked');
  });

  it('reloads when a payment moves an invoice forward', async () => {
    let push: ((event: PaymentStatusChanged) => void) | null = null;
    api.onPaymentStatusChanged.mockImplementation(async (handler) => {
      push = handler;
      return () => {};
    });
    api.getDashboard.mockResolvedValueOnce(sample).mockResolvedValue(dashboard({ totals: sample.totals, attention: [] }));
    render(Dashboard);
    expect(await screen.findAllByTestId('attention-row')).toHaveLength(3);

    await waitFor(() => expect(push).not.toBeNull());
    push!({ invoiceId: '01INV_OVERDUE', number: 'INV-2026-0007', clientName: 'Globex', status: 'paid', amountPaid: '300.00', currency: 'EUR' });

    await screen.findByTestId('attention-empty');
    expect(api.getDashboard).toHaveBeenCalledTimes(2);
  });

  it('is reached from the sidebar; the app still starts on the invoices', async () => {
    app.info = appInfo();
    navigate({ name: 'invoices' });
    api.appInfo.mockResolvedValue(appInfo());
    api.getSettings.mockResolvedValue(settings);
    api.listInvoices.mockResolvedValue({ items: [], total: 0 });
    api.listClients.mockResolvedValue([]);
    api.getPaymentSettings.mockResolvedValue(paymentSettings());
    api.getDashboard.mockResolvedValue(sample);
    render(App);

    await screen.findByTestId('screen-invoices');
    await userEvent.click(screen.getByTestId('nav-dashboard'));
    await screen.findByTestId('screen-dashboard');
    expect(screen.getByTestId('nav-dashboard').getAttribute('aria-current')).toBe('page');
    await screen.findByTestId('dashboard-total-EUR');
  });
});
