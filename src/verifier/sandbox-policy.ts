// Sandbox policy v1 defaults (SPEC 1.4). Versions arrive as events with the settlement issue.
export interface SandboxPolicy {
  version: number;
  labelGraceDays: number;
  objectionWindowDays: number;
  responseDays: number;
  decisionSlaDays: number;
  appealDays: number;
  termDays: number;
  similarity: { phash64: number; pdq256: number; simhash64: number };
  repeatInfringer: { upheld: number; windowDays: number };
}

export const POLICY_V1: SandboxPolicy = Object.freeze({
  version: 1,
  labelGraceDays: 7,
  objectionWindowDays: 30,
  responseDays: 7,
  decisionSlaDays: 15,
  appealDays: 15,
  termDays: 730,
  similarity: { phash64: 8, pdq256: 31, simhash64: 3 },
  repeatInfringer: { upheld: 3, windowDays: 365 },
});

const DAY_MS = 86_400_000;
export const addDays = (iso: string, days: number): string => new Date(Date.parse(iso) + days * DAY_MS).toISOString();
