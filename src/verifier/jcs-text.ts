// Whether a JSON text is already in canonical form (RFC 8785, JCS, as `canonicalJson` writes it), checked in one pass
// over the text without parsing or serialising it. A verifier uses it to hash an export line as it stands: a line in
// JCS form is, less its `hash` and `leafIndex` members, the very text its hash commits to. Framework-free.
//
// The check accepts a text only when serialising what it parses to gives the same text back:
// - no whitespace outside strings; `true`, `false`, `null` as such;
// - every object's keys strictly increasing by UTF-16 code units (which also rules out a repeated key);
// - strings with only the escapes JSON.stringify writes (\" \\ \b \f \n \r \t, and \u00xx in lowercase for the other
//   control characters), every other character as itself, and no lone surrogate anywhere;
// - numbers as ECMAScript writes them (String(Number(token)) is the token: no -0, 1.0, 1e3 or leading zero).
// The text must be one JSON.parse accepts: the scan relies on that for the one thing it does not check, a raw control
// character inside a string. It may refuse a text that is canonical (a key with an escape, nesting deeper than
// MAX_DEPTH): the caller then serialises the parsed value instead. Refusing costs time, never a wrong verdict;
// accepting must be exact. These rules must change with `canonicalJson` (envelope.ts): test/verifier/jcs-text.spec.ts
// ties the two together.

/** Nesting beyond this is refused rather than followed (the check recurses). */
const MAX_DEPTH = 200;

/** Where a member of the top-level object lies: from the comma before it to the end of its value. */
export type MemberSpan = { from: number; to: number };

const isDigit = (c: number) => c >= 48 && c <= 57;

/**
 * The spans of the top-level object's members named in `wanted` (only those not first in the object, each with the comma
 * before it), when `text` is in JCS form and is an object; undefined when it is not (or the check cannot tell). `text`
 * must be one JSON.parse accepts.
 */
export function jcsMembers(text: string, wanted: readonly string[]): Map<string, MemberSpan> | undefined {
  // JCS has no lone surrogate: this is the only check for a raw one, in keys as in values (the scan does not look again;
  // an escaped one is refused by the escape rule).
  if (text.charCodeAt(0) !== 123 /* { */ || !text.isWellFormed()) return undefined;
  const spans = new Map<string, MemberSpan>();
  const end = new JcsScan(text, wanted, spans).object(0, 1);
  return end === text.length ? spans : undefined;
}

class JcsScan {
  /** The first backslash at or after where the scan last looked for one (the scan only moves forward). */
  private backslash = -1;

  constructor(
    private readonly s: string,
    private readonly wanted: readonly string[],
    private readonly spans: Map<string, MemberSpan>,
  ) {}

  /** The end of the JCS value at `i`, inside a container `depth` deep, or -1. */
  private value(i: number, depth: number): number {
    const c = this.s.charCodeAt(i);
    if (c === 34 /* " */) return this.string(i);
    if (c === 123 /* { */) return depth < MAX_DEPTH ? this.object(i, depth + 1) : -1;
    if (c === 91 /* [ */) return depth < MAX_DEPTH ? this.array(i, depth + 1) : -1;
    if (c === 45 /* - */ || isDigit(c)) return this.number(i);
    if (c === 116 /* t */) return this.s.startsWith('true', i) ? i + 4 : -1;
    if (c === 102 /* f */) return this.s.startsWith('false', i) ? i + 5 : -1;
    if (c === 110 /* n */) return this.s.startsWith('null', i) ? i + 4 : -1;
    return -1;
  }

  /**
   * The object at `i`, `depth` containers deep (1: the top level). Only the top level's members are noted: a member of
   * the same name nested in a value (`"meta":{"a":0,"leafIndex":5}`) must never be taken for it, or a caller cutting it
   * out would hash a text that is not the canonical form of the rest.
   */
  object(i: number, depth: number): number {
    const s = this.s;
    let at = i + 1;
    if (s.charCodeAt(at) === 125 /* } */) return at + 1;
    let previousKey = -1; // where the previous key's text starts (after its quote)
    let previousEnd = -1; // where it ends (at its closing quote)
    for (;;) {
      if (s.charCodeAt(at) !== 34) return -1;
      const keyEnd = this.key(at);
      if (keyEnd < 0) return -1;
      if (previousKey >= 0 && !this.less(previousKey, previousEnd, at + 1, keyEnd - 1)) return -1;
      previousKey = at + 1;
      previousEnd = keyEnd - 1;
      if (s.charCodeAt(keyEnd) !== 58 /* : */) return -1;
      const valueEnd = this.value(keyEnd + 1, depth);
      if (valueEnd < 0) return -1;
      if (depth === 1 && s.charCodeAt(at - 1) === 44 /* , */) {
        for (const name of this.wanted)
          if (keyEnd - at - 2 === name.length && s.startsWith(name, at + 1)) this.spans.set(name, { from: at - 1, to: valueEnd });
      }
      const next = s.charCodeAt(valueEnd);
      if (next === 125 /* } */) return valueEnd + 1;
      if (next !== 44 /* , */) return -1;
      at = valueEnd + 1;
    }
  }

