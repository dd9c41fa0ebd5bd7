// A filing: first filing of one work by its creator, and its withdrawal (SPEC 1.1).
import { conflict, forbidden, notFound } from '../common/domain-error.js';
import type { Decider } from '../ledger/decider.js';
import type { FilingDetails, FilingEvent } from './filing.events.js';

export interface FilingState {
  status: 'none' | 'active' | 'withdrawn';
  creator: string | null;
  contentHash: string | null;
}

export type FileWorkCommand = { type: 'FileWork'; filing: FilingDetails; now: Date };
export type WithdrawFilingCommand = { type: 'WithdrawFiling'; filingId: string; actor: string; reason: string | null; now: Date };
export type FilingCommand = FileWorkCommand | WithdrawFilingCommand;

function decideFileWork(command: FileWorkCommand, state: FilingState): FilingEvent[] {
  if (state.status !== 'none') throw conflict('filing-exists', `filing ${command.filing.filingId} already exists`);
  return [{ type: 'WorkFiled', data: { ...command.filing, filedAt: command.now.toISOString() } }];
}

function decideWithdrawFiling(command: WithdrawFilingCommand, state: FilingState): FilingEvent[] {
  if (state.status === 'none') throw notFound('filing-not-found', `no filing ${command.filingId}`);
  if (state.creator !== command.actor) throw forbidden('not-owner', 'only the filing\'s creator may withdraw it');
  if (state.status === 'withdrawn') throw conflict('already-withdrawn', `filing ${command.filingId} is already withdrawn`);
  return [{ type: 'FilingWithdrawn', data: { filingId: command.filingId, reason: command.reason, withdrawnAt: command.now.toISOString() } }];
}

export const filingDecider: Decider<FilingCommand, FilingEvent, FilingState> = {
  initialState: () => ({ status: 'none', creator: null, contentHash: null }),

  evolve(state, event) {
    switch (event.type) {
      case 'WorkFiled':
        return { status: 'active', creator: event.data.creator, contentHash: event.data.contentHash };
      case 'FilingWithdrawn':
        return { ...state, status: 'withdrawn' };
      default:
        return state; // other contexts (labels, near-duplicates, flag reviews) append to the filing stream too
    }
  },

  decide(command, state) {
    switch (command.type) {
      case 'FileWork': return decideFileWork(command, state);
      case 'WithdrawFiling': return decideWithdrawFiling(command, state);
    }
  },
};
