// Failures in this browser rather than refusals of the ledger: a file that can no longer be read, or an error the page
// did not foresee. The pages word them in their own language; the browser's own message is English only.

/** The DOMException names a File's read fails with: moved, deleted or changed since it was chosen, or not permitted. */
const UNREADABLE: ReadonlySet<string> = new Set(['NotReadableError', 'NotFoundError']);

/** What failed: reading a file the user chose, or anything else in the page (its English message, if it has one). */
export type BrowserFailure = { kind: 'unreadable-file' } | { kind: 'other'; message: string | undefined };

/** A member of a thrown object, read without trusting its class (an error from another realm is no `instanceof Error`). */
const member = (err: unknown, key: 'name' | 'message'): string | undefined => {
  const value = typeof err === 'object' && err !== null ? (err as Record<string, unknown>)[key] : undefined;
  return typeof value === 'string' ? value : undefined;
};

export function browserFailure(err: unknown): BrowserFailure {
  const name = member(err, 'name');
  if (name !== undefined && UNREADABLE.has(name)) return { kind: 'unreadable-file' };
  const message = typeof err === 'string' ? err : member(err, 'message');
  return { kind: 'other', message: message || undefined };
}

/**
 * A file's bytes, any failure to read them reported as a file that can no longer be read: Chromium fails the read of a
 * file moved or deleted since it was chosen as a TypeError ("network error") as often as with a NotReadableError.
 */
export function fileBytes(file: Blob): ReadableStream<Uint8Array> {
  const reader = file.stream().getReader();
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      let next: ReadableStreamReadResult<Uint8Array>;
      try {
        next = await reader.read();
      } catch (err) {
        controller.error(new DOMException(member(err, 'message') ?? String(err), 'NotReadableError'));
        return;
      }
      if (next.done) controller.close();
      else controller.enqueue(next.value);
    },
    cancel: (reason) => reader.cancel(reason),
  });
}

/**
 * How the first of `files` that can no longer be read fails to be read (a NotReadableError), or undefined when all can
 * be: Chromium fails an upload of a file moved or deleted since it was chosen as it fails one the network cut ("Failed
 * to fetch"), and only reading the file again tells the two apart. Its first bytes are enough, as Chromium checks that
 * a file is still the one chosen when it opens it.
 */
export async function unreadableFile(files: Iterable<Blob>): Promise<DOMException | undefined> {
  for (const file of files) {
    const reader = fileBytes(file).getReader();
    try {
      await reader.read();
    } catch (err) {
      return err as DOMException; // fileBytes fails with nothing else
    } finally {
      reader.cancel().catch(() => undefined);
    }
  }
  return undefined;
}
