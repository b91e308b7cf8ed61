import { render, screen, waitFor, within } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { appInfo, currencies, paymentSettings, secrets, settings } from './fixtures';

vi.mock('$lib/backend', async () => (await import('./backendMock')).backendMock());

import * as backend from '$lib/backend';
import { BackendError } from '$lib/backendError';
import { app } from '$lib/appState.svelte';
import { navigate } from '$lib/router.svelte';
import App from '../App.svelte';
import SettingsScreen from '../screens/Settings.svelte';

const api = vi.mocked(backend);
const SECRET = 'sk_live_9f8e7d6c5b4a1234';

beforeEach(() => {
  app.info = appInfo();
  app.error = null;
  navigate({ name: 'settings' });
  api.appInfo.mockResolvedValue(appInfo());
  api.getSettings.mockResolvedValue(settings);
  api.listCurrencies.mockResolvedValue(currencies);
  api.getProfile.mockResolvedValue({ name: 'Jo Freelance', email: 'jo@example.com', address: '', taxId: '' });
  api.secretStatus.mockResolvedValue(secrets());
  api.listInvoices.mockResolvedValue({ items: [], total: 0 });
  api.listClients.mockResolvedValue([]);
  api.getPaymentSettings.mockResolvedValue(paymentSettings());
});

describe('credentials', () => {
  it('never shows the raw secret after saving, only the masked value', async () => {
    api.setSecret.mockResolvedValue(secrets({ apiKey: '••••1234' }));
    const { container } = render(SettingsScreen);

    const input = (await screen.findByTestId('secret-apiKey')) as HTMLInputElement;
    expect(input.type).toBe('password');
    expect(input.value).toBe('');
    await userEvent.type(input, SECRET);
    await userEvent.click(screen.getByTestId('secret-apiKey-save'));

    expect((await screen.findByTestId('secret-apiKey-masked')).textContent).toBe('••••1234');
    expect(api.setSecret).toHaveBeenCalledWith('apiKey', SECRET);
    expect(input.value).toBe('');
    expect(container.innerHTML).not.toContain(SECRET);
    expect(document.body.textContent).not.toContain(SECRET);
    expect(screen.queryByTestId('secret-clientId-masked')).toBeNull();
  });

  it('removes a saved credential', async () => {
    api.secretStatus.mockResolvedValue(secrets({ clientId: '••••abcd' }));
    api.deleteSecret.mockResolvedValue(secrets());
    render(SettingsScreen);

    await userEvent.click(await screen.findByTestId('secret-clientId-remove'));

    await waitFor(() => expect(screen.queryByTestId('secret-clientId-masked')).toBeNull());
    expect(api.deleteSecret).toHaveBeenCalledWith('clientId');
  });

  it('explains and disables the inputs when the keychain is not reachable', async () => {
    api.secretStatus.mockResolvedValue(secrets({ keychainAvailable: false, message: 'no Secret Service' }));
    render(SettingsScreen);

    const notice = await screen.findByTestId('keychain-unavailable');
    expect(notice.textContent).toContain('The system keychain is not reachable');
    expect(notice.textContent).toContain('your local data still works');
    expect((screen.getByTestId('secret-apiKey') as HTMLInputElement).disabled).toBe(true);
    expect((screen.getByTestId('secret-clientId') as HTMLInputElement).disabled).toBe(true);
  });
});

describe('settings form', () => {
  it('saves defaults and shows a field error next to the pattern', async () => {
    api.updateSettings.mockRejectedValue(
      new BackendError('invalid_input', 'numberingPattern: must contain {SEQ} or {SEQ:n}', 'numberingPattern'),
    );
    render(SettingsScreen);

    const pattern = (await screen.findByTestId('settings-numberingPattern')) as HTMLInputElement;
    await waitFor(() => expect(pattern.value).toBe('INV-{YYYY}-{SEQ:4}'));
    await userEvent.clear(pattern);
    await userEvent.type(pattern, 'INV-{{YYYY}');
    await userEvent.selectOptions(screen.getByTestId('settings-termsDays'), '30');
    await userEvent.click(screen.getByTestId('settings-save'));

    expect((await screen.findByTestId('error-numberingPattern')).textContent).toBe('Must contain {SEQ} or {SEQ:n}');
    expect(api.updateSettings).toHaveBeenCalledWith({ defaultCurrency: 'EUR', numberingPattern: 'INV-{YYYY}', defaultPaymentTermsDays: 30 });
  });
});

