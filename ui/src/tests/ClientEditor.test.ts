import { render, screen, waitFor } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { client, ipcError } from './fixtures';

vi.mock('$lib/backend', async () => (await import('./backendMock')).backendMock());

import * as backend from '$lib/backend';
import { BackendError } from '$lib/backendError';
import { navigate, router } from '$lib/router.svelte';
import ClientEditor from '../screens/ClientEditor.svelte';

const api = vi.mocked(backend);

beforeEach(() => navigate({ name: 'client-editor', id: null }));

describe('client editor', () => {
  it('shows a field error from the backend next to that field', async () => {
    api.createClient.mockRejectedValue(
      new BackendError('invalid_input', 'email: must be a valid email address', 'email'),
    );
    render(ClientEditor, { id: null });

    await userEvent.type(screen.getByTestId('client-name'), 'Acme');
    await userEvent.type(screen.getByTestId('client-email'), 'not-an-email');
    await userEvent.click(screen.getByTestId('client-save'));

    const error = await screen.findByTestId('error-email');
    expect(error.textContent).toBe('Must be a valid email address');
    // The error belongs to the email input, not to the form.
    expect(screen.getByTestId('client-email').getAttribute('aria-describedby')).toBe(error.id);
    expect(screen.getByTestId('client-email').getAttribute('aria-invalid')).toBe('true');
    expect(screen.queryByTestId('form-error')).toBeNull();
    expect(screen.queryByTestId('error-name')).toBeNull();
  });

  it('shows an error without a field in the form banner, and clears stale errors on save', async () => {
    api.createClient
      .mockRejectedValueOnce(new BackendError('invalid_input', 'name: must not be empty', 'name'))
      .mockRejectedValueOnce(new BackendError('storage', 'The database is locked.', null));
    render(ClientEditor, { id: null });

    await userEvent.click(screen.getByTestId('client-save'));
    expect((await screen.findByTestId('error-name')).textContent).toBe('Must not be empty');

    await userEvent.click(screen.getByTestId('client-save'));
    expect((await screen.findByTestId('form-error')).textContent).toContain('The database is locked.');
    expect(screen.queryByTestId('error-name')).toBeNull();
  });

  it('saves with Enter and goes back to the client list', async () => {
    api.createClient.mockResolvedValue(client({ name: 'Acme' }));
    render(ClientEditor, { id: null });

    await userEvent.type(screen.getByTestId('client-name'), 'Acme{Enter}');

    await waitFor(() => expect(router.route).toEqual({ name: 'clients' }));
    expect(api.createClient).toHaveBeenCalledWith({ name: 'Acme', email: '', address: '', taxId: '', notes: '' });
  });

  it('edits an existing client with update_client', async () => {
    api.getClient.mockResolvedValue(client());
    api.updateClient.mockRejectedValue(ipcError('conflict', 'name: a client with this name exists', 'name'));
    render(ClientEditor, { id: '01CLIENTACME' });

    const name = (await screen.findByTestId('client-name')) as HTMLInputElement;
    await waitFor(() => expect(name.value).toBe('Acme Corp'));
    await userEvent.click(screen.getByTestId('client-save'));

    expect((await screen.findByTestId('error-name')).textContent).toBe('A client with this name exists');
    expect(api.updateClient).toHaveBeenCalledWith('01CLIENTACME', expect.objectContaining({ name: 'Acme Corp', email: 'ap@acme.test' }));
  });
});
