// An in-memory backend for `vite --mode mock`: the UI runs in a plain browser for eyeballing and
// screenshots. Never part of a production build. URL switches: ?keychain=off, ?empty=1,
// ?offline=1 (the payment-status sync is offline), ?syncError=TEXT (the sync's last error),
// ?cancel=1 (every OS file dialog is cancelled: the commands answer null), ?damaged=1 (the books fail
// their integrity check: app_info fails and get_recovery offers the recovery screen until one is restored).
import { BackendError, useEventSource, useTransport } from '../lib/backend';
import { addDays, today } from '../lib/dates';
import { navigate } from '../lib/router.svelte';
import type {
  AddressChange, Batch, Contractor, ContractorDetail, ContractorInput, NetworkInfo, Payout, PayoutEvent, PayoutInput, PayoutLink,
  PayoutReview, PayoutSettings, PayoutSummary,
  AutoBackup, BackupInfo, ExportKind, RestoreResult, SentInvoice,
  AttentionItem, BusinessProfile, Client, ClientInput, Currency, CurrencyTotals, Invoice, InvoiceInput, InvoiceQuery,
  InvoiceSummary, Mode, PayerActivity, PaymentStatus, SecretKind, Settings, SettingsInput, StatusEvent, SyncStatus, Totals, TotalsInput,
  DeliveryRecord, WebhookConfig, WebhookStatus,
} from '../lib/types';
import { compare, format, mul, parseDec, percent, round } from './mockDecimal';

const CURRENCIES: Currency[] = [
  { id: 'USDC-base', label: 'USDC on Base', decimals: 6, kind: 'crypto', network: 'base' },
  { id: 'USDC-mainnet', label: 'USDC on Ethereum', decimals: 6, kind: 'crypto', network: 'mainnet' },
  { id: 'ETH-mainnet', label: 'ETH on Ethereum', decimals: 18, kind: 'crypto', network: 'mainnet' },
  { id: 'ETH-base', label: 'ETH on Base', decimals: 18, kind: 'crypto', network: 'base' },
  { id: 'USDC-arbitrum-one', label: 'USDC on Arbitrum One', decimals: 6, kind: 'crypto', network: 'arbitrum-one' },
  { id: 'USDC-optimism', label: 'USDC on OP Mainnet', decimals: 6, kind: 'crypto', network: 'optimism' },
  { id: 'USDC-matic', label: 'USDC on Polygon', decimals: 6, kind: 'crypto', network: 'matic' },
  { id: 'USDT-bsc', label: 'USDT on BNB Chain', decimals: 18, kind: 'crypto', network: 'bsc' },
  { id: 'USDT-tron', label: 'USDT on Tron', decimals: 6, kind: 'crypto', network: 'tron' },
  { id: 'FAU-sepolia', label: 'FAU on Sepolia (test)', decimals: 18, kind: 'crypto', network: 'sepolia' },
  { id: 'USD', label: 'US Dollar', decimals: 2, kind: 'fiat', network: null },
  { id: 'EUR', label: 'Euro', decimals: 2, kind: 'fiat', network: null },
];

interface Store {
  settings: Settings; profile: BusinessProfile; clients: Client[]; invoices: Invoice[];
  secrets: Partial<Record<SecretKind, string>>; seq: number;
}

const params = new URLSearchParams(location.search);
const keychainAvailable = params.get('keychain') !== 'off';
let mode: Mode = 'test';
let idSeq = 1;
const newId = () => `01MOCK${String(idSeq++).padStart(20, '0')}`;
const now = () => new Date().toISOString();
const fail = (code: BackendError['code'], message: string, field: string | null = null) => {
  throw { code, message, field };
};

function emptyStore(m: Mode): Store {
  return {
    settings: { mode: m, defaultCurrency: 'USDC-base', numberingPattern: 'INV-{YYYY}-{SEQ:4}', defaultPaymentTermsDays: 30 },
    profile: { name: '', email: '', address: '', taxId: '' }, clients: [], invoices: [], secrets: {}, seq: 0,
  };
}
const stores: Record<Mode, Store> = { test: emptyStore('test'), live: emptyStore('live') };
const db = () => stores[mode];

function totals(input: TotalsInput): Totals {
  const cur = CURRENCIES.find((c) => c.id === input.currency) ?? fail('invalid_input', 'currency: unknown currency', 'currency');
  const d = cur.decimals;
  const num = (text: string, field: string) => parseDec(text) ?? fail('invalid_input', `${field}: must be a decimal number`, field);
  if (input.lines.length === 0) fail('invalid_input', 'lines: add at least one line', 'lines');
  const rows = input.lines.map((line, i) => {
    const q = num(line.quantity, `lines[${i}].quantity`);
    if (q.v <= 0n) fail('invalid_input', `lines[${i}].quantity: must be greater than zero`, `lines[${i}].quantity`);
    const p = num(line.unitPrice, `lines[${i}].unitPrice`);
    if (p.v < 0n) fail('invalid_input', `lines[${i}].unitPrice: must not be negative`, `lines[${i}].unitPrice`);
    const rate = num(line.taxRate, `lines[${i}].taxRate`);
    const disc = num(line.discount, `lines[${i}].discount`);
    for (const [r, f] of [[rate, 'taxRate'], [disc, 'discount']] as const)
      if (r.v < 0n || compare(r, { v: 100n, s: 0 }) > 0) fail('invalid_input', `lines[${i}].${f}: must be between 0 and 100`, `lines[${i}].${f}`);
    const amount = round(mul(q, p), d);
    const discount = round(percent(mul({ v: amount, s: d }, disc)), d);
    return { amount, discount, net: amount - discount, rate };
  });
  const subtotal = rows.reduce((sum, r) => sum + r.net, 0n);
  const dv = num(input.discount.value, 'discount.value');
  if (dv.v < 0n) fail('invalid_input', 'discount.value: must not be negative', 'discount.value');
  let invDisc = input.discount.kind === 'percent' ? round(percent(mul({ v: subtotal, s: d }, dv)), d) : round(dv, d);
  if (invDisc > subtotal) invDisc = subtotal;
  // Spread the invoice discount over the lines in proportion to net, largest remainder first.
  const shares = rows.map((r) => (subtotal === 0n ? 0n : (invDisc * r.net) / subtotal));
  let left = invDisc - shares.reduce((a, b) => a + b, 0n);
  const order = rows.map((r, i) => ({ i, rem: subtotal === 0n ? 0n : (invDisc * r.net) % subtotal })).sort((a, b) => (b.rem > a.rem ? 1 : b.rem < a.rem ? -1 : a.i - b.i));
  for (const o of order) if (left-- > 0n) shares[o.i] += 1n;
  const taxes = rows.map((r, i) => round(percent(mul({ v: r.net - shares[i], s: d }, r.rate)), d));
  const tax = taxes.reduce((a, b) => a + b, 0n);
  return {
    subtotal: format(subtotal, d), discount: format(invDisc, d), tax: format(tax, d), total: format(subtotal - invDisc + tax, d),
    lines: rows.map((r, i) => ({ amount: format(r.amount, d), discount: format(r.discount, d), net: format(r.net, d), tax: format(taxes[i], d) })),
  };
}

function checkClient(input: ClientInput): ClientInput {
  if (!input.name.trim()) fail('invalid_input', 'name: must not be empty', 'name');
  if (input.email && !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(input.email)) fail('invalid_input', 'email: must be a valid email address', 'email');
  return { ...input, name: input.name.trim() };
}

