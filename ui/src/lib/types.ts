// The IPC types of docs/IPC.md, field for field. Money, quantities and rates are decimal strings.

export type Mode = 'test' | 'live';
export type InvoiceStatus =
  | 'draft'
  | 'issued'
  | 'partially_paid'
  | 'paid'
  | 'overdue'
  | 'expired'
  | 'void';

export interface AppInfo {
  version: string;
  mode: Mode;
  dataDir: string;
  databasePath: string;
  keychain: { available: boolean; message: string | null };
}

export interface Currency {
  id: string;
  label: string;
  decimals: number;
  kind: 'crypto' | 'fiat';
  network: string | null;
}

export interface Settings {
  mode: Mode;
  defaultCurrency: string;
  numberingPattern: string;
  defaultPaymentTermsDays: number | null;
}
export interface SettingsInput {
  defaultCurrency: string;
  numberingPattern: string;
  defaultPaymentTermsDays: number | null;
}

/** Empty string = not set. */
export interface BusinessProfile {
  name: string;
  email: string;
  address: string;
  taxId: string;
}

export interface ClientInput {
  name: string;
  email: string;
  address: string;
  taxId: string;
  notes: string;
}
export interface Client extends ClientInput {
  id: string;
  createdAt: string;
  updatedAt: string;
  invoiceCount: number;
}

export interface LineItemInput {
  description: string;
  quantity: string;
  unitPrice: string;
  /** Percent, "0".."100". */
  taxRate: string;
  /** Percent, "0".."100". */
  discount: string;
}

export type DiscountKind = 'percent' | 'amount';
/** Invoice-level discount; value "0" = none. */
export interface Discount {
  kind: DiscountKind;
  value: string;
}

export interface InvoiceInput {
  clientId: string;
  currency: string;
  issueDate: string;
  /** Exactly one of dueDate / paymentTermsDays is set. */
  dueDate: string | null;
  paymentTermsDays: number | null;
  /** null = next number from the pattern. */
  number: string | null;
  lines: LineItemInput[];
  discount: Discount;
  notes: string;
  terms: string;
}

export interface TotalsInput {
  currency: string;
  lines: LineItemInput[];
  discount: Discount;
}

export interface LineTotals {
  amount: string;
  discount: string;
  net: string;
  tax: string;
}
export interface Totals {
  subtotal: string;
  discount: string;
  tax: string;
  total: string;
  lines: LineTotals[];
}

export interface Invoice extends Omit<InvoiceInput, 'number' | 'dueDate'> {
  id: string;
  number: string;
  status: InvoiceStatus;
  clientName: string;
  dueDate: string;
  totals: Totals;
  createdAt: string;
  updatedAt: string;
  voidedAt: string | null;
  /** The last successful poll of the invoice's current payment link; null = never. */
  verifiedAt: string | null;
  /** When send_invoice last opened a mail draft for it; null = never sent. */
  sentAt: string | null;
}

export interface InvoiceSummary {
  id: string;
  number: string;
  status: InvoiceStatus;
  clientId: string;
  clientName: string;
  currency: string;
  total: string;
  issueDate: string;
  dueDate: string;
  /** The last successful poll of the invoice's current payment link; null = never. */
  verifiedAt: string | null;
}

export type InvoiceSort = 'dueDate' | 'issueDate' | 'number' | 'client' | 'total' | 'status';
export interface InvoiceQuery {
  status: InvoiceStatus | null;
  search: string | null;
  sort: InvoiceSort;
  descending: boolean;
  limit: number;
  offset: number;
}
export interface InvoicePage {
  items: InvoiceSummary[];
  total: number;
}

export type SecretKind = 'apiKey' | 'clientId' | 'webhookSecret' | 'ngrokAuthtoken';
export interface SecretStatus {
  keychainAvailable: boolean;
  message: string | null;
  /** Masked ("••••1234") or null when not set; never the secret itself. */
  apiKey: string | null;
  clientId: string | null;
  /** The signing secret of a webhook set up by hand in Request's dashboard. */
  webhookSecret: string | null;
  ngrokAuthtoken: string | null;
}

