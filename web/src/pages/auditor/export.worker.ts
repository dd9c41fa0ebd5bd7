// Verifies an export file off the page's thread: streams it from the File, feeds the project's ExportVerifier line by
// line, reports progress, and answers with the verdict as data (the page words it in its language).
import { fileBytes } from '../../browser-failure.js';
import { pushLines, startExport, verdictOf, type Verdict } from './verdict.js';

export type ExportRequest = { file: File; notes: string[]; vkey: string };
export type ExportReply =
  | { kind: 'progress'; bytes: number; total: number }
  | { kind: 'done'; verdict: Verdict }
  | { kind: 'error'; name: string; message: string };

const post = (reply: ExportReply) => postMessage(reply);

onmessage = async (e: MessageEvent<ExportRequest>) => {
  const { file, notes, vkey } = e.data;
  try {
    const run = startExport(notes, vkey);
    const started = performance.now();
    let read = 0;
    let shown = 0;
    if (run.verifier.ok) {
      read = await pushLines(run, fileBytes(file), (bytes) => {
        // At most 200 updates, as the CLI's bar.
        if (bytes - shown >= file.size / 200 || bytes === file.size) {
          shown = bytes;
          post({ kind: 'progress', bytes, total: file.size });
        }
      });
    }
    const result = run.verifier.finish();
    const verdict = verdictOf(run, result, (performance.now() - started) / 1000, read);
    // All of it when it verified; on a failure, as far as the line that failed (the rest is not read).
    post({ kind: 'progress', bytes: result.ok ? file.size : Math.min(read, file.size), total: file.size });
    post({ kind: 'done', verdict });
  } catch (err) {
    // Its name too: a file that can no longer be read (NotReadableError) is worded so in the page's language.
    post({ kind: 'error', name: (err as Error).name, message: (err as Error).message });
  }
};
