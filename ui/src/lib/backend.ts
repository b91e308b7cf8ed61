// The only module that talks to the desktop shell. Every command of docs/IPC.md has one typed
// function here; every rejection becomes a BackendError. Tests mock this module.
import { invoke } from '@tauri-apps/api/core';
import { listen } from '@tauri-apps/api/event';
import { BackendError, toBackendError } from './backendError';
import type {
  AppInfo,
  AutoBackup,
  BackupInfo,
  ExportKind,
  ExportResult,
  Paper,
  Recovery,
  RestoreResult,
  SavedFile,
  SavedPdf,
  SentInvoice,
  Batch,
  Contractor,
  ContractorDetail,
  ContractorInput,
  NetworkInfo,
  Payout,
  PayoutChanged,
  PayoutInput,
  PayoutReview,
  PayoutSettings,
  PayoutState,
  PayoutSummary,
  BusinessProfile,
  Client,
  ClientInput,
  Currency,
  Dashboard,
  Invoice,
  InvoiceInput,
  InvoicePage,
  InvoiceQuery,
  LinkRequest,
  LinkState,
  Mode,
  PaymentSettings,
  PaymentStatus,
  PaymentStatusChanged,
  SecretKind,
  SendTestResult,
  SecretStatus,
  Settings,
  SettingsInput,
  SyncStatus,
  Totals,
  TotalsInput,
  WebhookConfig,
  WebhookStatus,
} from './types';

export * from './types';
export { BackendError, toBackendError };
export type { ErrorCode } from './backendError';

/** How a command reaches the backend: Tauri's invoke, or the in-memory backend of `vite --mode mock`. */
export type Transport = (command: string, args?: Record<string, unknown>) => Promise<unknown>;

let transport: Transport = invoke;

/** Replaces the transport; only the browser preview (src/dev) calls this. */
export function useTransport(next: Transport): void {
  transport = next;
}

/** Stops a subscription. */
export type Unlisten = () => void;
/** How an event reaches the UI: Tauri's listen, or the in-memory backend of `vite --mode mock`. */
export type EventSource = (event: string, handler: (payload: unknown) => void) => Promise<Unlisten>;

let events: EventSource = (event, handler) => listen(event, (e) => handler(e.payload));

/** Replaces the event source; only the browser preview (src/dev) calls this. */
export function useEventSource(next: EventSource): void {
  events = next;
}

/**
 * Subscribes to a shell event. Outside the desktop shell (tests, plain browser) listen fails;
 * then nothing arrives and the returned unlisten does nothing, so callers never need a guard.
 */
async function subscribe<T>(event: string, handler: (payload: T) => void): Promise<Unlisten> {
  try {
    const unlisten = await events(event, (payload) => handler(payload as T));
    return typeof unlisten === 'function' ? unlisten : () => {};
  } catch {
    return () => {};
  }
}

async function call<T>(command: string, args?: Record<string, unknown>): Promise<T> {
  try {
    return (await transport(command, args)) as T;
  } catch (raw) {
    throw toBackendError(raw);
  }
}

export const appInfo = () => call<AppInfo>('app_info');
export const listCurrencies = () => call<Currency[]>('list_currencies');

export const getSettings = () => call<Settings>('get_settings');
export const updateSettings = (input: SettingsInput) => call<Settings>('update_settings', { input });
export const setMode = (mode: Mode) => call<AppInfo>('set_mode', { mode });

export const getProfile = () => call<BusinessProfile>('get_profile');
export const updateProfile = (input: BusinessProfile) => call<BusinessProfile>('update_profile', { input });

export const listClients = (search: string | null) => call<Client[]>('list_clients', { search });
export const getClient = (id: string) => call<Client>('get_client', { id });
export const createClient = (input: ClientInput) => call<Client>('create_client', { input });
export const updateClient = (id: string, input: ClientInput) => call<Client>('update_client', { id, input });