  private array(i: number, depth: number): number {
    let at = i + 1;
    if (this.s.charCodeAt(at) === 93 /* ] */) return at + 1;
    for (;;) {
      const end = this.value(at, depth);
      if (end < 0) return -1;
      const next = this.s.charCodeAt(end);
      if (next === 93) return end + 1;
      if (next !== 44) return -1;
      at = end + 1;
    }
  }

  /** A key: a string without escapes (its text is then the key, compared as it stands). */
  private key(i: number): number {
    const quote = this.s.indexOf('"', i + 1);
    return quote < 0 || this.backslashFrom(i + 1) < quote ? -1 : quote + 1;
  }

  /** The first backslash at or after `at`, or Infinity; searched for again only once the scan has passed the last one found. */
  private backslashFrom(at: number): number {
    if (this.backslash < at) {
      const found = this.s.indexOf('\\', at);
      this.backslash = found < 0 ? Infinity : found;
    }
    return this.backslash;
  }

  /** Whether the text from a to aEnd sorts strictly before the text from b to bEnd, by UTF-16 code units. */
  private less(a: number, aEnd: number, b: number, bEnd: number): boolean {
    const s = this.s;
    for (; a < aEnd && b < bEnd; a++, b++) {
      const x = s.charCodeAt(a);
      const y = s.charCodeAt(b);
      if (x !== y) return x < y;
    }
    return a === aEnd && b < bEnd;
  }

  /**
   * A string with only the escapes JSON.stringify writes. It has no raw control character (JSON.parse refuses one), so
   * only its quote and its backslashes are looked for, each with a native search.
   */
  private string(i: number): number {
    const s = this.s;
    for (let at = i + 1; ;) {
      const quote = s.indexOf('"', at);
      if (quote < 0) return -1;
      const escape = this.backslashFrom(at);
      if (escape > quote) return quote + 1;
      const e = s.charCodeAt(escape + 1);
      at = escape + 2;
      if (e === 34 || e === 92 || e === 98 || e === 102 || e === 110 || e === 114 || e === 116) continue; // " \ b f n r t
      if (e !== 117 /* u */ || s.charCodeAt(escape + 2) !== 48 || s.charCodeAt(escape + 3) !== 48) return -1;
      // \u00xx, lowercase: only for the control characters without a short escape
      const high = s.charCodeAt(escape + 4);
      const low = s.charCodeAt(escape + 5);
      const lowValue = isDigit(low) ? low - 48 : low >= 97 && low <= 102 ? low - 87 : -1;
      if ((high !== 48 && high !== 49) || lowValue < 0) return -1;
      const code = (high - 48) * 16 + lowValue;
      if (code === 8 || code === 9 || code === 10 || code === 12 || code === 13) return -1;
      at = escape + 6;
    }
  }

  /** A number as ECMAScript's Number::toString writes it. */
  private number(i: number): number {
    const s = this.s;
    let at = i;
    if (s.charCodeAt(at) === 45) at++;
    const digits = at;
    while (isDigit(s.charCodeAt(at))) at++;
    if (at === digits) return -1;
    let integer = true;
    if (s.charCodeAt(at) === 46 /* . */) {
      integer = false;
      const from = ++at;
      while (isDigit(s.charCodeAt(at))) at++;
      if (at === from) return -1;
    }
    const e = s.charCodeAt(at);
    if (e === 101 || e === 69) {
      integer = false;
      at++;
      if (s.charCodeAt(at) === 43 || s.charCodeAt(at) === 45) at++;
      const from = at;
      while (isDigit(s.charCodeAt(at))) at++;
      if (at === from) return -1;
    }
    // An integer of up to 15 digits is exact in a double and written back digit for digit, unless it has a leading
    // zero or is -0; anything else is compared with what ECMAScript writes for it.
    if (integer && at - digits <= 15) {
      if (s.charCodeAt(digits) !== 48) return at;
      return at - digits === 1 && digits === i ? at : -1;
    }
    const token = s.slice(i, at);
    return String(Number(token)) === token ? at : -1;
  }
}
