import { given } from '../ledger/given-when-then.js';
import { filingDecider, type FileWorkCommand } from './filing.decider.js';
import type { FilingEvent, WorkFiled } from './filing.events.js';

const now = new Date('2026-11-29T10:00:00.000Z');
const later = new Date('2026-11-30T10:00:00.000Z');
const details: FileWorkCommand['filing'] = {
  filingId: 'f1', creator: 'alice', contentHash: 'a'.repeat(64), contentType: 'image/png', title: 'Sunset',
  generation: {
    digitalSourceType: 'http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia', tool: { name: 'SD', version: '3', provider: null },
    promptHash: 'b'.repeat(64), negativePromptHash: null, parametersHash: null, parameters: null, seed: '42', iterations: 3, humanContribution: 'selection',
  },
  processEvidence: [], perceptualHash: null,
};
const filed: WorkFiled = { type: 'WorkFiled', data: { ...details, filedAt: now.toISOString() } };
const withdrawn: FilingEvent = { type: 'FilingWithdrawn', data: { filingId: 'f1', reason: null, withdrawnAt: later.toISOString() } };

describe('filing decider', () => {
  describe('FileWork', () => {
    it('given no filing, records WorkFiled stamped with the command time', () =>
      given(filingDecider, []).when({ type: 'FileWork', filing: details, now }).then([filed]));
    it('given the filing exists, refuses a second WorkFiled', () =>
      given(filingDecider, [filed]).when({ type: 'FileWork', filing: details, now }).thenThrows('filing-exists'));
  });

  describe('WithdrawFiling', () => {
    it('given an active filing, its creator withdraws it', () =>
      given(filingDecider, [filed]).when({ type: 'WithdrawFiling', filingId: 'f1', actor: 'alice', reason: null, now: later }).then([withdrawn]));
    it('keeps the reason', () =>
      given(filingDecider, [filed]).when({ type: 'WithdrawFiling', filingId: 'f1', actor: 'alice', reason: 'duplicate', now: later })
        .then([{ type: 'FilingWithdrawn', data: { filingId: 'f1', reason: 'duplicate', withdrawnAt: later.toISOString() } }]));
    it('refuses anyone but the creator', () =>
      given(filingDecider, [filed]).when({ type: 'WithdrawFiling', filingId: 'f1', actor: 'mallory', reason: null, now: later }).thenThrows('not-owner'));
    it('refuses a filing that does not exist', () =>
      given(filingDecider, []).when({ type: 'WithdrawFiling', filingId: 'f1', actor: 'alice', reason: null, now: later }).thenThrows('filing-not-found'));
    it('refuses a second withdrawal', () =>
      given(filingDecider, [filed, withdrawn]).when({ type: 'WithdrawFiling', filingId: 'f1', actor: 'alice', reason: null, now: later }).thenThrows('already-withdrawn'));
  });
});

describe('filing decider over the whole filing stream', () => {
  it('ignores events other contexts append to the stream', () =>
    given(filingDecider, [filed, { type: 'LabelsDeclared', data: { version: 1 } } as never])
      .when({ type: 'WithdrawFiling', filingId: 'f1', actor: 'alice', reason: null, now: later }).then([withdrawn]));
});
