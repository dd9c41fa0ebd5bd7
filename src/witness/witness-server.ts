// A C2SP tlog-witness (c2sp.org/tlog-witness): POST /add-checkpoint checks a log's checkpoint against the latest one it
// cosigned for that origin (old size, consistency proof) and answers with an Ed25519 cosignature/v1 line.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { checkConsistency, HASH_SIZE } from '../verifier/rfc6962.js';
import { parseCheckpoint } from '../verifier/checkpoint.js';
import { nobleSha256 } from '../verifier/envelope.js';
import { base64Decode, base64Encode, parseNote, parseVkey, verifyNote, type Vkey } from '../verifier/note.js';
import { signCosignatureV1 } from '../verifier/cosignature.js';
import type { WitnessState } from './witness-state.js';

const MAX_BODY = 1 << 20;
const MAX_PROOF_LINES = 63;
const DECIMAL = /^(?:0|[1-9][0-9]*)$/;

export interface WitnessServerOptions {
  name: string;
  secretKey: Uint8Array;
  /** The Ed25519 vkeys of the logs this witness follows (a log may have several). */
  logs: string[];
  state: WitnessState;
  now?: () => number;
  log?: (line: string) => void;
}

/** A refusal with the status tlog-witness prescribes. */
class Answer extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly body = `${message}\n`,
    readonly type = 'text/plain; charset=utf-8',
  ) {
    super(message);
  }
}

export interface AddCheckpointRequest {
  oldSize: number;
  proof: Uint8Array[];
  note: string;
}

/** Parses an add-checkpoint body; throws an Answer(400) when it does not follow the format. */
export function parseAddCheckpoint(body: string): AddCheckpointRequest {
  const bad = (why: string) => new Answer(400, `malformed request: ${why}`);
  const first = body.indexOf('\n');
  const oldLine = first < 0 ? '' : body.slice(0, first);
  if (!oldLine.startsWith('old ') || !DECIMAL.test(oldLine.slice(4)) || !Number.isSafeInteger(Number(oldLine.slice(4))))
    throw bad('no old size line');
  const proof: Uint8Array[] = [];
  let at = first + 1;
  for (;;) {
    const end = body.indexOf('\n', at);
    if (end < 0) throw bad('no empty line before the checkpoint');
    const line = body.slice(at, end);
    at = end + 1;
    if (line === '') break;
    if (proof.length === MAX_PROOF_LINES) throw bad(`more than ${MAX_PROOF_LINES} consistency proof lines`);
    let hash: Uint8Array;
    try {
      hash = base64Decode(line);
    } catch {
      throw bad('a consistency proof line is not base64');
    }
    if (hash.length !== HASH_SIZE) throw bad('a consistency proof line is not a 32-byte hash');
    proof.push(hash);
  }
  return { oldSize: Number(oldLine.slice(4)), proof, note: body.slice(at) };
}

export class Witness {
  private readonly keys = new Map<string, Vkey[]>();
  private queue: Promise<unknown> = Promise.resolve();
  private readonly now: () => number;
  private readonly log: (line: string) => void;

  constructor(private readonly opts: WitnessServerOptions) {
    for (const text of opts.logs) {
      const key = parseVkey(text);
      this.keys.set(key.name, [...(this.keys.get(key.name) ?? []), key]);
    }
    this.now = opts.now ?? Date.now;
    this.log = opts.log ?? (() => undefined);
  }

  /** Handles one add-checkpoint body; one at a time, so the check of the old size and the update are one step. */
  addCheckpoint(body: string): Promise<{ status: number; type: string; body: string }> {
    const next = this.queue
      .then(() => this.add(body))
      .catch((err: unknown) => {
        if (err instanceof Answer) return { status: err.status, type: err.type, body: err.body };
        throw err;
      });
    this.queue = next.catch(() => undefined);
    return next;
  }

