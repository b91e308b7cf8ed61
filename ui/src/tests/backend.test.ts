import { beforeEach, describe, expect, it, vi } from 'vitest';

const invoke = vi.fn();
vi.mock('@tauri-apps/api/core', () => ({ invoke: (...args: unknown[]) => invoke(...args) }));

import { BackendError, createClient, listInvoices, setSecret, toBackendError } from '$lib/backend';

beforeEach(() => {
  invoke.mockReset();
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
