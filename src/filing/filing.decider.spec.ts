import type { DomainError } from '../common/domain-error.js';
import { fold } from '../ledger/decider.js';
import { given } from '../ledger/given-when-then.js';
import { EMPTY_CONTENT_SHA256, filingDecider, type FilingCommand, type FileWorkCommand } from './filing.decider.js';
import type { FilingEvent, WorkFiled } from './filing.events.js';

const now = new Date('2026-11-29T10:00:00.000Z');
const later = new Date('2026-11-30T10:00:00.000Z');
const details: FileWorkCommand['filing'] = {
  filingId: 'f1',
  creator: 'alice',
  contentHash: 'a'.repeat(64),
  contentType: 'image/png',
  title: 'Sunset',
  generation: {
    digitalSourceType: 'http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia',
    tool: { name: 'SD', version: '3', provider: null },
    promptHash: 'b'.repeat(64),
    negativePromptHash: null,
    parametersHash: null,
    parameters: null,
    seed: '42',
    iterations: 3,
    humanContribution: 'selection',
  },
  processEvidence: [],
  perceptualHash: null,
};
const filed: WorkFiled = { type: 'WorkFiled', data: { ...details, filedAt: now.toISOString() } };
const withdrawn: FilingEvent = { type: 'FilingWithdrawn', data: { filingId: 'f1', reason: null, withdrawnAt: later.toISOString() } };

describe('filing decider', () => {
  describe('FileWork', () => {
    it('given no filing, records WorkFiled stamped with the command time', () =>
      given(filingDecider, []).when({ type: 'FileWork', filing: details, now }).then([filed]));
    it('given the filing exists, refuses a second WorkFiled', () =>
      given(filingDecider, [filed]).when({ type: 'FileWork', filing: details, now }).thenThrows('filing-exists'));
    it('refuses empty content: no bytes are no work', () =>
      given(filingDecider, [])
        .when({ type: 'FileWork', filing: { ...details, contentHash: EMPTY_CONTENT_SHA256 }, now })
        .thenThrows('empty-content'));
  });

  describe('WithdrawFiling', () => {
    it('given an active filing, its creator withdraws it', () =>
      given(filingDecider, [filed])
        .when({ type: 'WithdrawFiling', filingId: 'f1', actor: 'alice', reason: null, now: later })
        .then([withdrawn]));
    it('keeps the reason', () =>
      given(filingDecider, [filed])
        .when({ type: 'WithdrawFiling', filingId: 'f1', actor: 'alice', reason: 'duplicate', now: later })
        .then([{ type: 'FilingWithdrawn', data: { filingId: 'f1', reason: 'duplicate', withdrawnAt: later.toISOString() } }]));
    it('refuses anyone but the creator', () =>
      given(filingDecider, [filed])
        .when({ type: 'WithdrawFiling', filingId: 'f1', actor: 'mallory', reason: null, now: later })
        .thenThrows('not-owner'));
    it('refuses a filing that does not exist', () =>
      given(filingDecider, [])
        .when({ type: 'WithdrawFiling', filingId: 'f1', actor: 'alice', reason: null, now: later })
        .thenThrows('filing-not-found'));
    it('refuses a second withdrawal', () =>
      given(filingDecider, [filed, withdrawn])
        .when({ type: 'WithdrawFiling', filingId: 'f1', actor: 'alice', reason: null, now: later })
        .thenThrows('already-withdrawn'));
  });
});