  private add(body: string): { status: number; type: string; body: string } {
    const { oldSize, proof, note } = parseAddCheckpoint(body);
    const parsed = parseNote(note);
    if (!parsed.ok) throw new Answer(400, parsed.reason);
    let checkpoint;
    try {
      checkpoint = parseCheckpoint(parsed.text);
    } catch (err) {
      throw new Answer(400, `malformed checkpoint: ${(err as Error).message}`);
    }
    const trusted = this.keys.get(checkpoint.origin);
    if (!trusted) throw new Answer(404, `unknown log origin ${checkpoint.origin}`);
    if (!trusted.some((key) => verifyNote(note, key).ok)) throw new Answer(403, 'no signature by a trusted key of this log verifies');
    if (oldSize > checkpoint.treeSize) throw new Answer(400, `old size ${oldSize} exceeds the checkpoint size ${checkpoint.treeSize}`);
    const held = this.opts.state.latest(checkpoint.origin);
    const heldSize = held?.size ?? 0;
    const conflict = () => new Answer(409, 'conflict', `${heldSize}\n`, 'text/x.tlog.size');
    if (oldSize !== heldSize) throw conflict();
    const rootHash = base64Encode(checkpoint.rootHash);
    if (oldSize === checkpoint.treeSize) {
      if (held && held.rootHash !== rootHash) {
        this.log(
          `refused a fork of ${checkpoint.origin}: a checkpoint of size ${oldSize} with root ${rootHash}, but ${held.rootHash} was cosigned\n${note}`,
        );
        throw conflict();
      }
      if (proof.length > 0) throw new Answer(422, 'a consistency proof between equal sizes is empty');
    } else if (oldSize === 0) {
      if (proof.length > 0) throw new Answer(422, 'the consistency proof from size 0 must be empty');
    } else {
      const check = checkConsistency(oldSize, checkpoint.treeSize, proof, base64Decode(held!.rootHash), checkpoint.rootHash, nobleSha256);
      if (!check.ok) {
        this.log(
          `refused checkpoint ${checkpoint.treeSize} of ${checkpoint.origin}: not consistent with ${oldSize} (${check.reason})\n${note}`,
        );
        throw new Answer(422, `the consistency proof does not verify: ${check.reason}`);
      }
    }
    this.opts.state.record(checkpoint.origin, { size: checkpoint.treeSize, rootHash, checkpoint: parsed.text });
    const line = signCosignatureV1(parsed.text, this.opts.name, this.opts.secretKey, Math.floor(this.now() / 1000));
    return { status: 200, type: 'text/plain; charset=utf-8', body: line };
  }
}

/** The body as text, or null once it is larger than MAX_BODY (declared so, or as it arrives): the rest is not read. */
function readBody(req: IncomingMessage): Promise<string | null> {
  return new Promise((resolve, reject) => {
    if (Number(req.headers['content-length'] ?? 0) > MAX_BODY) return resolve(null);
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) {
        req.off('data', onData);
        req.pause();
        resolve(null);
        return;
      }
      chunks.push(c);
    };
    req.on('data', onData);
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** The witness's HTTP interface: POST /add-checkpoint, and GET / with its vkey. */
export function witnessServer(witness: Witness, vkey: string): Server {
  return createServer((req: IncomingMessage, res: ServerResponse) => {
    const send = (status: number, type: string, body: string) => res.writeHead(status, { 'content-type': type }).end(body);
    const path = (req.url ?? '').split('?')[0];
    if (req.method === 'GET' && path === '/') return void send(200, 'text/plain; charset=utf-8', `${vkey}\n`);
    if (path !== '/add-checkpoint') return void send(404, 'text/plain; charset=utf-8', 'not found\n');
    if (req.method !== 'POST') return void send(405, 'text/plain; charset=utf-8', 'use POST\n');
    void readBody(req)
      .then(async (body) => {
        // Answered before the rest of the body is read: the connection is closed once the answer is out, not reset under it.
        if (body === null)
          return void res
            .writeHead(413, { 'content-type': 'text/plain; charset=utf-8', connection: 'close' })
            .end('request too large\n', () => req.socket.destroySoon());
        const answer = await witness.addCheckpoint(body);
        send(answer.status, answer.type, answer.body);
      })
      .catch((err: Error) => send(500, 'text/plain; charset=utf-8', `${err.message}\n`));
  });
}
