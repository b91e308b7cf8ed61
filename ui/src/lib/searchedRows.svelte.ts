// The rows of a searchable list screen (clients, contractors): loaded again whenever the applied
// query changes, and only the answer to the newest query counts (a slower, older one is dropped).
import { toBackendError } from './backendError';

export class SearchedRows<T> {
  /** The applied search ('' for none), e.g. what SearchBox reported. */
  query = $state('');
  /** null until the first answer. */
  rows = $state<T[] | null>(null);
  /** Why the newest load failed; the last rows stay. */
  error = $state<string | null>(null);

  readonly #fetch: (query: string | null) => Promise<T[]>;
  #seq = 0;

  /** Create it while a component initialises: `fetch` gets null for no search. */
  constructor(fetch: (query: string | null) => Promise<T[]>) {
    this.#fetch = fetch;
    $effect(() => {
      void this.#load(this.query);
    });
  }

  async #load(query: string): Promise<void> {
    const seq = ++this.#seq;
    try {
      const result = await this.#fetch(query === '' ? null : query);
      if (seq !== this.#seq) return;
      this.rows = result;
      this.error = null;
    } catch (raw) {
      if (seq === this.#seq) this.error = toBackendError(raw).message;
    }
  }
}
