// Exact decimal arithmetic for the browser-preview backend only (the real rule lives in
// paydesk-core). BigInt fixed point: { v: 12345n, s: 2 } is 123.45.

export interface Dec {
  v: bigint;
  s: number;
}

const TEN = 10n;
const pow10 = (n: number) => TEN ** BigInt(n);

export function parseDec(text: string): Dec | null {
  const m = /^(-?)(\d+)(?:\.(\d+))?$/.exec(text.trim());
  if (!m) return null;
  const frac = m[3] ?? '';
  const v = BigInt(m[2] + frac);
  return { v: m[1] ? -v : v, s: frac.length };
}

export const mul = (a: Dec, b: Dec): Dec => ({ v: a.v * b.v, s: a.s + b.s });
/** a / 100, exactly. */
export const percent = (a: Dec): Dec => ({ v: a.v, s: a.s + 2 });

/** Rounds to `d` decimals, half away from zero; returns the scaled integer. */
export function round(a: Dec, d: number): bigint {
  if (a.s <= d) return a.v * pow10(d - a.s);
  const div = pow10(a.s - d);
  const q = a.v / div;
  const r = a.v % div;
  const abs = r < 0n ? -r : r;
  if (abs * 2n >= div) return q + (a.v < 0n ? -1n : 1n);
  return q;
}

export function format(v: bigint, d: number): string {
  const neg = v < 0n;
  const digits = (neg ? -v : v).toString().padStart(d + 1, '0');
  const whole = digits.slice(0, digits.length - d);
  const frac = d > 0 ? '.' + digits.slice(digits.length - d) : '';
  return (neg ? '-' : '') + whole + frac;
}

export function compare(a: Dec, b: Dec): number {
  const s = Math.max(a.s, b.s);
  const x = a.v * pow10(s - a.s);
  const y = b.v * pow10(s - b.s);
  return x < y ? -1 : x > y ? 1 : 0;
}
