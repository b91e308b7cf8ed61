// Settings → Data (exports, backups, restores) and the logo of the business profile.
import { fireEvent, render, screen, waitFor, within } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { appInfo, currencies, paymentSettings, secrets, settings } from './fixtures';

vi.mock('$lib/backend', async () => (await import('./backendMock')).backendMock());

import * as backend from '$lib/backend';
import { BackendError } from '$lib/backendError';
import { app } from '$lib/appState.svelte';
import { navigate } from '$lib/router.svelte';
import { toasts } from '$lib/toasts.svelte';
import type { AutoBackup, BackupInfo, RestoreResult } from '$lib/types';
import SettingsScreen from '../screens/Settings.svelte';

const api = vi.mocked(backend);
const toastTexts = () => toasts.map((t) => t.text);
const input = (testid: string) => screen.getByTestId(testid) as HTMLInputElement;
const button = (testid: string) => screen.getByTestId(testid) as HTMLButtonElement;

const backupInfo = (overrides: Partial<BackupInfo> = {}): BackupInfo => ({
  path: '/home/you/Documents/paydesk-test.pdbackup',
  bytes: 2_621_440,
  createdAt: '2026-03-01T09:00:00Z',
  mode: 'test',
  schemaVersion: 12,
  appVersion: '0.1.0',
  includesSecrets: false,
  ...overrides,
});
const restoreResult = (overrides: Partial<BackupInfo> = {}): RestoreResult => ({
  backup: backupInfo(overrides),
  previousKeptAt: '/data/test.before-restore.sqlite3',
});
const AUTO: AutoBackup[] = [
  { path: '/data/backups/test-2026-03-03.pdbackup', createdAt: '2026-03-03T09:00:00Z', bytes: 2048 },
  { path: '/data/backups/test-2026-03-02.pdbackup', createdAt: '2026-03-02T09:00:00Z', bytes: 1_572_864 },
  { path: '/data/backups/test-2026-03-01.pdbackup', createdAt: '2026-03-01T09:00:00Z', bytes: 1024 },
];

beforeEach(() => {
  toasts.splice(0);
  app.info = appInfo();
  app.error = null;
  navigate({ name: 'settings' });
  api.appInfo.mockResolvedValue(appInfo());
  api.getSettings.mockResolvedValue(settings);
  api.listCurrencies.mockResolvedValue(currencies);
  api.getProfile.mockResolvedValue({ name: 'Jo Freelance', email: 'jo@example.com', address: '', taxId: '' });
  api.secretStatus.mockResolvedValue(secrets());
  api.getPaymentSettings.mockResolvedValue(paymentSettings());
});

describe('exports', () => {
  it('exports the chosen kind between the dates, defaulting to the current year', async () => {
    const year = new Date().getFullYear();
    api.exportData.mockResolvedValue({ path: '/home/you/Documents/payments.csv', rows: 12 });
    render(SettingsScreen);

    expect((await screen.findByTestId('export-from') as HTMLInputElement).value).toBe(`${year}-01-01`);
    expect(input('export-to').value).toBe(`${year}-12-31`);
    await userEvent.selectOptions(screen.getByTestId('export-kind'), 'payments');
    await fireEvent.input(input('export-from'), { target: { value: '2026-02-01' } });
    await userEvent.click(button('export-run'));

    expect(api.exportData).toHaveBeenCalledWith('payments', '2026-02-01', `${year}-12-31`);
    await waitFor(() => expect(toastTexts()).toContain('Exported 12 rows to /home/you/Documents/payments.csv'));
  });

  it('shows a date error of the backend next to the field', async () => {
    api.exportData.mockRejectedValue(new BackendError('invalid_input', 'to: must be on or after the start date', 'to'));
    render(SettingsScreen);

    await userEvent.click(await screen.findByTestId('export-run'));

    expect((await screen.findByTestId('error-to')).textContent).toBe('Must be on or after the start date');
    expect(input('export-to').getAttribute('aria-invalid')).toBe('true');
    expect(input('export-from').getAttribute('aria-invalid')).toBeNull();
    expect(toasts).toHaveLength(0);
  });

  it('says nothing when the save dialog is cancelled', async () => {
    api.exportData.mockResolvedValue(null);
    render(SettingsScreen);
    await userEvent.click(await screen.findByTestId('export-run'));
    await waitFor(() => expect(api.exportData).toHaveBeenCalledTimes(1));
    await waitFor(() => expect(button('export-run').disabled).toBe(false));
    expect(toasts).toHaveLength(0);
  });
});

