import { render, screen, waitFor, within } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import {
  appInfo,
  contractor,
  deferred,
  EVM_ADDRESS,
  EVM_ADDRESS_2,
  ipcError,
  payout,
  payoutCurrencies,
  payoutReview,
  payoutSummary,
} from './fixtures';

vi.mock('$lib/backend', async () => (await import('./backendMock')).backendMock());

import * as backend from '$lib/backend';
import { app } from '$lib/appState.svelte';
import { navigate, router } from '$lib/router.svelte';
import { toasts } from '$lib/toasts.svelte';
import type { Payout, PayoutChanged } from '$lib/types';
import PayoutSettingsForm from '../components/PayoutSettingsForm.svelte';
import PayoutEditor from '../screens/PayoutEditor.svelte';
import PayoutList from '../screens/PayoutList.svelte';
import PayoutReview from '../screens/PayoutReview.svelte';

const api = vi.mocked(backend);
const text = (testid: string) => screen.getByTestId(testid).textContent?.replace(/\s+/g, ' ').trim();
const button = (testid: string) => screen.getByTestId(testid) as HTMLButtonElement;
const OLD_ADDRESS = '0x8617E340B3D01FA5F11F306F4090FD50E238070D';
const NEW_ADDRESS = '0xDe0B295669a9FD93d5F28D9Ec85E40f4cb697BAe';

beforeEach(() => {
  toasts.splice(0);
  navigate({ name: 'payouts' });
  app.info = appInfo();
  app.error = null;
  api.listCurrencies.mockResolvedValue(payoutCurrencies);
  api.listInvoices.mockResolvedValue({ items: [], total: 0 });
});

describe('payout review', () => {
  const changed = () =>
    payoutReview({
      payout: payout({ address: NEW_ADDRESS, addressChanged: true }),
      address: NEW_ADDRESS,
      addressChanged: true,
      previousAddress: OLD_ADDRESS,
    });

  it('warns that the address changed and shows the previous one, with the full new address', async () => {
    api.reviewPayout.mockResolvedValue(changed());
    render(PayoutReview, { id: '01PAYOUT0001' });

    const warning = await screen.findByTestId('review-address-changed');
    expect(warning.textContent!.replace(/\s+/g, ' ')).toContain(
      `The address changed since the last payout: previously ${OLD_ADDRESS}`,
    );
    const address = screen.getByTestId('review-address');
    // Shown in groups of 4 for reading, but the full exact string.
    expect(address.textContent!.trim()).toBe(NEW_ADDRESS);
    expect(address.dataset.address).toBe(NEW_ADDRESS);
    expect([...address.querySelectorAll('.group')].map((g) => g.textContent)).toEqual(NEW_ADDRESS.match(/.{1,4}/g));
    expect(text('review-amount')).toBe('250.00');
    expect(text('review-currency')).toBe('USDC-base');
    expect(text('review-name')).toBe('Ada Lovelace');
    expect(text('review-network')).toBe('Base');
    expect(text('review-creator-wallet')).toContain(EVM_ADDRESS_2);
  });

  it('shows no warning when the address did not change', async () => {
    api.reviewPayout.mockResolvedValue(payoutReview());
    render(PayoutReview, { id: '01PAYOUT0001' });

    await screen.findByTestId('review-address');
    expect(screen.queryByTestId('review-address-changed')).toBeNull();
  });

  it('enables Approve only after the check box is ticked, and a double click approves once with the shown address', async () => {
    api.reviewPayout.mockResolvedValue(changed());
    const answer = deferred<Payout>();
    api.approvePayout.mockReturnValue(answer.promise);
    render(PayoutReview, { id: '01PAYOUT0001' });

    await screen.findByTestId('review-address');
    expect(button('review-approve').disabled).toBe(true);
    await userEvent.click(button('review-approve'));
    expect(api.approvePayout).not.toHaveBeenCalled();

    await userEvent.click(screen.getByTestId('review-confirm'));
    expect(button('review-approve').disabled).toBe(false);

    await userEvent.dblClick(button('review-approve'));
    await userEvent.click(button('review-approve'));
    expect(api.approvePayout).toHaveBeenCalledTimes(1);
    expect(api.approvePayout).toHaveBeenCalledWith('01PAYOUT0001', NEW_ADDRESS);
    expect(button('review-approve').disabled).toBe(true);
    expect(text('review-approve')).toBe('Approving…');

    answer.resolve(payout({ state: 'approved', address: NEW_ADDRESS }));
    await waitFor(() => expect(router.route).toEqual({ name: 'payout-editor', id: '01PAYOUT0001' }));
    expect(api.approvePayout).toHaveBeenCalledTimes(1);
  });

  it('blocks approval without a creator wallet and links to the payout settings', async () => {
    api.reviewPayout.mockResolvedValue(
      payoutReview({ creatorWallet: null, problems: ['No creator wallet for EVM networks: set it in Settings → Payouts.'] }),
    );
    render(PayoutReview, { id: '01PAYOUT0001' });

    await screen.findByTestId('review-problems');
    expect(screen.getAllByTestId('review-problem').map((p) => p.textContent)).toEqual([
      'No creator wallet for EVM networks: set it in Settings → Payouts.',
    ]);
    await userEvent.click(screen.getByTestId('review-confirm'));
    expect(button('review-approve').disabled).toBe(true);

    await userEvent.click(screen.getByTestId('review-open-settings'));
    expect(router.route).toEqual({ name: 'settings' });
  });

  it('shows a refused approval and lets the person try again', async () => {
    api.reviewPayout.mockResolvedValue(payoutReview());
    api.approvePayout.mockRejectedValueOnce(ipcError('invalid_input', 'creatorWalletAddress: set the creator wallet first', 'creatorWalletAddress'));
    render(PayoutReview, { id: '01PAYOUT0001' });

    await screen.findByTestId('review-address');
    await userEvent.click(screen.getByTestId('review-confirm'));
    await userEvent.click(button('review-approve'));

    expect(await screen.findByTestId('review-error')).toBeTruthy();
    expect(text('review-error')).toContain('set the creator wallet first');
    expect(router.route).toEqual({ name: 'payouts' });
    expect(button('review-approve').disabled).toBe(false);
  });
});

