// A raw HTTP client for hostile requests: any path bytes, any headers, any body, optionally chunked. Never throws on a status.
import { request } from 'node:http';

export interface Reply {
  status: number;
  /** The reason phrase of the status line, as the server wrote it. */
  statusMessage: string;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  /** The body parsed as JSON, or undefined when it is not JSON. */
  json: any;
}

export interface RawRequest {
  method: string;
  /** Sent as is: percent-encode anything outside printable ASCII yourself. */
  path: string;
  headers?: Record<string, string>;
  body?: Buffer | string;
  /** Send the body with Transfer-Encoding: chunked instead of Content-Length. */
  chunked?: boolean;
}

export function send(baseUrl: string, r: RawRequest): Promise<Reply> {
  const { hostname, port } = new URL(baseUrl);
  const body = r.body === undefined ? undefined : Buffer.isBuffer(r.body) ? r.body : Buffer.from(r.body, 'utf8');
  const headers: Record<string, string> = { ...r.headers };
  if (body !== undefined && !r.chunked) headers['content-length'] = String(body.length);
  // Node frames a GET or DELETE body only when told to: say so, or the bytes would follow the headers unframed.
  if (body !== undefined && r.chunked) headers['transfer-encoding'] = 'chunked';
  return new Promise((resolve, reject) => {
    const req = request({ host: hostname, port: Number(port), method: r.method, path: r.path, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let json: unknown;
        try {
          json = JSON.parse(text);
        } catch {
          json = undefined;
        }
        resolve({ status: res.statusCode ?? 0, statusMessage: res.statusMessage ?? '', headers: res.headers, text, json });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    if (body !== undefined && r.chunked) {
      // Several chunks, so a size limit has to be enforced while streaming, not from a header.
      for (let i = 0; i < body.length; i += 4096) req.write(body.subarray(i, i + 4096));
    } else if (body !== undefined) req.write(body);
    req.end();
  });
}

/** `call` that must succeed: its JSON answer, or an error naming the request and what the ledger answered. */
export async function callOk(baseUrl: string, method: string, path: string, key?: string, json?: unknown): Promise<any> {
  const res = await call(baseUrl, method, path, key, json);
  if (res.status >= 300) throw new Error(`${method} ${path}: HTTP ${res.status} ${res.text}`);
  return res.json;
}

/** JSON request with an optional bearer key. */
export function call(
  baseUrl: string,
  method: string,
  path: string,
  key?: string,
  json?: unknown,
  headers: Record<string, string> = {},
): Promise<Reply> {
  const h: Record<string, string> = { ...headers };
  if (key) h.authorization = `Bearer ${key}`;
  if (json !== undefined) h['content-type'] = 'application/json';
  return send(baseUrl, { method, path, headers: h, body: json === undefined ? undefined : JSON.stringify(json) });
}

export interface Part {
  name: string;
  filename?: string;
  type?: string;
  data: Buffer | string;
}

/** A multipart/form-data body and its content type. */
export function multipart(
  parts: Part[],
  boundary = `----ledger-test-${Math.random().toString(16).slice(2)}`,
): { body: Buffer; type: string } {
  const chunks: Buffer[] = [];
  for (const p of parts) {
    const disposition = `form-data; name="${p.name}"${p.filename !== undefined ? `; filename="${p.filename}"` : ''}`;
    chunks.push(
      Buffer.from(`--${boundary}\r\nContent-Disposition: ${disposition}\r\n${p.type ? `Content-Type: ${p.type}\r\n` : ''}\r\n`, 'utf8'),
    );
    chunks.push(Buffer.isBuffer(p.data) ? p.data : Buffer.from(p.data, 'utf8'));
    chunks.push(Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { body: Buffer.concat(chunks), type: `multipart/form-data; boundary=${boundary}` };
}

export const isProblem = (r: Reply): boolean =>
  /^application\/problem\+json/.test(String(r.headers['content-type'] ?? '')) &&
  typeof r.json === 'object' &&
  r.json !== null &&
  typeof r.json.type === 'string' &&
  typeof r.json.title === 'string' &&
  r.json.status === r.status &&
  typeof r.json.detail === 'string';
