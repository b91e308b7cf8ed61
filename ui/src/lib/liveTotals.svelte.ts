// Live totals for the invoice editor: debounced compute_totals calls where only the newest answer
// counts, and a rejected call keeps the last good totals on screen.
import { BackendError, toBackendError } from './backendError';
import type { Totals, TotalsInput } from './types';

export class LiveTotals {
  /** The last totals the backend computed without error. */
  totals = $state<Totals | null>(null);
  /** Why the newest request failed, or null once a newer one succeeded. */
  error = $state<BackendError | null>(null);
  pending = $state(false);

  readonly #compute: (input: TotalsInput) => Promise<Totals>;
  readonly #delayMs: number;
  #seq = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;

  constructor(compute: (input: TotalsInput) => Promise<Totals>, delayMs = 200) {
    this.#compute = compute;
    this.#delayMs = delayMs;
  }

  /** Shows known totals (a saved invoice's) before the first computation. */
  seed(totals: Totals): void {
    this.totals = totals;
    this.error = null;
  }

  /** Asks for totals of `input` after the debounce; supersedes any request still in flight. */
  request(input: TotalsInput): void {
    clearTimeout(this.#timer);
    const seq = ++this.#seq;
    this.pending = true;
    this.#timer = setTimeout(() => void this.#run(seq, input), this.#delayMs);
  }

  /** Drops pending work, e.g. when the editor closes. */
  cancel(): void {
    clearTimeout(this.#timer);
    this.#seq++;
    this.pending = false;
  }

  async #run(seq: number, input: TotalsInput): Promise<void> {
    try {
      const totals = await this.#compute(input);
      if (seq !== this.#seq) return;
      this.totals = totals;
      this.error = null;
    } catch (raw) {
      if (seq !== this.#seq) return;
      this.error = toBackendError(raw);
    } finally {
      if (seq === this.#seq) this.pending = false;
    }
  }
}