/** Where payment links pay to, and the redirect defaults. null = not set. */
export interface PaymentSettings {
  destinationId: string | null;
  useBoundDestination: boolean;
  payeeAddress: string | null;
  paymentCurrency: string | null;
  redirectUrl: string | null;
  redirectLabel: string | null;
}

export type LinkStatus = 'live' | 'expired' | 'void' | 'superseded';
export interface LinkInfo {
  url: string;
  token: string;
  createdAt: string;
  expiresAt: string;
  status: LinkStatus;
  amount: string;
  currency: string;
  redirectUrl: string | null;
  redirectLabel: string | null;
}
export interface PendingLink {
  lastError: string | null;
  nextAttemptAt: string;
  attempts: number;
}
export type LinkStateKind = 'none' | 'queued' | 'live' | 'expired' | 'failed';
export interface LinkState {
  invoiceId: string;
  state: LinkStateKind;
  link: LinkInfo | null;
  pending: PendingLink | null;
  /** Why the request is queued or failed. */
  message: string | null;
  /** Every link of the invoice, oldest first. */
  history: LinkInfo[];
  /** A live or queued link locks the invoice until the link is voided. */
  locked: boolean;
}
export interface LinkRequest {
  redirectUrl: string | null;
  redirectLabel: string | null;
}

// Paid status: polling the payment links, the dashboard.

/** The state of an invoice's payment link, as the last poll (or webhook) saw it. */
export type PayState = 'none' | 'open' | 'processing' | 'partially_paid' | 'paid' | 'expired';
export type StatusEventSource = 'poll' | 'check' | 'webhook' | 'system';
/** One observation of a link's status; `applied` is false when it was stale or changed nothing. */
export interface StatusEvent {
  /** RFC 3339. */
  at: string;
  source: StatusEventSource;
  /** open | processing | partially_paid | paid | not_payable | unknown */
  observed: string;
  /** e.g. "tx 0xabc…", "paid 40 of 100", the API's message. */
  detail: string | null;
  /** false: stale or no change (status only moves forward). */
  applied: boolean;
  /** The link's state after this event. */
  payState: PayState;
}
export interface PaymentStatus {
  invoiceId: string;
  invoiceStatus: InvoiceStatus;
  payState: PayState;
  currency: string;
  total: string;
  /** Where the API tells it (partial payments). */
  amountPaid: string | null;
  amountLeft: string | null;
  txHash: string | null;
  paidAt: string | null;
  /** The last successful poll of the current link. */
  verifiedAt: string | null;
  /** null: no more polling (paid, void, expired and confirmed). */
  nextCheckAt: string | null;
  /** The last failed poll, e.g. "API unavailable (503)". */
  lastError: string | null;
  /** Newest first, across all of the invoice's links. */
  events: StatusEvent[];
  /** What the payer did in their wallet (webhook user events), newest first. */
  activity: PayerActivity[];
}
export interface SyncStatus {
  online: boolean;
  offlineSince: string | null;
  lastTickAt: string | null;
  /** e.g. "401: check the API key". */
  lastError: string | null;
  /** Links still polled. */
  openLinks: number;
  dueNow: number;
  rateLimitPerSec: number;
}
export interface CurrencyTotals {
  currency: string;
  /** Issued + partially paid (what is left) + overdue. */
  outstanding: string;
  overdue: string;
  paidThisMonth: string;
  paidThisYear: string;
}
export type AttentionReason = 'overdue' | 'expired' | 'partially_paid' | 'link_failed';
export interface AttentionItem {
  invoiceId: string;
  number: string;
  clientName: string;
  currency: string;
  total: string;
  status: InvoiceStatus;
  dueDate: string;
  reason: AttentionReason;
}
export interface Dashboard {
  totals: CurrencyTotals[];
  attention: AttentionItem[];
}

/** The payload of the `payment-status-changed` event. */
export interface PaymentStatusChanged {
  invoiceId: string;
  number: string;
  clientName: string;
  status: InvoiceStatus;
  amountPaid: string | null;
  currency: string;
}