describe('filing decider: complaints, transfers, refiling and amendments', () => {
  const disputed = (disputeId: string): FilingEvent => ({ type: 'FilingDisputed', data: { filingId: 'f1', disputeId } });
  const amend = (
    amendment: Partial<{ title: string | null; addedProcessEvidence: never[]; humanContributionNote: string | null }>,
    actor = 'alice',
  ) => ({
    type: 'AmendFiling' as const,
    filingId: 'f1',
    actor,
    amendment: { title: null, addedProcessEvidence: [], humanContributionNote: null, ...amendment },
    now: later,
  });
  const withdraw = (facts: { disputes?: string[]; closedDisputes?: string[]; holder?: string | null; rightStatus?: string | null }) => ({
    type: 'WithdrawFiling' as const,
    filingId: 'f1',
    actor: 'alice',
    reason: null,
    ...facts,
    now: later,
  });

  it('refuses a withdrawal while a complaint against the filing is open', () =>
    given(filingDecider, [filed, disputed('d1')])
      .when(withdraw({ closedDisputes: [] }))
      .thenThrows('dispute-open'));
  it('refuses it when any one complaint is still open, and allows it once all are closed', () => {
    given(filingDecider, [filed, disputed('d1'), disputed('d2')])
      .when(withdraw({ closedDisputes: ['d1'] }))
      .thenThrows('dispute-open');
    given(filingDecider, [filed, disputed('d1'), disputed('d2')])
      .when(withdraw({ closedDisputes: ['d2', 'd1'] }))
      .then([withdrawn]);
  });
  it('a complaint that marked the filing after the facts were read is open (not among the closed ones)', () =>
    given(filingDecider, [filed, disputed('d1'), disputed('d3')])
      .when(withdraw({ closedDisputes: ['d1'] }))
      .thenThrows('dispute-open'));
  it('counts complaints known outside the stream (filed before complaints marked their filing)', () => {
    given(filingDecider, [filed])
      .when(withdraw({ ...{ disputes: ['d0'] }, closedDisputes: [] }))
      .thenThrows('dispute-open');
    given(filingDecider, [filed])
      .when(withdraw({ ...{ disputes: ['d0'] }, closedDisputes: ['d0'] }))
      .then([withdrawn]);
  });
  it('refuses an amendment once the right was transferred', () =>
    given(filingDecider, [filed])
      .when({ ...amend({ title: 'Mine still' }), holder: 'bob' })
      .thenThrows('right-transferred'));
  it('refuses a withdrawal once a final decision transferred the right', () =>
    given(filingDecider, [filed])
      .when(withdraw({ holder: 'bob' }))
      .thenThrows('right-transferred'));
  it('refuses a withdrawal once a final decision revoked the right', () =>
    given(filingDecider, [filed])
      .when(withdraw({ rightStatus: 'revoked' }))
      .thenThrows('right-revoked'));
  it('allows a withdrawal of a suspended right (a suspension lasts until relabelled, as it would on a new filing)', () =>
    given(filingDecider, [filed])
      .when(withdraw({ rightStatus: 'suspended' }))
      .then([withdrawn]));
  it('allows it while the creator holds the right', () =>
    given(filingDecider, [filed])
      .when(withdraw({ holder: 'alice' }))
      .then([withdrawn]));

  it('records the withdrawn filings of the same content in a new filing', () => {
    const prior = [{ filingId: 'f0', filedAt: '2026-11-01T00:00:00.000Z', withdrawnAt: '2026-11-02T00:00:00.000Z' }];
    given(filingDecider, [])
      .when({ type: 'FileWork', filing: details, priorFilings: prior, now })
      .then([{ type: 'WorkFiled', data: { ...details, filedAt: now.toISOString(), priorFilings: prior } }]);
  });

  it('amends the title and adds a note, stamped with the command time', () =>
    given(filingDecider, [filed])
      .when(amend({ title: 'Sunrise', humanContributionNote: 'hand-painted sky' }))
      .then([
        {
          type: 'FilingAmended',
          data: {
            filingId: 'f1',
            title: 'Sunrise',
            addedProcessEvidence: [],
            humanContributionNote: 'hand-painted sky',
            amendedAt: later.toISOString(),
          },
        },
      ]));
  it('refuses an amendment past the 50 a filing may have, or one that would take its process evidence past 300 items', () => {
    const amended = (items: number): FilingEvent => ({
      type: 'FilingAmended',
      data: {
        filingId: 'f1',
        title: null,
        addedProcessEvidence: Array.from({ length: items }, (_, i) => ({
          sha256: 'e'.repeat(63) + (i % 10),
          kind: 'sketch',
          description: null,
          createdAt: null,
        })),
        humanContributionNote: 'more',
        amendedAt: now.toISOString(),
      },
    });
    given(filingDecider, [filed, ...Array.from({ length: 49 }, () => amended(0))])
      .when(amend({ humanContributionNote: 'the 50th' }))
      .then([
        {
          type: 'FilingAmended',
          data: {
            filingId: 'f1',
            title: null,
            addedProcessEvidence: [],
            humanContributionNote: 'the 50th',
            amendedAt: later.toISOString(),
          },
        },
      ]);
    given(filingDecider, [filed, ...Array.from({ length: 50 }, () => amended(0))])
      .when(amend({ humanContributionNote: 'the 51st' }))
      .thenThrows('amendment-limit', { limit: 50 });
    const held = details.processEvidence.length + 3 * 99;
    const more = (n: number) =>
      Array.from({ length: n }, (_, i) => ({
        sha256: i.toString(16).padStart(64, 'f'),
        kind: 'sketch',
        description: null,
        createdAt: null,
      }));
    given(filingDecider, [filed, amended(99), amended(99), amended(99)])
      .when(amend({ addedProcessEvidence: more(300 - held) as never[] }))
      .then([
        {
          type: 'FilingAmended',
          data: {
            filingId: 'f1',
            title: null,
            addedProcessEvidence: more(300 - held),
            humanContributionNote: null,
            amendedAt: later.toISOString(),
          },
        } as FilingEvent,
      ]);
    given(filingDecider, [filed, amended(99), amended(99), amended(99)])
      .when(amend({ addedProcessEvidence: more(300 - held + 1) as never[] }))
      .thenThrows('amendment-limit', { limit: 300 });
  });
  describe('process evidence: each file once, made before it is recorded', () => {
    const item = (sha: string, createdAt: string | null = null) => ({
      sha256: sha.repeat(64),
      kind: 'sketch',
      description: null,
      createdAt,
    });
    const fileWith = (processEvidence: ReturnType<typeof item>[]) => ({
      type: 'FileWork' as const,
      filing: { ...details, processEvidence },
      now,
    });
    /** The refusal's code and the fields its errors name. */
    const refusal = (history: FilingEvent[], command: FilingCommand) => {
      try {
        filingDecider.decide(command, fold(filingDecider, history));
      } catch (err) {
        const { code, extensions } = err as DomainError;
        return { code, fields: (extensions.errors as Array<{ field: string }>).map((e) => e.field) };
      }
      throw new Error('the command was accepted');
    };

    it('files items made up to the filing time', () =>
      given(filingDecider, [])
        .when(fileWith([item('1', '2026-11-01T00:00:00.000Z'), item('2', now.toISOString())]))
        .then([
          {
            type: 'WorkFiled',
            data: {
              ...details,
              processEvidence: [item('1', '2026-11-01T00:00:00.000Z'), item('2', now.toISOString())],
              filedAt: now.toISOString(),
            },
          },
        ]));
    it('refuses a filing that lists one file twice, naming the second', () =>
      expect(refusal([], fileWith([item('1'), item('2'), item('1')]))).toEqual({
        code: 'duplicate-evidence',
        fields: ['processEvidence.2.sha256'],
      }));
    it('refuses an item made more than 5 minutes after the filing, and files one within them (a client clock ahead)', () => {
      expect(refusal([], fileWith([item('1', '2026-11-29T10:05:00.001Z')]))).toEqual({
        code: 'evidence-made-later',
        fields: ['processEvidence.0.createdAt'],
      });
      const ahead = item('1', '2026-11-29T10:05:00.000Z');
      given(filingDecider, [])
        .when(fileWith([ahead]))
        .then([{ type: 'WorkFiled', data: { ...details, processEvidence: [ahead], filedAt: now.toISOString() } }]);
    });
    it('refuses an amendment adding a file the filing holds, or one made after the amendment', () => {
      const withEvidence: WorkFiled = { type: 'WorkFiled', data: { ...filed.data, processEvidence: [item('1')] } };
      expect(refusal([withEvidence], amend({ addedProcessEvidence: [item('2'), item('1')] as never[] }))).toEqual({
        code: 'duplicate-evidence',
        fields: ['processEvidence.1.sha256'],
      });
      expect(refusal([withEvidence], amend({ addedProcessEvidence: [item('2', '2026-11-30T10:05:01.000Z')] as never[] }))).toEqual({
        code: 'evidence-made-later',
        fields: ['processEvidence.0.createdAt'],
      });
    });
    it('adds in an amendment an item made after the filing, before the amendment', () =>
      given(filingDecider, [filed])
        .when(amend({ addedProcessEvidence: [item('2', '2026-11-30T09:00:00.000Z')] as never[] }))
        .then([
          {
            type: 'FilingAmended',
            data: {
              filingId: 'f1',
              title: null,
              addedProcessEvidence: [item('2', '2026-11-30T09:00:00.000Z')],
              humanContributionNote: null,
              amendedAt: later.toISOString(),
            },
          } as FilingEvent,
        ]));
  });
  it('refuses an amendment that changes nothing (the same title)', () =>
    given(filingDecider, [filed])
      .when(amend({ title: 'Sunset' }))
      .thenThrows('empty-amendment'));
  it('compares a new title with the amended one', () =>
    given(filingDecider, [
      filed,
      {
        type: 'FilingAmended',
        data: { filingId: 'f1', title: 'Sunrise', addedProcessEvidence: [], humanContributionNote: null, amendedAt: now.toISOString() },
      },
    ])
      .when(amend({ title: 'Sunrise' }))
      .thenThrows('empty-amendment'));
  it('refuses anyone but the creator, a withdrawn filing and a missing one', () => {
    given(filingDecider, [filed])
      .when(amend({ title: 'Mine' }, 'mallory'))
      .thenThrows('not-owner');
    given(filingDecider, [filed, withdrawn])
      .when(amend({ title: 'Late' }))
      .thenThrows('filing-withdrawn');
    given(filingDecider, [])
      .when(amend({ title: 'None' }))
      .thenThrows('filing-not-found');
  });
});

describe('filing decider over the whole filing stream', () => {
  it('ignores events other contexts append to the stream', () =>
    given(filingDecider, [filed, { type: 'LabelsDeclared', data: { version: 1 } } as never])
      .when({ type: 'WithdrawFiling', filingId: 'f1', actor: 'alice', reason: null, now: later })
      .then([withdrawn]));
});