export const listInvoices = (query: InvoiceQuery) => call<InvoicePage>('list_invoices', { query });
export const getInvoice = (id: string) => call<Invoice>('get_invoice', { id });
export const createInvoice = (input: InvoiceInput) => call<Invoice>('create_invoice', { input });
export const updateInvoice = (id: string, input: InvoiceInput) => call<Invoice>('update_invoice', { id, input });
export const voidInvoice = (id: string) => call<Invoice>('void_invoice', { id });
export const duplicateInvoice = (id: string) => call<Invoice>('duplicate_invoice', { id });
export const computeTotals = (input: TotalsInput) => call<Totals>('compute_totals', { input });

export const secretStatus = () => call<SecretStatus>('secret_status');
export const setSecret = (kind: SecretKind, value: string) => call<SecretStatus>('set_secret', { kind, value });
export const deleteSecret = (kind: SecretKind) => call<SecretStatus>('delete_secret', { kind });

export const getPaymentSettings = () => call<PaymentSettings>('get_payment_settings');
export const updatePaymentSettings = (input: PaymentSettings) =>
  call<PaymentSettings>('update_payment_settings', { input });
export const requestLink = (invoiceId: string, options: LinkRequest) =>
  call<LinkState>('request_link', { invoiceId, ...options });
export const reissueLink = (invoiceId: string, options: LinkRequest) =>
  call<LinkState>('reissue_link', { invoiceId, ...options });
export const voidLink = (invoiceId: string) => call<LinkState>('void_link', { invoiceId });
export const getLinkState = (invoiceId: string) => call<LinkState>('get_link_state', { invoiceId });
/** The SVG markup of the live link's QR code. */
export const linkQrSvg = (invoiceId: string) => call<string>('link_qr_svg', { invoiceId });
/** Open the live link in the default browser, or a mail draft to the client; the URL opened. */
export const openLink = (invoiceId: string, target: 'browser' | 'email') =>
  call<string>('open_link', { invoiceId, target });

/** The paid status of one invoice; also marks it "being looked at" (polled more often for 10 min). */
export const getPaymentStatus = (invoiceId: string) => call<PaymentStatus>('get_payment_status', { invoiceId });
/** One immediate poll of the invoice's link (within the rate limit), then its paid status. */
export const checkNow = (invoiceId: string) => call<PaymentStatus>('check_now', { invoiceId });
export const getSyncStatus = () => call<SyncStatus>('get_sync_status');
export const getDashboard = () => call<Dashboard>('get_dashboard');

/** `payment-status-changed`: a poll or webhook moved an invoice forward. */
export const onPaymentStatusChanged = (handler: (event: PaymentStatusChanged) => void) =>
  subscribe<PaymentStatusChanged>('payment-status-changed', handler);
/** `sync-status`: online/offline changed, or a scheduler tick did work. */
export const onSyncStatus = (handler: (status: SyncStatus) => void) => subscribe<SyncStatus>('sync-status', handler);

/** The webhook receiver, tunnel and registration, and this session's deliveries. */
export const getWebhookStatus = () => call<WebhookStatus>('get_webhook_status');
/** Saves the webhook settings and (re)starts what they need; field errors name publicUrl, port, binaryPath or tunnel. */
export const setWebhookConfig = (config: WebhookConfig) => call<WebhookStatus>('set_webhook_config', { config });
/** Asks Request to send a test event to the registered webhook (needs a client id). */
export const sendTestWebhook = () => call<SendTestResult>('send_test_webhook');
/** `webhook-status`: the receiver, tunnel or registration changed, or a delivery arrived. */
export const onWebhookStatus = (handler: (status: WebhookStatus) => void) =>
  subscribe<WebhookStatus>('webhook-status', handler);

// Contractors and payouts.

export const listNetworks = () => call<NetworkInfo[]>('list_networks');
/** Contractors by name; search null = all. */
export const listContractors = (search: string | null) => call<Contractor[]>('list_contractors', { search });
export const getContractor = (id: string) => call<ContractorDetail>('get_contractor', { id });
export const createContractor = (input: ContractorInput) => call<Contractor>('create_contractor', { input });
/** A new address or network is `conflict` on `address` unless `confirmAddressChange` is true. */
export const updateContractor = (id: string, input: ContractorInput, confirmAddressChange: boolean) =>
  call<Contractor>('update_contractor', { id, input, confirmAddressChange });

export const getPayoutSettings = () => call<PayoutSettings>('get_payout_settings');
export const updatePayoutSettings = (input: PayoutSettings) =>
  call<PayoutSettings>('update_payout_settings', { input });

