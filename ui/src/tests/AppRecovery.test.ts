// At start, damaged books replace every screen with the recovery screen instead of the red banner.
import { render, screen, waitFor } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { appInfo } from './fixtures';

vi.mock('$lib/backend', async () => (await import('./backendMock')).backendMock());

import * as backend from '$lib/backend';
import { BackendError } from '$lib/backendError';
import { app } from '$lib/appState.svelte';
import { navigate, router } from '$lib/router.svelte';
import { toasts } from '$lib/toasts.svelte';
import type { Recovery } from '$lib/types';
import App from '../App.svelte';

const api = vi.mocked(backend);

const RECOVERY: Recovery = {
  database: '/data/test.sqlite3',
  mode: 'test',
  problem: 'database disk image is malformed',
  backups: [{ path: '/data/backups/test-2026-03-03.pdbackup', createdAt: '2026-03-03T09:00:00Z', bytes: 2048 }],
};
const DAMAGED = new BackendError('storage', 'database: /data/test.sqlite3 failed its integrity check; run paydesk restore');

beforeEach(() => {
  toasts.splice(0);
  app.info = null;
  app.error = null;
  app.recovery = null;
  app.started = false;
  navigate({ name: 'invoices' });
  api.appInfo.mockReset();
  api.getRecovery.mockReset();
  api.listInvoices.mockResolvedValue({ items: [], total: 0 });
  api.listCurrencies.mockResolvedValue([]);
  api.listClients.mockResolvedValue([]);
});

describe('damaged books at start', () => {
  it('shows the recovery screen instead of the banner when get_recovery returns one', async () => {
    api.appInfo.mockRejectedValue(DAMAGED);
    api.getRecovery.mockResolvedValue(RECOVERY);
    render(App);

    expect(await screen.findByTestId('screen-recovery')).toBeTruthy();
    expect(screen.getByTestId('recovery-database').textContent).toBe('/data/test.sqlite3');
    expect(screen.queryByTestId('backend-unreachable')).toBeNull();
    expect(screen.queryByTestId('screen-invoices')).toBeNull();
    expect(api.getRecovery).toHaveBeenCalledTimes(1);
  });

  it('hides the navigation while the recovery screen is shown', async () => {
    api.appInfo.mockRejectedValue(DAMAGED);
    api.getRecovery.mockResolvedValue(RECOVERY);
    render(App);

    expect(await screen.findByTestId('screen-recovery')).toBeTruthy();
    expect(screen.queryByRole('navigation', { name: 'Main' })).toBeNull();
    expect(screen.queryByTestId('nav-invoices')).toBeNull();
    expect(screen.queryByTestId('mode-indicator')).toBeNull();
  });

  it('shows no screen and no navigation until it knows the books are damaged', async () => {
    api.appInfo.mockRejectedValue(DAMAGED);
    let answer: (r: Recovery) => void = () => {};
    api.getRecovery.mockReturnValue(new Promise<Recovery>((resolve) => (answer = resolve)));
    api.listInvoices.mockClear();
    render(App);

    await waitFor(() => expect(api.getRecovery).toHaveBeenCalled());
    expect(screen.getByTestId('app-starting')).toBeTruthy();
    expect(screen.queryByTestId('screen-invoices')).toBeNull();
    expect(screen.queryByRole('navigation', { name: 'Main' })).toBeNull();
    expect(api.listInvoices).not.toHaveBeenCalled();
    answer(RECOVERY);
    expect(await screen.findByTestId('screen-recovery')).toBeTruthy();
    expect(screen.queryByTestId('app-starting')).toBeNull();
  });

  it('shows the navigation when the books opened', async () => {
    api.appInfo.mockResolvedValue(appInfo());
    render(App);

    expect(await screen.findByTestId('mode-indicator')).toBeTruthy();
    expect(screen.getByRole('navigation', { name: 'Main' })).toBeTruthy();
    for (const section of ['dashboard', 'invoices', 'clients', 'contractors', 'payouts', 'settings', 'webhooks']) {
      expect(screen.getByTestId(`nav-${section}`)).toBeTruthy();
    }
    expect(screen.queryByTestId('screen-recovery')).toBeNull();
  });

  it('keeps the banner when get_recovery returns null', async () => {
    api.appInfo.mockRejectedValue(DAMAGED);
    api.getRecovery.mockResolvedValue(null);
    render(App);

    expect((await screen.findByTestId('backend-unreachable')).textContent).toContain('failed its integrity check');
    expect(api.getRecovery).toHaveBeenCalledTimes(1);
    expect(screen.queryByTestId('screen-recovery')).toBeNull();
  });

  it('keeps the banner when get_recovery itself fails', async () => {
    api.appInfo.mockRejectedValue(DAMAGED);
    api.getRecovery.mockRejectedValue(new BackendError('internal', 'unknown command get_recovery'));
    render(App);

    expect((await screen.findByTestId('backend-unreachable')).textContent).toContain('failed its integrity check');
    expect(screen.queryByTestId('screen-recovery')).toBeNull();
  });

  it('does not ask for a recovery when the books opened', async () => {
    api.appInfo.mockResolvedValue(appInfo());
    render(App);
    await waitFor(() => expect(app.info).not.toBeNull());
    expect(api.getRecovery).not.toHaveBeenCalled();
    expect(screen.queryByTestId('screen-recovery')).toBeNull();
    expect(screen.queryByTestId('backend-unreachable')).toBeNull();
  });

  it('loads the books again after a restore and opens the dashboard', async () => {
    api.appInfo.mockRejectedValueOnce(DAMAGED).mockResolvedValue(appInfo());
    api.getRecovery.mockResolvedValue(RECOVERY);
    api.recoverFromAutoBackup.mockResolvedValue({
      backup: { ...RECOVERY.backups[0], mode: 'test', schemaVersion: 12, appVersion: '0.1.0', includesSecrets: false },
      previousKeptAt: '/data/test.damaged.sqlite3',
    });
    render(App);

    await userEvent.click(await screen.findByTestId('recovery-backup-restore'));
    await userEvent.click(screen.getByTestId('recovery-confirm'));

    expect(api.recoverFromAutoBackup).toHaveBeenCalledWith(RECOVERY.backups[0].path);
    await waitFor(() => expect(screen.queryByTestId('screen-recovery')).toBeNull());
    expect(api.appInfo).toHaveBeenCalledTimes(2);
    expect(app.recovery).toBeNull();
    expect(app.error).toBeNull();
    expect(router.route.name).toBe('dashboard');
    expect(screen.getByRole('navigation', { name: 'Main' })).toBeTruthy();
    expect(screen.queryByTestId('backend-unreachable')).toBeNull();
    expect(toasts.map((t) => t.text).join(' ')).toContain('/data/test.damaged.sqlite3');
  });
});
