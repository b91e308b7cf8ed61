// The invoice editor's documents: PDF, history export and sending the invoice.
import { render, screen, waitFor } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { client, currencies, invoice, linkInfo, linkState, paymentSettings, settings, totals } from './fixtures';

vi.mock('$lib/backend', async () => (await import('./backendMock')).backendMock());

import * as backend from '$lib/backend';
import { BackendError } from '$lib/backendError';
import { navigate } from '$lib/router.svelte';
import { toasts } from '$lib/toasts.svelte';
import InvoiceEditor from '../screens/InvoiceEditor.svelte';

const api = vi.mocked(backend);
const toastTexts = () => toasts.map((t) => t.text);
const QR = '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"></svg>';

beforeEach(() => {
  toasts.splice(0);
  navigate({ name: 'invoice-editor', id: '01INVOICE0001' });
  api.listClients.mockResolvedValue([client()]);
  api.listCurrencies.mockResolvedValue(currencies);
  api.getSettings.mockResolvedValue(settings);
  api.computeTotals.mockResolvedValue(totals());
  api.getInvoice.mockResolvedValue(invoice({ status: 'issued' }));
  api.getLinkState.mockResolvedValue(linkState());
  api.getPaymentSettings.mockResolvedValue(paymentSettings());
});

describe('invoice PDF', () => {
  it('saves the PDF on the chosen paper and says where', async () => {
    api.savePdf.mockResolvedValue({ path: '/home/you/Documents/INV-2026-0001.pdf', bytes: 42_000, pages: 2 });
    render(InvoiceEditor, { id: '01INVOICE0001' });

    const paper = (await screen.findByTestId('invoice-pdf-paper')) as HTMLSelectElement;
    expect(paper.value).toBe('a4');
    await userEvent.selectOptions(paper, 'letter');
    await userEvent.click(screen.getByTestId('invoice-pdf'));

    expect(api.savePdf).toHaveBeenCalledWith('01INVOICE0001', 'letter');
    await waitFor(() => expect(toastTexts()).toContain('Saved /home/you/Documents/INV-2026-0001.pdf (2 pages)'));
  });

  it('defaults to A4 and says nothing when the save dialog is cancelled', async () => {
    api.savePdf.mockResolvedValue(null);
    render(InvoiceEditor, { id: '01INVOICE0001' });

    await userEvent.click(await screen.findByTestId('invoice-pdf'));

    expect(api.savePdf).toHaveBeenCalledWith('01INVOICE0001', 'a4');
    await waitFor(() => expect((screen.getByTestId('invoice-pdf') as HTMLButtonElement).disabled).toBe(false));
    expect(toasts).toHaveLength(0);
    expect(screen.queryByRole('alert')).toBeNull();
  });

  it('shows why the PDF could not be saved', async () => {
    api.savePdf.mockRejectedValue(new BackendError('storage', 'could not write the file: permission denied', null));
    render(InvoiceEditor, { id: '01INVOICE0001' });

    await userEvent.click(await screen.findByTestId('invoice-pdf'));

    await waitFor(() => expect(document.body.textContent).toContain('could not write the file: permission denied'));
    expect(toasts).toHaveLength(0);
  });

  it('exports the invoice history as JSON', async () => {
    api.exportInvoiceHistory.mockResolvedValueOnce({ path: '/home/you/Documents/INV-2026-0001-history.json', bytes: 3400 });
    render(InvoiceEditor, { id: '01INVOICE0001' });

    await userEvent.click(await screen.findByTestId('invoice-export-history'));

    expect(api.exportInvoiceHistory).toHaveBeenCalledWith('01INVOICE0001');
    await waitFor(() => expect(toastTexts()).toContain('Saved /home/you/Documents/INV-2026-0001-history.json'));
  });
});

describe('sending the invoice', () => {
  it('opens the mail draft, names the PDF to attach and shows when it was sent', async () => {
    api.getLinkState.mockResolvedValue(linkState({ state: 'live', link: linkInfo(), history: [linkInfo()], locked: true }));
    api.linkQrSvg.mockResolvedValue(QR);
    api.sendInvoice.mockResolvedValue({
      mailto: 'mailto:ap@acme.test?subject=Invoice%20INV-2026-0001',
      pdfPath: '/home/you/.local/share/paydesk/documents/INV-2026-0001.pdf',
      sentAt: '2026-03-05T10:30:00Z',
    });
    render(InvoiceEditor, { id: '01INVOICE0001' });
    await screen.findByTestId('link-url');
    expect(screen.queryByTestId('invoice-sent-at')).toBeNull();

    await userEvent.click(screen.getByTestId('link-send'));

    expect(api.sendInvoice).toHaveBeenCalledWith('01INVOICE0001');
    const sent = await screen.findByTestId('invoice-sent-at');
    expect(sent.textContent).toContain('Sent');
    expect(sent.textContent).toContain('2026');
    expect(toastTexts()).toContain('Mail draft opened — attach /home/you/.local/share/paydesk/documents/INV-2026-0001.pdf');
  });

  it('offers sending only with a live link, and shows a saved invoice as sent', async () => {
    api.getInvoice.mockResolvedValue(invoice({ status: 'issued', sentAt: '2026-03-02T08:00:00Z' }));
    render(InvoiceEditor, { id: '01INVOICE0001' });

    expect((await screen.findByTestId('invoice-sent-at')).textContent).toMatch(/Sent .*2026/);
    await screen.findByTestId('link-create');
    expect(screen.queryByTestId('link-send')).toBeNull();
  });

  it('shows a send error in the link panel', async () => {
    api.getLinkState.mockResolvedValue(linkState({ state: 'live', link: linkInfo(), history: [linkInfo()], locked: true }));
    api.linkQrSvg.mockResolvedValue(QR);
    api.sendInvoice.mockRejectedValue(new BackendError('conflict', 'link: the invoice has no live payment link', 'link'));
    render(InvoiceEditor, { id: '01INVOICE0001' });

    await userEvent.click(await screen.findByTestId('link-send'));

    await waitFor(() => expect(screen.getByTestId('link-error').textContent).toContain('no live payment link'));
    expect(screen.queryByTestId('invoice-sent-at')).toBeNull();
  });
});
