import { render, screen, waitFor, within } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { appInfo, contractor, EVM_ADDRESS, ipcError, payoutCurrencies } from './fixtures';

vi.mock('$lib/backend', async () => (await import('./backendMock')).backendMock());

import * as backend from '$lib/backend';
import { BackendError } from '$lib/backendError';
import { app } from '$lib/appState.svelte';
import { navigate, router } from '$lib/router.svelte';
import App from '../App.svelte';
import ContractorEditor from '../screens/ContractorEditor.svelte';
import ContractorList from '../screens/ContractorList.svelte';

const api = vi.mocked(backend);
const NEW_ADDRESS = '0xDe0B295669a9FD93d5F28D9Ec85E40f4cb697BAe';
const input = (testid: string) => screen.getByTestId(testid) as HTMLInputElement;
const dialogOf = (testid: string) => screen.getByTestId(testid).closest('dialog') as HTMLDialogElement;

beforeEach(() => {
  navigate({ name: 'contractors' });
  app.info = appInfo();
  app.error = null;
  api.listCurrencies.mockResolvedValue(payoutCurrencies);
});

describe('contractor list', () => {
  it('is reachable from the sidebar after Clients and shows name, network, short address and payout count', async () => {
    navigate({ name: 'invoices' });
    api.appInfo.mockResolvedValue(appInfo());
    api.listInvoices.mockResolvedValue({ items: [], total: 0 });
    api.listClients.mockResolvedValue([]);
    api.listContractors.mockResolvedValue([
      contractor(),
      contractor({ id: '01CONTRACTORLIN', name: 'Lin Wei', network: 'tron', address: 'TJRabPrwbZy45sbavfcjinPJC18kjpRTv8', payoutCount: 0 }),
    ]);
    render(App);
    await screen.findByTestId('nav-contractors');

    const navLabels = screen.getAllByRole('button').filter((b) => b.dataset.testid?.startsWith('nav-')).map((b) => b.dataset.testid);
    expect(navLabels.indexOf('nav-contractors')).toBe(navLabels.indexOf('nav-clients') + 1);
    expect(navLabels.indexOf('nav-payouts')).toBe(navLabels.indexOf('nav-contractors') + 1);

    await userEvent.click(screen.getByTestId('nav-contractors'));
    await screen.findByTestId('screen-contractors');
    const rows = await screen.findAllByTestId('contractor-row');
    expect(rows).toHaveLength(2);
    expect(api.listContractors).toHaveBeenCalledWith(null);
    await waitFor(() => expect(rows[0].textContent).toContain('Base'));
    const short = rows[0].querySelector('[data-testid="contractor-address-short"]')!;
    expect(short.textContent).toBe('0x5290…9EE7');
    expect(short.getAttribute('title')).toBe(EVM_ADDRESS);
    expect(rows[1].textContent).toContain('Tron');
    expect(rows[1].querySelector('[data-testid="contractor-payout-count"]')!.textContent).toBe('0');
  });

  it('opens the editor for a new contractor', async () => {
    api.listContractors.mockResolvedValue([]);
    render(ContractorList);

    await userEvent.click(screen.getByTestId('contractor-new'));
    expect(router.route).toEqual({ name: 'contractor-editor', id: null });
  });
});

