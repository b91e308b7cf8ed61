import { render, screen, waitFor } from '@testing-library/svelte';
import { describe, expect, it, vi } from 'vitest';
import { appInfo, syncStatus } from './fixtures';

vi.mock('$lib/backend', async () => (await import('./backendMock')).backendMock());

import * as backend from '$lib/backend';
import { app } from '$lib/appState.svelte';
import { navigate } from '$lib/router.svelte';
import type { SyncStatus } from '$lib/types';
import App from '../App.svelte';
import SyncBanner from '../components/SyncBanner.svelte';

const api = vi.mocked(backend);

/** Captures the sync-status handler the banner subscribes with. */
function captureSyncEvents() {
  const pushed: { handler: ((status: SyncStatus) => void) | null } = { handler: null };
  const unlisten = vi.fn();
  api.onSyncStatus.mockImplementation(async (handler) => {
    pushed.handler = handler;
    return unlisten;
  });
  return { pushed, unlisten };
}

const OFFLINE = syncStatus({ online: false, offlineSince: '2026-11-21T09:30:00Z', lastError: 'network unreachable' });

describe('offline banner', () => {
  it('appears when get_sync_status says offline, with the time and the reason', async () => {
    api.getSyncStatus.mockResolvedValue(OFFLINE);
    render(SyncBanner);

    const banner = await screen.findByTestId('offline-banner');
    expect(banner.textContent).toContain('Offline since');
    expect(banner.textContent).toContain('2026');
    expect(banner.textContent).toContain('payment status will catch up when the connection returns');
    expect(screen.getByTestId('sync-error').textContent).toContain('network unreachable');
  });

  it('disappears when the sync-status event reports online again, and comes back when offline', async () => {
    const { pushed } = captureSyncEvents();
    api.getSyncStatus.mockResolvedValue(OFFLINE);
    render(SyncBanner);
    await screen.findByTestId('offline-banner');
    await waitFor(() => expect(pushed.handler).not.toBeNull());

    pushed.handler!(syncStatus({ online: true }));
    await waitFor(() => expect(screen.queryByTestId('offline-banner')).toBeNull());
    expect(screen.queryByTestId('sync-error')).toBeNull();

    pushed.handler!(syncStatus({ online: false, offlineSince: null }));
    expect((await screen.findByTestId('offline-banner')).textContent).toMatch(/^\s*Offline: payment status will catch up/);
  });

  it('shows nothing while online, but a sync error (bad credentials) quietly', async () => {
    const { pushed } = captureSyncEvents();
    api.getSyncStatus.mockResolvedValue(syncStatus());
    render(SyncBanner);
    await waitFor(() => expect(api.getSyncStatus).toHaveBeenCalled());
    await waitFor(() => expect(pushed.handler).not.toBeNull());
    expect(screen.queryByTestId('offline-banner')).toBeNull();
    expect(screen.queryByTestId('sync-error')).toBeNull();

    pushed.handler!(syncStatus({ lastError: '401: check the API key' }));
    expect((await screen.findByTestId('sync-error')).textContent).toBe('401: check the API key');
    expect(screen.queryByTestId('offline-banner')).toBeNull();
  });

  it('refreshes get_sync_status periodically and stops listening when unmounted', async () => {
    const { unlisten } = captureSyncEvents();
    api.getSyncStatus.mockResolvedValueOnce(syncStatus()).mockResolvedValue(OFFLINE);
    const { unmount } = render(SyncBanner, { refreshMs: 20 });

    await screen.findByTestId('offline-banner');
    expect(api.getSyncStatus.mock.calls.length).toBeGreaterThanOrEqual(2);
    unmount();
    expect(unlisten).toHaveBeenCalled();
  });

  it('is shown by the app on every screen', async () => {
    app.info = appInfo();
    app.error = null;
    navigate({ name: 'invoices' });
    api.appInfo.mockResolvedValue(appInfo());
    api.listInvoices.mockResolvedValue({ items: [], total: 0 });
    api.listClients.mockResolvedValue([]);
    api.getSyncStatus.mockResolvedValue(OFFLINE);
    render(App);

    await screen.findByTestId('screen-invoices');
    expect((await screen.findByTestId('offline-banner')).textContent).toContain('Offline since');
  });
});
