// Errors of one form: messages keyed by field (shown next to it) plus one form-level message.
import { toBackendError } from './backendError';

export class FormErrors {
  fields = $state<Record<string, string>>({});
  form = $state<string | null>(null);

  private readonly knows: (field: string) => boolean;

  /** `knows(field)` says whether the form shows that field; others go to the form banner. */
  constructor(knows: (field: string) => boolean = () => true) {
    this.knows = knows;
  }

  clear(): void {
    this.fields = {};
    this.form = null;
  }

  /** Forgets the error of one field, e.g. when the person edits it. */
  clearField(field: string): void {
    if (field in this.fields) {
      const { [field]: _, ...rest } = this.fields;
      this.fields = rest;
    }
  }

  /** Records a rejected call: next to its field when the form has it, else in the banner. */
  set(raw: unknown): void {
    const error = toBackendError(raw);
    if (error.field && this.knows(error.field)) {
      this.fields = { ...this.fields, [error.field]: error.detail };
    } else {
      this.form = error.message;
    }
  }

  get any(): boolean {
    return this.form !== null || Object.keys(this.fields).length > 0;
  }
}