describe('payout list', () => {
  const rows = () => [
    payoutSummary({ id: 'A', number: 'PO-0005', state: 'live', network: 'base' }),
    payoutSummary({ id: 'B', number: 'PO-0004', state: 'live', network: 'base', addressChanged: true }),
    payoutSummary({ id: 'C', number: 'PO-0003', state: 'live', network: 'mainnet', currency: 'USDC-mainnet' }),
    payoutSummary({ id: 'D', number: 'PO-0002', state: 'live', network: 'tron', currency: 'USDT-tron' }),
    payoutSummary({ id: 'E', number: 'PO-0001', state: 'draft', network: 'base' }),
  ];
  const checkbox = (id: string) =>
    screen.getAllByTestId('payout-row').find((r) => r.dataset.id === id)!.querySelector('[data-testid="payout-select"]') as HTMLInputElement | null;

  it('shows state, amount, network and the changed-address marker per row', async () => {
    api.listPayouts.mockResolvedValue(rows());
    render(PayoutList);

    const list = await screen.findAllByTestId('payout-row');
    expect(list.map((r) => r.dataset.state)).toEqual(['live', 'live', 'live', 'live', 'draft']);
    expect(api.listPayouts).toHaveBeenCalledWith(null);
    await waitFor(() => expect(list[0].textContent).toContain('Base'));
    expect(list[0].textContent).toContain('PO-0005');
    expect(list[0].textContent).toContain('250.00');
    expect(list[0].textContent).toContain('USDC-base');
    expect(within(list[1]).getByTestId('payout-address-changed').textContent).toContain('⚠');
    expect(within(list[0]).queryByTestId('payout-address-changed')).toBeNull();
  });

  it('enables Combine into batch only with 2+ live EVM payouts on one network', async () => {
    api.listPayouts.mockResolvedValue(rows());
    api.batchPayouts.mockResolvedValue({ id: 'BATCH1', network: 'base', payoutIds: ['A', 'B'], link: null, state: 'live' });
    render(PayoutList);

    await screen.findAllByTestId('payout-row');
    // Checkboxes only on live EVM rows: not on Tron, not on drafts.
    await waitFor(() => expect(checkbox('A')).not.toBeNull());
    expect(checkbox('D')).toBeNull();
    expect(checkbox('E')).toBeNull();
    expect(button('payout-batch').disabled).toBe(true);

    await userEvent.click(checkbox('A')!);
    expect(button('payout-batch').disabled).toBe(true);
    await userEvent.click(checkbox('C')!);
    expect(button('payout-batch').disabled).toBe(true); // two networks
    await userEvent.click(checkbox('C')!);
    await userEvent.click(checkbox('B')!);
    expect(button('payout-batch').disabled).toBe(false);

    const calls = api.listPayouts.mock.calls.length;
    await userEvent.click(button('payout-batch'));

    expect(api.batchPayouts).toHaveBeenCalledWith(['A', 'B']);
    await waitFor(() => expect(toasts.map((t) => t.text)).toContain('Combined 2 payouts into one batch'));
    await waitFor(() => expect(api.listPayouts.mock.calls.length).toBe(calls + 1));
  });

  it('shows why a batch was refused', async () => {
    api.listPayouts.mockResolvedValue(rows());
    api.batchPayouts.mockRejectedValue(ipcError('invalid_input', 'ids: a payout that was opened to sign cannot be batched', 'ids'));
    render(PayoutList);

    await waitFor(() => expect(checkbox('A')).not.toBeNull());
    await userEvent.click(checkbox('A')!);
    await userEvent.click(checkbox('B')!);
    await userEvent.click(button('payout-batch'));

    expect((await screen.findByTestId('payout-batch-error')).textContent).toContain('cannot be batched');
  });

  it('filters by state with the tabs', async () => {
    api.listPayouts.mockResolvedValue(rows());
    render(PayoutList);
    await screen.findAllByTestId('payout-row');

    await userEvent.click(screen.getByTestId('payout-tab-paid'));
    await waitFor(() => expect(api.listPayouts).toHaveBeenLastCalledWith('paid'));

    api.listPayouts.mockResolvedValue([
      payoutSummary({ id: 'X', state: 'cancelled' }),
      payoutSummary({ id: 'Y', state: 'paid' }),
      payoutSummary({ id: 'Z', state: 'failed' }),
    ]);
    await userEvent.click(screen.getByTestId('payout-tab-other'));
    await waitFor(() => expect(screen.getAllByTestId('payout-row').map((r) => r.dataset.id)).toEqual(['X', 'Z']));
    expect(api.listPayouts).toHaveBeenLastCalledWith(null);
  });
});

