// Reading a verifier input from a file or a URL (with an API key for the auditor endpoints).
import { createReadStream, existsSync, readFileSync, statSync } from 'node:fs';
import { Readable } from 'node:stream';
import { bytesToHex } from '@noble/hashes/utils.js';
import { parseCheckpoint, type Checkpoint } from '../verifier/checkpoint.js';
import { cosignatureTime } from '../verifier/cosignature.js';
import type { CarriedTimestamp } from '../verifier/timestamp-token.js';
import { utf8Text } from '../verifier/export-chunk.js';
import { noteAsSaved, parseNote, withoutByteOrderMark } from '../verifier/note.js';
import { repeatedKey } from '../verifier/repeated-key.js';

export const isUrl = (s: string) => /^https?:\/\//i.test(s);

const headers = (apiKey?: string): Record<string, string> => (apiKey ? { authorization: `Bearer ${apiKey}` } : {});

/** A GET that answered 2xx, or an error saying what the server said (its problem title and detail) or why none answered. */
async function get(source: string, apiKey?: string): Promise<Response> {
  let res: Response;
  try {
    res = await fetch(source, { headers: headers(apiKey) });
  } catch (err) {
    const cause = (err as { cause?: { code?: string; message?: string } }).cause;
    throw new Error(`${source}: no answer (${cause?.code ?? cause?.message ?? (err as Error).message})`, { cause: err });
  }
  if (res.ok) return res;
  throw new Error(`${source}: ${await refusal(res, apiKey)}`);
}

/** `HTTP 401 Unauthorized: <detail>` from an RFC 9457 problem (or the start of a plain-text body), with a hint for a missing key. */
async function refusal(res: Response, apiKey?: string): Promise<string> {
  const body = (await res.text().catch(() => '')).trim();
  let title = res.statusText;
  let detail = '';
  try {
    const problem = JSON.parse(body) as { title?: unknown; detail?: unknown };
    if (typeof problem.title === 'string') title = problem.title;
    if (typeof problem.detail === 'string') detail = problem.detail;
  } catch {
    if (!body.startsWith('<')) detail = body.split('\n')[0].slice(0, 200); // a proxy's text, not an HTML page
  }
  const hint = res.status === 401 && !apiKey ? ' (no API key was sent: give one with --key or LEDGER_API_KEY)' : '';
  return `HTTP ${res.status}${title ? ` ${title}` : ''}${detail && detail !== title ? `: ${detail}` : ''}${hint}`;
}

/** Why a local file cannot be read, in words (the errno's code alone named neither the file nor the mistake). */
function fileError(path: string, code: string | undefined, cause?: unknown): Error {
  const why =
    code === 'ENOENT'
      ? 'no such file'
      : code === 'EISDIR'
        ? 'a directory, not a file'
        : code === 'EACCES' || code === 'EPERM'
          ? 'not readable (permission denied)'
          : `cannot be read (${code ?? (cause as Error).message})`;
  return new Error(`${path}: ${why}`, { cause });
}

const errno = (err: unknown) => (err as NodeJS.ErrnoException).code;

/** A local file's bytes; its failure names the file and why it cannot be read. */
export function readLocalFile(path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (err) {
    throw fileError(path, errno(err), err);
  }
}

/**
 * The text of a file or a URL, decoded strictly: bytes that are not well-formed UTF-8 are refused rather than read as
 * U+FFFD, so that what is verified is what the bytes hold.
 */
export async function readText(source: string, apiKey?: string): Promise<string> {
  const bytes = isUrl(source) ? new Uint8Array(await (await get(source, apiKey)).arrayBuffer()) : readLocalFile(source);
  let text: string | undefined;
  try {
    text = utf8Text(bytes);
  } catch (err) {
    throw new Error(`${source}: ${bytes.length} bytes, more than can be read as one text`, { cause: err });
  }
  if (text === undefined) throw new Error(`${source}: not well-formed UTF-8`);
  return text;
}

/**
 * `404 Not Found: <detail>` when `value` is an RFC 9457 problem document (an object with a string type and title and a
 * numeric status): what the server answers an error with, saved in place of what was asked for by a client that does
 * not fail on an HTTP error (`curl -s` without `--fail`). Undefined for anything else.
 */