describe('backup', () => {
  it('allows creating only with matching passphrases of at least 8 characters', async () => {
    api.createBackup.mockResolvedValue(backupInfo());
    render(SettingsScreen);
    const create = await screen.findByTestId('backup-create');
    expect((create as HTMLButtonElement).disabled).toBe(true);

    await userEvent.type(input('backup-passphrase'), 'short');
    await userEvent.type(input('backup-passphrase-confirm'), 'short');
    expect(button('backup-create').disabled).toBe(true);
    expect(screen.getByTestId('error-passphrase').textContent).toBe('Must be at least 8 characters');

    await userEvent.clear(input('backup-passphrase'));
    await userEvent.type(input('backup-passphrase'), 'correct horse');
    await userEvent.clear(input('backup-passphrase-confirm'));
    await userEvent.type(input('backup-passphrase-confirm'), 'correct hoarse');
    expect(button('backup-create').disabled).toBe(true);
    expect(screen.getByTestId('error-passphraseConfirm').textContent).toBe('Does not match the passphrase');
    await fireEvent.submit(button('backup-create').closest('form')!);
    expect(api.createBackup).not.toHaveBeenCalled();

    await userEvent.clear(input('backup-passphrase-confirm'));
    await userEvent.type(input('backup-passphrase-confirm'), 'correct horse');
    expect(screen.queryByTestId('error-passphraseConfirm')).toBeNull();
    expect(screen.queryByTestId('error-passphrase')).toBeNull();
    expect(button('backup-create').disabled).toBe(false);
    await userEvent.click(button('backup-create'));

    expect(api.createBackup).toHaveBeenCalledWith('correct horse', false);
    await waitFor(() => expect(toastTexts()).toContain('Backup saved to /home/you/Documents/paydesk-test.pdbackup (2.5 MB)'));
    expect(input('backup-passphrase').value).toBe('');
    expect(input('backup-passphrase').type).toBe('password');
    expect(input('backup-passphrase-confirm').type).toBe('password');
  });

  it('includes the secrets only when ticked, with a warning', async () => {
    api.createBackup.mockResolvedValue(backupInfo({ includesSecrets: true }));
    render(SettingsScreen);
    await userEvent.type(await screen.findByTestId('backup-passphrase'), 'long enough');
    await userEvent.type(input('backup-passphrase-confirm'), 'long enough');
    expect(screen.queryByTestId('backup-secrets-warning')).toBeNull();

    await userEvent.click(screen.getByTestId('backup-include-secrets'));
    expect(screen.getByTestId('backup-secrets-warning').textContent).toContain('credentials');
    await userEvent.click(button('backup-create'));

    expect(api.createBackup).toHaveBeenCalledWith('long enough', true);
  });

  it('shows a passphrase error of the backend at the field', async () => {
    api.createBackup.mockRejectedValue(new BackendError('invalid_input', 'passphrase: is too common', 'passphrase'));
    render(SettingsScreen);
    await userEvent.type(await screen.findByTestId('backup-passphrase'), 'password1');
    await userEvent.type(input('backup-passphrase-confirm'), 'password1');
    await userEvent.click(button('backup-create'));
    expect((await screen.findByTestId('error-passphrase')).textContent).toBe('Is too common');
    expect(input('backup-passphrase').getAttribute('aria-invalid')).toBe('true');
  });
});