function saveInvoice(input: InvoiceInput, existing?: Invoice): Invoice {
  const client = db().clients.find((c) => c.id === input.clientId) ?? fail('invalid_input', 'clientId: choose a client', 'clientId');
  if (!/^\d{4}-\d{2}-\d{2}$/.test(input.issueDate)) fail('invalid_input', 'issueDate: must be a date like 2026-01-31', 'issueDate');
  if ((input.dueDate === null) === (input.paymentTermsDays === null)) fail('invalid_input', 'dueDate: set a due date or payment terms', 'dueDate');
  if (input.dueDate !== null && !/^\d{4}-\d{2}-\d{2}$/.test(input.dueDate)) fail('invalid_input', 'dueDate: must be a date like 2026-01-31', 'dueDate');
  const computed = totals(input);
  input.lines.forEach((l, i) => l.description.trim() || fail('invalid_input', `lines[${i}].description: must not be empty`, `lines[${i}].description`));
  const number = input.number ?? existing?.number ?? nextNumber();
  if (db().invoices.some((inv) => inv.number === number && inv.id !== existing?.id)) fail('conflict', `number: ${number} is already used`, 'number');
  const dueDate = input.dueDate ?? addDays(input.issueDate, input.paymentTermsDays ?? 0);
  const base = existing ?? { id: newId(), status: 'draft' as const, createdAt: now(), voidedAt: null, verifiedAt: null, sentAt: null };
  return { ...base, ...input, number, dueDate, clientName: client.name, totals: computed, updatedAt: now() };
}

function nextNumber(): string {
  const s = db();
  s.seq += 1;
  const d = new Date();
  return s.settings.numberingPattern.replaceAll('{YYYY}', String(d.getFullYear())).replaceAll('{YY}', String(d.getFullYear()).slice(2))
    .replaceAll('{MM}', String(d.getMonth() + 1).padStart(2, '0')).replace(/\{SEQ(?::(\d+))?\}/g, (_, w) => String(s.seq).padStart(Number(w ?? 1), '0'));
}

function summary(inv: Invoice): InvoiceSummary {
  const { id, number, status, clientId, clientName, currency, issueDate, dueDate } = inv;
  const verifiedAt = paymentStatus(id).verifiedAt;
  return { id, number, status, clientId, clientName, currency, total: inv.totals.total, issueDate, dueDate, verifiedAt };
}

function listInvoices(q: InvoiceQuery) {
  const needle = q.search?.toLowerCase() ?? '';
  const key = (s: InvoiceSummary) => (q.sort === 'client' ? s.clientName : q.sort === 'total' ? s.total.padStart(40, '0') : s[q.sort]);
  const rows = db().invoices.map(summary)
    .filter((s) => (!q.status || s.status === q.status) && (!needle || s.number.toLowerCase().includes(needle) || s.clientName.toLowerCase().includes(needle)))
    .sort((a, b) => key(a).localeCompare(key(b)) * (q.descending ? -1 : 1));
  return { items: rows.slice(q.offset, q.offset + q.limit), total: rows.length };
}

function secretStatus() {
  const s = db().secrets;
  const mask = (v?: string) => (v ? `••••${v.slice(-4)}` : null);
  return { keychainAvailable, message: keychainAvailable ? null : 'Secret Service is not running', apiKey: mask(s.apiKey), clientId: mask(s.clientId),
    webhookSecret: mask(s.webhookSecret), ngrokAuthtoken: mask(s.ngrokAuthtoken) };
}

let damaged = params.get('damaged') === '1';
const info = () => {
  if (damaged) fail('storage', `database: ${DAMAGED_DB()} failed its integrity check`);
  return infoOf();
};
const DAMAGED_DB = () => `/home/you/.local/share/paydesk/${mode}.sqlite3`;
const infoOf = () => ({ version: '0.1.0-mock', mode, dataDir: '/home/you/.local/share/paydesk', databasePath: `/home/you/.local/share/paydesk/${mode}.sqlite3`, keychain: { available: keychainAvailable, message: keychainAvailable ? null : 'Secret Service is not running' } });
const find = <T extends { id: string }>(list: T[], id: string, what: string) => list.find((x) => x.id === id) ?? fail('not_found', `id: no ${what} with this id`, 'id');

type Args = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const handlers: Record<string, (a: Args) => unknown> = {
  app_info: info,
  list_currencies: () => CURRENCIES,
  get_settings: () => db().settings,
  update_settings: ({ input }: Args) => {
    input = input as SettingsInput;
    if (!input.numberingPattern.includes('{SEQ')) fail('invalid_input', 'numberingPattern: must contain {SEQ} or {SEQ:n}', 'numberingPattern');
    return (db().settings = { ...db().settings, ...input });
  },
  set_mode: ({ mode: next }) => ((mode = next), info()),
  get_profile: () => db().profile,
  update_profile: ({ input }) => (db().profile = { ...input }),
  list_clients: ({ search }) => db().clients.filter((c) => !search || `${c.name} ${c.email}`.toLowerCase().includes(search.toLowerCase())).sort((a, b) => a.name.localeCompare(b.name)),
  get_client: ({ id }) => find(db().clients, id, 'client'),
  create_client: ({ input }) => {
    const client: Client = { ...checkClient(input), id: newId(), createdAt: now(), updatedAt: now(), invoiceCount: 0 };
    db().clients.push(client);
    return client;
  },
  update_client: ({ id, input }) => Object.assign(find(db().clients, id, 'client'), checkClient(input), { updatedAt: now() }),
  list_invoices: ({ query }) => listInvoices(query),
  get_invoice: ({ id }) => ({ ...find(db().invoices, id, 'invoice'), verifiedAt: paymentStatus(id).verifiedAt }),
  create_invoice: ({ input }) => {
    const inv = saveInvoice(input);
    db().invoices.push(inv);
    find(db().clients, inv.clientId, 'client').invoiceCount += 1;
    return inv;
  },
  update_invoice: ({ id, input }) => {
    const old = find(db().invoices, id, 'invoice');
    if (old.status === 'void') fail('conflict', 'A void invoice cannot be changed.');
    return Object.assign(old, saveInvoice(input, old));
  },
  void_invoice: ({ id }) => Object.assign(find(db().invoices, id, 'invoice'), { status: 'void', voidedAt: now() }),
  duplicate_invoice: ({ id }) => {
    const old = find(db().invoices, id, 'invoice');
    return handlers.create_invoice({ input: { ...old, number: null, issueDate: today(), dueDate: old.paymentTermsDays ? null : addDays(today(), 30) } });
  },
  compute_totals: ({ input }) => totals(input),
  secret_status: secretStatus,
  set_secret: ({ kind, value }) => {
    if (!keychainAvailable) fail('keychain_unavailable', 'The system keychain is not reachable.');
    if (!String(value).trim()) fail('invalid_input', 'secret: must not be empty', 'secret');
    db().secrets[kind as SecretKind] = value;
    emit('webhook-status', webhookStatus());
    return secretStatus();
  },
  delete_secret: ({ kind }) => (delete db().secrets[kind as SecretKind], emit('webhook-status', webhookStatus()), secretStatus()),
  get_webhook_status: () => webhookStatus(),
  set_webhook_config: ({ config }) => setWebhookConfig(config as WebhookConfig),
  send_test_webhook: () => sendTestWebhook(),
  get_payment_settings: () => paymentSettings,
  update_payment_settings: ({ input }) => {
    const url = input.redirectUrl ? String(input.redirectUrl).trim() : '';
    if (url && !url.startsWith('https://')) fail('invalid_input', 'redirectUrl: must be an https URL', 'redirectUrl');
    return (paymentSettings = { ...input, redirectUrl: url || null });
  },
  request_link: ({ invoiceId }) => {
    links[invoiceId] = { sentAt: Date.now() + 4000, token: newId(), history: links[invoiceId]?.history ?? [] };
    return linkState(invoiceId);
  },
  reissue_link: ({ invoiceId }) => handlers.request_link({ invoiceId }),
  void_link: ({ invoiceId }) => {
    const l = links[invoiceId];
    if (l) {
      l.history = l.history.map((h) => (h.status === 'live' ? { ...h, status: 'void' } : h));
      l.sentAt = null;
    }
    return linkState(invoiceId);
  },
  get_link_state: ({ invoiceId }) => linkState(invoiceId),
  open_link: ({ invoiceId, target }) => {
    const live = linkState(invoiceId).link;
    if (!live) throw { code: 'conflict', message: 'the invoice has no live payment link; create or re-issue one first', field: 'link' };
    return target === 'email' ? `mailto:?subject=Invoice&body=${encodeURIComponent(live.url)}` : live.url;
  },
  get_payment_status: ({ invoiceId }) => paymentStatus(invoiceId),
  check_now: ({ invoiceId }) => checkNow(invoiceId),
  get_sync_status: () => syncStatus(),
  get_dashboard: () => dashboardOf(),
  link_qr_svg: () =>
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 21 21"><rect width="21" height="21" fill="#fff"/><path d="M1 1h7v7H1zM13 1h7v7h-7zM1 13h7v7H1zM10 10h2v2h-2z" fill="#000"/></svg>',
};

