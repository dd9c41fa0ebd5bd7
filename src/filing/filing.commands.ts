import { Command } from '@nestjs/cqrs';
import type { FileWorkDto } from './filing.dto.js';

export interface FiledWork {
  filingId: string;
  leafIndex: number;
  eventHash: string;
  recordedAt: string;
  right: { status: 'provisional'; holder: string; since: string; labelDueAt: string; quietUntil: string; policyVersion: number };
  receiptUrl: string;
}

export class FileWork extends Command<FiledWork> {
  constructor(readonly input: FileWorkDto, readonly actor: string) { super(); }
}

export class WithdrawFiling extends Command<{ filingId: string; status: 'withdrawn'; withdrawnAt: string; leafIndex: number; eventHash: string }> {
  constructor(readonly filingId: string, readonly reason: string | null, readonly actor: string) { super(); }
}
