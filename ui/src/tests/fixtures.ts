// Sample IPC values for the UI tests, shaped exactly like docs/IPC.md.
import type {
  AppInfo,
  Contractor,
  NetworkInfo,
  Payout,
  PayoutReview,
  PayoutSummary,
  Client,
  Currency,
  Dashboard,
  Invoice,
  InvoiceSummary,
  LinkInfo,
  LinkState,
  PaymentSettings,
  PaymentStatus,
  SecretStatus,
  Settings,
  StatusEvent,
  SyncStatus,
  Totals,
  DeliveryRecord,
  WebhookStatus,
} from '$lib/types';

export const currencies: Currency[] = [
  { id: 'USDC-base', label: 'USDC on Base', decimals: 6, kind: 'crypto', network: 'base' },
  { id: 'EUR', label: 'Euro', decimals: 2, kind: 'fiat', network: null },
];

export const settings: Settings = {
  mode: 'test',
  defaultCurrency: 'EUR',
  numberingPattern: 'INV-{YYYY}-{SEQ:4}',
  defaultPaymentTermsDays: 14,
};

export function appInfo(overrides: Partial<AppInfo> = {}): AppInfo {
  return {
    version: '0.1.0',
    mode: 'test',
    dataDir: '/data',
    databasePath: '/data/test.sqlite3',
    keychain: { available: true, message: null },
    ...overrides,
  };
}

export function client(overrides: Partial<Client> = {}): Client {
  return {
    id: '01CLIENTACME',
    name: 'Acme Corp',
    email: 'ap@acme.test',
    address: '',
    taxId: '',
    notes: '',
    createdAt: '2026-01-01T00:00:00Z',
    updatedAt: '2026-01-01T00:00:00Z',
    invoiceCount: 0,
    ...overrides,
  };
}

export function summary(overrides: Partial<InvoiceSummary> = {}): InvoiceSummary {
  return {
    id: '01INVOICE0001',
    number: 'INV-2026-0001',
    status: 'issued',
    clientId: '01CLIENTACME',
    clientName: 'Acme Corp',
    currency: 'EUR',
    total: '1234.50',
    issueDate: '2026-03-01',
    dueDate: '2026-03-31',
    verifiedAt: null,
    ...overrides,
  };
}

export function totals(overrides: Partial<Totals> = {}): Totals {
  return {
    subtotal: '100.00',
    discount: '0.00',
    tax: '20.00',
    total: '120.00',
    lines: [{ amount: '100.00', discount: '0.00', net: '100.00', tax: '20.00' }],
    ...overrides,
  };
}

export function invoice(overrides: Partial<Invoice> = {}): Invoice {
  return {
    id: '01INVOICE0001',
    number: 'INV-2026-0001',
    status: 'draft',
    clientId: '01CLIENTACME',
    clientName: 'Acme Corp',
    currency: 'EUR',
    issueDate: '2026-03-01',
    dueDate: '2026-03-15',
    paymentTermsDays: 14,
    lines: [{ description: 'Design', quantity: '1', unitPrice: '100.00', taxRate: '20', discount: '0' }],
    discount: { kind: 'percent', value: '0' },
    notes: '',
    terms: '',
    totals: totals(),
    createdAt: '2026-03-01T10:00:00Z',
    updatedAt: '2026-03-01T10:00:00Z',
    voidedAt: null,
    verifiedAt: null,
    sentAt: null,
    ...overrides,
  };
}

export function secrets(overrides: Partial<SecretStatus> = {}): SecretStatus {
  return {
    keychainAvailable: true,
    message: null,
    apiKey: null,
    clientId: null,
    webhookSecret: null,
    ngrokAuthtoken: null,
    ...overrides,
  };
}