let paymentSettings: Record<string, unknown> = {
  destinationId: null, useBoundDestination: false, payeeAddress: null, paymentCurrency: null, redirectUrl: null, redirectLabel: null,
};
type MockLink = { url: string; token: string; createdAt: string; expiresAt: string; status: string; amount: string; currency: string; redirectUrl: null; redirectLabel: null };
const links: Record<string, { sentAt: number | null; token: string; history: MockLink[] }> = {};

/** Queued for a few seconds after a request, then live (like the real outbox against the sandbox). */
function linkState(invoiceId: string) {
  const l = links[invoiceId];
  const base = { invoiceId, link: null, pending: null, message: null, history: l?.history ?? [], locked: false };
  if (!l) return { ...base, state: 'none' };
  if (l.sentAt !== null && Date.now() < l.sentAt) {
    return { ...base, locked: true, state: 'queued', message: 'not sent yet', pending: { lastError: null, nextAttemptAt: now(), attempts: 0 } };
  }
  if (l.sentAt !== null && !l.history.some((h) => h.token === l.token)) {
    const inv = find(db().invoices, invoiceId, 'invoice');
    l.history.push({ url: `http://127.0.0.1:47615/pay/${l.token}`, token: l.token, createdAt: now(), expiresAt: addDays(today(), 7) + 'T00:00:00Z', status: 'live', amount: inv.totals.total, currency: inv.currency, redirectUrl: null, redirectLabel: null });
  }
  const live = l.history.find((h) => h.status === 'live') ?? null;
  return { ...base, history: l.history, state: live ? 'live' : 'none', link: live, locked: live !== null };
}

// Paid status. Seeded invoices get a plausible history; "Check now" moves an open link forward
// (open -> processing -> paid) so the whole flow, events included, can be clicked through.
const payments: Record<string, PaymentStatus> = {};
const ago = (minutes: number) => new Date(Date.now() - minutes * 60_000).toISOString();
const listeners: Record<string, Set<(payload: unknown) => void>> = {};
function emit(event: string, payload: unknown) {
  for (const handler of listeners[event] ?? []) handler(structuredClone(payload));
}

const dec = (text: string, d: number) => round(parseDec(text) ?? { v: 0n, s: 0 }, d);
const decimalsOf = (currency: string) => CURRENCIES.find((c) => c.id === currency)?.decimals ?? 2;

function freshPayment(inv: Invoice): PaymentStatus {
  const d = decimalsOf(inv.currency);
  const total = inv.totals.total;
  const base: PaymentStatus = {
    invoiceId: inv.id, invoiceStatus: inv.status, payState: 'none', currency: inv.currency, total, amountPaid: null,
    amountLeft: null, txHash: null, paidAt: null, verifiedAt: null, nextCheckAt: null, lastError: null, events: [],
    activity: inv.id === activityDemo ? demoActivity() : [],
  };
  const ev = (minutes: number, source: StatusEvent['source'], observed: string, payState: StatusEvent['payState'], applied = true, detail: string | null = null): StatusEvent =>
    ({ at: ago(minutes), source, observed, detail, applied, payState });
  switch (inv.status) {
    case 'paid':
      return { ...base, payState: 'paid', amountPaid: total, amountLeft: format(0n, d), txHash: `0x${inv.id.toLowerCase().padEnd(64, 'a').slice(0, 64)}`,
        paidAt: ago(60 * 26), verifiedAt: ago(60 * 26), events: [
          ev(60 * 25, 'poll', 'processing', 'paid', false, 'stale answer after paid'),
          ev(60 * 26, 'webhook', 'paid', 'paid', true, 'tx 0x4f2a…91c0'),
          ev(60 * 27, 'poll', 'processing', 'processing'),
          ev(60 * 24 * 3, 'system', 'open', 'open', true, 'payment link created'),
        ] };
    case 'partially_paid': {
      const paid = round(percent(mul({ v: dec(total, d), s: d }, { v: 40n, s: 0 })), d);
      const left = dec(total, d) - paid;
      return { ...base, payState: 'partially_paid', amountPaid: format(paid, d), amountLeft: format(left, d), verifiedAt: ago(4), nextCheckAt: ago(-1),
        events: [
          ev(4, 'poll', 'partially_paid', 'partially_paid', false),
          ev(60 * 5, 'poll', 'partially_paid', 'partially_paid', true, `paid ${format(paid, d)} of ${total}`),
          ev(60 * 24 * 2, 'system', 'open', 'open', true, 'payment link created'),
        ] };
    }
    case 'issued':
    case 'overdue':
      return { ...base, payState: 'open', verifiedAt: ago(2), nextCheckAt: ago(-3),
        events: [ev(2, 'poll', 'open', 'open', false), ev(60 * 24, 'system', 'open', 'open', true, 'payment link created')] };
    case 'expired':
      return { ...base, payState: 'expired', verifiedAt: ago(60 * 30), events: [ev(60 * 30, 'poll', 'not_payable', 'expired', true, 'link expired unpaid')] };
    default:
      return base;
  }
}

function paymentStatus(invoiceId: string): PaymentStatus {
  const inv = find(db().invoices, invoiceId, 'invoice');
  let p = payments[invoiceId];
  if (!p || (p.payState === 'none' && linkState(invoiceId).state === 'live')) {
    p = payments[invoiceId] = freshPayment(inv);
    if (p.payState === 'none' && linkState(invoiceId).state === 'live') {
      Object.assign(p, { payState: 'open', verifiedAt: now(), nextCheckAt: ago(-1),
        events: [{ at: now(), source: 'system', observed: 'open', detail: 'payment link created', applied: true, payState: 'open' }] });
    }
  }
  return { ...p, invoiceStatus: inv.status };
}

