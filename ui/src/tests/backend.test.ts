import { beforeEach, describe, expect, it, vi } from 'vitest';

const invoke = vi.fn();
vi.mock('@tauri-apps/api/core', () => ({ invoke: (...args: unknown[]) => invoke(...args) }));
const listen = vi.fn();
vi.mock('@tauri-apps/api/event', () => ({ listen: (...args: unknown[]) => listen(...args) }));

import {
  BackendError,
  checkNow,
  createClient,
  getDashboard,
  getPaymentStatus,
  getSyncStatus,
  listInvoices,
  onPaymentStatusChanged,
  onSyncStatus,
  onWebhookStatus,
  sendTestWebhook,
  setSecret,
  setWebhookConfig,
  getWebhookStatus,
  toBackendError,
  approvePayout,
  batchPayouts,
  cancelPayout,
  createContractor,
  createPayout,
  getContractor,
  getPayout,
  getPayoutSettings,
  listContractors,
  listNetworks,
  listPayouts,
  onPayoutChanged,
  openPayoutLink,
  payoutQrSvg,
  reviewPayout,
  updateContractor,
  updatePayout,
  updatePayoutSettings,
  savePdf,
  sendInvoice,
  exportData,
  exportInvoiceHistory,
  createBackup,
  restoreBackup,
  listAutoBackups,
  restoreAutoBackup,
  getRecovery,
  recoverFromAutoBackup,
  recoverFromBackupFile,
  chooseLogo,
  clearLogo,
  getLogo,
} from '$lib/backend';

beforeEach(() => {
  invoke.mockReset();
  listen.mockReset();
});

describe('backend commands', () => {
  it('sends the command name and camelCase args of the IPC contract', async () => {
    const page = { items: [], total: 0 };
    invoke.mockResolvedValue(page);
    const query = { status: null, search: 'acme', sort: 'dueDate', descending: true, limit: 50, offset: 0 } as const;

    await expect(listInvoices(query)).resolves.toEqual(page);
    expect(invoke).toHaveBeenCalledWith('list_invoices', { query });

    invoke.mockResolvedValue({ keychainAvailable: true, message: null, apiKey: '••••1234', clientId: null });
    await setSecret('apiKey', 'sk_1234');
    expect(invoke).toHaveBeenLastCalledWith('set_secret', { kind: 'apiKey', value: 'sk_1234' });
  });
});

describe('webhook commands', () => {
  it('calls the webhook commands of the IPC contract', async () => {
    const config = { enabled: true, tunnel: 'manual', binaryPath: null, publicUrl: 'https://hooks.acme.test', port: 48000 } as const;
    invoke.mockResolvedValue({ config });
    await getWebhookStatus();
    expect(invoke).toHaveBeenLastCalledWith('get_webhook_status', undefined);
    await setWebhookConfig(config);
    expect(invoke).toHaveBeenLastCalledWith('set_webhook_config', { config });
    invoke.mockResolvedValue({ message: 'sent' });
    await expect(sendTestWebhook()).resolves.toEqual({ message: 'sent' });
    expect(invoke).toHaveBeenLastCalledWith('send_test_webhook', undefined);
    await setSecret('ngrokAuthtoken', 'tok_1');
    expect(invoke).toHaveBeenLastCalledWith('set_secret', { kind: 'ngrokAuthtoken', value: 'tok_1' });
  });

  it('maps a field error of set_webhook_config', async () => {
    invoke.mockRejectedValue({ code: 'invalid_input', message: 'publicUrl: must be an https URL', field: 'publicUrl' });
    const error = await setWebhookConfig({ enabled: true, tunnel: 'manual', binaryPath: null, publicUrl: 'http://x', port: null }).catch((e) => e);
    expect(error).toBeInstanceOf(BackendError);
    expect(error.field).toBe('publicUrl');
  });

  it('subscribes to webhook-status and hands over the payload', async () => {
    const unlisten = vi.fn();
    listen.mockImplementation(async (_event: string, cb: (e: { payload: unknown }) => void) => {
      cb({ payload: { canRegister: true } });
      return unlisten;
    });
    const seen: unknown[] = [];
    const stop = await onWebhookStatus((status) => seen.push(status));
    expect(listen.mock.calls[0][0]).toBe('webhook-status');
    expect(seen).toEqual([{ canRegister: true }]);
    stop();
    expect(unlisten).toHaveBeenCalled();
  });
});