describe('mode', () => {
  it('shows the active mode in the sidebar and switches it with set_mode', async () => {
    app.info = null;
    api.setMode.mockResolvedValue(appInfo({ mode: 'live', databasePath: '/data/live.sqlite3' }));
    render(App);

    const indicator = await screen.findByTestId('mode-indicator');
    expect(indicator.textContent).toContain('TEST MODE');
    expect(screen.getByTestId('mode-test').getAttribute('aria-pressed')).toBe('true');

    await userEvent.click(screen.getByTestId('mode-live'));

    await waitFor(() => expect(screen.getByTestId('mode-indicator').textContent).toContain('LIVE MODE'));
    expect(api.setMode).toHaveBeenCalledWith('live');
    expect(screen.getByTestId('mode-live').getAttribute('aria-pressed')).toBe('true');
    // The settings of the other database are loaded again.
    await waitFor(() => expect(api.getSettings).toHaveBeenCalledTimes(2));
  });

  it('shows the keychain banner on every screen when the keychain is not available', async () => {
    app.info = null;
    api.appInfo.mockResolvedValue(appInfo({ keychain: { available: false, message: 'dbus not running' } }));
    render(App);

    const banner = await screen.findByTestId('keychain-banner');
    expect(banner.textContent).toContain('credentials cannot be saved');
    await userEvent.click(screen.getByTestId('nav-invoices'));
    await screen.findByTestId('screen-invoices');
    expect(within(document.body).getByTestId('keychain-banner')).toBeTruthy();
  });
});

describe('payment settings', () => {
  it('shows an unsafe redirect URL error next to the field and saves good values', async () => {
    api.updatePaymentSettings
      .mockRejectedValueOnce(new BackendError('invalid_input', 'redirectUrl: must be an https URL', 'redirectUrl'))
      .mockResolvedValue(paymentSettings({ redirectUrl: 'https://acme.test/thanks', redirectLabel: 'Back' }));
    render(SettingsScreen);
    const url = await screen.findByTestId('settings-redirectUrl');
    await userEvent.type(url, 'javascript:alert(1)');
    await userEvent.click(screen.getByTestId('settings-payment-save'));
    await waitFor(() => expect(screen.getByTestId('error-redirectUrl').textContent).toMatch(/must be an https URL/i));
    expect(url.getAttribute('aria-invalid')).toBe('true');

    await userEvent.clear(url);
    await userEvent.type(url, 'https://acme.test/thanks');
    await userEvent.type(screen.getByTestId('settings-redirectLabel'), 'Back');
    await userEvent.click(screen.getByTestId('settings-payment-save'));
    await waitFor(() =>
      expect(api.updatePaymentSettings).toHaveBeenLastCalledWith({
        destinationId: null,
        useBoundDestination: false,
        payeeAddress: null,
        paymentCurrency: null,
        redirectUrl: 'https://acme.test/thanks',
        redirectLabel: 'Back',
      }),
    );
    expect(screen.queryByTestId('error-redirectUrl')).toBeNull();
  });

  it('shows the destination ID field and its error', async () => {
    api.getPaymentSettings.mockResolvedValue(paymentSettings({ destinationId: 'bad' }));
    api.updatePaymentSettings.mockRejectedValue(
      new BackendError('invalid_input', 'destinationId: must look like 0xWALLET@eip155:CHAIN#CHECKSUM:0xTOKEN', 'destinationId'),
    );
    render(SettingsScreen);
    expect(((await screen.findByTestId('settings-destinationId')) as HTMLInputElement).value).toBe('bad');
    await userEvent.click(screen.getByTestId('settings-payment-save'));
    await waitFor(() => expect(screen.getByTestId('error-destinationId').textContent).toMatch(/must look like/i));
  });
});
