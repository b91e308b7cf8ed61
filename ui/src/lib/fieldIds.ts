// DOM ids derived from IPC field paths ("lines[0].quantity"), so labels and errors can point at inputs.

/** A safe DOM id for `field` inside `form`. */
export function inputId(form: string, field: string): string {
  return `${form}-${field.replace(/[^A-Za-z0-9_-]/g, '_')}`;
}

/** The id of the error message of `field`. */
export function errorId(field: string): string {
  return `error-${field.replace(/[^A-Za-z0-9_-]/g, '_')}`;
}
