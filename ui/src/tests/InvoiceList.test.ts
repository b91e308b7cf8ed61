import { render, screen, waitFor, within } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { client, minutesAgo, summary } from './fixtures';

vi.mock('$lib/backend', async () => (await import('./backendMock')).backendMock());

import * as backend from '$lib/backend';
import { navigate, router } from '$lib/router.svelte';
import InvoiceList from '../screens/InvoiceList.svelte';

const api = vi.mocked(backend);

beforeEach(() => {
  navigate({ name: 'invoices' });
  api.listClients.mockResolvedValue([client()]);
});

describe('invoice list', () => {
  it('renders one row per invoice with number, client, status, total and due date', async () => {
    api.listInvoices.mockResolvedValue({
      items: [
        summary(),
        summary({ id: '01INVOICE0002', number: 'INV-2026-0002', status: 'paid', clientName: 'Globex', total: '99.00', currency: 'USDC-base', dueDate: '2026-04-30' }),
      ],
      total: 2,
    });
    render(InvoiceList);

    const rows = await screen.findAllByTestId('invoice-row');
    expect(rows).toHaveLength(2);
    const first = within(rows[0]);
    expect(first.getByTestId('invoice-number').textContent).toContain('INV-2026-0001');
    expect(first.getByTestId('invoice-client').textContent).toBe('Acme Corp');
    expect(first.getByTestId('invoice-status').textContent).toContain('Issued');
    expect(first.getByTestId('invoice-total').textContent).toContain('1,234.50');
    expect(first.getByTestId('invoice-total').textContent).toContain('EUR');
    expect(first.getByTestId('invoice-due').textContent).toBe('2026-03-31');
    expect(within(rows[1]).getByTestId('invoice-status').textContent).toContain('Paid');
    expect(api.listInvoices).toHaveBeenCalledWith({
      status: null,
      search: null,
      sort: 'issueDate',
      descending: true,
      limit: 50,
      offset: 0,
    });
  });

  it('shows the first-invoice empty state when there are no invoices', async () => {
    api.listInvoices.mockResolvedValue({ items: [], total: 0 });
    render(InvoiceList);

    const empty = await screen.findByTestId('invoices-empty');
    expect(empty.textContent).toContain('No invoices yet — create your first invoice');
    await userEvent.click(within(empty).getByRole('button', { name: /create your first invoice/i }));
    expect(router.route).toEqual({ name: 'invoice-editor', id: null });
  });

  it('points to adding a client first when there are no clients either', async () => {
    api.listInvoices.mockResolvedValue({ items: [], total: 0 });
    api.listClients.mockResolvedValue([]);
    render(InvoiceList);

    await waitFor(() => expect(screen.getByTestId('invoices-empty').textContent).toContain('add a client first'));
    await userEvent.click(screen.getByTestId('empty-add-client'));
    expect(router.route).toEqual({ name: 'client-editor', id: null });
  });

  it('debounces the search box into one query and resets to the first page', async () => {
    api.listInvoices.mockResolvedValue({ items: [summary()], total: 1 });
    render(InvoiceList);
    await screen.findByTestId('invoice-row');
    api.listInvoices.mockClear();

    await userEvent.type(screen.getByTestId('invoice-search'), 'acme');

    await waitFor(() => expect(api.listInvoices).toHaveBeenCalledTimes(1));
    expect(api.listInvoices.mock.calls[0][0]).toMatchObject({ search: 'acme', offset: 0 });
  });

  it('sorts by a column header and filters by status', async () => {
    api.listInvoices.mockResolvedValue({ items: [summary()], total: 1 });
    render(InvoiceList);
    await screen.findByTestId('invoice-row');

    await userEvent.click(screen.getByTestId('sort-total'));
    await waitFor(() => expect(api.listInvoices).toHaveBeenLastCalledWith(expect.objectContaining({ sort: 'total', descending: false })));
    await userEvent.click(screen.getByTestId('sort-total'));
    await waitFor(() => expect(api.listInvoices).toHaveBeenLastCalledWith(expect.objectContaining({ sort: 'total', descending: true })));

    await userEvent.selectOptions(screen.getByTestId('invoice-status-filter'), 'overdue');
    await waitFor(() => expect(api.listInvoices).toHaveBeenLastCalledWith(expect.objectContaining({ status: 'overdue', offset: 0 })));
  });

  it('pages through results 50 at a time', async () => {
    const items = Array.from({ length: 50 }, (_, i) => summary({ id: `id-${i}`, number: `INV-${i}` }));
    api.listInvoices.mockResolvedValue({ items, total: 120 });
    render(InvoiceList);

    expect((await screen.findByTestId('invoice-page-info')).textContent).toBe('1–50 of 120');
    await userEvent.click(screen.getByTestId('invoice-page-next'));
    await waitFor(() => expect(api.listInvoices).toHaveBeenLastCalledWith(expect.objectContaining({ offset: 50, limit: 50 })));
  });

  it('hints how long ago the payment status was verified, only where it was', async () => {
    api.listInvoices.mockResolvedValue({
      items: [summary({ verifiedAt: minutesAgo(7) }), summary({ id: '01INVOICE0002', number: 'INV-2026-0002', verifiedAt: null })],
      total: 2,
    });
    render(InvoiceList);

    const rows = await screen.findAllByTestId('invoice-row');
    expect(within(rows[0]).getByTestId('invoice-verified').textContent?.trim()).toBe('verified 7 minutes ago');
    expect(within(rows[1]).queryByTestId('invoice-verified')).toBeNull();
  });
});