describe('backend error mapping', () => {
  it('turns the documented error shape into a BackendError with code and field', async () => {
    invoke.mockRejectedValue({
      code: 'invalid_input',
      message: 'email: must be a valid email address',
      field: 'email',
    });

    const error = await createClient({ name: 'A', email: 'nope', address: '', taxId: '', notes: '' }).catch((e) => e);

    expect(error).toBeInstanceOf(BackendError);
    expect(error.code).toBe('invalid_input');
    expect(error.field).toBe('email');
    expect(error.message).toBe('email: must be a valid email address');
    expect(error.detail).toBe('Must be a valid email address');
  });

  it('keeps a null field as null and indexed field paths intact', () => {
    expect(toBackendError({ code: 'not_found', message: 'no such invoice', field: null }).field).toBeNull();
    const e = toBackendError({ code: 'invalid_input', message: 'lines[0].quantity: must be greater than zero', field: 'lines[0].quantity' });
    expect(e.field).toBe('lines[0].quantity');
    expect(e.detail).toBe('Must be greater than zero');
  });

  it('maps a plain string rejection to internal, keeping the text', async () => {
    invoke.mockRejectedValue('command list_invoices not found');
    const error = await listInvoices({ status: null, search: null, sort: 'number', descending: false, limit: 50, offset: 0 }).catch((e) => e);
    expect(error).toBeInstanceOf(BackendError);
    expect(error.code).toBe('internal');
    expect(error.field).toBeNull();
    expect(error.message).toBe('command list_invoices not found');
  });

  it('maps unknown codes and other shapes to internal', () => {
    expect(toBackendError({ code: 'teapot', message: 'short and stout', field: null }).code).toBe('internal');
    expect(toBackendError({ message: 'no code' }).code).toBe('internal');
    expect(toBackendError({ code: 'conflict', message: 42 }).code).toBe('internal');
    expect(toBackendError(undefined).code).toBe('internal');
    expect(toBackendError(new TypeError('window.__TAURI_INTERNALS__ is undefined')).message).toContain('TAURI');
  });
});

describe('paid status commands and events', () => {
  it('calls the paid-status commands with the contract names and args', async () => {
    invoke.mockResolvedValue({});
    await getPaymentStatus('01INV');
    expect(invoke).toHaveBeenLastCalledWith('get_payment_status', { invoiceId: '01INV' });
    await checkNow('01INV');
    expect(invoke).toHaveBeenLastCalledWith('check_now', { invoiceId: '01INV' });
    await getSyncStatus();
    expect(invoke).toHaveBeenLastCalledWith('get_sync_status', undefined);
    await getDashboard();
    expect(invoke).toHaveBeenLastCalledWith('get_dashboard', undefined);
  });

  it('hands the event payloads to the handler and returns the unlisten of listen', async () => {
    const unlisten = vi.fn();
    listen.mockResolvedValue(unlisten);
    const seen: unknown[] = [];

    const stop = await onSyncStatus((status) => seen.push(status));
    expect(listen).toHaveBeenLastCalledWith('sync-status', expect.any(Function));
    const deliver = listen.mock.calls[0][1] as (event: { payload: unknown }) => void;
    deliver({ payload: { online: false } });
    expect(seen).toEqual([{ online: false }]);
    stop();
    expect(unlisten).toHaveBeenCalledTimes(1);

    await onPaymentStatusChanged(() => {});
    expect(listen).toHaveBeenLastCalledWith('payment-status-changed', expect.any(Function));
  });

  it('returns a no-op unlisten outside the desktop shell (listen rejects or throws)', async () => {
    listen.mockRejectedValue(new TypeError("Cannot read properties of undefined (reading 'transformCallback')"));
    const stop = await onSyncStatus(() => {});
    expect(() => stop()).not.toThrow();

    listen.mockImplementation(() => {
      throw new Error('no tauri');
    });
    const stop2 = await onPaymentStatusChanged(() => {});
    expect(() => stop2()).not.toThrow();
  });
});

