import { useEffect, useState } from 'preact/hooks';
import { api, serverNow } from '../../api.js';
import { ProblemMessage } from '../../components/problem.js';
import { Times } from '../../components/times.js';
import { useI18n } from '../../i18n/i18n.js';
import { byDeadline, CLOSED_STATUSES, nextDeadline, OPEN_STATUSES, type Dispute } from './rules.js';

type Page<T> = { items: T[]; nextCursor: string | null };
type Right = { filingId: string; flags: string[] };
/** The flags a reviewer clears or confirms; a dispute about a filing that carries one shows it in the queue. */
const REVIEW_FLAGS = ['similarityReview', 'probation'] as const;

/** At most 10 pages of 100 (a queue longer than that is filtered, not scrolled), in the API's order: oldest first. */
const MAX_PAGES = 10;
async function pages<T>(path: string): Promise<{ items: T[]; more: boolean }> {
  const items: T[] = [];
  let cursor: string | null = null;
  for (let page = 0; page < MAX_PAGES; page++) {
    const sep = path.includes('?') ? '&' : '?';
    const res: Page<T> = await api<Page<T>>(`${path}${sep}limit=100${cursor ? `&cursor=${cursor}` : ''}`);
    items.push(...res.items);
    cursor = res.nextCursor;
    if (!cursor) break;
  }
  return { items, more: cursor !== null };
}
const all = async <T,>(path: string): Promise<T[]> => (await pages<T>(path)).items;

export interface QueueData {
  disputes: Dispute[];
  flags: Map<string, string[]>;
}

export async function loadQueue(): Promise<QueueData> {
  const [lists, flagged] = await Promise.all([
    Promise.all(OPEN_STATUSES.map((s) => all<Dispute>(`/v1/disputes?status=${s}`))),
    Promise.all(REVIEW_FLAGS.map((f) => all<Right>(`/v1/rights?flag=${f}`))),
  ]);
  const flags = new Map<string, string[]>();
  for (const rights of flagged)
    for (const r of rights)
      flags.set(r.filingId, [
        ...new Set([...(flags.get(r.filingId) ?? []), ...r.flags.filter((f) => (REVIEW_FLAGS as readonly string[]).includes(f))]),
      ]);
  return { disputes: lists.flat().sort(byDeadline(serverNow())), flags };
}

