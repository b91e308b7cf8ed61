import { render, screen, waitFor, within } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { appInfo, delivery, secrets, webhookStatus } from './fixtures';

vi.mock('$lib/backend', async () => (await import('./backendMock')).backendMock());

import * as backend from '$lib/backend';
import { BackendError } from '$lib/backendError';
import { app } from '$lib/appState.svelte';
import { navigate } from '$lib/router.svelte';
import { toasts } from '$lib/toasts.svelte';
import type { WebhookStatus } from '$lib/types';
import App from '../App.svelte';
import Webhooks from '../screens/Webhooks.svelte';

const api = vi.mocked(backend);
const text = (testid: string) => screen.getByTestId(testid).textContent?.replace(/\s+/g, ' ').trim();
const button = (testid: string) => screen.getByTestId(testid) as HTMLButtonElement;

/** No client id: the endpoint must be pasted in Request's dashboard by hand. */
const manual = (overrides: Partial<WebhookStatus> = {}) =>
  webhookStatus({
    registration: { state: 'manual', webhookId: null, url: null, error: null },
    canRegister: false,
    secret: null,
    ...overrides,
  });

beforeEach(() => {
  toasts.splice(0);
  app.info = appInfo();
  app.error = null;
  api.secretStatus.mockResolvedValue(secrets());
  api.getWebhookStatus.mockResolvedValue(webhookStatus());
});

