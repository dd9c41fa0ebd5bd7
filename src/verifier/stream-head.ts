// The log's signed statement of a stream's head at a tree size: how many events the stream had among the log's first
// leaves, and the last one's hash. Inclusion proofs show that each event of a history is in the log; none shows that no
// event of the stream is missing after the last one given. This statement does: a history cut short no longer matches
// it, and it is the log's word, which an auditor holding the export can check against the log itself. A C2SP signed
// note by the log's key; its first line names the statement, so it never reads as a checkpoint. Framework-free.
import { isHex64 } from './envelope.js';

export const STREAM_HEAD = 'sandbox-ledger/stream-head/v1';

export interface StreamHead {
  /** The log's origin, as its checkpoints name it. */
  origin: string;
  stream: string;
  /** Events of the stream among the first `treeSize` leaves of the log. */
  events: number;
  /** The hash of the last of them. */
  headHash: string;
  treeSize: number;
}

const DECIMAL = /^(0|[1-9][0-9]{0,15})$/;

/** The statement's text, which the log signs: one field a line, each ended by a newline. */
export function formatStreamHead(h: StreamHead): string {
  return [STREAM_HEAD, h.origin, h.stream, String(h.events), h.headHash, String(h.treeSize)].map((line) => `${line}\n`).join('');
}

/** The statement in a signed note's text (as verifyNote gives it back), or undefined when the text is not one. */
export function parseStreamHead(text: string): StreamHead | undefined {
  const lines = text.split('\n');
  if (lines.length !== 7 || lines[6] !== '' || lines[0] !== STREAM_HEAD) return undefined;
  const [, origin, stream, events, headHash, treeSize] = lines;
  if (!origin || !stream || !DECIMAL.test(events) || !isHex64(headHash) || !DECIMAL.test(treeSize)) return undefined;
  const count = Number(events);
  const size = Number(treeSize);
  if (!Number.isSafeInteger(count) || !Number.isSafeInteger(size)) return undefined;
  return { origin, stream, events: count, headHash, treeSize: size };
}
