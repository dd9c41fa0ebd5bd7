import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { In, MoreThan, type DataSource, type FindOptionsWhere } from 'typeorm';
import { PrincipalView } from '../auth/principal-view.entity.js';
import { hasRole, type Principal } from '../common/access.js';
import { forbidden, notFound } from '../common/domain-error.js';
import type { EventStore } from '../ledger/event-store/event-store.port.js';
import { EVENT_STORE } from '../ledger/ledger.tokens.js';
import { CopyView } from './copy-view.entity.js';
import { FilingView } from './filing-view.entity.js';
import type { EventEnvelope } from '../verifier/envelope.js';
import type { Right } from '../verifier/rights-rules.js';
import type { ListFilingsQuery } from './filing.dto.js';
import { contentStream, filingStream, type FiledFile } from './filing.events.js';
import { FILING_SAFEGUARDS, type FilingSafeguards } from './filing-safeguards.js';
import { principalNamed } from '../common/validation.js';
import { ledgerNow } from '../ledger/ledger-clock.js';

export const filingResource = (f: FilingView) => ({
  filingId: f.filingId,
  contentHash: f.contentHash,
  contentType: f.contentType,
  title: f.title,
  creator: f.creator,
  status: f.status,
  filedAt: f.filedAt,
  leafIndex: f.leafIndex,
  eventHash: f.eventHash,
  generation: f.generation,
  processEvidence: f.processEvidence,
  perceptualHash: f.perceptualHash && { source: 'declared', ...f.perceptualHash },
  file: f.file ?? null,
  labels: {
    state: f.labelState,
    labelDueAt: f.labelDueAt,
    tier: f.labelTier ?? null,
    declared: f.labels ?? null,
    lastCheck: f.labelCheck ?? null,
  },
  withdrawnAt: f.withdrawnAt,
  withdrawReason: f.withdrawReason,
  priorFilings: f.priorFilings ?? [],
  amended: f.amendedAt !== null,
  amendedAt: f.amendedAt,
  humanContributionNotes: f.humanContributionNotes ?? [],
});

/** A right as anyone may see it: its status and flags, and the dates the sandbox rules set. */
export type PublicRight = Pick<Right, 'status' | 'flags' | 'since' | 'labelDueAt' | 'quietUntil' | 'expiresAt'>;

/** A principal as views name it: id and display name (null when the principal is unknown). */
export type Party = { id: string; name: string | null };

/** Owners, reviewers, auditors and admins may read a filing. */
const canRead = (p: Principal, f: FilingView) => f.creator === p.principalId || hasRole(p, 'reviewer', 'auditor', 'admin');

