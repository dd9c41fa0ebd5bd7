// A cursor-paged list read from the ledger: the pages read so far, the next cursor, the last error, and `load(next)`
// to read one page more. Read again from the start whenever `deps` change.
import { useEffect, useState } from 'preact/hooks';

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export function usePagedList<T>(readPage: (cursor?: string) => Promise<Page<T>>, deps: readonly unknown[]) {
  const [items, setItems] = useState<T[] | null>(null);
  const [next, setNext] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const load = async (cursor?: string) => {
    setError(null);
    try {
      const page = await readPage(cursor);
      setItems((prev) => (cursor && prev ? [...prev, ...page.items] : page.items));
      setNext(page.nextCursor);
    } catch (err) {
      setError(err);
    }
  };
  useEffect(() => {
    void load();
  }, deps);
  return { items, next, error, load };
}