describe('webhooks screen: status', () => {
  it('is reachable from the sidebar', async () => {
    navigate({ name: 'invoices' });
    api.appInfo.mockResolvedValue(appInfo());
    api.listInvoices.mockResolvedValue({ items: [], total: 0 });
    api.listClients.mockResolvedValue([]);
    render(App);

    await userEvent.click(await screen.findByTestId('nav-webhooks'));

    expect(await screen.findByRole('heading', { level: 1, name: 'Webhooks' })).toBeTruthy();
    expect(screen.getByTestId('nav-webhooks').getAttribute('aria-current')).toBe('page');
    expect(text('webhooks-intro')).toMatch(/polling/i);
    await waitFor(() => expect(text('webhooks-tunnel-state')).toContain('Up'));
  });

  it('shows a tunnel that is up and a webhook registered with Request', async () => {
    render(Webhooks);

    await waitFor(() => expect(screen.getByTestId('webhooks-tunnel-state').dataset.state).toBe('up'));
    expect(text('webhooks-tunnel-state')).toBe('Up https://quiet-river.trycloudflare.com');
    expect(text('webhooks-receiver-state')).toBe('Listening 127.0.0.1:47620');
    expect(text('webhooks-registration-state')).toContain('Registered with Request');
    expect(text('webhooks-registered-url')).toBe('https://quiet-river.trycloudflare.com/hooks/abc123');
    expect(text('webhooks-endpoint')).toBe('https://quiet-river.trycloudflare.com/hooks/abc123');
    expect(text('webhooks-secret')).toBe('••••9f3a');
    // Registered automatically: no manual instructions, no signing secret to paste.
    expect(screen.queryByTestId('webhooks-manual')).toBeNull();
    expect(screen.queryByTestId('secret-webhookSecret')).toBeNull();
    // The form reflects the saved config.
    expect((screen.getByTestId('webhooks-enabled') as HTMLInputElement).checked).toBe(true);
    expect((screen.getByTestId('webhooks-tunnel') as HTMLSelectElement).value).toBe('cloudflared');
    expect(screen.queryByTestId('webhooks-public-url')).toBeNull();
    expect((screen.getByTestId('webhooks-binary-path') as HTMLInputElement).placeholder).toBe('found on PATH');
    expect((screen.getByTestId('webhooks-port') as HTMLInputElement).placeholder).toBe('automatic');
    expect(button('webhooks-test').disabled).toBe(false);
  });

  it('without a client id shows the endpoint URL to paste, with a copy button and the signing secret field', async () => {
    api.getWebhookStatus.mockResolvedValue(manual());
    const writeText = vi.fn(async () => {});
    Object.defineProperty(navigator, 'clipboard', { value: { writeText }, configurable: true });
    render(Webhooks);

    const panel = await screen.findByTestId('webhooks-manual');
    expect(panel.textContent).toContain(
      "Paste this URL in Request's dashboard (Webhooks), then paste the signing secret it shows here",
    );
    expect(text('webhooks-endpoint')).toBe('https://quiet-river.trycloudflare.com/hooks/abc123');
    expect(screen.getByTestId('webhooks-registration-state').dataset.state).toBe('manual');
    expect(text('webhooks-secret')).toBe('Not set');
    const secretInput = within(panel).getByTestId('secret-webhookSecret') as HTMLInputElement;
    expect(secretInput.type).toBe('password');

    await userEvent.click(screen.getByTestId('webhooks-copy-endpoint'));
    expect(writeText).toHaveBeenCalledWith('https://quiet-river.trycloudflare.com/hooks/abc123');
    expect(toasts.map((t) => t.text)).toContain('Endpoint URL copied');
  });

  it('saves the pasted signing secret under the webhookSecret kind and shows it masked', async () => {
    api.getWebhookStatus.mockResolvedValueOnce(manual()).mockResolvedValue(manual({ secret: '••••c0de' }));
    api.setSecret.mockResolvedValue(secrets({ webhookSecret: '••••c0de' }));
    render(Webhooks);

    const input = await screen.findByTestId('secret-webhookSecret');
    await userEvent.type(input, 'whsec_abcdefc0de');
    await userEvent.click(screen.getByTestId('secret-webhookSecret-save'));

    expect(api.setSecret).toHaveBeenCalledWith('webhookSecret', 'whsec_abcdefc0de');
    await waitFor(() => expect(text('webhooks-secret')).toBe('••••c0de'));
    expect(text('secret-webhookSecret-masked')).toBe('••••c0de');
    expect(document.body.textContent).not.toContain('whsec_abcdefc0de');
  });

  it('shows why a failed tunnel failed', async () => {
    api.getWebhookStatus.mockResolvedValue(
      webhookStatus({
        tunnel: { state: 'failed', publicUrl: null, attempt: 5, error: 'cloudflared not found on PATH', retryAt: null },
        registration: { state: 'off', webhookId: null, url: null, error: null },
        endpointUrl: null,
      }),
    );
    render(Webhooks);

    await waitFor(() => expect(screen.getByTestId('webhooks-tunnel-state').dataset.state).toBe('failed'));
    expect(text('webhooks-tunnel-state')).toContain('Failed');
    expect(text('webhooks-tunnel-state')).toContain('cloudflared not found on PATH');
    expect(text('webhooks-tunnel-state')).toContain('after 5 attempts');
    expect(screen.queryByTestId('webhooks-endpoint')).toBeNull();
    expect(button('webhooks-test').disabled).toBe(true);
    expect(text('webhooks-test-hint')).toMatch(/tunnel/i);
  });

  it('shows a retrying tunnel with its attempt, error and next try', async () => {
    const retryAt = '2026-11-21T10:05:30Z';
    api.getWebhookStatus.mockResolvedValue(
      webhookStatus({
        tunnel: { state: 'retrying', publicUrl: null, attempt: 3, error: 'connection refused', retryAt },
        registration: { state: 'pending', webhookId: null, url: null, error: null },
      }),
    );
    render(Webhooks);

    await waitFor(() => expect(screen.getByTestId('webhooks-tunnel-state').dataset.state).toBe('retrying'));
    const state = text('webhooks-tunnel-state');
    expect(state).toContain('attempt 3');
    expect(state).toContain('connection refused');
    expect(state).toContain(`retrying at ${new Date(retryAt).toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit' })}`);
  });

  it('follows the webhook-status event while mounted and stops listening when closed', async () => {
    const stop = vi.fn();
    let push: ((status: WebhookStatus) => void) | null = null;
    api.onWebhookStatus.mockImplementation(async (handler) => {
      push = handler;
      return stop;
    });
    const { unmount } = render(Webhooks);
    await waitFor(() => expect(text('webhooks-tunnel-state')).toContain('Up'));
    await waitFor(() => expect(push).not.toBeNull());

    push!(webhookStatus({ tunnel: { state: 'starting', publicUrl: null, attempt: 1, error: null, retryAt: null } }));
    await waitFor(() => expect(screen.getByTestId('webhooks-tunnel-state').dataset.state).toBe('starting'));
    expect(text('webhooks-tunnel-state')).toContain('Starting');

    unmount();
    expect(stop).toHaveBeenCalledTimes(1);
  });
});

