// Calendar dates as "YYYY-MM-DD" strings (the IPC format), in the local calendar.

/** Today's local date. */
export function today(now = new Date()): string {
  return toIsoDate(now.getFullYear(), now.getMonth(), now.getDate());
}

/** `date` plus `days` calendar days, or "" when `date` is not a valid date. */
export function addDays(date: string, days: number): string {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  if (!match) return '';
  const [year, month, day] = [Number(match[1]), Number(match[2]) - 1, Number(match[3])];
  // Reject dates the calendar does not have (2026-02-30), which Date would silently roll over.
  const start = new Date(Date.UTC(year, month, day));
  if (start.getUTCFullYear() !== year || start.getUTCMonth() !== month || start.getUTCDate() !== day) return '';
  const utc = new Date(Date.UTC(year, month, day + days));
  return toIsoDate(utc.getUTCFullYear(), utc.getUTCMonth(), utc.getUTCDate());
}

function toIsoDate(year: number, monthIndex: number, day: number): string {
  return `${String(year).padStart(4, '0')}-${String(monthIndex + 1).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}