describe('contractor and payout commands', () => {
  it('sends the command names and argument names of the IPC contract', async () => {
    invoke.mockResolvedValue(null);
    const contractor = { name: 'Ada', email: null, network: 'base', address: '0xabc', defaultCurrency: 'USDC-base' } as const;
    const payout = { contractorId: 'C1', amount: '250.00', currency: 'USDC-base', reference: null, memo: null, invoiceId: null };
    const calls: [() => Promise<unknown>, string, Record<string, unknown> | undefined][] = [
      [() => listNetworks(), 'list_networks', undefined],
      [() => listContractors(null), 'list_contractors', { search: null }],
      [() => getContractor('C1'), 'get_contractor', { id: 'C1' }],
      [() => createContractor(contractor), 'create_contractor', { input: contractor }],
      [() => updateContractor('C1', contractor, true), 'update_contractor', { id: 'C1', input: contractor, confirmAddressChange: true }],
      [() => getPayoutSettings(), 'get_payout_settings', undefined],
      [() => updatePayoutSettings({ evmWallet: null, tronWallet: null }), 'update_payout_settings', { input: { evmWallet: null, tronWallet: null } }],
      [() => listPayouts('live'), 'list_payouts', { state: 'live' }],
      [() => getPayout('P1'), 'get_payout', { id: 'P1' }],
      [() => createPayout(payout), 'create_payout', { input: payout }],
      [() => updatePayout('P1', payout), 'update_payout', { id: 'P1', input: payout }],
      [() => reviewPayout('P1'), 'review_payout', { id: 'P1' }],
      [() => approvePayout('P1', '0xabc'), 'approve_payout', { id: 'P1', address: '0xabc' }],
      [() => cancelPayout('P1'), 'cancel_payout', { id: 'P1' }],
      [() => openPayoutLink('P1'), 'open_payout_link', { id: 'P1' }],
      [() => payoutQrSvg('P1'), 'payout_qr_svg', { id: 'P1' }],
      [() => batchPayouts(['P1', 'P2']), 'batch_payouts', { ids: ['P1', 'P2'] }],
    ];
    for (const [run, command, args] of calls) {
      await run();
      expect(invoke).toHaveBeenLastCalledWith(command, args);
    }
  });

  it('maps the address conflict of update_contractor to a BackendError on address', async () => {
    invoke.mockRejectedValue({ code: 'conflict', message: 'address: confirm the change', field: 'address' });
    const error = await updateContractor('C1', { name: 'Ada', email: null, network: 'base', address: '0x1', defaultCurrency: null }, false).catch((e) => e);
    expect(error).toBeInstanceOf(BackendError);
    expect([error.code, error.field]).toEqual(['conflict', 'address']);
  });

  it('subscribes to payout-changed', async () => {
    listen.mockImplementation(async (_event: string, cb: (e: { payload: unknown }) => void) => {
      cb({ payload: { id: 'P1', state: 'live' } });
      return () => {};
    });
    const seen: unknown[] = [];
    await onPayoutChanged((event) => seen.push(event));
    expect(listen.mock.calls[0][0]).toBe('payout-changed');
    expect(seen).toEqual([{ id: 'P1', state: 'live' }]);
  });
});

describe('document, export and backup commands', () => {
  it('sends the names and args of the IPC contract', async () => {
    invoke.mockResolvedValue(null);
    const calls: [() => Promise<unknown>, string, Record<string, unknown> | undefined][] = [
      [() => savePdf('I1', 'letter'), 'save_invoice_pdf', { invoiceId: 'I1', paper: 'letter' }],
      [() => sendInvoice('I1'), 'send_invoice', { invoiceId: 'I1' }],
      [() => exportData('payouts', '2026-01-01', '2026-12-31'), 'export_data', { kind: 'payouts', from: '2026-01-01', to: '2026-12-31' }],
      [() => exportInvoiceHistory('I1'), 'export_invoice_history', { invoiceId: 'I1' }],
      [() => createBackup('correct horse', true), 'create_backup', { passphrase: 'correct horse', includeSecrets: true }],
      [() => restoreBackup('correct horse'), 'restore_backup', { passphrase: 'correct horse' }],
      [() => listAutoBackups(), 'list_auto_backups', undefined],
      [() => restoreAutoBackup('/data/backups/a.pdbackup'), 'restore_auto_backup', { path: '/data/backups/a.pdbackup' }],
      [() => getRecovery(), 'get_recovery', undefined],
      [() => recoverFromAutoBackup('/data/backups/a.pdbackup'), 'recover_from_auto_backup', { path: '/data/backups/a.pdbackup' }],
      [() => recoverFromBackupFile('correct horse'), 'recover_from_backup_file', { passphrase: 'correct horse' }],
      [() => chooseLogo(), 'choose_logo', undefined],
      [() => clearLogo(), 'clear_logo', undefined],
      [() => getLogo(), 'get_logo', undefined],
    ];
    for (const [run, command, args] of calls) {
      await expect(run()).resolves.toBeNull();
      expect(invoke).toHaveBeenLastCalledWith(command, args);
    }
  });

  it('maps a wrong restore passphrase to a BackendError on passphrase', async () => {
    invoke.mockRejectedValue({ code: 'invalid_input', message: 'passphrase: wrong passphrase', field: 'passphrase' });
    const error = await restoreBackup('nope nope').catch((e) => e);
    expect(error).toBeInstanceOf(BackendError);
    expect([error.code, error.field, error.detail]).toEqual(['invalid_input', 'passphrase', 'Wrong passphrase']);
  });
});