describe('webhooks screen: config form', () => {
  it('saves the config for a manual URL and shows the publicUrl error from the backend at the field', async () => {
    api.setWebhookConfig
      .mockRejectedValueOnce(new BackendError('invalid_input', 'publicUrl: must be an https URL', 'publicUrl'))
      .mockResolvedValue(
        webhookStatus({ config: { enabled: true, tunnel: 'manual', binaryPath: null, publicUrl: 'https://hooks.acme.test', port: 48000 } }),
      );
    api.getWebhookStatus.mockResolvedValue(
      webhookStatus({ config: { enabled: false, tunnel: 'cloudflared', binaryPath: '/opt/cloudflared', publicUrl: null, port: null } }),
    );
    render(Webhooks);

    const enabled = (await screen.findByTestId('webhooks-enabled')) as HTMLInputElement;
    expect(enabled.checked).toBe(false);
    await userEvent.click(enabled);
    await userEvent.selectOptions(screen.getByTestId('webhooks-tunnel'), 'manual');
    // The binary path belongs to cloudflared/ngrok; the public URL only to "My own URL".
    expect(screen.queryByTestId('webhooks-binary-path')).toBeNull();
    const url = screen.getByTestId('webhooks-public-url');
    await userEvent.type(url, 'http://hooks.acme.test');
    await userEvent.type(screen.getByTestId('webhooks-port'), '48000');
    await userEvent.click(screen.getByTestId('webhooks-save'));

    await waitFor(() => expect(text('error-publicUrl')).toBe('Must be an https URL'));
    expect(url.getAttribute('aria-invalid')).toBe('true');
    expect(url.getAttribute('aria-describedby')).toBe('error-publicUrl');
    expect(api.setWebhookConfig).toHaveBeenCalledWith({
      enabled: true,
      tunnel: 'manual',
      binaryPath: null,
      publicUrl: 'http://hooks.acme.test',
      port: 48000,
    });

    await userEvent.clear(url);
    expect(screen.queryByTestId('error-publicUrl')).toBeNull();
    await userEvent.type(url, 'https://hooks.acme.test');
    await userEvent.click(screen.getByTestId('webhooks-save'));

    await waitFor(() => expect(toasts.map((t) => t.text)).toContain('Webhook settings saved'));
    expect(api.setWebhookConfig).toHaveBeenLastCalledWith({
      enabled: true,
      tunnel: 'manual',
      binaryPath: null,
      publicUrl: 'https://hooks.acme.test',
      port: 48000,
    });
    expect(screen.queryByTestId('error-publicUrl')).toBeNull();
  });

  it('sends the binary path and an automatic port, and shows a port error at the field', async () => {
    api.setWebhookConfig.mockRejectedValue(new BackendError('invalid_input', 'port: must be between 1024 and 65535', 'port'));
    render(Webhooks);

    await userEvent.type(await screen.findByTestId('webhooks-binary-path'), '  /usr/local/bin/cloudflared ');
    await userEvent.click(screen.getByTestId('webhooks-save'));
    await waitFor(() => expect(text('error-port')).toBe('Must be between 1024 and 65535'));
    expect(api.setWebhookConfig).toHaveBeenCalledWith({
      enabled: true,
      tunnel: 'cloudflared',
      binaryPath: '/usr/local/bin/cloudflared',
      publicUrl: null,
      port: null,
    });
  });

  it('does not send a port that is not a number', async () => {
    render(Webhooks);
    await userEvent.type(await screen.findByTestId('webhooks-port'), '80a');
    await userEvent.click(screen.getByTestId('webhooks-save'));
    expect(text('error-port')).toMatch(/whole number/);
    expect(api.setWebhookConfig).not.toHaveBeenCalled();
  });

  it('asks for the ngrok authtoken only when ngrok is chosen', async () => {
    api.secretStatus.mockResolvedValue(secrets({ ngrokAuthtoken: '••••t0ke' }));
    render(Webhooks);
    const tunnel = await screen.findByTestId('webhooks-tunnel');
    expect(screen.queryByTestId('secret-ngrokAuthtoken')).toBeNull();

    await userEvent.selectOptions(tunnel, 'ngrok');

    expect(screen.getByTestId('secret-ngrokAuthtoken')).toBeTruthy();
    expect(text('secret-ngrokAuthtoken-masked')).toBe('••••t0ke');
    expect(screen.getByLabelText('ngrok binary')).toBe(screen.getByTestId('webhooks-binary-path'));
  });
});