// Webhooks: a local receiver behind a tunnel, registered with Request. Polling always runs;
// webhooks only make "paid" show up within seconds while the app is open.

export type TunnelKind = 'cloudflared' | 'ngrok' | 'manual';
export interface WebhookConfig {
  /** Webhooks on/off (polling always runs). */
  enabled: boolean;
  tunnel: TunnelKind;
  /** The cloudflared/ngrok binary; null = find it on PATH. */
  binaryPath: string | null;
  /** Manual only: the user's own https proxy URL that forwards to the local receiver. */
  publicUrl: string | null;
  /** The local receiver's port on 127.0.0.1; null = automatic. */
  port: number | null;
}
export type TunnelState = 'off' | 'starting' | 'up' | 'retrying' | 'failed';
export interface TunnelStatus {
  state: TunnelState;
  publicUrl: string | null;
  attempt: number;
  error: string | null;
  /** RFC 3339; when the next attempt starts (retrying). */
  retryAt: string | null;
}
export type ReceiverState = 'off' | 'listening' | 'failed';
export interface ReceiverStatus {
  state: ReceiverState;
  address: string | null;
  error: string | null;
}
export type RegistrationState = 'off' | 'pending' | 'registered' | 'manual' | 'failed';
export interface RegistrationStatus {
  /**
   * registered: the app registered endpointUrl with Request (client id saved); manual: no client
   * id, the user pastes endpointUrl in Request's dashboard and the signing secret in the app.
   */
  state: RegistrationState;
  webhookId: string | null;
  url: string | null;
  error: string | null;
}
export type DeliveryOutcome =
  | 'applied'
  | 'duplicate'
  | 'test'
  | 'unknown_request'
  | 'user_event'
  | 'noted'
  | 'ignored'
  | 'rejected'
  | 'error';
export interface DeliveryRecord {
  at: string;
  deliveryId: string | null;
  event: string | null;
  retryCount: string | null;
  verified: boolean;
  outcome: DeliveryOutcome;
  /** e.g. why it was rejected. */
  detail: string | null;
  /** The HTTP status the receiver answered with. */
  status: number;
}
export interface WebhookStatus {
  config: WebhookConfig;
  receiver: ReceiverStatus;
  tunnel: TunnelStatus;
  registration: RegistrationStatus;
  /** Public URL + unguessable path: what Request posts to. */
  endpointUrl: string | null;
  /** The masked signing secret ("••••1234"), null when none is saved. */
  secret: string | null;
  /** A client id is saved, so registration is automatic. */
  canRegister: boolean;
  /** Newest first (this app session). */
  deliveries: DeliveryRecord[];
}
export interface SendTestResult {
  message: string;
}
/** userEvent: 'wallet_connected' | 'payment_sent_to_wallet' | 'payment_approved_in_wallet' | another name. */
export interface PayerActivity {
  at: string;
  userEvent: string;
  test: boolean;
}

// Contractors and payouts: paying people out through payout links the user signs in their wallet.

export type Network = 'mainnet' | 'arbitrum-one' | 'optimism' | 'base' | 'matic' | 'bsc' | 'tron' | 'sepolia';
export interface NetworkInfo {
  id: Network;
  label: string;
  evm: boolean;
}

export interface ContractorInput {
  name: string;
  email: string | null;
  network: Network;
  address: string;
  /** A payment currency on `network`. */
  defaultCurrency: string | null;
}
export interface Contractor {
  id: string;
  name: string;
  email: string | null;
  network: Network;
  /** Canonical: EIP-55 checksummed (EVM) or T... (Tron). */
  address: string;
  defaultCurrency: string | null;
  /** The last change after creation. */
  addressChangedAt: string | null;
  payoutCount: number;
  createdAt: string;
  updatedAt: string;
}
export interface AddressChange {
  at: string;
  network: Network;
  oldAddress: string | null;
  newAddress: string;
}
export interface ContractorDetail {
  contractor: Contractor;
  /** Oldest first. */
  history: AddressChange[];
}

