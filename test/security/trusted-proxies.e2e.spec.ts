// Behind a reverse proxy every request comes from the proxy's address. With LEDGER_TRUSTED_PROXIES naming the proxy, the
// rate limits count the client X-Forwarded-For names, as the proxy appended it; without it, X-Forwarded-For is ignored,
// so a client cannot escape its limit by naming another address.
import { startLedger, type LedgerApp } from '../support/ledger-app.js';

const LIMIT = 2;
const PUBLIC = '/v1/ledger/checkpoint';

const publicGet = (ledger: LedgerApp, forwardedFor: string) => ledger.http().get(PUBLIC).set('x-forwarded-for', forwardedFor);
const badKey = (ledger: LedgerApp, forwardedFor: string) =>
  ledger.http().get('/v1/me').set('x-forwarded-for', forwardedFor).set('authorization', 'Bearer slk_not_a_key_of_this_ledger');
const statuses = async (requests: Array<() => PromiseLike<{ status: number }>>) => {
  const out: number[] = [];
  for (const r of requests) out.push((await r()).status);
  return out;
};

describe('behind a trusted proxy (LEDGER_TRUSTED_PROXIES=127.0.0.1)', () => {
  let ledger: LedgerApp;
  beforeAll(async () => {
    ledger = await startLedger({ publicRateLimit: LIMIT, trustedProxies: ['127.0.0.1'] });
  });
  afterAll(() => ledger.close());

  it('counts public requests per forwarded client: one client at its limit leaves the others theirs', async () => {
    const a = () => publicGet(ledger, '203.0.113.5');
    expect(await statuses([a, a, a])).toEqual([200, 200, 429]);
    expect(await statuses([() => publicGet(ledger, '203.0.113.6')])).toEqual([200]);
    // An address the client put before the proxy's own entry is not believed: the proxy appended the client's real one.
    expect(await statuses([() => publicGet(ledger, '198.51.100.99, 203.0.113.5')])).toEqual([429]);
  });

  it("counts /health and /health/live per forwarded client, and leaves this machine's own probes uncounted", async () => {
    const h = () => ledger.http().get('/health').set('x-forwarded-for', '203.0.113.20');
    expect(await statuses([h, h, h])).toEqual([200, 200, 429]);
    // From the loopback address itself (a container's health check beside the server): never refused.
    const local = () => ledger.http().get('/health');
    expect(await statuses([local, local, local, local])).toEqual([200, 200, 200, 200]);
    // Liveness the same: counted per forwarded client, not from this machine.
    const l = () => ledger.http().get('/health/live').set('x-forwarded-for', '203.0.113.21');
    expect(await statuses([l, l, l])).toEqual([200, 200, 429]);
    const localLive = () => ledger.http().get('/health/live');
    expect(await statuses([localLive, localLive, localLive, localLive])).toEqual([200, 200, 200, 200]);
    // Nor does it exempt another route from this machine: a public read from it is counted.
    const checkpoint = () => ledger.http().get(PUBLIC);
    expect(await statuses([checkpoint, checkpoint, checkpoint])).toEqual([200, 200, 429]);
  });

  it('counts requests without a valid key per forwarded client', async () => {
    const c = () => badKey(ledger, '198.51.100.7');
    expect(await statuses([c, c, c])).toEqual([401, 401, 429]);
    expect(await statuses([() => badKey(ledger, '198.51.100.8')])).toEqual([401]);
  });
});

describe('without trusted proxies (the default)', () => {
  let ledger: LedgerApp;
  beforeAll(async () => {
    ledger = await startLedger({ publicRateLimit: LIMIT });
  });
  afterAll(() => ledger.close());

  it('ignores X-Forwarded-For: a client naming a new address each time still meets its limit', async () => {
    expect(await statuses([1, 2, 3].map((i) => () => publicGet(ledger, `203.0.113.${i}`)))).toEqual([200, 200, 429]);
    expect(await statuses([1, 2, 3].map((i) => () => badKey(ledger, `198.51.100.${i}`)))).toEqual([401, 401, 429]);
  });
});