function checkNow(invoiceId: string): PaymentStatus {
  const inv = find(db().invoices, invoiceId, 'invoice');
  const p = payments[invoiceId] ?? (payments[invoiceId] = paymentStatus(invoiceId));
  if (p.payState === 'none') fail('conflict', 'invoiceId: the invoice has no payment link to check', 'invoiceId');
  const next = p.payState === 'open' ? 'processing' : p.payState === 'processing' ? 'paid' : p.payState;
  const moved = next !== p.payState;
  p.events.unshift({ at: now(), source: 'check', observed: next, detail: next === 'paid' ? 'tx 0x9b1c…77e2' : null, applied: moved, payState: next });
  p.payState = next;
  p.verifiedAt = now();
  if (moved && next === 'paid') {
    Object.assign(p, { amountPaid: inv.totals.total, amountLeft: format(0n, decimalsOf(inv.currency)), paidAt: now(), nextCheckAt: null,
      txHash: '0x9b1c0d3e5f7a29b4c6d8e0f1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b377e2' });
    inv.status = 'paid';
    emit('payment-status-changed', { invoiceId, number: inv.number, clientName: inv.clientName, status: 'paid', amountPaid: inv.totals.total, currency: inv.currency });
  }
  return { ...p, invoiceStatus: inv.status };
}

// Webhooks: cloudflared is "up" at once; registration is automatic with a client id, manual without.
let webhookConfig: WebhookConfig = { enabled: true, tunnel: 'cloudflared', binaryPath: null, publicUrl: null, port: null };
const WEBHOOK_PATH = '/webhooks/7c1f0a9e3b5d4e2f';
const deliveries: DeliveryRecord[] = [
  { at: ago(3), deliveryId: 'dlv_04', event: 'payment.confirmed', retryCount: '0', verified: true, outcome: 'test', detail: 'test event', status: 200 },
  { at: ago(18), deliveryId: null, event: 'payment.confirmed', retryCount: null, verified: false, outcome: 'rejected', detail: 'bad signature', status: 401 },
  { at: ago(41), deliveryId: 'dlv_02', event: 'payment.confirmed', retryCount: '1', verified: true, outcome: 'duplicate', detail: 'already applied', status: 200 },
  { at: ago(42), deliveryId: 'dlv_01', event: 'payment.confirmed', retryCount: '0', verified: true, outcome: 'applied', detail: 'INV paid', status: 200 },
];

function webhookStatus(): WebhookStatus {
  const c = webhookConfig;
  const secrets = db().secrets;
  const canRegister = Boolean(secrets.clientId);
  const mask = (v?: string) => (v ? `••••${v.slice(-4)}` : null);
  const off = { config: c, receiver: { state: 'off', address: null, error: null }, tunnel: { state: 'off', publicUrl: null, attempt: 0, error: null, retryAt: null },
    registration: { state: 'off', webhookId: null, url: null, error: null }, endpointUrl: null, secret: mask(secrets.webhookSecret), canRegister, deliveries } as const;
  if (!c.enabled) return structuredClone(off) as WebhookStatus;
  const receiver = { state: 'listening' as const, address: `127.0.0.1:${c.port ?? 47620}`, error: null };
  let publicUrl: string | null = null;
  let tunnelError: string | null = null;
  if (c.tunnel === 'cloudflared') publicUrl = 'https://example-words.trycloudflare.com';
  else if (c.tunnel === 'ngrok') {
    if (secrets.ngrokAuthtoken) publicUrl = 'https://example-words.ngrok-free.app';
    else tunnelError = 'ngrok needs an authtoken: save it below';
  } else publicUrl = c.publicUrl;
  const tunnel = publicUrl
    ? { state: 'up' as const, publicUrl, attempt: 1, error: null, retryAt: null }
    : { state: 'failed' as const, publicUrl: null, attempt: 3, error: tunnelError ?? 'no public URL', retryAt: null };
  const endpointUrl = publicUrl ? publicUrl.replace(/\/$/, '') + WEBHOOK_PATH : null;
  const registration = !endpointUrl
    ? { state: 'off' as const, webhookId: null, url: null, error: null }
    : canRegister
      ? { state: 'registered' as const, webhookId: 'wh_01MOCK', url: endpointUrl, error: null }
      : { state: 'manual' as const, webhookId: null, url: null, error: null };
  const secret = canRegister ? '••••9f3a' : mask(secrets.webhookSecret);
  return { config: c, receiver, tunnel, registration, endpointUrl, secret, canRegister, deliveries };
}

function setWebhookConfig(config: WebhookConfig): WebhookStatus {
  if (!['cloudflared', 'ngrok', 'manual'].includes(config.tunnel)) fail('invalid_input', 'tunnel: choose cloudflared, ngrok or manual', 'tunnel');
  const url = config.publicUrl?.trim() ?? '';
  if (config.tunnel === 'manual' && !url) fail('invalid_input', 'publicUrl: enter the https URL of your proxy', 'publicUrl');
  if (config.tunnel === 'manual' && !url.startsWith('https://')) fail('invalid_input', 'publicUrl: must be an https URL', 'publicUrl');
  if (config.port !== null && (!Number.isInteger(config.port) || config.port < 1024 || config.port > 65535)) fail('invalid_input', 'port: must be between 1024 and 65535', 'port');
  if (config.binaryPath !== null && !config.binaryPath.startsWith('/')) fail('invalid_input', 'binaryPath: must be an absolute path', 'binaryPath');
  webhookConfig = { ...config, publicUrl: config.tunnel === 'manual' ? url : null };
  const status = webhookStatus();
  emit('webhook-status', status);
  return status;
}

function sendTestWebhook() {
  const status = webhookStatus();
  if (!status.canRegister) fail('conflict', 'Save a client ID first: test events are sent through the Request API.');
  if (status.registration.state !== 'registered') fail('conflict', 'The webhook is not registered yet.');
  setTimeout(() => {
    deliveries.unshift({ at: now(), deliveryId: `dlv_${newId()}`, event: 'payment.confirmed', retryCount: '0', verified: true, outcome: 'test', detail: 'test event', status: 200 });
    emit('webhook-status', webhookStatus());
  }, 1200);
  return { message: 'Test event requested: it shows up under Last deliveries in a moment.' };
}

let activityDemo: string | null = null;
const demoActivity = (): PayerActivity[] => [
  { at: ago(6), userEvent: 'payment_approved_in_wallet', test: false },
  { at: ago(7), userEvent: 'payment_sent_to_wallet', test: false },
  { at: ago(9), userEvent: 'wallet_connected', test: false },
  { at: ago(60 * 2), userEvent: 'wallet_connected', test: true },
];

function syncStatus(): SyncStatus {
  const offline = params.get('offline') === '1';
  const open = db().invoices.filter((inv) => ['issued', 'overdue', 'partially_paid'].includes(inv.status)).length;
  return { online: !offline, offlineSince: offline ? ago(12) : null, lastTickAt: ago(0.2), lastError: params.get('syncError') ?? (offline ? 'network unreachable' : null),
    openLinks: open, dueNow: 0, rateLimitPerSec: 5 };
}

