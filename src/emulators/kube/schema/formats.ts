// The string formats kube-apiserver checks for CRD schemas (apiextensions-apiserver's
// apiservervalidation supported formats, backed by k8s.io/kube-openapi/pkg/validation/strfmt).
// Unknown formats are ignored, as there.
import { isIP } from 'node:net';

// strfmt.ParseDateTime: Go's time.Parse with RFC 3339 layouts, so T/t and Z/z, a fraction after
// "." or ",", an offset hour up to 24, and a real calendar date (no Feb 30, no hour 24, no leap second).
const DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:[.,]\d+)?(?:[Zz]|[+-](\d{2}):(\d{2}))$/;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
// The rest as kube-apiserver 1.32 judged probe values (test/cluster/api-rules.test.ts): strfmt's
// regular expressions, Go's net.ParseMAC, net/mail.ParseAddress, url.ParseRequestURI, and
// k8s.io/utils/net's sloppy IP parsing (leading zeros allowed).
const UUID = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;
const UUID_VARIANT = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[89ab][0-9a-f]{3}-?[0-9a-f]{12}$/i;
const HOSTNAME =
  /^([a-zA-Z0-9\p{S}\p{L}]((-?[a-zA-Z0-9\p{S}\p{L}]{0,62})?)|([a-zA-Z0-9\p{S}\p{L}](([a-zA-Z0-9\-\p{S}\p{L}]{0,61}[a-zA-Z0-9\p{S}\p{L}])?)(\.)){1,}([a-zA-Z\p{L}]){2,63})$/u;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=|[A-Za-z0-9+/]{4})$/;
