// The one way pages talk to the ledger: fetch with the tab's API key, JSON in and out, RFC 9457 problems as ApiError.
import { unreadableFile } from './browser-failure.js';

const KEY_STORAGE = 'sandbox-ledger.apiKey';

/** The API key lives in sessionStorage only: gone when the tab closes, never in localStorage or a cookie. */
export const apiKey = {
  get: (): string | null => sessionStorage.getItem(KEY_STORAGE),
  set: (key: string) => sessionStorage.setItem(KEY_STORAGE, key),
  clear: () => sessionStorage.removeItem(KEY_STORAGE),
};

/** A refusal from the ledger (problem+json), or a network failure (status 0). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    readonly detail?: string,
    readonly problem?: Record<string, unknown>,
  ) {
    super(detail ? `${title}: ${detail}` : title);
  }
}

export interface ApiOptions {
  method?: string;
  /** Sent as JSON; a FormData is sent as multipart/form-data, its parts in insertion order. */
  body?: unknown;
  /** Send the tab's key (default true when one is set). */
  auth?: boolean;
  signal?: AbortSignal;
  headers?: Record<string, string>;
}

/**
 * How far the ledger's clock is ahead of this machine's (ms), from the Date header of its last answer: the rules the
 * pages apply to deadlines (which form a dispute offers) read the ledger's time, as its deciders do. The header counts
 * whole seconds, so a difference under two is taken as none.
 */
let serverSkew = 0;
export const serverNow = (): Date => new Date(Date.now() + serverSkew);
function noteServerTime(res: Response): void {
  const at = Date.parse(res.headers.get('date') ?? '');
  if (Number.isNaN(at)) return;
  const skew = at - Date.now();
  serverSkew = Math.abs(skew) < 2_000 ? 0 : skew;
}

/** Told when the ledger refuses the tab's key (401) on any call: a key that expired or was revoked while the page was open. */
const keyRefusals = new Set<() => void>();
export function onKeyRefused(listener: () => void): () => void {
  keyRefusals.add(listener);
  return () => keyRefusals.delete(listener);
}

async function send(path: string, options: ApiOptions): Promise<Response> {
  const headers: Record<string, string> = { accept: 'application/json, application/problem+json', ...options.headers };
  const key = options.auth === false ? null : apiKey.get();
  if (key) headers.authorization = `Bearer ${key}`;
  const form = options.body instanceof FormData ? options.body : undefined;
  if (options.body !== undefined && !form) headers['content-type'] = 'application/json';
  let res: Response;
  try {
    res = await fetch(path, {
      method: options.method ?? (options.body === undefined ? 'GET' : 'POST'),
      headers,
      body: form ?? (options.body === undefined ? undefined : JSON.stringify(options.body)),
      signal: options.signal,
      credentials: 'omit',
    });
  } catch (err) {
    if ((err as Error).name === 'AbortError') throw err;
    // An upload of a chosen file that can no longer be read fails as if the network had: it is said to be the file.
    const unreadable = form ? await unreadableFile([...form.values()].filter((v) => v instanceof Blob)) : undefined;
    if (unreadable !== undefined) throw unreadable;
    throw new ApiError(0, 'network', (err as Error).message);
  }
  noteServerTime(res);
  // Only while the key it sent is still the tab's: the answer to a request made with a key since replaced says nothing.
  if (res.status === 401 && key !== null && key === apiKey.get()) for (const listener of keyRefusals) listener();
  if (!res.ok) throw await problemOf(res);
  return res;
}

async function problemOf(res: Response): Promise<ApiError> {
  const text = await res.text();
  try {
    const p = JSON.parse(text) as Record<string, unknown>;
    const title = typeof p.title === 'string' ? p.title : res.statusText;
    return new ApiError(res.status, title, typeof p.detail === 'string' ? p.detail : undefined, p);
  } catch {
    return new ApiError(res.status, res.statusText || `HTTP ${res.status}`, text.slice(0, 200) || undefined);
  }
}

/** JSON request; throws ApiError on any non-2xx answer. */
export async function api<T>(path: string, options: ApiOptions = {}): Promise<T> {
  const res = await send(path, options);
  return (res.status === 204 ? undefined : await res.json()) as T;
}

/** Text answer (a vkey, a checkpoint note). */
export async function apiText(path: string, options: ApiOptions = {}): Promise<string> {
  return (await send(path, options)).text();
}

/** Binary answer (an export, an evidence bundle) for a download or a local check. */
export async function apiBlob(path: string, options: ApiOptions = {}): Promise<Blob> {
  return (await send(path, options)).blob();
}