function dashboardOf() {
  const thisMonth = today().slice(0, 7);
  const thisYear = today().slice(0, 4);
  const sums = new Map<string, { outstanding: bigint; overdue: bigint; month: bigint; year: bigint }>();
  const attention: AttentionItem[] = [];
  for (const inv of db().invoices) {
    if (inv.status === 'draft' || inv.status === 'void') continue;
    const d = decimalsOf(inv.currency);
    const row = sums.get(inv.currency) ?? { outstanding: 0n, overdue: 0n, month: 0n, year: 0n };
    sums.set(inv.currency, row);
    const p = paymentStatus(inv.id);
    const total = dec(inv.totals.total, d);
    const paid = p.amountPaid ? dec(p.amountPaid, d) : 0n;
    const paidAt = (p.paidAt ?? p.events.find((e) => e.observed === 'partially_paid')?.at ?? '').slice(0, 10);
    if (inv.status === 'issued' || inv.status === 'overdue') row.outstanding += total;
    if (inv.status === 'partially_paid') row.outstanding += total - paid;
    if (inv.status === 'overdue') row.overdue += total;
    if (paid > 0n && paidAt.startsWith(thisMonth)) row.month += paid;
    if (paid > 0n && paidAt.startsWith(thisYear)) row.year += paid;
    const reason = inv.status === 'overdue' ? 'overdue' : inv.status === 'expired' ? 'expired' : inv.status === 'partially_paid' ? 'partially_paid' : null;
    if (reason) attention.push({ invoiceId: inv.id, number: inv.number, clientName: inv.clientName, currency: inv.currency, total: inv.totals.total, status: inv.status, dueDate: inv.dueDate, reason });
  }
  const totals: CurrencyTotals[] = [...sums].map(([currency, r]) => {
    const d = decimalsOf(currency);
    return { currency, outstanding: format(r.outstanding, d), overdue: format(r.overdue, d), paidThisMonth: format(r.month, d), paidThisYear: format(r.year, d) };
  });
  return { totals, attention };
}

function seed() {
  if (params.get('empty') === '1') return;
  const names = [['Northwind Studio', 'ap@northwind.studio'], ['Helios Labs', 'finance@helioslabs.io'], ['Mara Okafor', 'mara@okafor.design'], ['Blue Fern Coffee', 'hello@bluefern.coffee']];
  for (const [name, email] of names) handlers.create_client({ input: { name, email, address: '', taxId: '', notes: '' } });
  const statuses = ['paid', 'paid', 'issued', 'overdue', 'partially_paid', 'draft', 'issued', 'expired', 'void', 'draft', 'paid', 'issued'] as const;
  statuses.forEach((status, i) => {
    const c = db().clients[i % db().clients.length];
    const issueDate = addDays(today(), -7 * (statuses.length - i));
    const inv = handlers.create_invoice({ input: {
      clientId: c.id, currency: i % 3 === 2 ? 'EUR' : 'USDC-base', issueDate, dueDate: null, paymentTermsDays: 30, number: null,
      lines: [{ description: 'Design sprint', quantity: String(2 + (i % 4)), unitPrice: `${850 + i * 125}.00`, taxRate: i % 2 ? '20' : '0', discount: '0' },
              { description: 'Hosting (monthly)', quantity: '1', unitPrice: '49.90', taxRate: '0', discount: '0' }],
      discount: { kind: 'percent', value: i % 4 === 0 ? '5' : '0' }, notes: 'Thank you for your business.', terms: 'Payment due within 30 days.',
    } }) as Invoice;
    inv.status = status;
    if (status === 'void') inv.voidedAt = now();
    if (status === 'issued' && activityDemo === null) activityDemo = inv.id;
  });
}

// Contractors and payouts. Approving queues the payout link for ~3 s (the outbox), then it is
// live; opening it to sign makes it paid a few seconds later, so the flow can be clicked through.
const NETWORKS: NetworkInfo[] = [
  { id: 'mainnet', label: 'Ethereum', evm: true },
  { id: 'arbitrum-one', label: 'Arbitrum One', evm: true },
  { id: 'optimism', label: 'OP Mainnet', evm: true },
  { id: 'base', label: 'Base', evm: true },
  { id: 'matic', label: 'Polygon', evm: true },
  { id: 'bsc', label: 'BNB Smart Chain', evm: true },
  { id: 'tron', label: 'Tron', evm: false },
  { id: 'sepolia', label: 'Sepolia (testnet)', evm: true },
];
const OS_USER = 'alex';
const EVM_RE = /^0x[0-9a-fA-F]{40}$/;
const TRON_RE = /^T[1-9A-HJ-NP-Za-km-z]{33}$/;

interface PayoutStore {
  contractors: Contractor[];
  history: Record<string, AddressChange[]>;
  payouts: (Payout & { opened: boolean })[];
  batches: Batch[];
  settings: PayoutSettings;
  seq: number;
}
const emptyPayoutStore = (): PayoutStore => ({ contractors: [], history: {}, payouts: [], batches: [], settings: { evmWallet: null, tronWallet: null }, seq: 0 });
const payoutStores: Record<Mode, PayoutStore> = { test: emptyPayoutStore(), live: emptyPayoutStore() };
const po = () => payoutStores[mode];

const networkOf = (id: string) => NETWORKS.find((n) => n.id === id);

function checkAddress(network: NetworkInfo, address: string, field: string): string {
  const a = address.trim();
  if (!a) fail('invalid_input', `${field}: must not be empty`, field);
  if (network.evm && !EVM_RE.test(a)) fail('invalid_input', `${field}: must be an address like 0x followed by 40 hex digits`, field);
  if (!network.evm && !TRON_RE.test(a)) fail('invalid_input', `${field}: must be a Tron address (T followed by 33 base58 characters)`, field);
  return a;
}

const sameAddress = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

function checkContractor(input: ContractorInput): ContractorInput {
  const name = input.name.trim();
  if (!name) fail('invalid_input', 'name: must not be empty', 'name');
  const email = input.email?.trim() || null;
  if (email && !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(email)) fail('invalid_input', 'email: must be a valid email address', 'email');
  const network = networkOf(input.network) ?? fail('invalid_input', 'network: choose a network', 'network');
  const address = checkAddress(network, input.address, 'address');
  const defaultCurrency = input.defaultCurrency || null;
  if (defaultCurrency && !(defaultCurrency.endsWith(`-${network.id}`) && CURRENCIES.some((c) => c.id === defaultCurrency)))
    fail('invalid_input', `defaultCurrency: must be a payment currency on ${network.label}`, 'defaultCurrency');
  return { name, email, network: network.id, address, defaultCurrency };
}

/** The address the contractor's last approved payout went to, if any. */
function lastPaidAddress(contractorId: string, except?: string): string | null {
  const sent = po().payouts
    .filter((p) => p.contractorId === contractorId && p.id !== except && p.approvedAt !== null)
    .sort((a, b) => (b.approvedAt ?? '').localeCompare(a.approvedAt ?? ''));
  return sent[0]?.address ?? null;
}

/** A draft follows its contractor (name, network, address); approved payouts keep what was approved. */
function freshPayout(p: PayoutStore['payouts'][number]) {
  if (p.state === 'draft') {
    const c = po().contractors.find((x) => x.id === p.contractorId);
    if (c) {
      const previous = lastPaidAddress(c.id, p.id);
      Object.assign(p, { contractorName: c.name, network: c.network, address: c.address, addressChanged: previous !== null && !sameAddress(previous, c.address) });
    }
  }
  return p;
}

const publicPayout = (p: PayoutStore['payouts'][number]): Payout => {
  const { opened: _opened, ...rest } = freshPayout(p);
  return rest;
};

const payoutSummaryOf = (p: Payout): PayoutSummary => ({
  id: p.id, number: p.number, state: p.state, contractorName: p.contractorName, network: p.network, currency: p.currency,
  amount: p.amount, addressChanged: p.addressChanged, createdAt: p.createdAt,
});

