// The in-memory backend of `vite --mode mock` answers the document, export and backup commands.
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import * as backend from '$lib/backend';
import { installMockBackend } from '../dev/mockBackend';

beforeAll(() => installMockBackend());
afterEach(() => vi.restoreAllMocks());

const rejection = (promise: Promise<unknown>) => promise.then(() => null, (error) => error as backend.BackendError);

describe('mock backend: documents, exports and backups', () => {
  it('saves PDFs and sends an invoice once its link is live', async () => {
    const { items } = await backend.listInvoices({ status: null, search: null, sort: 'number', descending: false, limit: 1, offset: 0 });
    const id = items[0].id;
    const pdf = await backend.savePdf(id, 'a4');
    expect(pdf?.path).toMatch(/^\/home\/you\/Documents\/.+\.pdf$/);
    expect(pdf?.pages).toBeGreaterThanOrEqual(1);

    expect((await rejection(backend.sendInvoice(id)))?.field).toBe('link');
    await backend.requestLink(id, { redirectUrl: null, redirectLabel: null });
    const later = Date.now() + 10_000;
    vi.spyOn(Date, 'now').mockReturnValue(later);
    const sent = await backend.sendInvoice(id);
    expect(sent.pdfPath).toContain('documents/');
    expect((await backend.getInvoice(id)).sentAt).toBe(sent.sentAt);
  });

  it('checks export dates and backup passphrases', async () => {
    expect((await rejection(backend.exportData('invoices', '2026-12-31', '2026-01-01')))?.field).toBe('to');
    const year = new Date().getFullYear();
    const csv = await backend.exportData('invoices', `${year - 1}-01-01`, `${year}-12-31`);
    expect(csv?.rows).toBeGreaterThan(0);

    expect((await rejection(backend.createBackup('short', false)))?.field).toBe('passphrase');
    expect((await backend.createBackup('long enough', true))?.includesSecrets).toBe(true);
    const wrong = await rejection(backend.restoreBackup('wrong-passphrase'));
    expect([wrong?.code, wrong?.field]).toEqual(['invalid_input', 'passphrase']);
    expect((await backend.restoreBackup('long enough'))?.previousKeptAt).toBeTruthy();

    const auto = await backend.listAutoBackups();
    expect(auto).toHaveLength(3);
    expect(auto[0].createdAt > auto[1].createdAt).toBe(true);
    expect((await backend.restoreAutoBackup(auto[2].path)).backup.path).toBe(auto[2].path);
    expect((await rejection(backend.restoreAutoBackup('/etc/passwd')))?.field).toBe('path');
  });

  it('has no damaged books to recover unless ?damaged=1', async () => {
    expect(await backend.getRecovery()).toBeNull();
  });

  it('keeps the logo path', async () => {
    expect(await backend.getLogo()).toBeNull();
    const path = await backend.chooseLogo();
    expect(await backend.getLogo()).toBe(path);
    await backend.clearLogo();
    expect(await backend.getLogo()).toBeNull();
  });
});
