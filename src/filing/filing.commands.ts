import { Command } from '@nestjs/cqrs';
import type { Right } from '../verifier/rights-rules.js';
import type { FileWorkDto } from './filing.dto.js';

export interface FiledWork {
  filingId: string;
  leafIndex: number;
  eventHash: string;
  recordedAt: string;
  /** The right as the sandbox rules give it right after filing (provisional, perhaps flagged). */
  right: Right | { status: 'provisional'; holder: string; since: string; labelDueAt: string; quietUntil: string; policyVersion: number };
  receiptUrl: string;
}

export class FileWork extends Command<FiledWork> {
  constructor(readonly input: FileWorkDto, readonly actor: string) { super(); }
}

export class WithdrawFiling extends Command<{ filingId: string; status: 'withdrawn'; withdrawnAt: string; leafIndex: number; eventHash: string }> {
  constructor(readonly filingId: string, readonly reason: string | null, readonly actor: string) { super(); }
}