function findPayout(id: string) {
  return po().payouts.find((p) => p.id === id) ?? fail('not_found', 'id: no payout with this id', 'id');
}

function checkPayout(input: PayoutInput) {
  const c = po().contractors.find((x) => x.id === input.contractorId) ?? fail('invalid_input', 'contractorId: choose a contractor', 'contractorId');
  const network = networkOf(c.network)!;
  const amount = parseDec(String(input.amount ?? '')) ?? fail('invalid_input', 'amount: must be a decimal number like 250.00', 'amount');
  if (amount.v <= 0n) fail('invalid_input', 'amount: must be greater than zero', 'amount');
  const currency = CURRENCIES.find((x) => x.id === input.currency && x.network === c.network)
    ?? fail('invalid_input', `currency: must be a payment currency on ${network.label}`, 'currency');
  if (amount.s > currency.decimals) fail('invalid_input', `amount: ${currency.label} has at most ${currency.decimals} decimals`, 'amount');
  const reference = input.reference?.trim() || null;
  if (reference && reference.length > 140) fail('invalid_input', 'reference: must be at most 140 characters', 'reference');
  const memo = input.memo?.trim() || null;
  if (memo && memo.length > 1000) fail('invalid_input', 'memo: must be at most 1000 characters', 'memo');
  let invoiceNumber: string | null = null;
  if (input.invoiceId) invoiceNumber = (db().invoices.find((i) => i.id === input.invoiceId) ?? fail('invalid_input', 'invoiceId: no invoice with this id', 'invoiceId')).number;
  return { c, fields: { contractorId: c.id, amount: String(input.amount).trim(), currency: currency.id, reference, memo, invoiceId: input.invoiceId || null, invoiceNumber } };
}

const event = (action: PayoutEvent['action'], actor: string | null = null, detail: string | null = null, at = now()): PayoutEvent => ({ at, action, actor, detail });

function payoutChanged(p: Payout) {
  emit('payout-changed', { id: p.id, state: p.state });
}

function makeLink(id: string): PayoutLink {
  return { url: `http://127.0.0.1:47615/payout/${id.toLowerCase()}`, token: `tok_${id}`, expiresAt: addDays(today(), 7) + 'T00:00:00Z', status: 'live' };
}

function review(id: string): PayoutReview {
  const p = publicPayout(findPayout(id));
  const network = networkOf(p.network)!;
  const creatorWallet = network.evm ? po().settings.evmWallet : po().settings.tronWallet;
  const problems: string[] = [];
  if (p.state !== 'draft') problems.push(`It is ${p.state}, not a draft.`);
  if (!creatorWallet) problems.push(`No creator wallet for ${network.evm ? 'EVM networks' : 'Tron'}: set it in Settings → Payouts.`);
  return {
    payout: p, contractorName: p.contractorName, address: p.address, network: p.network, networkLabel: network.label,
    currency: p.currency, amount: p.amount, addressChanged: p.addressChanged,
    previousAddress: p.addressChanged ? lastPaidAddress(p.contractorId, p.id) : null, creatorWallet, problems,
  };
}

Object.assign(handlers, {
  list_networks: () => NETWORKS,
  list_contractors: ({ search }: Args) => po().contractors
    .filter((c) => !search || `${c.name} ${c.email ?? ''}`.toLowerCase().includes(String(search).toLowerCase()))
    .sort((a, b) => a.name.localeCompare(b.name)),
  get_contractor: ({ id }: Args) => {
    const contractor = find(po().contractors, id, 'contractor');
    return { contractor, history: po().history[id] ?? [] } satisfies ContractorDetail;
  },
  create_contractor: ({ input }: Args) => {
    const checked = checkContractor(input);
    const c: Contractor = { ...checked, id: newId(), addressChangedAt: null, payoutCount: 0, createdAt: now(), updatedAt: now() };
    po().contractors.push(c);
    po().history[c.id] = [{ at: c.createdAt, network: c.network, oldAddress: null, newAddress: c.address }];
    return c;
  },
  update_contractor: ({ id, input, confirmAddressChange }: Args) => {
    const c = find(po().contractors, id, 'contractor');
    const checked = checkContractor(input);
    const changed = checked.network !== c.network || !sameAddress(checked.address, c.address);
    if (changed && confirmAddressChange !== true)
      fail('conflict', 'address: the payout address changes; confirm the change to save it', 'address');
    if (changed) {
      (po().history[id] ??= []).push({ at: now(), network: checked.network, oldAddress: c.address, newAddress: checked.address });
      c.addressChangedAt = now();
      for (const p of po().payouts.filter((x) => x.contractorId === id && x.state === 'draft'))
        p.history.push(event('address_flagged', null, `${c.address} → ${checked.address}`));
    }
    return Object.assign(c, checked, { updatedAt: now() });
  },
  get_payout_settings: () => po().settings,
  update_payout_settings: ({ input }: Args) => {
    const evmWallet = input.evmWallet?.trim() || null;
    const tronWallet = input.tronWallet?.trim() || null;
    if (evmWallet && !EVM_RE.test(evmWallet)) fail('invalid_input', 'evmWallet: must be an address like 0x followed by 40 hex digits', 'evmWallet');
    if (tronWallet && !TRON_RE.test(tronWallet)) fail('invalid_input', 'tronWallet: must be a Tron address (T followed by 33 base58 characters)', 'tronWallet');
    return (po().settings = { evmWallet, tronWallet });
  },
  list_payouts: ({ state }: Args) => po().payouts.map(publicPayout).filter((p) => !state || p.state === state)
    .sort((a, b) => b.createdAt.localeCompare(a.createdAt) || b.number.localeCompare(a.number)).map(payoutSummaryOf),
  get_payout: ({ id }: Args) => publicPayout(findPayout(id)),
  create_payout: ({ input }: Args) => {
    const { c, fields } = checkPayout(input);
    const s = po();
    s.seq += 1;
    const p = {
      id: newId(), number: `PO-${String(s.seq).padStart(4, '0')}`, state: 'draft' as const, contractorName: c.name, network: c.network, address: c.address,
      ...fields, addressChanged: false, approvedAt: null, approvedBy: null, link: null, txHash: null, paidAt: null, batchId: null, message: null,
      createdAt: now(), history: [event('drafted', OS_USER)], opened: false,
    };
    s.payouts.push(p);
    c.payoutCount += 1;
    return publicPayout(p);
  },
  update_payout: ({ id, input }: Args) => {
    const p = findPayout(id);
    if (p.state !== 'draft') fail('conflict', `id: payout ${p.number} is ${p.state}; only drafts can be edited`, 'id');
    const { c, fields } = checkPayout(input);
    if (c.id !== p.contractorId) {
      const old = po().contractors.find((x) => x.id === p.contractorId);
      if (old) old.payoutCount -= 1;
      c.payoutCount += 1;
    }
    Object.assign(p, fields);
    p.history.push(event('edited', OS_USER));
    return publicPayout(p);
  },
  review_payout: ({ id }: Args) => review(id),
  approve_payout: ({ id, address }: Args) => {
    const r = review(id);
    const p = findPayout(id);
    if (p.state !== 'draft') fail('conflict', `id: payout ${p.number} is already ${p.state}`, 'id');
    if (address !== r.address) fail('conflict', 'address: the address changed since the review; review it again', 'address');
    if (!r.creatorWallet) fail('invalid_input', 'creatorWalletAddress: set the creator wallet in Settings → Payouts first', 'creatorWalletAddress');
    Object.assign(p, { state: 'approved', approvedAt: now(), approvedBy: OS_USER, message: 'not sent yet' });
    p.history.push(event('approved', OS_USER, address));
    setTimeout(() => {
      if (p.state !== 'approved') return;
      Object.assign(p, { state: 'live', link: makeLink(p.id), message: null });
      p.history.push(event('link_created', null, p.link!.url));
      payoutChanged(p);
    }, 3000);
    return publicPayout(p);
  },
  cancel_payout: ({ id }: Args) => {
    const p = findPayout(id);
    if (!['draft', 'approved', 'live'].includes(p.state) || p.opened)
      fail('conflict', p.opened ? 'id: the payout link was already opened to sign; it cannot be cancelled' : `id: a ${p.state} payout cannot be cancelled`, 'id');
    Object.assign(p, { state: 'cancelled', message: null, link: p.link ? { ...p.link, status: 'void' } : null });
    p.history.push(event('cancelled', OS_USER));
    return publicPayout(p);
  },
  open_payout_link: ({ id }: Args) => {
    const p = findPayout(id);
    if (p.state !== 'live' || !p.link) fail('conflict', 'link: the payout has no live link', 'link');
    p.history.push(event('opened', OS_USER));
    if (!p.opened) {
      p.opened = true;
      setTimeout(() => {
        if (p.state !== 'live') return;
        const tx = `0x${Array.from({ length: 64 }, (_, i) => '0123456789abcdef'[(i * 7 + p.number.length) % 16]).join('')}`;
        Object.assign(p, { state: 'paid', txHash: tx, paidAt: now(), link: { ...p.link!, status: 'expired' } });
        p.history.push(event('paid', null, `tx ${tx.slice(0, 10)}…`));
        payoutChanged(p);
      }, 6000);
    }
    return p.link!.url;
  },
  payout_qr_svg: ({ id }: Args) => {
    const p = findPayout(id);
    if (p.state !== 'live') fail('conflict', 'link: the payout has no live link', 'link');
    return handlers.link_qr_svg({});
  },
  batch_payouts: ({ ids }: Args) => {
    const list = (ids as string[]).map((id) => findPayout(id));
    if (list.length < 2) fail('invalid_input', 'ids: choose at least 2 payouts', 'ids');
    if (list.some((p) => !networkOf(p.network)?.evm)) fail('invalid_input', 'ids: Tron payouts cannot be batched', 'ids');
    if (list.some((p) => p.state !== 'live')) fail('invalid_input', 'ids: only live payouts can be batched', 'ids');
    if (list.some((p) => p.opened)) fail('invalid_input', 'ids: a payout that was opened to sign cannot be batched', 'ids');
    if (new Set(list.map((p) => p.network)).size > 1) fail('invalid_input', 'ids: all payouts of a batch must be on one network', 'ids');
    const batch: Batch = { id: newId(), network: list[0].network, payoutIds: list.map((p) => p.id), link: makeLink(`batch-${idSeq}`), state: 'live' };
    for (const p of list) {
      Object.assign(p, { state: 'batched', batchId: batch.id, link: p.link ? { ...p.link, status: 'superseded' } : null });
      p.history.push(event('batched', OS_USER, `batch of ${list.length}`));
    }
    po().batches.push(batch);
    return batch;
  },
});

