// C2PA manifests (Content Credentials), read and validated with the C2PA reference SDK compiled to WebAssembly
// (@contentauth/c2pa-wasm, which ships its .wasm in the npm package). What the ledger keeps of a manifest store is a
// summary: its validation state, who signed the active manifest, and every IPTC digital source type its manifests declare.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { initSync, WasmReader } from '@contentauth/c2pa-wasm';
import { isGenerativeAiSourceType } from './metadata-reader.js';

export type C2paSummary = {
  /** The SDK's verdict: `Valid` (signature and hashes check out), `Trusted` (and the signer is on a trust list), `Invalid`. */
  validationState: string;
  activeManifest: string | null;
  claimGenerator: string | null;
  /** The signing certificate's issuer and the signing time, as the manifest states them. */
  signer: string | null;
  signedAt: string | null;
  /** Every `digitalSourceType` in the manifests' assertions (actions and others), where it was found; each once. */
  digitalSourceTypes: Array<{ manifest: string; assertion: string; value: string }>;
  /** Codes of the validation failures, for an `Invalid` state. */
  failures: string[];
};

/** A manifest store that the SDK could not read (a broken store): recorded as such, never mistaken for none. */
export type C2paReading = { found: false } | { found: true; summary: C2paSummary } | { found: true; unreadable: string };

/** Nothing is fetched while reading an uploaded file: no OCSP responder, no remote manifest a file points to. */
const READER_SETTINGS = JSON.stringify({ verify: { ocsp_fetch: false, remote_manifest_fetch: false } });
const MAX_NODES = 20_000;
const MAX_TYPES = 32;
const MAX_FAILURES = 16;

const text = (v: unknown): string | null => (typeof v === 'string' ? v.slice(0, 256) : null);

/** Every `digitalSourceType` string under `value`, depth first, at most MAX_NODES nodes visited. */
function sourceTypesIn(value: unknown, found: string[], budget: { nodes: number }): void {
  const pending: unknown[] = [value];
  while (pending.length > 0 && budget.nodes-- > 0) {
    const v = pending.pop();
    if (Array.isArray(v)) pending.push(...v);
    else if (v !== null && typeof v === 'object') {
      for (const [key, item] of Object.entries(v)) {
        if (key === 'digitalSourceType' && typeof item === 'string') found.push(item.slice(0, 512));
        else pending.push(item);
      }
    }
  }
}

/** The summary of a manifest store as the SDK's `json()` gives it (pure: tested without the SDK). */
export function summarizeC2pa(store: unknown): C2paSummary {
  const s = (store ?? {}) as Record<string, unknown>;
  const manifests = (s.manifests && typeof s.manifests === 'object' ? s.manifests : {}) as Record<string, Record<string, unknown>>;
  const active = text(s.active_manifest);
  const activeManifest = active ? manifests[active] : undefined;
  const signature = (activeManifest?.signature_info ?? {}) as Record<string, unknown>;
  const budget = { nodes: MAX_NODES };
  const digitalSourceTypes: C2paSummary['digitalSourceTypes'] = [];
  // An assertion may declare one type several times (an action each): listed once per manifest and assertion.
  const seen = new Set<string>();
  // The active manifest first, then its ingredients' manifests, as the store lists them.
  const labels = [...(active && activeManifest ? [active] : []), ...Object.keys(manifests).filter((l) => l !== active)];
  for (const label of labels) {
    const assertions = Array.isArray(manifests[label]?.assertions) ? (manifests[label].assertions as Array<Record<string, unknown>>) : [];
    for (const a of assertions) {
      const found: string[] = [];
      sourceTypesIn(a?.data, found, budget);
      for (const value of found) {
        const entry = { manifest: label.slice(0, 256), assertion: text(a?.label) ?? '', value };
        const key = JSON.stringify([entry.manifest, entry.assertion, entry.value]);
        if (seen.has(key) || digitalSourceTypes.length >= MAX_TYPES) continue;
        seen.add(key);
        digitalSourceTypes.push(entry);
      }
    }
  }
  const status = Array.isArray(s.validation_status) ? (s.validation_status as Array<Record<string, unknown>>) : [];
  const state = text(s.validation_state) ?? 'Unknown';
  return {
    validationState: state,
    activeManifest: active,
    claimGenerator: text(activeManifest?.claim_generator),
    signer: text(signature.issuer),
    signedAt: text(signature.time),
    digitalSourceTypes,
    failures:
      state === 'Invalid'
        ? status
            .map((x) => text(x?.code) ?? '')
            .filter(Boolean)
            .slice(0, MAX_FAILURES)
        : [],
  };
}

/** The generative-AI digital source types among those the manifests declare. */
export const aiSourceTypesOf = (summary: C2paSummary) => summary.digitalSourceTypes.filter((d) => isGenerativeAiSourceType(d.value));

let initialised = false;
/** One read at a time: the WebAssembly memory holds the file while it is read, and it never shrinks. */
let queue: Promise<unknown> = Promise.resolve();

function initialise(): void {
  if (initialised) return;
  const wasm = createRequire(import.meta.url).resolve('@contentauth/c2pa-wasm/c2pa.wasm');
  initSync({ module: readFileSync(wasm) });
  initialised = true;
}

/** Reads the manifest store embedded in `bytes` (of media type `type`); `found: false` when there is none. */
export function readC2pa(bytes: Uint8Array, type: string): Promise<C2paReading> {
  const read = async (): Promise<C2paReading> => {
    initialise();
    let reader: WasmReader | null = null;
    try {
      reader = await WasmReader.fromBytes(type, bytes, READER_SETTINGS);
      return { found: true, summary: summarizeC2pa(JSON.parse(reader.json())) };
    } catch (err) {
      const message = (err instanceof Error ? err.message : String(err)).slice(0, 200);
      if (/JumbfNotFound|UnsupportedType/.test(message)) return { found: false };
      return { found: true, unreadable: message };
    } finally {
      reader?.free();
    }
  };
  const result = queue.then(read, read);
  queue = result.catch(() => undefined);
  return result;
}
