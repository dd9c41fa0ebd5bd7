// Filings by upload through the real server: each request a multipart body (the filing's JSON, then a PNG the server
// hashes, reads and decodes for its perceptual hash). Two figures: throughput for a 1-megapixel PNG, and the server's
// memory while 20 clients upload 10 MB files at once.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import sharp from 'sharp';
import { cpuMsOf, memoryOf, startFlags, startServer, type ServerChild } from './processes.js';

export interface UploadFigure {
  fileBytes: number;
  connections: number;
  seconds: number;
  filesPerSecond: number;
  ok: number;
  failed: number;
  latencyP50Ms: number;
  latencyP99Ms: number;
  /** Server RSS: the largest sample during the run, and the process's peak (VmHWM) at its end. */
  serverRssMaxBytes: number | null;
  serverRssPeakBytes: number | null;
  serverCpuMsPerFile: number | null;
  /** Status codes other than 2xx, counted (a sign the figure measured refusals). */
  refusals: Record<string, number>;
}

export interface UploadOptions {
  seconds: number;
  warmupSeconds: number;
}

const BOUNDARY = '----sandbox-ledger-bench';

/** A smooth picture with a little noise, `width`×`height`, as PNG: what a generated image looks like to a decoder. */
async function picture(width: number, height: number, noise: number): Promise<Buffer> {
  const pixels = Buffer.alloc(width * height * 3);
  let s = 12345;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      s = (s * 1103515245 + 12345) & 0x7fffffff;
      const n = ((s >>> 8) % (2 * noise + 1)) - noise;
      const i = (y * width + x) * 3;
      pixels[i] = Math.max(0, Math.min(255, (x * 255) / width + n));
      pixels[i + 1] = Math.max(0, Math.min(255, (y * 255) / height + n));
      pixels[i + 2] = Math.max(0, Math.min(255, 128 + 100 * Math.sin((x + y) / 40) + n));
    }
  }
  return sharp(pixels, { raw: { width, height, channels: 3 } })
    .png({ compressionLevel: 6 })
    .toBuffer();
}

/** CRC-32 as PNG uses it, for the one chunk each upload gets to make its bytes (and so its content hash) its own. */
const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function pngText(keyword: string, text: string): Buffer {
  const body = Buffer.from(`tEXt${keyword}\0${text}`, 'latin1');
  let c = 0xffffffff;
  for (const b of body) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  const out = Buffer.alloc(12 + body.length - 4);
  out.writeUInt32BE(body.length - 4, 0);
  body.copy(out, 4);
  out.writeUInt32BE((c ^ 0xffffffff) >>> 0, out.length - 4);
  return out;
}

const METADATA = (n: number) =>
  JSON.stringify({
    contentType: 'image/png',
    title: `Bench upload ${n}`,
    generation: {
      digitalSourceType: 'http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia',
      tool: { name: 'Stable Diffusion', version: '3.5', provider: 'Stability AI' },
      promptHash: randomBytes(32).toString('hex'),
      humanContribution: 'Wrote the prompt and chose one of many candidates.',
    },
  });

/** The multipart body of upload `n`: the metadata field, then the PNG with a tEXt chunk naming `n` right after IHDR. */
function body(png: Buffer, n: number): Buffer {
  const afterIhdr = 8 + 12 + png.readUInt32BE(8);
  return Buffer.concat([
    Buffer.from(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="metadata"\r\n\r\n${METADATA(n)}\r\n`),
    Buffer.from(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="work.png"\r\nContent-Type: image/png\r\n\r\n`),
    png.subarray(0, afterIhdr),
    pngText('BenchUpload', `${n}-${randomBytes(4).toString('hex')}`),
    png.subarray(afterIhdr),
    Buffer.from(`\r\n--${BOUNDARY}--\r\n`),
  ]);
}