export function problemAnswer(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const { type, title, status, detail } = value as Record<string, unknown>;
  if (typeof type !== 'string' || typeof title !== 'string' || typeof status !== 'number') return undefined;
  return `${status} ${title}${typeof detail === 'string' && detail !== '' && detail !== title ? `: ${detail}` : ''}`;
}

/** `problemAnswer` of a text that may not be JSON at all (undefined then). */
export function problemIn(text: string): string | undefined {
  try {
    return problemAnswer(JSON.parse(text));
  } catch {
    return undefined;
  }
}

/** What to say of a file that holds the server's error answer (`problemAnswer`) instead of `what`. */
export const errorAnswer = (source: string, what: string, problem: string) =>
  `${source} is an error answer from the server, not ${what}: ${problem}`;

/**
 * A signed note, or a tlog-proof receipt (which ends with one), as read from a file or a URL: what a copy of one often
 * gains (blank lines at the very end, CRLF line breaks, a byte-order mark) is taken out (`noteAsSaved`). Any other text
 * after the last signature line is refused here, naming it, where the verifier could only call the note malformed.
 */
export function noteText(text: string, source: string, what = 'a signed note'): string {
  // Not JSON, or JSON of another kind: the verifier says why it is no note.
  const problem = text.trimStart().startsWith('{') ? problemIn(text) : undefined;
  if (problem !== undefined) throw new Error(errorAnswer(source, 'a signed note', problem));
  if (text.trim() === '') throw new Error(`${source}: empty, not ${what}`);
  const note = noteAsSaved(text);
  const after = textAfterNote(note);
  if (after !== undefined) {
    const shown = after.length > 40 ? `${JSON.stringify(after.slice(0, 40))}…` : JSON.stringify(after);
    throw new Error(`${source}: text after the note's last signature line: ${shown}`);
  }
  return note;
}

/** readText of a note or a tlog-proof, as noteText takes it. */
export async function readNote(source: string, apiKey?: string): Promise<string> {
  return noteText(await readText(source, apiKey), source);
}

/** The text after the last signature line (a line starting with an em dash and a space) of an otherwise well-formed note. */
function textAfterNote(text: string): string | undefined {
  if (parseNote(text).ok) return undefined;
  const line = text.lastIndexOf('\n\u2014 ') + 1;
  const end = line === 0 ? -1 : text.indexOf('\n', line) + 1;
  if (end <= 0 || end === text.length || !parseNote(text.slice(0, end)).ok) return undefined; // the verifier says what is wrong
  return text.slice(end);
}

/**
 * JSON.parse of a file's or a URL's text, its failure naming the source and what it was to hold. A key twice in one
 * object fails too: JSON.parse would check the last value where another reader of the file sees the first.
 */
export function parseJson(saved: string, source: string, what: string): unknown {
  const text = withoutByteOrderMark(saved);
  let value: unknown;
  try {
    value = JSON.parse(text) as unknown;
  } catch (err) {
    throw new Error(`${source}: not ${what} (${(err as Error).message})`, { cause: err });
  }
  const twice = repeatedKey(text);
  if (twice !== undefined) throw new Error(`${source}: not ${what} (the key ${JSON.stringify(twice)} appears twice in one object)`);
  return value;
}

/** A vkey (<name>+<key ID>+<key>, which holds a '+') given literally, or in a file, or at a URL. */
export async function readVkey(arg: string): Promise<string> {
  if (isUrl(arg) || existsSync(arg)) {
    const text = (await readText(arg)).trim();
    // A vkey is one line of text; JSON in its place is most likely another of the server's answers.
    if (text.startsWith('{') || text.startsWith('[')) {
      const problem = problemIn(text);
      if (problem !== undefined) throw new Error(errorAnswer(arg, 'a vkey', problem));
      throw new Error(`${arg}: JSON, not a vkey (<name>+<key ID>+<key>, the text GET /v1/ledger/key answers)`);
    }
    return text;
  }
  // Not a vkey's shape either: most likely a file name mistyped, which would otherwise be reported as a bad key.
  if (!arg.includes('+')) throw new Error(`${arg}: no such file, and not a vkey (<name>+<key ID>+<key>) either`);
  return arg.trim();
}