describe('payout detail', () => {
  const live = () =>
    payout({
      state: 'live',
      approvedAt: '2026-11-20T11:00:00Z',
      approvedBy: 'sam',
      link: { url: 'http://127.0.0.1:47615/payout/abc', token: 'abc', expiresAt: '2099-11-27T00:00:00Z', status: 'live' },
      history: [
        { at: '2026-11-20T10:00:00Z', action: 'drafted', actor: 'sam', detail: null },
        { at: '2026-11-20T11:00:00Z', action: 'approved', actor: 'sam', detail: EVM_ADDRESS },
        { at: '2026-11-20T11:00:05Z', action: 'link_created', actor: null, detail: null },
      ],
    });

  beforeEach(() => {
    api.listContractors.mockResolvedValue([contractor()]);
  });

  it('shows the link to sign, the history in words, and cancels after confirming', async () => {
    api.getPayout.mockResolvedValue(live());
    api.openPayoutLink.mockResolvedValue('http://127.0.0.1:47615/payout/abc');
    api.cancelPayout.mockResolvedValue(payout({ ...live(), state: 'cancelled', link: null }));
    render(PayoutEditor, { id: '01PAYOUT0001' });

    await waitFor(() => expect(screen.getByTestId('payout-state').dataset.state).toBe('live'));
    expect(text('payout-link-url')).toBe('http://127.0.0.1:47615/payout/abc');
    await waitFor(() => expect(screen.getByTestId('payout-qr').getAttribute('src')).toMatch(/^data:image\/svg\+xml;base64,/));
    expect(api.payoutQrSvg).toHaveBeenCalledWith('01PAYOUT0001');
    // Read-only: no draft form.
    expect(screen.queryByTestId('payout-amount')).toBeNull();
    expect(screen.queryByTestId('payout-save')).toBeNull();

    const history = screen.getAllByTestId('payout-history-row');
    expect(history).toHaveLength(3);
    expect(history[1].textContent).toContain('Approved');
    expect(history[1].textContent).toContain('sam');
    expect(history[1].textContent).toContain(EVM_ADDRESS);
    expect(history[2].textContent).toContain('Payout link created');

    await userEvent.click(screen.getByTestId('payout-open'));
    expect(api.openPayoutLink).toHaveBeenCalledWith('01PAYOUT0001');

    await userEvent.click(screen.getByTestId('payout-cancel'));
    expect(api.cancelPayout).not.toHaveBeenCalled();
    await userEvent.click(screen.getByTestId('confirm-accept'));

    expect(api.cancelPayout).toHaveBeenCalledWith('01PAYOUT0001');
    await waitFor(() => expect(screen.getByTestId('payout-state').dataset.state).toBe('cancelled'));
    expect(screen.queryByTestId('payout-cancel')).toBeNull();
    expect(screen.queryByTestId('payout-link-url')).toBeNull();
  });

  it('shows the transaction of a paid payout, without a cancel button', async () => {
    api.getPayout.mockResolvedValue(payout({ state: 'paid', txHash: '0xfeed', paidAt: '2026-11-21T09:00:00Z' }));
    render(PayoutEditor, { id: '01PAYOUT0001' });

    expect((await screen.findByTestId('payout-tx')).textContent).toBe('0xfeed');
    expect(screen.queryByTestId('payout-cancel')).toBeNull();
  });

  it('refreshes when payout-changed names this payout', async () => {
    let handler: ((event: PayoutChanged) => void) | null = null;
    api.onPayoutChanged.mockImplementation(async (h) => {
      handler = h;
      return () => {};
    });
    api.getPayout.mockResolvedValueOnce(payout({ state: 'approved', message: 'not sent yet' })).mockResolvedValue(live());
    render(PayoutEditor, { id: '01PAYOUT0001' });

    await waitFor(() => expect(screen.getByTestId('payout-state').dataset.state).toBe('approved'));
    expect(text('payout-message')).toContain('not sent yet');
    await waitFor(() => expect(handler).not.toBeNull());
    handler!({ id: 'OTHER', state: 'live' });
    handler!({ id: '01PAYOUT0001', state: 'live' });

    await waitFor(() => expect(screen.getByTestId('payout-state').dataset.state).toBe('live'));
    expect(api.getPayout).toHaveBeenCalledTimes(2);
  });
});

