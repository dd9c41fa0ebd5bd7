// The filings whose right a final dispute decision transferred to the signed-in principal (the rights register's
// `?holder=<me>&status=transferred`), each read whole from GET /v1/filings/:id, which its holder may read, and shown as
// the creator's own are, with the forms to declare its labels and register a labelled copy. Nothing is shown while
// there are none.
import { ProblemMessage } from '../../components/problem.js';
import { useI18n } from '../../i18n/i18n.js';
import { fetchFiling, listTransferredTo, type FilingView } from './creator-api.js';
import { FilingCard } from './filings-list.js';
import { usePagedList } from './paged-list.js';

export function HeldFilingsList({ holder, version, onChanged }: { holder: string; version: number; onChanged: () => void }) {
  const { t } = useI18n();
  const { items, next, error, load } = usePagedList<FilingView>(
    async (cursor) => {
      const page = await listTransferredTo(holder, cursor);
      return { items: await Promise.all(page.items.map((r) => fetchFiling(r.filingId))), nextCursor: page.nextCursor };
    },
    [holder, version],
  );
  if (!error && !items?.length) return null;
  // The register lists in filing order; the newest first, as in the creator's own list.
  const shown = items ? [...items].reverse() : [];
  return (
    <section aria-labelledby="held-filings-heading" data-testid="held-filings">
      <h2 id="held-filings-heading">{t('creator.held.heading')}</h2>
      <p class="hint">{t('creator.held.intro')}</p>
      <ProblemMessage error={error} />
      {shown.length ? (
        <ul class="filings">
          {shown.map((f) => (
            <FilingCard
              filing={f}
              key={f.filingId}
              me={holder}
              onChanged={onChanged}
              version={version}
              heldFrom={f.creatorName ?? f.creator}
            />
          ))}
        </ul>
      ) : null}
      {next ? (
        <button type="button" onClick={() => void load(next)}>
          {t('creator.list.more')}
        </button>
      ) : null}
    </section>
  );
}