// Documents, exports and backups. The OS dialogs are pretend: files "land" under ~/Documents.
const DOCUMENTS = '/home/you/Documents';
const DATA_DIR = '/home/you/.local/share/paydesk';
const cancelled = () => params.get('cancel') === '1';
const logos: Record<Mode, string | null> = { test: null, live: null };
const isDate = (value: unknown) => typeof value === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(value) && addDays(value, 0) !== '';
const slug = (text: string) => text.replace(/[^A-Za-z0-9._-]+/g, '-');

function backupInfo(path: string, createdAt: string, bytes: number, includesSecrets: boolean): BackupInfo {
  return { path, bytes, createdAt, mode, schemaVersion: 12, appVersion: '0.1.0-mock', includesSecrets };
}

function autoBackups(): AutoBackup[] {
  return [0, 1, 2].map((daysAgo) => {
    const date = addDays(today(), -daysAgo);
    return { path: `${DATA_DIR}/backups/${mode}-${date}.pdbackup`, createdAt: `${date}T09:00:00Z`, bytes: 184_320 - daysAgo * 2_048 };
  });
}

function restored(backup: BackupInfo): RestoreResult {
  return { backup, previousKeptAt: `${DATA_DIR}/${mode}.before-restore-${today()}.sqlite3` };
}

function exportRows(kind: ExportKind, from: string, to: string): number {
  const inRange = (date: string) => date.slice(0, 10) >= from && date.slice(0, 10) <= to;
  if (kind === 'invoices') return db().invoices.filter((i) => inRange(i.issueDate)).length;
  if (kind === 'payments') return db().invoices.filter((i) => (i.status === 'paid' || i.status === 'partially_paid') && inRange(i.issueDate)).length;
  return po().payouts.filter((p) => inRange(p.createdAt)).length;
}

Object.assign(handlers, {
  save_invoice_pdf: ({ invoiceId, paper }: Args) => {
    const inv = find(db().invoices, invoiceId, 'invoice');
    if (paper !== 'a4' && paper !== 'letter') fail('invalid_input', 'paper: must be a4 or letter', 'paper');
    if (cancelled()) return null;
    return { path: `${DOCUMENTS}/${slug(inv.number)}.pdf`, bytes: 41_873 + inv.lines.length * 1_200, pages: 1 + Math.floor(inv.lines.length / 18) };
  },
  send_invoice: ({ invoiceId }: Args) => {
    const inv = find(db().invoices, invoiceId, 'invoice');
    const live = linkState(invoiceId).link;
    if (!live) fail('conflict', 'link: the invoice has no live payment link; create or re-issue one first', 'link');
    inv.sentAt = now();
    const client = db().clients.find((c) => c.id === inv.clientId);
    const subject = encodeURIComponent(`Invoice ${inv.number}: ${inv.totals.total} ${inv.currency} due ${inv.dueDate}`);
    return {
      mailto: `mailto:${client?.email ?? ''}?subject=${subject}&body=${encodeURIComponent(live!.url)}`,
      pdfPath: `${DATA_DIR}/documents/test/${slug(inv.number)}.pdf`,
      sentAt: inv.sentAt,
    } satisfies SentInvoice;
  },
  export_data: ({ kind, from, to }: Args) => {
    if (!['invoices', 'payments', 'payouts'].includes(kind)) fail('invalid_input', 'kind: must be invoices, payments or payouts', 'kind');
    if (!isDate(from)) fail('invalid_input', 'from: must be a date like 2026-01-31', 'from');
    if (!isDate(to)) fail('invalid_input', 'to: must be a date like 2026-12-31', 'to');
    if (to < from) fail('invalid_input', 'to: must be on or after the start date', 'to');
    if (cancelled()) return null;
    return { path: `${DOCUMENTS}/paydesk-${kind}-${from}-to-${to}.csv`, rows: exportRows(kind, from, to) };
  },
  export_invoice_history: ({ invoiceId }: Args) => {
    const inv = find(db().invoices, invoiceId, 'invoice');
    if (cancelled()) return null;
    return { path: `${DOCUMENTS}/${slug(inv.number)}-history.json`, bytes: 3_412 + (links[invoiceId]?.history.length ?? 0) * 410 };
  },
  create_backup: ({ passphrase, includeSecrets }: Args) => {
    if ([...String(passphrase ?? '')].length < 8) fail('invalid_input', 'passphrase: must be at least 8 characters', 'passphrase');
    if (cancelled()) return null;
    const path = `${DOCUMENTS}/paydesk-${mode}-${today()}.pdbackup`;
    return backupInfo(path, now(), 96_256 + db().invoices.length * 2_300 + (includeSecrets ? 512 : 0), includeSecrets === true);
  },
  restore_backup: ({ passphrase }: Args) => {
    if (cancelled()) return null;
    if (passphrase === 'wrong-passphrase')
      fail('invalid_input', 'passphrase: the passphrase is wrong or the backup was changed; nothing was replaced', 'passphrase');
    return restored(backupInfo(`${DOCUMENTS}/paydesk-${mode}-${addDays(today(), -3)}.pdbackup`, ago(60 * 24 * 3), 151_552, false));
  },
  list_auto_backups: () => autoBackups(),
  restore_auto_backup: ({ path }: Args) => {
    const backup = autoBackups().find((b) => b.path === path) ?? fail('invalid_input', 'path: not one of the automatic backups', 'path');
    return restored(backupInfo(backup.path, backup.createdAt, backup.bytes, false));
  },
  get_recovery: () =>
    damaged
      ? { database: DAMAGED_DB(), mode, problem: 'row 14 missing from index invoices_by_number; page 212: btreeInitPage() returns error code 11', backups: autoBackups() }
      : null,
  recover_from_auto_backup: (args: Args) => {
    const result = handlers.restore_auto_backup(args);
    damaged = false;
    return result;
  },
  recover_from_backup_file: (args: Args) => {
    const result = handlers.restore_backup(args);
    if (result) damaged = false;
    return result;
  },
  choose_logo: () => (cancelled() ? null : (logos[mode] = '/home/you/Pictures/logo.png')),
  clear_logo: () => ((logos[mode] = null), null),
  get_logo: () => logos[mode],
});