export type PayoutState = 'draft' | 'approved' | 'live' | 'paid' | 'expired' | 'cancelled' | 'failed' | 'batched';
export interface PayoutInput {
  contractorId: string;
  amount: string;
  currency: string;
  reference: string | null;
  memo: string | null;
  invoiceId: string | null;
}
export interface PayoutLink {
  url: string;
  token: string;
  expiresAt: string;
  status: 'live' | 'expired' | 'void' | 'superseded';
}
export type PayoutAction =
  | 'drafted'
  | 'edited'
  | 'approved'
  | 'link_created'
  | 'opened'
  | 'paid'
  | 'expired'
  | 'cancelled'
  | 'failed'
  | 'batched'
  | 'address_flagged';
export interface PayoutEvent {
  at: string;
  action: PayoutAction;
  /** Who acted (the OS user name) for user actions. */
  actor: string | null;
  /** e.g. the approved address, the tx hash, the API's message. */
  detail: string | null;
}
export interface Payout {
  id: string;
  /** "PO-0001". */
  number: string;
  state: PayoutState;
  contractorId: string;
  contractorName: string;
  network: Network;
  /** The contractor's current address (draft) or the approved one. */
  address: string;
  currency: string;
  amount: string;
  reference: string | null;
  memo: string | null;
  invoiceId: string | null;
  invoiceNumber: string | null;
  /** The address changed since the last payout to this contractor. */
  addressChanged: boolean;
  approvedAt: string | null;
  approvedBy: string | null;
  link: PayoutLink | null;
  txHash: string | null;
  paidAt: string | null;
  /** The batch payout this one was combined into. */
  batchId: string | null;
  /** Why it is waiting or failed. */
  message: string | null;
  createdAt: string;
  /** Oldest first. */
  history: PayoutEvent[];
}
export interface PayoutSummary {
  id: string;
  number: string;
  state: PayoutState;
  contractorName: string;
  network: Network;
  currency: string;
  amount: string;
  addressChanged: boolean;
  createdAt: string;
}
export interface PayoutReview {
  payout: Payout;
  contractorName: string;
  address: string;
  network: Network;
  networkLabel: string;
  currency: string;
  amount: string;
  addressChanged: boolean;
  /** What the last payout went to, when it changed. */
  previousAddress: string | null;
  /** From payout settings; null blocks approval. */
  creatorWallet: string | null;
  /** Why it cannot be approved now (empty: it can). */
  problems: string[];
}
/** The creator wallet address per address family; null = not set. */
export interface PayoutSettings {
  evmWallet: string | null;
  tronWallet: string | null;
}
export interface Batch {
  id: string;
  network: Network;
  payoutIds: string[];
  link: PayoutLink | null;
  state: PayoutState;
}
/** The payload of the `payout-changed` event. */
export interface PayoutChanged {
  id: string;
  state: PayoutState;
}

// Documents, exports and backups. Files are chosen in the OS dialog the shell opens; every command
// that shows a dialog answers null when the user cancels it.

export type Paper = 'a4' | 'letter';
export interface SavedFile {
  path: string;
  bytes: number;
}
export interface SavedPdf {
  path: string;
  bytes: number;
  pages: number;
}
export interface SentInvoice {
  mailto: string;
  /** The PDF written to the data folder's documents/<mode>/, to attach to the mail draft. */
  pdfPath: string;
  sentAt: string;
}
export type ExportKind = 'invoices' | 'payments' | 'payouts';
export interface ExportResult {
  path: string;
  rows: number;
}
export interface BackupInfo {
  path: string;
  bytes: number;
  createdAt: string;
  mode: Mode;
  schemaVersion: number;
  appVersion: string;
  includesSecrets: boolean;
}
export interface AutoBackup {
  path: string;
  createdAt: string;
  bytes: number;
}
export interface RestoreResult {
  backup: BackupInfo;
  /** Where the replaced database was kept. */
  previousKeptAt: string;
}
/** Why the books could not be opened at start (get_recovery): they are damaged and need a restore. */
export interface Recovery {
  /** The damaged database file. */
  database: string;
  mode: Mode;
  /** What the integrity check found. */
  problem: string;
  /** The automatic daily backups of this mode, newest first. */
  backups: AutoBackup[];
}