/** Newest first; state null = all. */
export const listPayouts = (state: PayoutState | null) => call<PayoutSummary[]>('list_payouts', { state });
export const getPayout = (id: string) => call<Payout>('get_payout', { id });
export const createPayout = (input: PayoutInput) => call<Payout>('create_payout', { input });
/** Drafts only. */
export const updatePayout = (id: string, input: PayoutInput) => call<Payout>('update_payout', { id, input });
export const reviewPayout = (id: string) => call<PayoutReview>('review_payout', { id });
/** `address` must be exactly the one the review showed. */
export const approvePayout = (id: string, address: string) => call<Payout>('approve_payout', { id, address });
export const cancelPayout = (id: string) => call<Payout>('cancel_payout', { id });
/** Opens the payout link to sign with the wallet; the URL handed to the OS opener. */
export const openPayoutLink = (id: string) => call<string>('open_payout_link', { id });
/** The SVG markup of the payout link's QR code. */
export const payoutQrSvg = (id: string) => call<string>('payout_qr_svg', { id });
/** Combines 2+ live EVM payouts on one network into one batch link. */
export const batchPayouts = (ids: string[]) => call<Batch>('batch_payouts', { ids });
/** `payout-changed`: the background sender or the poller moved a payout. */
export const onPayoutChanged = (handler: (event: PayoutChanged) => void) =>
  subscribe<PayoutChanged>('payout-changed', handler);

// Documents, exports and backups. The shell opens the OS file dialog; null = the user cancelled it.

/** Saves the invoice as a PDF where the user chooses (the PDF shows the live link and its QR). */
export const savePdf = (invoiceId: string, paper: Paper) =>
  call<SavedPdf | null>('save_invoice_pdf', { invoiceId, paper });
/** Writes the PDF to documents/<mode>/ (printed again when the link is re-issued or voided), opens a mail draft and marks the invoice sent; `conflict` on `link` without a live link. */
export const sendInvoice = (invoiceId: string) => call<SentInvoice>('send_invoice', { invoiceId });
/** A CSV of `kind` between `from` and `to` (YYYY-MM-DD, inclusive); errors on `from`, `to`. */
export const exportData = (kind: ExportKind, from: string, to: string) =>
  call<ExportResult | null>('export_data', { kind, from, to });
/** The invoice's whole history as JSON. */
export const exportInvoiceHistory = (invoiceId: string) =>
  call<SavedFile | null>('export_invoice_history', { invoiceId });
/** An encrypted backup of the current mode's books; errors on `passphrase` (at least 8 characters). */
export const createBackup = (passphrase: string, includeSecrets: boolean) =>
  call<BackupInfo | null>('create_backup', { passphrase, includeSecrets });
/** Replaces the current mode's books with a chosen backup; errors on `passphrase` / `backup`. Reload after. */
export const restoreBackup = (passphrase: string) => call<RestoreResult | null>('restore_backup', { passphrase });
/** Newest first. */
export const listAutoBackups = () => call<AutoBackup[]>('list_auto_backups');
/** `path` must be one of list_auto_backups. Reload after. */
export const restoreAutoBackup = (path: string) => call<RestoreResult>('restore_auto_backup', { path });
/** Why the books did not open at start, when they are damaged; null when they opened or failed otherwise. */
export const getRecovery = () => call<Recovery | null>('get_recovery');
/** Replaces the damaged books with `path`, one of Recovery.backups. Reload app_info after. */
export const recoverFromAutoBackup = (path: string) => call<RestoreResult>('recover_from_auto_backup', { path });
/** Replaces the damaged books with a chosen backup file; null when the dialog was cancelled. Errors on `passphrase` / `backup`. */
export const recoverFromBackupFile = (passphrase: string) =>
  call<RestoreResult | null>('recover_from_backup_file', { passphrase });
/** Opens a dialog for a PNG or JPEG logo; its path, or null when cancelled. */
export const chooseLogo = () => call<string | null>('choose_logo');
export const clearLogo = () => call<null>('clear_logo');
/** The logo's path, or null when none is set. */
export const getLogo = () => call<string | null>('get_logo');
