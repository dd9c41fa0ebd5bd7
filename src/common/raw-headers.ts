// What Node's parsed headers hide: it joins a header sent twice into one value (", " between them), or keeps the first
// one only (Authorization among others); the raw headers tell how many were sent.

/** Whether the header `name` (lowercase) is among `rawHeaders` (name, value, name, value, …) more than once. */
export function sentMoreThanOnce(rawHeaders: readonly string[], name: string): boolean {
  let seen = 0;
  for (let i = 0; i < rawHeaders.length; i += 2) if (rawHeaders[i].toLowerCase() === name && ++seen > 1) return true;
  return false;
}
