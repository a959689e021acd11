// Label selectors as kube-apiserver reads them (k8s.io/apimachinery/pkg/labels, selector.go): its
// lexer, its recursive-descent parser, its validation of keys and values and its messages.
// Set-based (`in`, `notin`, `!key`), equality and `>`/`<` on integers. The controller checks
// `--label-selector` with it at start-up and matches AWSAccounts with it (they are watched whole);
// the kube emulator answers lists and watches with it.

type Tok = 'id' | 'in' | 'notin' | '(' | ')' | ',' | '!' | '=' | '==' | '!=' | '>' | '<' | 'end' | 'error';
const SYMBOLS = new Set(['=', '!', '(', ')', ',', '>', '<']);
const SYMBOL_TOKENS = new Set(['(', ')', ',', '!', '=', '==', '!=', '>', '<']);
const isSpace = (c: string) => c === ' ' || c === '\t' || c === '\r' || c === '\n';

function lex(sel: string): Array<{ tok: Tok; lit: string }> {
  const out: Array<{ tok: Tok; lit: string }> = [];
  let i = 0;
  for (;;) {
    while (i < sel.length && isSpace(sel[i]!)) i++;
    if (i >= sel.length) {
      out.push({ tok: 'end', lit: '' });
      return out;
    }
    if (SYMBOLS.has(sel[i]!)) {
      // The longest run of symbols that is a token (`!=`, `==`), one character at a time.
      let buf = '';
      let last = '';
      while (i < sel.length && SYMBOLS.has(sel[i]!)) {
        buf += sel[i];
        if (SYMBOL_TOKENS.has(buf)) last = buf;
        else if (last) break;
        i++;
      }
      if (!last) {
        out.push({ tok: 'error', lit: `error expected: keyword found '${buf}'` });
        continue;
      }
      out.push({ tok: last as Tok, lit: last });
      continue;
    }
    let buf = '';
    while (i < sel.length && !SYMBOLS.has(sel[i]!) && !isSpace(sel[i]!)) buf += sel[i++];
    out.push({ tok: buf === 'in' || buf === 'notin' ? buf : 'id', lit: buf });
  }
}

const QUALIFIED_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const QUALIFIED_NAME_FMT = '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]';
const QUALIFIED_NAME_MSG =
  "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS1123_SUBDOMAIN_FMT = '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*';
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

/** validation.RegexError: the message, examples, and the regular expression. */
function regexError(msg: string, fmt: string, ...examples: string[]): string {
  return `${msg} (e.g. ${examples.map((e) => `'${e}', `).join(' or ')}regex used for validation is '${fmt}')`;
}

/** validation.IsQualifiedName. */
function qualifiedNameErrors(value: string): string[] {
  const errs: string[] = [];
  const parts = value.split('/');
  if (parts.length > 2)
    return [
      `a qualified name ${regexError(QUALIFIED_NAME_MSG, QUALIFIED_NAME_FMT, 'MyName', 'my.name', '123-abc')} with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')`,
    ];
  const name = parts.length === 2 ? parts[1]! : parts[0]!;
  if (parts.length === 2) {
    const prefix = parts[0]!;
    if (prefix === '') errs.push('prefix part must be non-empty');
    else {
      if (prefix.length > 253) errs.push('prefix part must be no more than 253 characters');
      if (!DNS1123_SUBDOMAIN.test(prefix))
        errs.push(
          `prefix part ${regexError("a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character", DNS1123_SUBDOMAIN_FMT, 'example.com')}`,
        );
    }
  }
  if (name === '') errs.push('name part must be non-empty');
  else if (name.length > 63) errs.push('name part must be no more than 63 characters');
  if (!QUALIFIED_NAME.test(name))
    errs.push(
      `name part ${regexError(QUALIFIED_NAME_MSG, QUALIFIED_NAME_FMT, 'MyName', 'my.name', '123-abc')}`,
    );
  return errs;
}

/** validation.IsValidLabelValue. */
function labelValueErrors(value: string): string[] {
  const errs: string[] = [];
  if (value.length > 63) errs.push('must be no more than 63 characters');
  if (!LABEL_VALUE.test(value))
    errs.push(
      regexError(
        "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character",
        `(${QUALIFIED_NAME_FMT})?`,
        'MyValue',
        'my_value',
        '12345',
      ),
    );
  return errs;
}

/** field.Invalid(path, value, detail).Error(), with Go's %q for a string value. */
const invalid = (path: string, value: string, detail: string) =>
  `${path}: Invalid value: ${JSON.stringify(value)}: ${detail}`;

/** strconv.ParseInt(v, 10, 64) succeeds. */
function isInt64(v: string): boolean {
  if (!/^[+-]?\d+$/.test(v)) return false;
  const n = BigInt(v);
  return n >= -(2n ** 63n) && n < 2n ** 63n;
}

type Op = 'in' | 'notin' | '=' | '==' | '!=' | '>' | '<' | 'exists' | '!';
interface Requirement {
  key: string;
  op: Op;
  values: string[];
}

class LabelSelectorParser {
  readonly #items: Array<{ tok: Tok; lit: string }>;
  #pos = 0;

  constructor(sel: string) {
    this.#items = lex(sel);
  }

