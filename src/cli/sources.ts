// Reading a verifier input from a file or a URL (with an API key for the auditor endpoints).
import { createReadStream, existsSync, readFileSync, statSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { Readable } from 'node:stream';

export const isUrl = (s: string) => /^https?:\/\//i.test(s);

const headers = (apiKey?: string): Record<string, string> => (apiKey ? { authorization: `Bearer ${apiKey}` } : {});

export async function readText(source: string, apiKey?: string): Promise<string> {
  if (!isUrl(source)) return readFileSync(source, 'utf8');
  const res = await fetch(source, { headers: headers(apiKey) });
  if (!res.ok) throw new Error(`${source}: HTTP ${res.status}`);
  return res.text();
}

/** A vkey given literally, or in a file, or at a URL. */
export async function readVkey(arg: string): Promise<string> {
  if (isUrl(arg) || existsSync(arg)) return (await readText(arg)).trim();
  return arg.trim();
}

/** The lines of an NDJSON source, streamed, with its byte size when known. */
export async function openLines(source: string, apiKey?: string): Promise<{ lines: AsyncIterable<string>; bytes: number | null; stream: Readable }> {
  let stream: Readable;
  let bytes: number | null = null;
  if (isUrl(source)) {
    const res = await fetch(source, { headers: headers(apiKey) });
    if (!res.ok || !res.body) throw new Error(`${source}: HTTP ${res.status}`);
    bytes = Number(res.headers.get('content-length')) || null;
    stream = Readable.fromWeb(res.body as never);
  } else {
    bytes = statSync(source).size;
    stream = createReadStream(source, { highWaterMark: 1 << 20 });
  }
  return { lines: createInterface({ input: stream, crlfDelay: Infinity }), bytes, stream };
}

/** Checkpoint notes: one signed note per --checkpoint, and the JSON history ({items:[{note}]}) per --checkpoints. */
export async function readCheckpoints(single: string[], histories: string[]): Promise<string[]> {
  const notes = await Promise.all(single.map((s) => readText(s)));
  for (const h of histories) {
    const parsed = JSON.parse(await readText(h)) as { items?: Array<{ note: string }> } | Array<{ note: string }>;
    const items = Array.isArray(parsed) ? parsed : parsed.items ?? [];
    notes.push(...items.map((i) => i.note));
  }
  return notes;
}
