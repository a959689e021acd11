// Model patterns are matched with RE2 (@bufbuild/re2): linear time in the input, so a hostile value
// against a pattern with nested quantifiers (ssm-contacts `…:([\w+=\/,.@:-]+)*$`) cannot stall the
// emulator as a backtracking RegExp does. Matching is an unanchored search, as Smithy patterns are.
import { RE2JS } from '@bufbuild/re2';

export interface PatternMatcher {
  test(value: string): boolean;
}

const cache = new Map<string, PatternMatcher>();

// RE2 has no lookaround. The models use only a leading negative lookahead (`^(?!aws:)…`, tag keys);
// it is rewritten as "does not start with X, and matches ^rest", both linear.
const LEADING_LOOKAHEAD = /^\^\(\?!([^()]*)\)(.*)$/su;

// RE2 spells a code point `\x{0020}`; the Java/ECMAScript `\u0020` (KMS policy text) is rewritten.
const UNICODE_ESCAPE = /(?<!\\)((?:\\\\)*)\\u([0-9A-Fa-f]{4})/g;

function build(source: string): PatternMatcher {
  const pattern = source.replace(UNICODE_ESCAPE, '$1\\x{$2}');
  const look = LEADING_LOOKAHEAD.exec(pattern);
  if (look) {
    const banned = RE2JS.compile(`^(?:${look[1]})`);
    const rest = RE2JS.compile(`^${look[2]}`);
    return { test: (s) => !banned.test(s) && rest.test(s) };
  }
  const re = RE2JS.compile(pattern);
  return { test: (s) => re.test(s) };
}

/** A linear-time matcher for a model pattern; throws when the pattern needs a backtracking feature. */
export function modelPattern(pattern: string): PatternMatcher {
  let m = cache.get(pattern);
  if (!m) {
    m = build(pattern);
    cache.set(pattern, m);
  }
  return m;
}