/** The bytes of a file or a URL, streamed, with their size when known. */
export async function openSource(source: string, apiKey?: string): Promise<{ bytes: number | null; stream: Readable }> {
  let stream: Readable;
  let bytes: number | null;
  if (isUrl(source)) {
    const res = await get(source, apiKey);
    if (!res.body) throw new Error(`${source}: HTTP ${res.status} with no body`);
    bytes = Number(res.headers.get('content-length')) || null;
    stream = Readable.fromWeb(res.body as never);
  } else {
    let stat;
    try {
      stat = statSync(source);
    } catch (err) {
      throw fileError(source, errno(err), err);
    }
    if (stat.isDirectory()) throw fileError(source, 'EISDIR');
    bytes = stat.size;
    stream = createReadStream(source, { highWaterMark: 1 << 20 });
  }
  return { stream, bytes };
}

/** A checkpoint history whose plain fields contradict its signed notes: only the notes are trusted, so the history was altered. */
export class CheckpointHistoryError extends Error {
  readonly name = 'CheckpointHistoryError';
  constructor(
    readonly treeSize: unknown,
    message: string,
  ) {
    super(message);
  }
}

/** The body of a note as it claims to be, before any signature is checked; null when it is no checkpoint at all (the signature check says why). */
export function claimedCheckpoint(note: string): Checkpoint | null {
  const parsed = parseNote(note);
  if (!parsed.ok) return null;
  try {
    return parseCheckpoint(parsed.text);
  } catch {
    return null;
  }
}

/**
 * The notes of a checkpoint history (GET /v1/ledger/checkpoints: {items:[{treeSize, rootHash, time, note}]}, or an array).
 * An item's treeSize, rootHash and time must say what its note says; anyone reading those fields instead of the note would be misled.
 */
export function checkpointNotes(history: unknown): string[] {
  return checkpointItems(history).map((item) => item.note);
}

/** A checkpoint as given to the verifier: its note and the RFC 3161 tokens listed with it (base64 DER). */
export interface CheckpointItem {
  note: string;
  timestamps: CarriedTimestamp[];
}

/** The items of a checkpoint history with their time-stamps; the same checks as checkpointNotes. */
export function checkpointItems(history: unknown): CheckpointItem[] {
  const items: unknown[] = Array.isArray(history) ? history : ((history as { items?: unknown[] } | null)?.items ?? []);
  return items.map((item, i) => {
    const { note, treeSize, rootHash, time } = (item ?? {}) as { note?: unknown; treeSize?: unknown; rootHash?: unknown; time?: unknown };
    const name = `checkpoint history item ${i}${treeSize === undefined ? '' : ` (tree size ${String(treeSize)})`}`;
    if (typeof note !== 'string') throw new CheckpointHistoryError(treeSize, `${name} has no note`);
    const claimed = claimedCheckpoint(note);
    if (claimed) {
      const differs = (field: string, listed: unknown, signed: unknown) => {
        if (listed !== undefined && listed !== signed)
          throw new CheckpointHistoryError(
            treeSize,
            `${name}: its ${field} ${JSON.stringify(listed)} is not the signed note's ${JSON.stringify(signed)}`,
          );
      };
      differs('treeSize', treeSize, claimed.treeSize);
      differs('rootHash', rootHash, bytesToHex(claimed.rootHash));
      differs('time', time, claimed.time);
      const listedBy = (item as { cosignatures?: unknown }).cosignatures;
      const missing = unsignedCosignature(listedBy, note);
      if (missing !== undefined)
        throw new CheckpointHistoryError(treeSize, `${name}: its cosignatures list ${missing}, which the signed note does not carry`);
    }
    const listed = (item as { timestamps?: unknown }).timestamps;
    if (listed !== undefined && !(Array.isArray(listed) && listed.every((t) => typeof t?.token === 'string'))) {
      throw new CheckpointHistoryError(treeSize, `${name}: its timestamps are not a list of tokens`);
    }
    return {
      note,
      timestamps: ((listed ?? []) as CarriedTimestamp[]).map((t) => ({
        token: t.token,
        time: typeof t.time === 'number' ? t.time : undefined,
      })),
    };
  });
}

