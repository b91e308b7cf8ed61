// The recovery screen shown when the books are damaged: it talks to the shell through invoke.
import { render, screen, waitFor, within } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it, vi } from 'vitest';

const invoke = vi.fn();
vi.mock('@tauri-apps/api/core', () => ({ invoke: (...args: unknown[]) => invoke(...args) }));
vi.mock('@tauri-apps/api/event', () => ({ listen: vi.fn(async () => () => {}) }));

import { toasts } from '$lib/toasts.svelte';
import type { AutoBackup, Recovery, RestoreResult } from '$lib/types';
import RecoveryScreen from '../screens/Recovery.svelte';

const toastTexts = () => toasts.map((t) => t.text);
const input = (testid: string) => screen.getByTestId(testid) as HTMLInputElement;
const button = (testid: string) => screen.getByTestId(testid) as HTMLButtonElement;

const BACKUPS: AutoBackup[] = [
  { path: '/data/backups/test-2026-03-03.pdbackup', createdAt: '2026-03-03T09:00:00Z', bytes: 2048 },
  { path: '/data/backups/test-2026-03-02.pdbackup', createdAt: '2026-03-02T09:00:00Z', bytes: 1_572_864 },
];
const recovery = (overrides: Partial<Recovery> = {}): Recovery => ({
  database: '/data/test.sqlite3',
  mode: 'test',
  problem: 'row 14 missing from index invoices_by_number',
  backups: BACKUPS,
  ...overrides,
});
const restoreResult = (path: string, createdAt: string): RestoreResult => ({
  backup: { path, bytes: 2048, createdAt, mode: 'test', schemaVersion: 12, appVersion: '0.1.0', includesSecrets: false },
  previousKeptAt: '/data/test.damaged-2026-03-04.sqlite3',
});

beforeEach(() => {
  invoke.mockReset();
  toasts.splice(0);
});

