// The factory for vi.mock('$lib/backend'): every command a vi.fn, BackendError the real class.
import { vi } from 'vitest';

export async function backendMock() {
  const errors = await import('$lib/backendError');
  const { dashboard, paymentStatus, syncStatus } = await import('./fixtures');
  // Screens that are not under test still load these; they default to a quiet, online backend.
  const noSubscription = async () => () => {};
  return {
    ...errors,
    useTransport: vi.fn(),
    appInfo: vi.fn(),
    listCurrencies: vi.fn(),
    getSettings: vi.fn(),
    updateSettings: vi.fn(),
    setMode: vi.fn(),
    getProfile: vi.fn(),
    updateProfile: vi.fn(),
    listClients: vi.fn(),
    getClient: vi.fn(),
    createClient: vi.fn(),
    updateClient: vi.fn(),
    listInvoices: vi.fn(),
    getInvoice: vi.fn(),
    createInvoice: vi.fn(),
    updateInvoice: vi.fn(),
    voidInvoice: vi.fn(),
    duplicateInvoice: vi.fn(),
    computeTotals: vi.fn(),
    secretStatus: vi.fn(),
    setSecret: vi.fn(),
    deleteSecret: vi.fn(),
    getPaymentSettings: vi.fn(),
    updatePaymentSettings: vi.fn(),
    requestLink: vi.fn(),
    reissueLink: vi.fn(),
    voidLink: vi.fn(),
    getLinkState: vi.fn(),
    linkQrSvg: vi.fn(),
    openLink: vi.fn(),
    getPaymentStatus: vi.fn(async (invoiceId: string) => paymentStatus({ invoiceId, payState: 'none' })),
    checkNow: vi.fn(),
    getSyncStatus: vi.fn(async () => syncStatus()),
    getDashboard: vi.fn(async () => dashboard()),
    useEventSource: vi.fn(),
    onPaymentStatusChanged: vi.fn(noSubscription),
    onSyncStatus: vi.fn(noSubscription),
    getWebhookStatus: vi.fn(),
    setWebhookConfig: vi.fn(),
    sendTestWebhook: vi.fn(),
    onWebhookStatus: vi.fn(noSubscription),
  };
}
