// Who sequences the Merkle log: exactly one process integrates leaves and signs checkpoints; the others follow.
import { Logger } from '@nestjs/common';
import pg from 'pg';
import { advisoryLockKey, checkSchemaName, pgConnection } from '../event-store/postgres-support.js';

export interface LogLeadership {
  /** True while this process holds the sequencer role. */
  readonly isLeader: boolean;
  /** Takes the role if it is free (and keeps trying every retry interval until stop()). */
  start(): Promise<void>;
  /** Called with the new state whenever this process gains or loses the role. */
  onChange(listener: (isLeader: boolean) => void): void;
  /** Asks the leader, wherever it runs, to integrate and sign now (a follower needs a checkpoint for a receipt). */
  nudge(): void;
  /** Called (on the leader) when some process asked for a fresh checkpoint. */
  onNudge(listener: () => void): void;
  /** Gives the role up. */
  stop(): Promise<void>;
}

/** The embedded store: the one process that owns the data dir is always the sequencer. */
export class SoleLeadership implements LogLeadership {
  readonly isLeader = true;
  async start(): Promise<void> {}
  onChange(): void {}
  nudge(): void {}
  onNudge(): void {}
  async stop(): Promise<void> {}
}

export interface PostgresLeadershipOptions {
  schema?: string;
  /** How often a follower tries to take the role, and the leader checks it still holds its connection. */
  retryMs?: number;
}

/**
 * Leader by a session-level advisory lock (pg_try_advisory_lock) on a dedicated connection: PostgreSQL releases it
 * when that connection ends, so a crashed or partitioned leader loses the role and a follower takes it on its next
 * try. The same connection LISTENs for nudges. A leader that has not noticed yet cannot do harm: the tree store's
 * writes are compare-and-set on the size, and every tree is a prefix of the one contiguous event log.
 */
export class PostgresLeadership implements LogLeadership {
  private readonly logger = new Logger('log-leadership');
  private readonly key: string;
  private readonly channel: string;
  private readonly retryMs: number;
  private client: pg.Client | null = null;
  private leader = false;
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;
  private tick: Promise<void> = Promise.resolve();
  private readonly changeListeners: Array<(isLeader: boolean) => void> = [];
  private readonly nudgeListeners: Array<() => void> = [];

  constructor(
    private readonly connectionString: string,
    opts: PostgresLeadershipOptions = {},
  ) {
    const schema = checkSchemaName(opts.schema ?? 'ledger');
    this.key = advisoryLockKey(`sandbox-ledger/sequencer:${schema}`);
    this.channel = `ledger_sequencer_${advisoryLockKey(schema).replace('-', 'm')}`;
    this.retryMs = Math.max(50, opts.retryMs ?? 1000); // 0 would spin
  }

  get isLeader(): boolean {
    return this.leader;
  }

  async start(): Promise<void> {
    this.tick = this.attempt();
    await this.tick;
    this.timer = setInterval(() => {
      this.tick = this.tick.then(() => this.attempt());
    }, this.retryMs);
    this.timer.unref();
  }

  onChange(listener: (isLeader: boolean) => void): void {
    this.changeListeners.push(listener);
  }

  onNudge(listener: () => void): void {
    this.nudgeListeners.push(listener);
  }

  nudge(): void {
    // NOTIFY is delivered to every listener on commit; a lost nudge only costs the follower its poll timeout.
    this.client?.query(`NOTIFY ${this.channel}`).catch(() => undefined);
  }

  /** One round: connect if needed, then take the lock (follower) or prove the connection still holds it (leader). */
  private async attempt(): Promise<void> {
    if (this.stopped) return;
    try {
      const client = this.client ?? (await this.connect());
      if (this.leader) {
        await client.query('SELECT 1');
        return;
      }
      const { rows } = await client.query<{ locked: boolean }>('SELECT pg_try_advisory_lock($1::bigint) AS locked', [this.key]);
      if (rows[0].locked && !this.stopped) this.setLeader(true);
    } catch (err) {
      this.logger.warn(`sequencer lock connection failed: ${(err as Error).message}`);
      void this.drop();
    }
  }

  private async connect(): Promise<pg.Client> {
    const client = new pg.Client(pgConnection(this.connectionString, 'sequencer'));
    client.on('error', (err) => {
      this.logger.warn(`sequencer lock connection lost: ${err.message}`);
      if (this.client === client) void this.drop();
    });
    client.on('end', () => {
      if (this.client === client) void this.drop();
    });
    client.on('notification', (n) => {
      if (n.channel !== this.channel || !this.leader) return;
      for (const l of this.nudgeListeners) l();
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${this.channel}`);
    } catch (err) {
      await client.end().catch(() => undefined);
      throw err;
    }
    this.client = client;
    return client;
  }

  /** The lock went with the connection: stop acting as leader at once. */
  private drop(): Promise<void> {
    const client = this.client;
    this.client = null;
    this.setLeader(false);
    return client ? client.end().catch(() => undefined) : Promise.resolve();
  }

  private setLeader(leader: boolean): void {
    if (this.leader === leader) return;
    this.leader = leader;
    this.logger.log(leader ? 'this instance is now the log sequencer' : 'this instance is no longer the log sequencer');
    for (const l of this.changeListeners) {
      try {
        l(leader);
      } catch (err) {
        this.logger.error(`leadership listener failed: ${(err as Error).message}`);
      }
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    await this.tick;
    await this.drop(); // ending the session releases the lock: a follower takes over on its next try
  }
}