const GO_DURATION =
  /^[-+]?(\d+(\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)((\d+(\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h))*$/;
const DURATION_PART = /(\d+)\s*([A-Za-zµ]+)/g;
const DURATION_UNITS = new Set(
  'ns nano nanos us µs micro micros ms milli millis s sec secs second seconds m min mins minute minutes h hr hour hours d day days w wk week weeks'.split(
    ' ',
  ),
);
const HEXCOLOR = /^#?([0-9a-fA-F]{3}|[0-9a-fA-F]{6})$/;
const BYTE = '(0|[1-9]\\d?|1\\d\\d?|2[0-4]\\d|25[0-5])';
const RGBCOLOR = new RegExp(`^rgb\\(\\s*${BYTE}\\s*,\\s*${BYTE}\\s*,\\s*${BYTE}\\s*\\)$`);
const CREDIT_CARD =
  /^(?:4[0-9]{12}(?:[0-9]{3})?|5[1-5][0-9]{14}|(222[1-9]|22[3-9][0-9]|2[3-6][0-9]{2}|27[01][0-9]|2720)[0-9]{12}|6(?:011|5[0-9][0-9])[0-9]{12}|3[47][0-9]{13}|3(?:0[0-5]|[68][0-9])[0-9]{11}|(?:2131|1800|35\d{3})\d{11}|6[27][0-9]{14})$/;

/** k8s.io/utils/net.ParseIPSloppy: dotted quads may have leading zeros. */
function ipv4Sloppy(s: string): boolean {
  const parts = s.split('.');
  return parts.length === 4 && parts.every((p) => /^\d+$/.test(p) && Number(p) <= 255);
}

function ipv6(s: string): boolean {
  return !s.includes('%') && isIP(s) === 6;
}

/** Go's net.ParseMAC: 6, 8 or 20 octets as xx:xx…, xx-xx… or xxxx.xxxx…, one separator. */
function isMac(s: string): boolean {
  const octets = (n: number) => n === 6 || n === 8 || n === 20;
  for (const sep of [':', '-']) {
    const groups = s.split(sep);
    if (groups.length > 1) return octets(groups.length) && groups.every((g) => /^[0-9a-fA-F]{2}$/.test(g));
  }
  const groups = s.split('.');
  return octets(groups.length * 2) && groups.every((g) => /^[0-9a-fA-F]{4}$/.test(g));
}

// net/mail.ParseAddress: "addr-spec" or "display name <addr-spec>"; local part a dot-atom or a
// quoted string, domain a dot-atom or a [literal]; non-ASCII allowed in atoms.
const ATOM = "[A-Za-z0-9!#$%&'*+/=?^_`{|}~\\-\\u0080-\\u{10FFFF}]+";
const DOT_ATOM = `${ATOM}(?:\\.${ATOM})*`;
const ADDR_SPEC = new RegExp(
  `^(?:${DOT_ATOM}|"(?:[^"\\\\]|\\\\.)*")@(?:${DOT_ATOM}|\\[[^\\[\\]\\\\]*\\])$`,
  'u',
);

function isEmail(s: string): boolean {
  const named = /^[^<>]*<([^<>]+)>$/.exec(s.trim());
  return ADDR_SPEC.test(named ? (named[1] ?? '') : s);
}

/** url.ParseRequestURI: an absolute URI or an absolute path ("*" too); hosts without spaces. */
function isRequestUri(s: string): boolean {
  // "net/url: invalid control character in URL"
  if ([...s].some((c) => c < ' ' || c === '\x7f')) return false;
  if (s === '*' || s.startsWith('/')) return true;
  const m = /^[A-Za-z][A-Za-z0-9+.-]*:(.*)$/s.exec(s);
  if (!m) return false;
  const rest = m[1] ?? '';
  if (!rest.startsWith('//')) return true;
  const authority = rest.slice(2).split(/[/?]/)[0] ?? '';
  const host = authority.slice(authority.lastIndexOf('@') + 1);
  if (host.startsWith('[')) return /^\[[0-9A-Fa-f:.]+(%25[^\]]*)?\](:\d*)?$/.test(host);
  return /^[^\s"<>\\^`{|}]*$/.test(host) && /^[^:]*(:\d*)?$/.test(host);
}

/** strfmt.ParseDuration: Go's time.ParseDuration, else any "<n> <unit>" with a unit it knows. */
function isDuration(s: string): boolean {
  if (GO_DURATION.test(s) || s === '0') return true;
  return [...s.matchAll(DURATION_PART)].some((m) => DURATION_UNITS.has((m[2] ?? '').toLowerCase()));
}

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
  uuid4: (s) => UUID_VARIANT.test(s) && s.replace(/-/g, '')[12] === '4',
  uuid5: (s) => UUID_VARIANT.test(s) && s.replace(/-/g, '')[12] === '5',
  ipv4: (s) => ipv4Sloppy(s) || (ipv6(s) && s.includes('.')),
  ipv6: (s) => ipv6(s),
  cidr: (s) => {
    const [ip, bits, extra] = s.split('/');
    if (extra !== undefined || ip === undefined || bits === undefined || !/^\d+$/.test(bits)) return false;
    if (ipv4Sloppy(ip)) return Number(bits) <= 32;
    return ipv6(ip) && Number(bits) <= 128;
  },
  hostname: (s) => s.length <= 255 && HOSTNAME.test(s),
  email: isEmail,
  mac: isMac,
  uri: isRequestUri,
  duration: isDuration,
  hexcolor: (s) => HEXCOLOR.test(s),
  rgbcolor: (s) => RGBCOLOR.test(s),
  bsonobjectid: (s) => /^[0-9a-fA-F]{24}$/.test(s),
  ssn: (s) => /^\d{3}[- ]\d{2}[- ]\d{4}$/.test(s),
  isbn10: (s) => isbn10(s.replace(/[- ]/g, '')),
  isbn13: (s) => isbn13(s.replace(/[- ]/g, '')),
  isbn: (s) => isbn10(s.replace(/[- ]/g, '')) || isbn13(s.replace(/[- ]/g, '')),
  creditcard: (s) => {
    const digits = s.replace(/[^0-9]+/g, '');
    return CREDIT_CARD.test(digits) && luhn(digits);
  },
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