/** Open disputes by deadline with the filing's similarity and probation flags; choosing one opens it below. */
export function Queue({ reload, onOpen, selected }: { reload: number; onOpen: (id: string) => void; selected: string | null }) {
  const { t } = useI18n();
  const [data, setData] = useState<QueueData | null>(null);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    let live = true;
    setError(null);
    loadQueue().then(
      (d) => live && setData(d),
      (e: unknown) => live && setError(e),
    );
    return () => {
      live = false;
    };
  }, [reload]);
  return (
    <section aria-labelledby="queue-heading">
      <h2 id="queue-heading">{t('reviewer.queue.title')}</h2>
      <p class="hint">{t('reviewer.queue.hint')}</p>
      <ProblemMessage error={error} />
      {data === null && error === null ? <p>{t('reviewer.loading')}</p> : null}
      {data && data.disputes.length === 0 ? <p data-testid="queue-empty">{t('reviewer.queue.empty')}</p> : null}
      {data && data.disputes.length > 0 ? (
        <div class="rv-scroll">
          <table class="rv-queue" data-testid="queue">
            <caption class="rv-sr-only">{t('reviewer.queue.caption')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('reviewer.col.deadline')}</th>
                <th scope="col">{t('reviewer.col.type')}</th>
                <th scope="col">{t('reviewer.col.status')}</th>
                <th scope="col">{t('reviewer.col.parties')}</th>
                <th scope="col">{t('reviewer.col.flags')}</th>
                <th scope="col">
                  <span class="rv-sr-only">{t('reviewer.col.open')}</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {data.disputes.map((d) => {
                const due = nextDeadline(d, serverNow());
                const flags = data.flags.get(d.filingId) ?? [];
                return (
                  <tr key={d.disputeId} class={selected === d.disputeId ? 'selected' : undefined} data-dispute={d.disputeId}>
                    <td>
                      {due ? (
                        <>
                          <div class="hint">{t(`reviewer.deadline.${due.kind}`)}</div>
                          <Times at={due.at} />
                        </>
                      ) : (
                        '—'
                      )}
                      {d.overdue ? <span class="rv-flag bad"> {t('reviewer.overdue')}</span> : null}
                    </td>
                    <td>{typeLabel(t, d.type)}</td>
                    <td>
                      {statusLabel(t, d.status)}
                      {d.awaiting ? <div class="hint">{t('reviewer.awaiting', { what: awaitingLabel(t, d.awaiting) })}</div> : null}
                    </td>
                    <PartiesCell dispute={d} />
                    <td class={flags.length === 0 ? 'rv-none' : undefined}>
                      {flags.length === 0
                        ? '—'
                        : flags.map((f) => (
                            <span class="rv-flag" key={f}>
                              {flagLabel(t, f)}
                            </span>
                          ))}
                    </td>
                    <OpenCell dispute={d} onOpen={onOpen} />
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      ) : null}
    </section>
  );
}

/**
 * Disputes that are over (returned, withdrawn, final), newest first, loaded when asked for: a party finds the outcome of
 * its complaints there, a reviewer its past decisions.
 */
export function ClosedDisputes({ reload, onOpen, selected }: { reload: number; onOpen: (id: string) => void; selected: string | null }) {
  const { t } = useI18n();
  const [shown, setShown] = useState(false);
  const [disputes, setDisputes] = useState<Dispute[] | null>(null);
  const [more, setMore] = useState(false);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    if (!shown) return;
    let live = true;
    setError(null);
    Promise.all(CLOSED_STATUSES.map((s) => pages<Dispute>(`/v1/disputes?status=${s}`))).then(
      (lists) => {
        if (!live) return;
        setDisputes(lists.flatMap((l) => l.items).sort((a, b) => Date.parse(b.openedAt) - Date.parse(a.openedAt)));
        setMore(lists.some((l) => l.more));
      },
      (e: unknown) => live && setError(e),
    );
    return () => {
      live = false;
    };
  }, [shown, reload]);
  if (!shown)
    return (
      <p>
        <button type="button" onClick={() => setShown(true)}>
          {t('reviewer.closed.show')}
        </button>
      </p>
    );
  return (
    <section aria-labelledby="closed-heading">
      <h2 id="closed-heading">{t('reviewer.closed.title')}</h2>
      <ProblemMessage error={error} />
      {disputes === null && error === null ? <p>{t('reviewer.loading')}</p> : null}
      {disputes && disputes.length === 0 ? <p data-testid="closed-empty">{t('reviewer.closed.empty')}</p> : null}
      {more ? <p class="hint">{t('reviewer.closed.more', { n: MAX_PAGES * 100 })}</p> : null}
      {disputes && disputes.length > 0 ? (
        <div class="rv-scroll">
          <table class="rv-queue" data-testid="closed">
            <thead>
              <tr>
                <th scope="col">{t('reviewer.dispute.opened')}</th>
                <th scope="col">{t('reviewer.col.type')}</th>
                <th scope="col">{t('reviewer.col.status')}</th>
                <th scope="col">{t('reviewer.col.parties')}</th>
                <th scope="col">
                  <span class="rv-sr-only">{t('reviewer.col.open')}</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {disputes.map((d) => (
                <tr key={d.disputeId} class={selected === d.disputeId ? 'selected' : undefined} data-dispute={d.disputeId}>
                  {/* On a phone the column's name is hidden: the card names the date itself (reviewer.css). */}
                  <td data-label={t('reviewer.dispute.opened')}>
                    <Times at={d.openedAt} />
                  </td>
                  <td>{typeLabel(t, d.type)}</td>
                  <td>
                    {statusLabel(t, d.status)}
                    {d.outcome ? <div class="hint">{outcomeLabel(t, d.outcome)}</div> : null}
                  </td>
                  <PartiesCell dispute={d} />
                  <OpenCell dispute={d} onOpen={onOpen} />
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
    </section>
  );
}

/** The cells both lists share: who complains about whom, and the button that opens the dispute below. */
function PartiesCell({ dispute: d }: { dispute: Dispute }) {
  return (
    <td>
      {d.parties.complainant.name ?? d.parties.complainant.id} → {d.parties.respondent.name ?? d.parties.respondent.id}
    </td>
  );
}
function OpenCell({ dispute, onOpen }: { dispute: Dispute; onOpen: (id: string) => void }) {
  const { t } = useI18n();
  return (
    <td>
      <button type="button" onClick={() => onOpen(dispute.disputeId)} aria-label={t('reviewer.openLabel', { id: dispute.disputeId })}>
        {t('reviewer.open')}
      </button>
    </td>
  );
}

type T = ReturnType<typeof useI18n>['t'];
const pick = (t: T, prefix: string, value: string): string => {
  const key = `${prefix}.${value}`;
  const text = t(key as Parameters<T>[0]);
  return text === undefined ? value : text;
};
export const typeLabel = (t: T, v: string) => pick(t, 'reviewer.type', v);
export const statusLabel = (t: T, v: string) => pick(t, 'reviewer.status', v);
export const awaitingLabel = (t: T, v: string) => pick(t, 'reviewer.awaitingWhat', v);
export const flagLabel = (t: T, v: string) => pick(t, 'reviewer.flag', v);
export const remedyLabel = (t: T, v: string) => pick(t, 'reviewer.remedy', v);
export const outcomeLabel = (t: T, v: string) => pick(t, 'reviewer.outcome', v);
export const rulingLabel = (t: T, v: string) => pick(t, 'reviewer.ruling', v);
export const rulingDone = (t: T, v: string) => pick(t, 'reviewer.ruled', v);
export const eventLabel = (t: T, v: string) => pick(t, 'reviewer.event', v);