async function load(server: ServerChild, key: string, png: Buffer, connections: number, seconds: number): Promise<autocannon.Result> {
  let n = 0;
  const headers = { authorization: `Bearer ${key}`, 'content-type': `multipart/form-data; boundary=${BOUNDARY}` };
  return autocannon({
    url: server.url,
    connections,
    duration: seconds,
    pipelining: 1,
    timeout: 120,
    requests: [{ method: 'POST', path: '/v1/filings', headers, setupRequest: (req) => ({ ...req, body: body(png, n++) }) }],
  });
}

async function measure(server: ServerChild, key: string, png: Buffer, connections: number, opts: UploadOptions): Promise<UploadFigure> {
  if (opts.warmupSeconds > 0) await load(server, key, png, connections, opts.warmupSeconds);
  let rssMax = 0;
  const sampler = setInterval(() => {
    rssMax = Math.max(rssMax, memoryOf(server.child.pid!)?.rss ?? 0);
  }, 50);
  const cpuBefore = cpuMsOf(server.child.pid!);
  const r = await load(server, key, png, connections, opts.seconds);
  const cpuAfter = cpuMsOf(server.child.pid!);
  clearInterval(sampler);
  const mem = memoryOf(server.child.pid!);
  const ok = r['2xx'];
  const refusals = Object.fromEntries(
    Object.entries(r.statusCodeStats ?? {})
      .filter(([code]) => !code.startsWith('2'))
      .map(([code, v]) => [code, v.count ?? 0]),
  );
  return {
    fileBytes: png.length,
    connections,
    seconds: opts.seconds,
    filesPerSecond: ok / opts.seconds,
    ok,
    failed: r.non2xx + r.errors + r.timeouts,
    latencyP50Ms: r.latency.p50,
    latencyP99Ms: r.latency.p99,
    serverRssMaxBytes: rssMax || null,
    serverRssPeakBytes: mem?.peak ?? null,
    serverCpuMsPerFile: cpuBefore !== null && cpuAfter !== null && ok > 0 ? (cpuAfter - cpuBefore) / ok : null,
    refusals,
  };
}

/** A fresh server (the flags of `npm start`, default limits) with one creator; `work` runs against it. */
async function withServer<T>(work: (server: ServerChild, key: string) => Promise<T>): Promise<T & { output: string }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'ledger-bench-upload-'));
  const adminKey = 'slk_' + randomBytes(32).toString('base64url');
  const env = { LEDGER_DATA_DIR: dataDir, LEDGER_BOOTSTRAP_ADMIN_KEY: adminKey, LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'warn' };
  // The server's own default unless the bench is told otherwise, to compare settings.
  const concurrency = process.env.LEDGER_INSPECTION_CONCURRENCY;
  const server = await startServer(
    'dist/main.js',
    { ...env, ...(concurrency ? { LEDGER_INSPECTION_CONCURRENCY: concurrency } : {}) },
    '/health',
    startFlags(),
  );
  try {
    const res = await fetch(`${server.url}/v1/principals`, {
      method: 'POST',
      headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'bench creator', roles: ['creator'] }),
    });
    if (res.status !== 201) throw new Error(`could not register the bench creator: ${res.status} ${await res.text()}`);
    const key = ((await res.json()) as { apiKey: { key: string } }).apiKey.key;
    return { ...(await work(server, key)), output: server.output() };
  } finally {
    await server.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** Filings/s for a 1-megapixel PNG (8 connections), each on its own fresh server: its memory measured alone. */
export async function benchUploadThroughput(opts: UploadOptions): Promise<UploadFigure & { output: string }> {
  const png = await picture(1000, 1000, 6);
  return withServer((server, key) => measure(server, key, png, 8, opts));
}

/** 20 clients uploading 10 MB PNGs (noise makes them incompressible) for the whole run: the server's memory. */
export async function benchUploadMemory(opts: UploadOptions): Promise<UploadFigure & { output: string }> {
  const png = await picture(2600, 1500, 127);
  return withServer((server, key) => measure(server, key, png, 20, opts));
}