describe('payout editor (draft)', () => {
  it('limits the currency to the contractor network, defaults to its currency, and saves a draft', async () => {
    api.listContractors.mockResolvedValue([
      contractor(),
      contractor({ id: '01CONTRACTORLIN', name: 'Lin Wei', network: 'tron', address: 'TJRabPrwbZy45sbavfcjinPJC18kjpRTv8', defaultCurrency: 'USDT-tron' }),
    ]);
    api.createPayout.mockResolvedValue(payout({ id: '01PAYOUTNEW', number: 'PO-0009' }));
    render(PayoutEditor, { id: null });

    const select = (await screen.findByTestId('payout-contractor')) as HTMLSelectElement;
    await userEvent.selectOptions(select, '01CONTRACTORLIN');
    const currency = screen.getByTestId('payout-currency') as HTMLSelectElement;
    expect([...currency.options].map((o) => o.value)).toEqual(['USDT-tron']);
    expect(currency.value).toBe('USDT-tron');

    await userEvent.selectOptions(select, '01CONTRACTORADA');
    expect([...currency.options].map((o) => o.value)).toEqual(['USDC-base', 'ETH-base']);
    expect(currency.value).toBe('USDC-base');

    await userEvent.type(screen.getByTestId('payout-amount'), '250.00');
    await userEvent.type(screen.getByTestId('payout-reference'), 'October');
    await userEvent.click(screen.getByTestId('payout-save'));

    expect(api.createPayout).toHaveBeenCalledWith({
      contractorId: '01CONTRACTORADA',
      amount: '250.00',
      currency: 'USDC-base',
      reference: 'October',
      memo: null,
      invoiceId: null,
    });
    await waitFor(() => expect(router.route).toEqual({ name: 'payout-editor', id: '01PAYOUTNEW' }));
  });

  it('shows an amount error at the field and goes to the review only after a good save', async () => {
    api.listContractors.mockResolvedValue([contractor()]);
    api.getPayout.mockResolvedValue(payout());
    api.updatePayout
      .mockRejectedValueOnce(ipcError('invalid_input', 'amount: must be greater than zero', 'amount'))
      .mockResolvedValueOnce(payout({ amount: '300.00' }));
    render(PayoutEditor, { id: '01PAYOUT0001' });

    const amount = (await screen.findByTestId('payout-amount')) as HTMLInputElement;
    await waitFor(() => expect(amount.value).toBe('250.00'));
    await userEvent.clear(amount);
    await userEvent.type(amount, '0');
    await userEvent.click(screen.getByTestId('payout-review'));

    expect((await screen.findByTestId('error-amount')).textContent).toBe('Must be greater than zero');
    expect(router.route).toEqual({ name: 'payouts' });

    await userEvent.clear(amount);
    await userEvent.type(amount, '300.00');
    await userEvent.click(screen.getByTestId('payout-review'));

    await waitFor(() => expect(router.route).toEqual({ name: 'payout-review', id: '01PAYOUT0001' }));
    expect(api.updatePayout).toHaveBeenLastCalledWith('01PAYOUT0001', expect.objectContaining({ amount: '300.00' }));
  });
});