describe('recovery screen', () => {
  it('shows the damaged file and what was found, and says nothing will be deleted', () => {
    render(RecoveryScreen, { recovery: recovery(), onrecovered: vi.fn() });
    expect(screen.getByTestId('screen-recovery').textContent).toMatch(/need to be restored/);
    expect(screen.getByTestId('recovery-database').textContent).toBe('/data/test.sqlite3');
    expect(screen.getByTestId('recovery-problem').textContent).toBe('row 14 missing from index invoices_by_number');
    expect(screen.getByTestId('screen-recovery').textContent).toMatch(/Nothing will be deleted/);
    expect(invoke).not.toHaveBeenCalled();
  });

  it('lists the automatic backups, newest first and suggested, and restores the chosen one after confirming', async () => {
    const onrecovered = vi.fn();
    invoke.mockResolvedValue(restoreResult(BACKUPS[1].path, BACKUPS[1].createdAt));
    render(RecoveryScreen, { recovery: recovery(), onrecovered });

    const rows = within(screen.getByTestId('recovery-backups')).getAllByTestId('recovery-backup-row');
    expect(rows).toHaveLength(2);
    expect(rows[0].textContent).toMatch(/3 Mar|Mar 3/);
    expect(rows[0].textContent).toContain('2.0 KB');
    expect(rows[0].textContent).toMatch(/Newest/);
    expect(within(rows[0]).getByTestId('recovery-backup-restore').className).toContain('btn-primary');
    expect(rows[1].textContent).toContain('1.5 MB');
    expect(within(rows[1]).getByTestId('recovery-backup-restore').className).not.toContain('btn-primary');

    await userEvent.click(within(rows[1]).getByTestId('recovery-backup-restore'));
    expect(invoke).not.toHaveBeenCalled();
    expect(screen.getByTestId('recovery-confirm-text').textContent).toMatch(/2 Mar|Mar 2/);
    await userEvent.click(screen.getByTestId('recovery-confirm'));

    expect(invoke).toHaveBeenCalledExactlyOnceWith('recover_from_auto_backup', { path: BACKUPS[1].path });
    await waitFor(() => expect(onrecovered).toHaveBeenCalledTimes(1));
    const toast = toastTexts().join(' ');
    expect(toast).toMatch(/restored from the automatic backup of .*(2 Mar|Mar 2)/);
    expect(toast).toContain('/data/test.damaged-2026-03-04.sqlite3');
  });

  it('does nothing when the confirmation is cancelled', async () => {
    const onrecovered = vi.fn();
    render(RecoveryScreen, { recovery: recovery(), onrecovered });
    await userEvent.click(screen.getAllByTestId('recovery-backup-restore')[0]);
    const dialog = screen.getByTestId('recovery-confirm').closest('dialog')!;
    await userEvent.click(within(dialog).getByText('Cancel'));
    expect(invoke).not.toHaveBeenCalled();
    expect(onrecovered).not.toHaveBeenCalled();
  });

  it('shows a failed automatic restore in the banner', async () => {
    const onrecovered = vi.fn();
    invoke.mockRejectedValue({ code: 'storage', message: 'could not write the database: disk full', field: null });
    render(RecoveryScreen, { recovery: recovery(), onrecovered });
    await userEvent.click(screen.getAllByTestId('recovery-backup-restore')[0]);
    await userEvent.click(screen.getByTestId('recovery-confirm'));
    expect((await screen.findByTestId('recovery-error')).textContent).toContain('disk full');
    expect(onrecovered).not.toHaveBeenCalled();
    expect(toasts).toHaveLength(0);
  });

  it('says so when there are no automatic backups', () => {
    render(RecoveryScreen, { recovery: recovery({ backups: [] }), onrecovered: vi.fn() });
    expect(screen.getByTestId('recovery-backups-empty').textContent).toMatch(/no automatic backups/);
    expect(screen.queryByTestId('recovery-backups')).toBeNull();
    expect(screen.queryByTestId('recovery-backup-row')).toBeNull();
  });

  it('restores a backup file with its passphrase after confirming', async () => {
    const onrecovered = vi.fn();
    invoke.mockResolvedValue(restoreResult('/home/you/Documents/paydesk-test.pdbackup', '2026-03-01T09:00:00Z'));
    render(RecoveryScreen, { recovery: recovery(), onrecovered });

    expect(button('recovery-file-restore').disabled).toBe(true);
    expect(input('recovery-passphrase').type).toBe('password');
    expect(input('recovery-passphrase').getAttribute('autocomplete')).toBe('off');
    await userEvent.type(input('recovery-passphrase'), 'correct horse');
    await userEvent.click(button('recovery-file-restore'));
    expect(invoke).not.toHaveBeenCalled();
    await userEvent.click(screen.getByTestId('recovery-confirm'));

    expect(invoke).toHaveBeenCalledExactlyOnceWith('recover_from_backup_file', { passphrase: 'correct horse' });
    await waitFor(() => expect(onrecovered).toHaveBeenCalledTimes(1));
    const toast = toastTexts().join(' ');
    expect(toast).toContain('/home/you/Documents/paydesk-test.pdbackup');
    expect(toast).toContain('/data/test.damaged-2026-03-04.sqlite3');
  });

  it('stays as it was when the file dialog is cancelled', async () => {
    const onrecovered = vi.fn();
    invoke.mockResolvedValue(null);
    render(RecoveryScreen, { recovery: recovery(), onrecovered });
    await userEvent.type(input('recovery-passphrase'), 'correct horse');
    await userEvent.click(button('recovery-file-restore'));
    await userEvent.click(screen.getByTestId('recovery-confirm'));

    expect(invoke).toHaveBeenCalledWith('recover_from_backup_file', { passphrase: 'correct horse' });
    await waitFor(() => expect(button('recovery-file-restore').disabled).toBe(false));
    expect(onrecovered).not.toHaveBeenCalled();
    expect(toasts).toHaveLength(0);
    expect(screen.queryByRole('alert')).toBeNull();
    expect(input('recovery-passphrase').value).toBe('correct horse');
  });

  it('shows a wrong passphrase under the field and nothing else happens', async () => {
    const onrecovered = vi.fn();
    invoke.mockRejectedValue({
      code: 'invalid_input',
      message: 'passphrase: wrong passphrase, or the backup was changed',
      field: 'passphrase',
    });
    render(RecoveryScreen, { recovery: recovery(), onrecovered });
    await userEvent.type(input('recovery-passphrase'), 'wrong-passphrase');
    await userEvent.click(button('recovery-file-restore'));
    await userEvent.click(screen.getByTestId('recovery-confirm'));

    expect((await screen.findByTestId('error-recovery.passphrase')).textContent).toBe(
      'Wrong passphrase, or the backup was changed',
    );
    expect(input('recovery-passphrase').getAttribute('aria-invalid')).toBe('true');
    expect(invoke).toHaveBeenCalledTimes(1);
    expect(onrecovered).not.toHaveBeenCalled();
    expect(toasts).toHaveLength(0);
    expect(screen.queryByTestId('recovery-error')).toBeNull();

    // Typing again clears the message.
    await userEvent.type(input('recovery-passphrase'), 'x');
    expect(screen.queryByTestId('error-recovery.passphrase')).toBeNull();
  });

  it('shows a changed backup file (field backup) under the passphrase too', async () => {
    invoke.mockRejectedValue({ code: 'invalid_input', message: 'backup: the file was changed', field: 'backup' });
    render(RecoveryScreen, { recovery: recovery(), onrecovered: vi.fn() });
    await userEvent.type(input('recovery-passphrase'), 'correct horse');
    await userEvent.click(button('recovery-file-restore'));
    await userEvent.click(screen.getByTestId('recovery-confirm'));
    expect((await screen.findByTestId('error-recovery.passphrase')).textContent).toBe('The file was changed');
  });
});