describe('contractor editor', () => {
  it('shows a field error from the backend next to that field', async () => {
    api.createContractor.mockRejectedValue(
      new BackendError('invalid_input', 'address: must be an address like 0x followed by 40 hex digits', 'address'),
    );
    render(ContractorEditor, { id: null });

    await waitFor(() => expect((screen.getByTestId('contractor-network') as HTMLSelectElement).value).toBe('base'));
    await userEvent.type(input('contractor-name'), 'Ada');
    await userEvent.type(input('contractor-address'), '0x1234');
    await userEvent.click(screen.getByTestId('contractor-save'));

    const error = await screen.findByTestId('error-address');
    expect(error.textContent).toBe('Must be an address like 0x followed by 40 hex digits');
    expect(input('contractor-address').getAttribute('aria-describedby')).toContain(error.id);
    expect(input('contractor-address').getAttribute('aria-invalid')).toBe('true');
    expect(screen.queryByTestId('form-error')).toBeNull();
    expect(api.createContractor).toHaveBeenCalledWith({
      name: 'Ada',
      email: null,
      network: 'base',
      address: '0x1234',
      defaultCurrency: null,
    });
  });

  it('offers only the payment currencies of the chosen network', async () => {
    render(ContractorEditor, { id: null });

    const currency = (await screen.findByTestId('contractor-currency')) as HTMLSelectElement;
    await waitFor(() => expect([...currency.options].map((o) => o.value)).toEqual(['', 'USDC-base', 'ETH-base']));

    await userEvent.selectOptions(currency, 'ETH-base');
    await userEvent.selectOptions(screen.getByTestId('contractor-network'), 'tron');
    expect([...currency.options].map((o) => o.value)).toEqual(['', 'USDT-tron']);
    // The old choice is not on Tron, so it is dropped.
    expect(currency.value).toBe('');
  });

  it('asks before changing the payout address, then saves with confirmAddressChange', async () => {
    api.getContractor.mockResolvedValue({
      contractor: contractor(),
      history: [{ at: '2026-01-01T00:00:00Z', network: 'base', oldAddress: null, newAddress: EVM_ADDRESS }],
    });
    api.updateContractor
      .mockRejectedValueOnce(ipcError('conflict', 'address: the payout address changes; confirm it', 'address'))
      .mockResolvedValueOnce(contractor({ address: NEW_ADDRESS }));
    render(ContractorEditor, { id: '01CONTRACTORADA' });

    await waitFor(() => expect(input('contractor-address').value).toBe(EVM_ADDRESS));
    expect(screen.getAllByTestId('address-change-row')).toHaveLength(1);
    expect(dialogOf('confirm-accept').hasAttribute('open')).toBe(false);

    await userEvent.clear(input('contractor-address'));
    await userEvent.type(input('contractor-address'), NEW_ADDRESS);
    await userEvent.click(screen.getByTestId('contractor-save'));

    await waitFor(() => expect(dialogOf('confirm-accept').hasAttribute('open')).toBe(true));
    expect(api.updateContractor).toHaveBeenCalledTimes(1);
    const expected = { name: 'Ada Lovelace', email: 'ada@example.test', network: 'base', address: NEW_ADDRESS, defaultCurrency: 'USDC-base' };
    expect(api.updateContractor).toHaveBeenLastCalledWith('01CONTRACTORADA', expected, false);
    const dialog = dialogOf('confirm-accept');
    const words = dialog.textContent!.replace(/\s+/g, ' ');
    expect(words).toContain('Change the payout address of Ada Lovelace?');
    expect(words).toContain(`Old: ${EVM_ADDRESS}`);
    expect(words).toContain(`New: ${NEW_ADDRESS}`);
    expect(words).toContain('The next payout to this contractor will be flagged for review.');
    // The conflict is a question, not an error.
    expect(screen.queryByTestId('error-address')).toBeNull();
    expect(screen.queryByTestId('form-error')).toBeNull();

    await userEvent.click(screen.getByTestId('confirm-accept'));

    await waitFor(() => expect(router.route).toEqual({ name: 'contractors' }));
    expect(api.updateContractor).toHaveBeenCalledTimes(2);
    expect(api.updateContractor).toHaveBeenLastCalledWith('01CONTRACTORADA', expected, true);
  });

  it('keeps the form and sends nothing more when the change is not confirmed', async () => {
    navigate({ name: 'contractor-editor', id: '01CONTRACTORADA' });
    api.getContractor.mockResolvedValue({ contractor: contractor(), history: [] });
    api.updateContractor.mockRejectedValue(ipcError('conflict', 'address: confirm the change', 'address'));
    render(ContractorEditor, { id: '01CONTRACTORADA' });

    await waitFor(() => expect(input('contractor-address').value).toBe(EVM_ADDRESS));
    await userEvent.selectOptions(screen.getByTestId('contractor-network'), 'mainnet');
    await userEvent.click(screen.getByTestId('contractor-save'));
    const dialog = dialogOf('confirm-accept');
    await waitFor(() => expect(dialog.hasAttribute('open')).toBe(true));
    // A network change alone is an address change too; the dialog names both networks.
    expect(dialog.textContent).toContain('(Base)');
    expect(dialog.textContent).toContain('(Ethereum)');

    await userEvent.click(within(dialog).getByRole('button', { name: 'Cancel' }));

    await waitFor(() => expect(dialog.hasAttribute('open')).toBe(false));
    expect(api.updateContractor).toHaveBeenCalledTimes(1);
    expect(api.updateContractor).toHaveBeenCalledWith('01CONTRACTORADA', expect.objectContaining({ network: 'mainnet' }), false);
    expect(router.route).toEqual({ name: 'contractor-editor', id: '01CONTRACTORADA' });
    expect((screen.getByTestId('contractor-network') as HTMLSelectElement).value).toBe('mainnet');
  });
});
