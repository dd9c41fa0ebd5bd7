// A JSON text whose object holds a key twice reads as two documents: JSON.parse keeps the last value, other readers the
// first. A file a verifier vouches for must read the same to every reader, so such a text is refused rather than
// checked as JSON.parse reads it. Framework-free.

/**
 * The first key that appears twice in one object of `text` (keys compared as decoded: "a" and "\u0061" are one key),
 * or undefined when none does. `text` must be one JSON.parse accepts.
 */
export function repeatedKey(text: string): string | undefined {
  /** The keys of each object being read, null for an array. */
  const open: Array<Set<string> | null> = [];
  let keyNext = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22 /* " */) {
      const end = closingQuote(text, i);
      const keys = open[open.length - 1];
      if (keyNext && keys) {
        // Decoded only when it holds an escape: most keys are their own text.
        const raw = text.slice(i + 1, end);
        const key = raw.includes('\\') ? (JSON.parse(text.slice(i, end + 1)) as string) : raw;
        if (keys.has(key)) return key;
        keys.add(key);
        keyNext = false;
      }
      i = end;
    } else if (c === 0x7b /* { */) {
      open.push(new Set());
      keyNext = true;
    } else if (c === 0x5b /* [ */) {
      open.push(null);
      keyNext = false;
    } else if (c === 0x7d /* } */ || c === 0x5d /* ] */) {
      open.pop();
      keyNext = false;
    } else if (c === 0x2c /* , */) {
      keyNext = open[open.length - 1] !== null && open.length > 0;
    }
  }
  return undefined;
}

/** Where the string starting at `start` ends: the first quote after it not escaped by an odd run of backslashes. */
function closingQuote(text: string, start: number): number {
  for (let at = start + 1; ;) {
    const quote = text.indexOf('"', at);
    let slashes = 0;
    while (text.charCodeAt(quote - 1 - slashes) === 0x5c /* \ */) slashes++;
    if (slashes % 2 === 0) return quote;
    at = quote + 1;
  }
}