describe('payout settings', () => {
  it('shows a wallet error at its field and saves the wallets', async () => {
    api.getPayoutSettings.mockResolvedValue({ evmWallet: null, tronWallet: 'TJRabPrwbZy45sbavfcjinPJC18kjpRTv8' });
    api.updatePayoutSettings
      .mockRejectedValueOnce(ipcError('invalid_input', 'evmWallet: must be an address like 0x followed by 40 hex digits', 'evmWallet'))
      .mockResolvedValueOnce({ evmWallet: EVM_ADDRESS, tronWallet: 'TJRabPrwbZy45sbavfcjinPJC18kjpRTv8' });
    render(PayoutSettingsForm);

    const evm = (await screen.findByTestId('settings-evm-wallet')) as HTMLInputElement;
    expect((screen.getByTestId('settings-tron-wallet') as HTMLInputElement).value).toBe('TJRabPrwbZy45sbavfcjinPJC18kjpRTv8');
    await userEvent.type(evm, '0x12');
    await userEvent.click(screen.getByTestId('settings-payout-save'));

    const error = await screen.findByTestId('error-evmWallet');
    expect(error.textContent).toBe('Must be an address like 0x followed by 40 hex digits');
    expect(evm.getAttribute('aria-describedby')).toBe(error.id);

    await userEvent.clear(evm);
    await userEvent.type(evm, EVM_ADDRESS);
    await userEvent.click(screen.getByTestId('settings-payout-save'));
    expect(api.updatePayoutSettings).toHaveBeenLastCalledWith({ evmWallet: EVM_ADDRESS, tronWallet: 'TJRabPrwbZy45sbavfcjinPJC18kjpRTv8' });
    await waitFor(() => expect(screen.queryByTestId('error-evmWallet')).toBeNull());
  });
});