describe('webhooks screen: test event', () => {
  it('is disabled without a client id and says why', async () => {
    api.getWebhookStatus.mockResolvedValue(manual());
    render(Webhooks);
    await screen.findByTestId('webhooks-manual');

    expect(button('webhooks-test').disabled).toBe(true);
    expect(text('webhooks-test-hint')).toMatch(/client ID/);
    await userEvent.click(button('webhooks-test'));
    expect(api.sendTestWebhook).not.toHaveBeenCalled();
  });

  it('is disabled until the webhook is registered', async () => {
    api.getWebhookStatus.mockResolvedValue(
      webhookStatus({ registration: { state: 'pending', webhookId: null, url: null, error: null } }),
    );
    render(Webhooks);
    await waitFor(() => expect(text('webhooks-registration-state')).toContain('Registering'));
    expect(button('webhooks-test').disabled).toBe(true);
    expect(text('webhooks-test-hint')).toMatch(/registered/);
  });

  it('sends a test event and shows the message in a toast', async () => {
    api.sendTestWebhook.mockResolvedValue({ message: 'Test event sent to Request' });
    render(Webhooks);
    await waitFor(() => expect(button('webhooks-test').disabled).toBe(false));

    await userEvent.click(button('webhooks-test'));

    expect(api.sendTestWebhook).toHaveBeenCalledTimes(1);
    await waitFor(() => expect(toasts.map((t) => t.text)).toContain('Test event sent to Request'));
  });

  it('shows a failed test as an error toast', async () => {
    api.sendTestWebhook.mockRejectedValue(new BackendError('internal', 'Request API unavailable (503)'));
    render(Webhooks);
    await waitFor(() => expect(button('webhooks-test').disabled).toBe(false));

    await userEvent.click(button('webhooks-test'));

    await waitFor(() => expect(toasts).toHaveLength(1));
    expect(toasts[0]).toMatchObject({ kind: 'error', text: 'Request API unavailable (503)' });
  });
});

describe('webhooks screen: last deliveries', () => {
  it('has an empty state', async () => {
    render(Webhooks);
    expect((await screen.findByTestId('webhook-deliveries-empty')).textContent).toMatch(/No webhook deliveries yet/);
    expect(screen.queryAllByTestId('webhook-delivery')).toHaveLength(0);
  });

  it('labels every outcome and shows verification, HTTP status and why it was rejected', async () => {
    const outcomes = [
      ['applied', 'Applied'],
      ['duplicate', 'Duplicate (ignored)'],
      ['test', 'Test'],
      ['rejected', 'Rejected'],
      ['unknown_request', 'Unknown request'],
      ['user_event', 'Client activity'],
      ['noted', 'Noted'],
      ['ignored', 'Ignored'],
      ['error', 'Error'],
    ] as const;
    api.getWebhookStatus.mockResolvedValue(
      webhookStatus({
        deliveries: outcomes.map(([outcome], i) =>
          delivery({
            deliveryId: `dlv_${i}`,
            outcome,
            verified: outcome !== 'rejected',
            status: outcome === 'rejected' ? 401 : outcome === 'error' ? 500 : 200,
            detail: outcome === 'rejected' ? 'bad signature' : null,
            event: outcome === 'user_event' ? 'payment.user_event' : 'payment.confirmed',
          }),
        ),
      }),
    );
    render(Webhooks);

    await waitFor(() => expect(screen.getAllByTestId('webhook-delivery')).toHaveLength(outcomes.length));
    const rows = screen.getAllByTestId('webhook-delivery');
    rows.forEach((row, i) => {
      expect(within(row).getByTestId('webhook-delivery-outcome').textContent?.trim()).toBe(outcomes[i][1]);
      expect(row.dataset.outcome).toBe(outcomes[i][0]);
    });
    const rejected = rows[3];
    expect(within(rejected).getByTestId('webhook-delivery-verified').textContent).toContain('✗');
    expect(within(rejected).getByTestId('webhook-delivery-status').textContent).toBe('401');
    expect(within(rejected).getByTestId('webhook-delivery-detail').textContent).toContain('bad signature');
    expect(within(rows[0]).getByTestId('webhook-delivery-verified').textContent).toContain('✓');
    expect(within(rows[0]).getByTestId('webhook-delivery-status').textContent).toBe('200');
    expect(rows[5].textContent).toContain('payment.user_event');
    expect(rows[0].querySelector('time')?.getAttribute('datetime')).toBe('2026-11-21T10:00:00Z');
    expect(screen.queryByTestId('webhook-deliveries-empty')).toBeNull();
  });
});