describe('restore', () => {
  it('asks for confirmation first, then restores and reloads the data', async () => {
    api.restoreBackup.mockResolvedValue(restoreResult());
    render(SettingsScreen);
    const run = await screen.findByTestId('restore-run');
    expect((run as HTMLButtonElement).disabled).toBe(true);

    await userEvent.type(input('restore-passphrase'), 'correct horse');
    await userEvent.click(run);

    expect(api.restoreBackup).not.toHaveBeenCalled();
    expect(screen.getByTestId('restore-confirm-text').textContent).toContain(
      'Replace the books of test mode with the backup? The current database is kept as a copy.',
    );
    const settingsLoads = api.getSettings.mock.calls.length;
    await userEvent.click(screen.getByTestId('restore-confirm'));

    expect(api.restoreBackup).toHaveBeenCalledWith('correct horse');
    await waitFor(() => expect(toastTexts().some((t) => t.startsWith('Restored the backup of'))).toBe(true));
    expect(toastTexts().join(' ')).toContain('/data/test.before-restore.sqlite3');
    // Everything is loaded again, as after a mode switch.
    await waitFor(() => expect(api.getSettings.mock.calls.length).toBeGreaterThan(settingsLoads));
    expect(api.appInfo).toHaveBeenCalled();
    expect(input('restore-passphrase').value).toBe('');
  });

  it('does nothing when the confirmation is cancelled', async () => {
    render(SettingsScreen);
    await userEvent.type(await screen.findByTestId('restore-passphrase'), 'correct horse');
    await userEvent.click(button('restore-run'));
    const dialog = screen.getByTestId('restore-confirm').closest('dialog')!;
    await userEvent.click(within(dialog).getByText('Cancel'));
    expect(api.restoreBackup).not.toHaveBeenCalled();
  });

  it('shows a wrong passphrase at the field and replaces nothing', async () => {
    api.restoreBackup.mockRejectedValue(
      new BackendError('invalid_input', 'passphrase: wrong passphrase, or the backup was changed', 'passphrase'),
    );
    render(SettingsScreen);
    await userEvent.type(await screen.findByTestId('restore-passphrase'), 'wrong-passphrase');
    await userEvent.click(button('restore-run'));
    await userEvent.click(screen.getByTestId('restore-confirm'));

    expect((await screen.findByTestId('error-restore.passphrase')).textContent).toBe(
      'Wrong passphrase, or the backup was changed',
    );
    expect(input('restore-passphrase').getAttribute('aria-invalid')).toBe('true');
    expect(toasts).toHaveLength(0);
    expect(api.getSettings).toHaveBeenCalledTimes(1);
  });

  it('shows a changed-backup error (field backup) at the passphrase field too', async () => {
    api.restoreBackup.mockRejectedValue(new BackendError('invalid_input', 'backup: the file was changed', 'backup'));
    render(SettingsScreen);
    await userEvent.type(await screen.findByTestId('restore-passphrase'), 'correct horse');
    await userEvent.click(button('restore-run'));
    await userEvent.click(screen.getByTestId('restore-confirm'));
    expect((await screen.findByTestId('error-restore.passphrase')).textContent).toBe('The file was changed');
  });

  it('lists the automatic backups and restores one after confirmation', async () => {
    api.listAutoBackups.mockResolvedValue(AUTO);
    api.restoreAutoBackup.mockResolvedValue(restoreResult({ path: AUTO[1].path, createdAt: AUTO[1].createdAt }));
    render(SettingsScreen);

    await waitFor(() => expect(screen.getAllByTestId('auto-backup-row')).toHaveLength(3));
    const rows = screen.getAllByTestId('auto-backup-row');
    expect(rows[0].textContent).toContain('2.0 KB');
    expect(rows[1].textContent).toContain('1.5 MB');
    expect(rows[0].textContent).toMatch(/3 Mar|Mar 3/);

    await userEvent.click(within(rows[1]).getByTestId('auto-backup-restore'));
    expect(api.restoreAutoBackup).not.toHaveBeenCalled();
    await userEvent.click(screen.getByTestId('restore-confirm'));

    expect(api.restoreAutoBackup).toHaveBeenCalledWith(AUTO[1].path);
    await waitFor(() => expect(toastTexts().some((t) => t.startsWith('Restored the backup of'))).toBe(true));
    await waitFor(() => expect(api.getSettings).toHaveBeenCalledTimes(2));
  });
});

describe('logo', () => {
  it('shows the logo, chooses another and removes it', async () => {
    api.getLogo.mockResolvedValue('/home/you/Pictures/old.png');
    api.chooseLogo.mockResolvedValueOnce('/home/you/Pictures/logo.png').mockResolvedValueOnce(null);
    render(SettingsScreen);

    await waitFor(() => expect(screen.getByTestId('logo-path').textContent).toBe('/home/you/Pictures/old.png'));
    await userEvent.click(button('logo-choose'));
    await waitFor(() => expect(screen.getByTestId('logo-path').textContent).toBe('/home/you/Pictures/logo.png'));

    // A cancelled dialog keeps the logo.
    await userEvent.click(button('logo-choose'));
    await waitFor(() => expect(api.chooseLogo).toHaveBeenCalledTimes(2));
    expect(screen.getByTestId('logo-path').textContent).toBe('/home/you/Pictures/logo.png');

    await userEvent.click(button('logo-clear'));
    expect(api.clearLogo).toHaveBeenCalledTimes(1);
    await waitFor(() => expect(screen.queryByTestId('logo-clear')).toBeNull());
    expect(screen.getByTestId('logo-path').textContent).not.toContain('.png');
  });
});