@Injectable()
export class FilingQueries {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(FILING_SAFEGUARDS) private readonly safeguards: FilingSafeguards,
  ) {}

  /** The parties by id, with their names from the principals read model. */
  async parties(ids: readonly string[]): Promise<Map<string, Party>> {
    const unique = [...new Set(ids)];
    const found = unique.length
      ? await this.db.getRepository(PrincipalView).find({ select: { principalId: true, name: true }, where: { principalId: In(unique) } })
      : [];
    const names = new Map(found.map((p) => [p.principalId, p.name]));
    return new Map(unique.map((id) => [id, { id, name: names.get(id) ?? null }]));
  }

  /** Whether `reader` holds the filing's right now (a complainant a final `transfer` gave it to). */
  private async holds(reader: Principal, filing: FilingView): Promise<boolean> {
    return (
      reader.principalId !== filing.creator && (await this.safeguards.rightAt(filing.filingId, ledgerNow()))?.holder === reader.principalId
    );
  }

  /** Who holds the filing's right now: its creator unless a final dispute decision transferred it. */
  async holderOf(filingId: string, creator: string): Promise<Party> {
    const holder = (await this.safeguards.rightAt(filingId, ledgerNow()))?.holder ?? creator;
    return (await this.parties([holder])).get(holder)!;
  }

  /** A filing as its readers see it: the read model's row, the creator and the holder of its right now, named. */
  async view(filingId: string, reader: Principal) {
    const filing = await this.get(filingId, reader);
    const holder = (await this.safeguards.rightAt(filingId, ledgerNow()))?.holder ?? filing.creator;
    const parties = await this.parties([filing.creator, holder]);
    return { ...filingResource(filing), creatorName: parties.get(filing.creator)!.name, holder: parties.get(holder)! };
  }

  private async find(filingId: string): Promise<FilingView> {
    const filing = await this.db.getRepository(FilingView).findOneBy({ filingId });
    if (!filing) throw notFound('filing-not-found', `no filing ${filingId}`);
    return filing;
  }

  async get(filingId: string, reader: Principal): Promise<FilingView> {
    const filing = await this.find(filingId);
    if (!canRead(reader, filing) && !(await this.holds(reader, filing))) {
      throw forbidden('not-owner', "only the filing's creator or holder, reviewers, auditors and admins may read it");
    }
    return filing;
  }

  async list(q: ListFilingsQuery, reader: Principal) {
    const limit = q.limit ?? 20;
    const where: FindOptionsWhere<FilingView> = {};
    const creator = principalNamed(q.creator, reader.principalId);
    // A creator without a wider role sees only their own filings.
    if (!hasRole(reader, 'reviewer', 'auditor', 'admin')) {
      if (creator && creator !== reader.principalId) throw forbidden('not-owner', 'a creator may list only their own filings');
      where.creator = reader.principalId;
    } else if (creator) where.creator = creator;
    if (q.status) where.status = q.status;
    if (q.contentType) where.contentType = q.contentType;
    if (q.contentHash) where.contentHash = q.contentHash;
    if (q.cursor) where.leafIndex = MoreThan(Number(q.cursor));
    const rows = await this.db.getRepository(FilingView).find({ where, order: { leafIndex: 'ASC' }, take: limit + 1 });
    const page = rows.slice(0, limit);
    return { items: page.map(filingResource), nextCursor: rows.length > limit ? String(page[page.length - 1].leafIndex) : null };
  }

  async history(filingId: string, reader: Principal): Promise<{ filingId: string; events: EventEnvelope[] }> {
    await this.get(filingId, reader);
    return { filingId, events: await this.store.readStream(filingStream(filingId)) };
  }

  /**
   * The filing's WorkFiled envelope: what its receipt, and its evidence bundle, prove is in the log. Its creator or
   * holder, auditors and admins only (not reviewers, who read the filing and its history); `what` names the document
   * in the refusal.
   */
  async filedEntry(filingId: string, reader: Principal, what: 'receipt' | 'evidence bundle'): Promise<EventEnvelope> {
    const filing = await this.find(filingId);
    if (filing.creator !== reader.principalId && !hasRole(reader, 'auditor', 'admin') && !(await this.holds(reader, filing))) {
      throw forbidden('not-owner', `only the filing's creator or holder, auditors and admins may fetch its ${what}`);
    }
    const [filed] = await this.store.readStream(filingStream(filingId));
    return filed;
  }

  /** Who holds an active filing's right now, named (null for a withdrawn filing), and the right's public standing. */
  private async publicRight(f: FilingView): Promise<{ holder: Party | null; right: PublicRight | null }> {
    const right = await this.safeguards.rightAt(f.filingId, ledgerNow());
    const holder = f.status === 'active' ? (right?.holder ?? f.creator) : null;
    return {
      holder: holder ? (await this.parties([holder])).get(holder)! : null,
      right: right && {
        status: right.status,
        flags: right.flags,
        since: right.since,
        labelDueAt: right.labelDueAt,
        quietUntil: right.quietUntil,
        expiresAt: right.expiresAt,
      },
    };
  }

  /**
   * The filing of this content: the live one, else the latest withdrawn one; with its earlier filings and who holds it.
   * A hash no filing holds may be a registered copy's: then the copy's filing answers (`match: "copy"`).
   */
  async publicStatus(contentHash: string) {
    const filings = await this.db.getRepository(FilingView).find({ where: { contentHash }, order: { leafIndex: 'DESC' } });
    let f = filings.find((x) => x.status === 'active') ?? filings[0];
    let copy: CopyView | null = null;
    if (!f) {
      const copies = await this.db.getRepository(CopyView).find({ where: { sha256: contentHash }, order: { leafIndex: 'DESC' } });
      const copied = copies.length ? await this.db.getRepository(FilingView).findBy({ filingId: In(copies.map((c) => c.filingId)) }) : [];
      f = copied.find((x) => x.status === 'active') ?? copied[0];
      copy = f ? copies.find((c) => c.filingId === f!.filingId)! : null;
    }
    if (!f) throw notFound('not-filed', `no filing holds content ${contentHash}, and no filing registered it as a copy`);
    return {
      contentHash,
      filed: true,
      match: copy ? ('copy' as const) : ('content' as const),
      filingId: f.filingId,
      status: f.status,
      filedAt: f.filedAt,
      leafIndex: f.leafIndex,
      labelState: f.labelState,
      labelTier: f.labelTier ?? null,
      ...(await this.publicRight(f)),
      priorFilings: f.priorFilings ?? [],
      ...(copy
        ? {
            filedContentHash: f.contentHash,
            copy: { registeredAt: copy.registeredAt, leafIndex: copy.leafIndex, eventHash: copy.eventHash },
          }
        : {}),
    };
  }

  /**
   * What anyone may know of a filing: its content, time and place in the log, status, AI source type, labels, the
   * perceptual hash and the signals the ledger read in its file, its registered copies and who holds it. Not the
   * generation record's details, the process evidence, the notes, or the reasons of a withdrawal.
   */
  async publicSummary(filingId: string) {
    const f = await this.db.getRepository(FilingView).findOneBy({ filingId });
    if (!f) throw notFound('filing-not-found', `no filing ${filingId}`);
    const copies = await this.db.getRepository(CopyView).find({ where: { filingId }, order: { leafIndex: 'ASC' } });
    const file = f.file as FiledFile | null;
    const labels = f.labels as { version?: number; implicit?: unknown } | null;
    return {
      filingId: f.filingId,
      contentHash: f.contentHash,
      contentType: f.contentType,
      title: f.title,
      status: f.status,
      filedAt: f.filedAt,
      leafIndex: f.leafIndex,
      eventHash: f.eventHash,
      withdrawnAt: f.withdrawnAt,
      digitalSourceType: (f.generation as { digitalSourceType?: string }).digitalSourceType ?? null,
      perceptualHash: f.perceptualHash && { source: 'declared', ...f.perceptualHash },
      file: file ? { sniffedType: file.sniffedType, size: file.size, image: file.image, aiSignals: file.aiSignals ?? [] } : null,
      labels: { state: f.labelState, tier: f.labelTier ?? null, version: labels?.version ?? null, implicit: labels?.implicit ?? null },
      copies: copies.map((c) => ({ sha256: c.sha256, registeredAt: c.registeredAt, leafIndex: c.leafIndex })),
      holder: (await this.publicRight(f)).holder,
    };
  }

  /**
   * The logged event that ties this content to its filing, for a public receipt: the filing's ContentReserved
   * (content, filing, creator, nothing of the generation record), or the CopyRegistered of a registered copy.
   */
  async publicProofEntry(contentHash: string) {
    const status = await this.publicStatus(contentHash);
    const entry =
      status.match === 'content'
        ? (await this.store.readStream(contentStream(contentHash))).findLast(
            (e) => e.type === 'ContentReserved' && e.data.filingId === status.filingId,
          )
        : (await this.store.readStream(filingStream(status.filingId))).find(
            (e) => e.type === 'CopyRegistered' && e.leafIndex === status.copy!.leafIndex,
          );
    // The read model named this filing from these very events: not finding them is the ledger's fault.
    if (!entry) throw new Error(`no ${status.match === 'content' ? 'ContentReserved' : 'CopyRegistered'} event for ${contentHash}`);
    return { status, entry };
  }
}