/** A promise settled from outside, to control the order in which answers arrive. */
export function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (reason: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** What a rejected invoke carries, per docs/IPC.md. */
export const ipcError = (code: string, message: string, field: string | null = null) => ({ code, message, field });

export const paymentSettings = (overrides: Partial<PaymentSettings> = {}): PaymentSettings => ({
  destinationId: null,
  useBoundDestination: false,
  payeeAddress: null,
  paymentCurrency: null,
  redirectUrl: null,
  redirectLabel: null,
  ...overrides,
});

export function linkInfo(overrides: Partial<LinkInfo> = {}): LinkInfo {
  return {
    url: 'http://127.0.0.1:47615/pay/tok_1',
    token: 'tok_1',
    createdAt: '2026-11-21T10:00:00Z',
    expiresAt: '2099-11-28T10:00:00Z',
    status: 'live',
    amount: '541.80',
    currency: 'EUR',
    redirectUrl: null,
    redirectLabel: null,
    ...overrides,
  };
}

export function linkState(overrides: Partial<LinkState> = {}): LinkState {
  const state = overrides.state ?? 'none';
  return {
    invoiceId: '01INVOICE0001',
    state,
    link: null,
    pending: null,
    message: null,
    history: [],
    locked: state === 'live' || state === 'queued',
    ...overrides,
  };
}

/** An RFC 3339 timestamp `minutes` before now. */
export const minutesAgo = (minutes: number) => new Date(Date.now() - minutes * 60_000).toISOString();

export function statusEvent(overrides: Partial<StatusEvent> = {}): StatusEvent {
  return {
    at: '2026-11-21T10:00:00Z',
    source: 'poll',
    observed: 'open',
    detail: null,
    applied: true,
    payState: 'open',
    ...overrides,
  };
}

export function paymentStatus(overrides: Partial<PaymentStatus> = {}): PaymentStatus {
  return {
    invoiceId: '01INVOICE0001',
    invoiceStatus: 'issued',
    payState: 'open',
    currency: 'EUR',
    total: '120.00',
    amountPaid: null,
    amountLeft: null,
    txHash: null,
    paidAt: null,
    verifiedAt: null,
    nextCheckAt: '2099-11-21T10:05:00Z',
    lastError: null,
    events: [],
    activity: [],
    ...overrides,
  };
}

export function syncStatus(overrides: Partial<SyncStatus> = {}): SyncStatus {
  return {
    online: true,
    offlineSince: null,
    lastTickAt: '2026-11-21T10:00:00Z',
    lastError: null,
    openLinks: 0,
    dueNow: 0,
    rateLimitPerSec: 5,
    ...overrides,
  };
}

export function dashboard(overrides: Partial<Dashboard> = {}): Dashboard {
  return { totals: [], attention: [], ...overrides };
}

export function delivery(overrides: Partial<DeliveryRecord> = {}): DeliveryRecord {
  return {
    at: '2026-11-21T10:00:00Z',
    deliveryId: 'dlv_1',
    event: 'payment.confirmed',
    retryCount: '0',
    verified: true,
    outcome: 'applied',
    detail: null,
    status: 200,
    ...overrides,
  };
}

/** Webhooks on, cloudflared up, registered automatically (a client id is saved). */
export function webhookStatus(overrides: Partial<WebhookStatus> = {}): WebhookStatus {
  return {
    config: { enabled: true, tunnel: 'cloudflared', binaryPath: null, publicUrl: null, port: null },
    receiver: { state: 'listening', address: '127.0.0.1:47620', error: null },
    tunnel: { state: 'up', publicUrl: 'https://quiet-river.trycloudflare.com', attempt: 1, error: null, retryAt: null },
    registration: { state: 'registered', webhookId: 'wh_1', url: 'https://quiet-river.trycloudflare.com/hooks/abc123', error: null },
    endpointUrl: 'https://quiet-river.trycloudflare.com/hooks/abc123',
    secret: '••••9f3a',
    canRegister: true,
    deliveries: [],
    ...overrides,
  };
}

export function networks(): NetworkInfo[] {
  return [
    { id: 'mainnet', label: 'Ethereum', evm: true },
    { id: 'base', label: 'Base', evm: true },
    { id: 'arbitrum-one', label: 'Arbitrum One', evm: true },
    { id: 'tron', label: 'Tron', evm: false },
  ];
}

export const payoutCurrencies: Currency[] = [
  { id: 'USDC-base', label: 'USDC on Base', decimals: 6, kind: 'crypto', network: 'base' },
  { id: 'ETH-base', label: 'ETH on Base', decimals: 18, kind: 'crypto', network: 'base' },
  { id: 'USDC-mainnet', label: 'USDC on Ethereum', decimals: 6, kind: 'crypto', network: 'mainnet' },
  { id: 'USDT-tron', label: 'USDT on Tron', decimals: 6, kind: 'crypto', network: 'tron' },
  { id: 'EUR', label: 'Euro', decimals: 2, kind: 'fiat', network: null },
];

export const EVM_ADDRESS = '0x52908400098527886E0F7030069857D2E4169EE7';
export const EVM_ADDRESS_2 = '0x8617E340B3D01FA5F11F306F4090FD50E238070D';

export function contractor(overrides: Partial<Contractor> = {}): Contractor {
  return {
    id: '01CONTRACTORADA',
    name: 'Ada Lovelace',
    email: 'ada@example.test',
    network: 'base',
    address: EVM_ADDRESS,
    defaultCurrency: 'USDC-base',
    addressChangedAt: null,
    payoutCount: 2,
    createdAt: '2026-01-01T00:00:00Z',
    updatedAt: '2026-01-01T00:00:00Z',
    ...overrides,
  };
}

export function payout(overrides: Partial<Payout> = {}): Payout {
  return {
    id: '01PAYOUT0001',
    number: 'PO-0001',
    state: 'draft',
    contractorId: '01CONTRACTORADA',
    contractorName: 'Ada Lovelace',
    network: 'base',
    address: EVM_ADDRESS,
    currency: 'USDC-base',
    amount: '250.00',
    reference: 'October',
    memo: null,
    invoiceId: null,
    invoiceNumber: null,
    addressChanged: false,
    approvedAt: null,
    approvedBy: null,
    link: null,
    txHash: null,
    paidAt: null,
    batchId: null,
    message: null,
    createdAt: '2026-11-20T10:00:00Z',
    history: [{ at: '2026-11-20T10:00:00Z', action: 'drafted', actor: 'sam', detail: null }],
    ...overrides,
  };
}

export function payoutSummary(overrides: Partial<PayoutSummary> = {}): PayoutSummary {
  return {
    id: '01PAYOUT0001',
    number: 'PO-0001',
    state: 'live',
    contractorName: 'Ada Lovelace',
    network: 'base',
    currency: 'USDC-base',
    amount: '250.00',
    addressChanged: false,
    createdAt: '2026-11-20T10:00:00Z',
    ...overrides,
  };
}

export function payoutReview(overrides: Partial<PayoutReview> = {}): PayoutReview {
  const p = overrides.payout ?? payout();
  return {
    payout: p,
    contractorName: p.contractorName,
    address: p.address,
    network: p.network,
    networkLabel: 'Base',
    currency: p.currency,
    amount: p.amount,
    addressChanged: false,
    previousAddress: null,
    creatorWallet: EVM_ADDRESS_2,
    problems: [],
    ...overrides,
  };
}