function seedPayouts() {
  const s = po();
  const ada = handlers.create_contractor({ input: { name: 'Ada Moreau', email: 'ada@moreau.dev', network: 'base', address: '0x52908400098527886E0F7030069857D2E4169EE7', defaultCurrency: 'USDC-base' } }) as Contractor;
  const lin = handlers.create_contractor({ input: { name: 'Lin Wei', email: null, network: 'tron', address: 'TJRabPrwbZy45sbavfcjinPJC18kjpRTv8', defaultCurrency: 'USDT-tron' } }) as Contractor;
  s.settings = { evmWallet: '0x8617E340B3D01FA5F11F306F4090FD50E238070D', tronWallet: 'TLa2f6VPqDgRE67v1736s7bJ8Ray5wYjU7' };
  const mk = (c: Contractor, amount: string, reference: string) =>
    findPayout((handlers.create_payout({ input: { contractorId: c.id, amount, currency: c.defaultCurrency, reference, memo: null, invoiceId: null } }) as Payout).id);
  // Paid to Ada's old address, a month ago.
  const paid = mk(ada, '1200.00', 'September retainer');
  Object.assign(paid, { state: 'paid', createdAt: ago(60 * 24 * 32), approvedAt: ago(60 * 24 * 31), approvedBy: OS_USER, link: { ...makeLink(paid.id), status: 'expired' },
    txHash: '0x4f2a0c1d9e8b7a6f5e4d3c2b1a0f9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b91c0', paidAt: ago(60 * 24 * 30) });
  paid.history = [event('drafted', OS_USER, null, ago(60 * 24 * 32)), event('approved', OS_USER, ada.address, ago(60 * 24 * 31)),
    event('link_created', null, paid.link!.url, ago(60 * 24 * 31)), event('opened', OS_USER, null, ago(60 * 24 * 30.1)), event('paid', null, 'tx 0x4f2a…91c0', ago(60 * 24 * 30))];
  paid.opened = true;
  // Ada then moved to a new wallet: the next payout to her is flagged.
  handlers.update_contractor({ id: ada.id, input: { ...ada, address: '0xDe0B295669a9FD93d5F28D9Ec85E40f4cb697BAe' }, confirmAddressChange: true });
  po().history[ada.id][0].at = ada.createdAt = ago(60 * 24 * 40);
  po().history[lin.id][0].at = lin.createdAt = ago(60 * 24 * 20);
  po().history[ada.id][1].at = ago(60 * 24 * 3);
  // Lin's payout is live: open it to sign.
  const live = mk(lin, '480.50', 'Translation, October');
  Object.assign(live, { state: 'live', createdAt: ago(60 * 5), approvedAt: ago(60 * 4), approvedBy: OS_USER, link: makeLink(live.id) });
  live.history = [event('drafted', OS_USER, null, ago(60 * 5)), event('approved', OS_USER, lin.address, ago(60 * 4)), event('link_created', null, live.link!.url, ago(60 * 4))];
  // A draft to Ada at her new address.
  const draft = mk(ada, '1350.00', 'October retainer');
  draft.createdAt = ago(30);
  draft.history[0].at = ago(30);
}

/** Routes every backend call to the in-memory handlers above, with a little latency. */
export function installMockBackend(): void {
  seed();
  if (params.get('empty') !== '1') seedPayouts();
  useTransport(async (command, args) => {
    await new Promise((r) => setTimeout(r, 60));
    const handler = handlers[command] ?? fail('internal', `unknown command ${command}`);
    return structuredClone(handler((args ?? {}) as Args));
  });
  useEventSource(async (event, handler) => {
    (listeners[event] ??= new Set()).add(handler);
    return () => listeners[event]?.delete(handler);
  });
  setInterval(() => emit('sync-status', syncStatus()), 30_000);
}

/**
 * ?screen=dashboard|invoices|invoice-new|invoice-N|clients|client-new|client-N|settings|webhooks|contractors|
 * contractor-new|contractor-N|payouts|payout-new|payout-N|review-N opens that screen (payout N = PO-000N).
 */
export function openScreenFromUrl(): void {
  const screen = params.get('screen') ?? 'invoices';
  const nth = (prefix: string) => Number(screen.slice(prefix.length)) - 1;
  if (screen === 'invoice-new') navigate({ name: 'invoice-editor', id: null });
  else if (screen.startsWith('invoice-')) navigate({ name: 'invoice-editor', id: db().invoices[nth('invoice-')]?.id ?? null });
  else if (screen === 'client-new') navigate({ name: 'client-editor', id: null });
  else if (screen.startsWith('client-')) navigate({ name: 'client-editor', id: db().clients[nth('client-')]?.id ?? null });
  else if (screen === 'contractor-new') navigate({ name: 'contractor-editor', id: null });
  else if (screen.startsWith('contractor-')) navigate({ name: 'contractor-editor', id: po().contractors[nth('contractor-')]?.id ?? null });
  else if (screen === 'payout-new') navigate({ name: 'payout-editor', id: null });
  else if (screen.startsWith('payout-')) navigate({ name: 'payout-editor', id: po().payouts[nth('payout-')]?.id ?? null });
  else if (screen.startsWith('review-') && po().payouts[nth('review-')]) navigate({ name: 'payout-review', id: po().payouts[nth('review-')].id });
  else if (screen === 'contractors' || screen === 'payouts') navigate({ name: screen });
  else if (screen === 'clients' || screen === 'settings' || screen === 'dashboard' || screen === 'webhooks') navigate({ name: screen });
}
