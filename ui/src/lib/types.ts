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

export type SecretKind = 'apiKey' | 'clientId';
export interface SecretStatus {
  keychainAvailable: boolean;
  message: string | null;
  /** Masked ("••••1234") or null when not set; never the secret itself. */
  apiKey: string | null;
  clientId: string | null;
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
