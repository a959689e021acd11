// The string formats kube-apiserver checks for CRD schemas (apiextensions-apiserver's
// apiservervalidation supported formats, backed by k8s.io/kube-openapi/pkg/validation/strfmt).
// Unknown formats are ignored, as there.
import { isIP } from 'node:net';

// strfmt.ParseDateTime: Go's time.Parse with RFC 3339 layouts, so T/t and Z/z, a fraction after
// "." or ",", an offset hour up to 24, and a real calendar date (no Feb 30, no hour 24, no leap second).
const DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:[.,]\d+)?(?:[Zz]|[+-](\d{2}):(\d{2}))$/;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const UUID = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;
const HOSTNAME =
  /^([a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)(\.[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*\.?$/;
const EMAIL = /^[^\s@]+@[^\s@]+$/;
const MAC = /^([0-9a-fA-F]{2}[:-]){5}[0-9a-fA-F]{2}$/;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const DURATION = /^(\d+(\.\d+)?\s*(ns|us|µs|ms|s|m|h|d|w)\s*)+$/;
const HEXCOLOR = /^#?([0-9a-fA-F]{3}|[0-9a-fA-F]{6})$/;

function isDateTime(s: string): boolean {
  const m = DATE_TIME.exec(s);
  if (!m) return false;
  const [y, mo, d, h, mi, sec, oh, om] = m.slice(1).map((x) => (x === undefined ? 0 : Number(x)));
  return (
    validDate(y ?? 0, mo ?? 0, d ?? 0) &&
    (h ?? 0) <= 23 &&
    (mi ?? 0) <= 59 &&
    (sec ?? 0) <= 59 &&
    (oh ?? 0) <= 24 &&
    (om ?? 0) <= 59
  );
}

function validDate(y: number, m: number, d: number): boolean {
  const leap = (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
  const days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m - 1];
  return days !== undefined && d >= 1 && d <= days;
}

const checks: Record<string, (s: string) => boolean> = {
  'date-time': isDateTime,
  datetime: isDateTime,
  date: (s) => {
    const m = DATE.exec(s);
    return m !== null && validDate(Number(m[1]), Number(m[2]), Number(m[3]));
  },
  byte: (s) => BASE64.test(s),
  uuid: (s) => UUID.test(s),
  uuid3: (s) => UUID.test(s) && s.replace(/-/g, '')[12] === '3',
  uuid4: (s) => UUID.test(s) && s.replace(/-/g, '')[12] === '4',
  uuid5: (s) => UUID.test(s) && s.replace(/-/g, '')[12] === '5',
  ipv4: (s) => isIP(s) === 4,
  ipv6: (s) => isIP(s) === 6,
  cidr: (s) => {
    const [ip, bits, extra] = s.split('/');
    if (extra !== undefined || ip === undefined || bits === undefined || !/^\d+$/.test(bits)) return false;
    const v = isIP(ip);
    return v !== 0 && Number(bits) <= (v === 4 ? 32 : 128);
  },
  hostname: (s) => s.length <= 255 && HOSTNAME.test(s),
  email: (s) => EMAIL.test(s),
  mac: (s) => MAC.test(s),
  uri: (s) => {
    try {
      new URL(s);
      return true;
    } catch {
      return false;
    }
  },
  duration: (s) => DURATION.test(s),
  hexcolor: (s) => HEXCOLOR.test(s),
  rgbcolor: (s) => /^rgb\(\s*(\d{1,3})\s*,\s*(\d{1,3})\s*,\s*(\d{1,3})\s*\)$/.test(s),
  bsonobjectid: (s) => /^[0-9a-fA-F]{24}$/.test(s),
  ssn: (s) => /^\d{3}[- ]?\d{2}[- ]?\d{4}$/.test(s),
  isbn10: (s) => isbn10(s.replace(/[- ]/g, '')),
  isbn13: (s) => isbn13(s.replace(/[- ]/g, '')),
  isbn: (s) => isbn10(s.replace(/[- ]/g, '')) || isbn13(s.replace(/[- ]/g, '')),
  creditcard: (s) => luhn(s.replace(/[- ]/g, '')),
  password: () => true,
};

function isbn10(s: string): boolean {
  if (!/^\d{9}[\dX]$/.test(s)) return false;
  let sum = 0;
  for (let i = 0; i < 10; i++) sum += (10 - i) * (s[i] === 'X' ? 10 : Number(s[i]));
  return sum % 11 === 0;
}

function isbn13(s: string): boolean {
  if (!/^\d{13}$/.test(s)) return false;
  let sum = 0;
  for (let i = 0; i < 13; i++) sum += Number(s[i]) * (i % 2 === 0 ? 1 : 3);
  return sum % 10 === 0;
}

function luhn(s: string): boolean {
  if (!/^\d{12,19}$/.test(s)) return false;
  let sum = 0;
  for (let i = 0; i < s.length; i++) {
    let d = Number(s[s.length - 1 - i]);
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

/** undefined when kube does not check this format. */
export function checkFormat(format: string, value: string): boolean | undefined {
  const check = checks[format];
  return check ? check(value) : undefined;
}

export const knownFormats = Object.keys(checks);