  /** The next token; `in`/`notin` read as identifiers where values are expected (the parser's Values context). */
  #peek(values = true): { tok: Tok; lit: string } {
    const it = this.#items[this.#pos]!;
    return values && (it.tok === 'in' || it.tok === 'notin') ? { tok: 'id', lit: it.lit } : it;
  }

  #next(values = true): { tok: Tok; lit: string } {
    const it = this.#peek(values);
    if (this.#pos < this.#items.length - 1) this.#pos++;
    return it;
  }

  parse(): Requirement[] {
    const reqs: Requirement[] = [];
    for (;;) {
      const { tok, lit } = this.#peek();
      if (tok === 'end') return reqs;
      if (tok !== 'id' && tok !== '!')
        throw new Error(`found '${lit}', expected: !, identifier, or 'end of string'`);
      try {
        reqs.push(this.#requirement());
      } catch (e) {
        throw new Error(`unable to parse requirement: ${(e as Error).message}`);
      }
      const after = this.#next();
      if (after.tok === 'end') return reqs;
      if (after.tok !== ',') throw new Error(`found '${after.lit}', expected: ',' or 'end of string'`);
      const t2 = this.#peek();
      if (t2.tok !== 'id' && t2.tok !== '!')
        throw new Error(`found '${t2.lit}', expected: identifier after ','`);
    }
  }

  #requirement(): Requirement {
    let t = this.#next();
    let op: Op | undefined;
    if (t.tok === '!') {
      op = '!';
      t = this.#next();
    }
    if (t.tok !== 'id') throw new Error(`found '${t.lit}', expected: identifier`);
    const keyErrs = qualifiedNameErrors(t.lit);
    if (keyErrs.length) throw new Error(invalid('<nil>', t.lit, keyErrs.join('; ')));
    const key = t.lit;
    const la = this.#peek().tok;
    if (op === '!' || la === 'end' || la === ',') return check(key, op ?? 'exists', []);
    const o = this.#next(false);
    if (!['in', 'notin', '=', '==', '!=', '>', '<'].includes(o.tok))
      throw new Error(`found '${o.lit}', expected: in, notin, =, ==, !=, gt, lt`);
    const values = o.tok === 'in' || o.tok === 'notin' ? this.#set() : this.#exact();
    return check(key, o.tok as Op, values);
  }

  #exact(): string[] {
    const la = this.#peek().tok;
    if (la === 'end' || la === ',') return [''];
    const t = this.#next();
    if (t.tok === 'id') return [t.lit];
    throw new Error(`found '${t.lit}', expected: identifier`);
  }

  #set(): string[] {
    const open = this.#next();
    if (open.tok !== '(') throw new Error(`found '${open.lit}' expected: '('`);
    const la = this.#peek();
    if (la.tok === ')') {
      this.#next();
      return [''];
    }
    if (la.tok !== 'id' && la.tok !== ',')
      throw new Error(`found '${la.lit}', expected: ',', ')' or identifier`);
    const s = new Set<string>();
    for (;;) {
      const t = this.#next();
      if (t.tok === 'id') {
        s.add(t.lit);
        const t2 = this.#peek();
        if (t2.tok === ',') continue;
        if (t2.tok === ')') break;
        throw new Error(`found '${t2.lit}', expected: ',' or ')'`);
      }
      if (t.tok === ',') {
        if (s.size === 0) s.add(''); // "(,"
        const t2 = this.#peek().tok;
        if (t2 === ')') {
          s.add(''); // ",)"
          break;
        }
        if (t2 === ',') {
          this.#next();
          s.add(''); // ",,"
        }
        continue;
      }
      throw new Error(`found '${t.lit}', expected: ',', or identifier`);
    }
    // The closing parenthesis (the message names the token seen before the list, as the parser does).
    if (this.#next().tok !== ')') throw new Error(`found '${la.lit}', expected: ')'`);
    return [...s].sort();
  }
}

/** labels.NewRequirement's checks; several errors are joined as an aggregate. */
function check(key: string, op: Op, values: string[]): Requirement {
  const errs: string[] = [];
  if (op === '>' || op === '<')
    values.forEach((v, i) => {
      if (!isInt64(v))
        errs.push(invalid(`values[${i}]`, v, "for 'Gt', 'Lt' operators, the value must be an integer"));
    });
  values.forEach((v, i) => {
    const e = labelValueErrors(v);
    if (e.length) errs.push(invalid(`values[${i}][${key}]`, v, e.join('; ')));
  });
  const unique = [...new Set(errs)];
  if (unique.length === 1) throw new Error(unique[0]);
  if (unique.length > 1) throw new Error(`[${unique.join(', ')}]`);
  return { key, op, values };
}

/** Labels → whether they match. */
export type LabelMatcher = (labels: Readonly<Record<string, string>> | undefined) => boolean;

/** Parses a label selector as kube-apiserver does; a bad one throws an Error with its message. */
export function parseLabelSelector(sel: string): LabelMatcher {
  const reqs = new LabelSelectorParser(sel).parse();
  return (given) => {
    const labels = given ?? {};
    return reqs.every((r) => {
      const has = Object.hasOwn(labels, r.key);
      const v = labels[r.key]!;
      switch (r.op) {
        case 'exists':
          return has;
        case '!':
          return !has;
        case '=':
        case '==':
        case 'in':
          return has && r.values.includes(v);
        case '!=':
        case 'notin':
          return !has || !r.values.includes(v);
        case '>':
        case '<': {
          if (!has || !isInt64(v)) return false;
          const a = BigInt(v);
          const b = BigInt(r.values[0]!);
          return r.op === '>' ? a > b : a < b;
        }
      }
      return false;
    });
  };
}