/**
 * The timestamped cosignature lines of a note (cosignature/v1 and subtree/v1: key ID, then the time in 8 bytes, then the
 * signature), as `cosigner@time`.
 */
function noteCosignatures(note: string): Set<string> {
  const parsed = parseNote(note);
  const found = new Set<string>();
  if (!parsed.ok) return found;
  for (const { name, keyId, signature } of parsed.signatures) {
    const time = signature.length > 64 ? cosignatureTime(signature) : null; // 64 bytes: the note's own Ed25519 signature
    if (time !== null) found.add(`${name}+${bytesToHex(keyId)}@${time}`);
  }
  return found;
}

/**
 * The first cosignature a history item lists (`[{cosigner, time}]`, as GET /v1/ledger/checkpoints gives them) that its
 * note does not carry, shown as JSON; undefined when the note carries each (or none is listed). A list of another shape
 * is shown whole.
 */
function unsignedCosignature(listed: unknown, note: string): string | undefined {
  if (listed === undefined) return undefined;
  if (!Array.isArray(listed)) return JSON.stringify(listed);
  const carried = noteCosignatures(note);
  for (const c of listed as Array<{ cosigner?: unknown; time?: unknown } | null>) {
    const ok = typeof c?.cosigner === 'string' && Number.isSafeInteger(c.time) && carried.has(`${c.cosigner}@${c.time as number}`);
    if (!ok) return JSON.stringify(c);
  }
  return undefined;
}

/** Checkpoint notes: one signed note per --checkpoint, and the JSON history ({items:[{note}]}) per --checkpoints. */
export async function readCheckpoints(single: string[], histories: string[]): Promise<string[]> {
  return (await readCheckpointItems(single, histories)).map((item) => item.note);
}

/** As readCheckpoints, with the time-stamps each history item lists. */
export async function readCheckpointItems(single: string[], histories: string[]): Promise<CheckpointItem[]> {
  const items: CheckpointItem[] = (await Promise.all(single.map((s) => readNote(s)))).map((note) => ({ note, timestamps: [] }));
  for (const h of histories) items.push(...checkpointItems(await readHistory(h)));
  return items;
}

const HISTORY = 'a checkpoint history (JSON, as GET /v1/ledger/checkpoints lists it)';

/**
 * The items of a parsed checkpoint history: a list, or an object with the list in `items` (a page of
 * GET /v1/ledger/checkpoints). Anything else is refused: read as no checkpoints, `{}` beside a --checkpoint would verify
 * as if the history held nothing, and a wrong file would be reported as no checkpoint given.
 */
function historyItems(parsed: unknown, source: string): unknown[] {
  if (Array.isArray(parsed)) return parsed;
  const problem = problemAnswer(parsed);
  if (problem !== undefined) throw new Error(errorAnswer(source, 'a checkpoint history', problem));
  const items = (parsed as { items?: unknown } | null)?.items;
  if (typeof parsed !== 'object' || parsed === null || !Array.isArray(items))
    throw new Error(`${source}: not ${HISTORY}: it is neither a list of checkpoints nor an object with one in "items"`);
  return items;
}

/**
 * A checkpoint history from a file (JSON, as the server lists it) or from the server, every page of it: the URL's
 * `cursor` follows each page's `nextCursor` (at most 1000 checkpoints a page unless the URL asks for fewer).
 */
export async function readHistory(source: string): Promise<unknown[]> {
  if (!isUrl(source)) {
    return historyItems(parseJson(await readText(source), source, HISTORY), source);
  }
  const url = new URL(source);
  if (!url.searchParams.has('limit')) url.searchParams.set('limit', '1000');
  const items: unknown[] = [];
  const cursors = new Set<string>();
  for (;;) {
    const page = parseJson(await readText(url.href), url.href, HISTORY) as { items?: unknown[]; nextCursor?: unknown } | unknown[];
    if (Array.isArray(page)) return [...items, ...page];
    items.push(...historyItems(page, url.href));
    const next = page.nextCursor;
    if (next === null || next === undefined) return items;
    if (cursors.has(String(next))) throw new Error(`${source}: the server gave the cursor ${String(next)} twice`);
    cursors.add(String(next));
    url.searchParams.set('cursor', String(next));
  }
}
