// Ask, confirm, restore: the steps of restoring books from a backup file or an automatic backup,
// shared by the recovery screen and Settings → Data. A restore is first asked for, shown in a
// confirmation, and runs only once confirmed; one at a time. What runs and what a success or a
// failure does is the caller's.
import { BackendError, toBackendError } from './backendError';
import type { AutoBackup, RestoreResult } from './types';

/** What a confirmation would restore: the file chosen next in the OS dialog, or one automatic backup. */
export type RestoreChoice = { kind: 'file' } | { kind: 'auto'; backup: AutoBackup };

/** Whether a failed file restore is about the passphrase or the file itself (shown under the passphrase). */
export const isAboutTheFile = (error: BackendError) => error.field === 'passphrase' || error.field === 'backup';

export class RestoreFlow {
  /** What the open confirmation would restore; null while none is open. */
  confirming = $state<RestoreChoice | null>(null);
  /** A confirmed restore is running. */
  busy = $state(false);

  readonly #run: (choice: RestoreChoice) => Promise<RestoreResult | null>;
  readonly #restored: (result: RestoreResult, choice: RestoreChoice) => void | Promise<void>;
  readonly #failed: (error: BackendError, choice: RestoreChoice) => void;

  constructor(steps: {
    /** Restores `choice`; null when the file dialog was cancelled (nothing changed). */
    run: (choice: RestoreChoice) => Promise<RestoreResult | null>;
    restored: (result: RestoreResult, choice: RestoreChoice) => void | Promise<void>;
    failed: (error: BackendError, choice: RestoreChoice) => void;
  }) {
    this.#run = steps.run;
    this.#restored = steps.restored;
    this.#failed = steps.failed;
  }

  /** Opens the confirmation for `choice`; false (nothing opened) while a restore runs. */
  ask(choice: RestoreChoice): boolean {
    if (this.busy) return false;
    this.confirming = choice;
    return true;
  }

  /** Closes the confirmation (cancelled, or the restore is done). */
  close(): void {
    this.confirming = null;
  }

  /** Whether a confirmed restore of this kind is running. */
  running(kind: RestoreChoice['kind']): boolean {
    return this.busy && this.confirming?.kind === kind;
  }

  /** Runs the confirmed restore; the confirmation closes when it ends, whatever the outcome. */
  async confirm(): Promise<void> {
    const choice = this.confirming;
    if (!choice || this.busy) return;
    this.busy = true;
    try {
      const result = await this.#run(choice);
      if (result) await this.#restored(result, choice);
    } catch (raw) {
      this.#failed(toBackendError(raw), choice);
    } finally {
      this.busy = false;
      this.confirming = null;
    }
  }
}
