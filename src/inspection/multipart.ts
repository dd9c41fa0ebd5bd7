// Reading a multipart/form-data upload part by part, as it arrives: a JSON field first, then the files, each streamed.
// Every way a client's body can be wrong (not multipart, cut short, over a limit, parts out of order) is a 4xx problem.
import { HttpException, UnsupportedMediaTypeException } from '@nestjs/common';
import type { Multipart, MultipartFile } from '@fastify/multipart';
import type { FastifyRequest } from 'fastify';
import { DomainError, invalid, tooLarge } from '../common/domain-error.js';
import { repeatedMemberProblem, utf8Text } from '../common/request-body.js';
import type { JsonObject, JsonValue } from '../verifier/envelope.js';

export interface UploadLimits {
  /** Bytes per file. */
  fileSize: number;
  files: number;
  fields: number;
  /** Bytes per field value. */
  fieldSize: number;
}

/** The multipart parser's own refusals, under this API's problem codes, naming the limit where the request's is known. */
const LIMIT_CODES: Record<string, [string, (limits?: UploadLimits) => string]> = {
  FST_FILES_LIMIT: [
    'too-many-files',
    (l) => (l ? `the upload has more than ${l.files} file(s)` : 'the upload has more files than allowed'),
  ],
  FST_PARTS_LIMIT: [
    'too-many-parts',
    (l) => (l ? `the upload has more than ${l.files + l.fields} part(s)` : 'the upload has more parts than allowed'),
  ],
  FST_REQ_FILE_TOO_LARGE: [
    'file-too-large',
    (l) => (l ? `a file is larger than the upload limit of ${l.fileSize} bytes` : 'a file is larger than the upload limit'),
  ],
};

/**
 * The multipart parser reports a body it cannot read (no boundary, cut short) as a plain Error: the client's mistake, not
 * ours. A limit it enforced is named when the request's `limits` are given.
 */
export function rethrowMalformed(err: unknown, limits?: UploadLimits): never {
  const code = (err as { code?: unknown })?.code;
  if (typeof code === 'string' && LIMIT_CODES[code]) throw tooLarge(LIMIT_CODES[code][0], LIMIT_CODES[code][1](limits));
  // UploadForm lets one field more through than a route takes and refuses it by name (unexpectedField); should the
  // parser's count be met all the same, it is the same mistake, not a body too large.
  if (code === 'FST_FIELDS_LIMIT') throw invalid('unexpected-part', 'the upload has a field this route does not take');
  if (code === 'FST_INVALID_JSON_FIELD_ERROR') throw invalid('malformed-json', 'a field declared as application/json is not valid JSON');
  if (
    err instanceof Error &&
    !(err instanceof HttpException) &&
    !(err instanceof DomainError) &&
    typeof (err as { statusCode?: unknown }).statusCode !== 'number'
  ) {
    throw invalid('malformed-multipart', `the multipart body cannot be read: ${err.message}`);
  }
  throw err;
}

/** The file's bytes; only the parser's own failures are mapped, not those of whoever consumes the chunks. */
export async function* readingOf(file: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
  try {
    for await (const chunk of file) yield chunk;
  } catch (err) {
    rethrowMalformed(err);
  }
}

/** A file part as it was read: what a request repeating an upload's Idempotency-Key must send again. */
export interface FileRead {
  sha256: string;
  size: number;
}

/** A multipart body read one part after the other; a part must be consumed before the next is asked for. */
export class UploadForm {
  /** The parts read so far: each field's value as parsed, each file's part name, file name, type and digest. */
  private readonly read: JsonObject[] = [];

  private constructor(
    private readonly parts: AsyncIterator<Multipart>,
    readonly limits: UploadLimits,
    /** The body's declared length (Content-Length), null when it is sent chunked: no file in it is larger. */
    readonly bodyLength: number | null,
  ) {}

  /**
   * `json` names the field the form opens with (`metadata`), whose JSON `jsonField` reads; it counts among `limits.fields`.
   * That field is handed over as its bytes, as a file's are: the parser would decode it as text itself, laxly (a byte that
   * is not UTF-8 became U+FFFD, in whatever charset the part declared), where the JSON must be strict UTF-8 as a JSON
   * body is. The parser's own limits count it among the files, so they are shifted by one to stay what they were.
   */
  static open(request: FastifyRequest, limits: UploadLimits, json?: string): UploadForm {
    if (!request.isMultipart()) throw new UnsupportedMediaTypeException('send the upload as multipart/form-data');
    let first = true;
    const isPartAFile = (name: string | undefined, type: string | undefined, filename: string | undefined) => {
      const opening = first && json !== undefined && name === json;
      first = false;
      return opening || type === 'application/octet-stream' || filename !== undefined;
    };
    const shift = json === undefined ? 0 : 1;
    // One part more than files and fields together, so that a file or field too many is named as such; one field more
    // than the route takes, so that an unexpected field reaches next() and is refused by its name (400), not counted (413).
    const parts = request.parts({
      isPartAFile,
      limits: { ...limits, files: limits.files + shift, fields: limits.fields - shift + 1, parts: limits.files + limits.fields + 1 },
    });
    const iterator = parts[Symbol.asyncIterator]();
    const length = Number(request.headers['content-length']);
    return new UploadForm(iterator, limits, Number.isSafeInteger(length) && length > 0 ? length : null);
  }

  /**
   * The next part, or null at the end of the body. Every part a route takes is read as a file (its JSON field too, see
   * `open`), so a field (a part without a file name) is one it does not take: 400 unexpected-part, naming it.
   */
  async next(): Promise<MultipartFile | null> {
    let part: Multipart | null;
    try {
      const r = await this.parts.next();
      part = r.done ? null : r.value;
    } catch (err) {
      return rethrowMalformed(err, this.limits);
    }
    if (part?.type === 'field') throw unexpectedField(part.fieldname);
    return part;
  }

  /** The JSON field named `name` (the one given to `open`), which must come first: its value parsed (not yet validated). */
  async jsonField(name: string): Promise<unknown> {
    const part = await this.next();
    // A part with a file name is a file, whatever it is called.
    if (!part || part.fieldname !== name || part.filename) {
      part?.file.resume();
      const message = `the first part must be the field "${name}" (JSON), before any file`;
      throw invalid(`${name}-required`, message, { errors: [{ field: name, message }] });
    }
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of readingOf(part.file)) {
      size += chunk.length;
      if (size > this.limits.fieldSize) {
        part.file.resume();
        throw tooLarge(`${name}-too-large`, `the field "${name}" is longer than ${this.limits.fieldSize} bytes`);
      }
      chunks.push(chunk);
    }
    const value = parseJsonField(name, utf8Text(Buffer.concat(chunks), `the field "${name}"`));
    this.read.push({ field: name, value: value as JsonValue });
    return value;
  }

  /** Notes a file part read to its end (by whoever consumed its chunks). */
  fileRead(part: MultipartFile, file: FileRead): void {
    this.read.push(describeFile(part, file));
  }

  /** The parts read, in order (uploadRead's `upload`). */
  contents(): JsonObject[] {
    return [...this.read];
  }

  /** The bytes of a file part as they arrive; 413 file-too-large when it passes the limit. */
  async *chunks(part: MultipartFile): AsyncGenerator<Buffer> {
    for await (const chunk of readingOf(part.file)) {
      if (part.file.truncated) break;
      yield chunk;
    }
    if (part.file.truncated)
      throw tooLarge(
        'file-too-large',
        `the file ${part.filename ? `"${part.filename}" ` : ''}is larger than the upload limit of ${this.limits.fileSize} bytes`,
      );
  }

  /** Reads to the end of the body: a malformed ending is refused, and so is a part after those expected. */
  async end(): Promise<void> {
    const extra = await this.next();
    if (extra) {
      extra.file.resume();
      throw invalid('unexpected-part', `the upload has a part "${extra.fieldname}" after those expected`);
    }
  }
}

/** A field the route does not take, named as an unknown field of a JSON body is (400, `errors`). */
function unexpectedField(name: string): DomainError {
  const message = `the upload has a field "${name}" (a part without a file name), which this route does not take`;
  return invalid('unexpected-part', message, { errors: [{ field: name, message: 'this route does not take this field' }] });
}

/** A file part as an upload's contents name it (UploadForm.contents). */
export const describeFile = (part: MultipartFile, file: FileRead): JsonObject => ({
  file: part.fieldname,
  filename: part.filename ?? null,
  type: part.mimetype ?? null,
  sha256: file.sha256,
  size: file.size,
});

/**
 * A field's JSON. A `__proto__` key is kept as an own member (JSON.parse makes it one, and sets no prototype) for
 * validBody to refuse with the other reserved names, as a JSON body's is: it is valid JSON, which "not valid JSON" said
 * it was not.
 */
function parseJsonField(name: string, text: string): unknown {
  let value: unknown;
  try {
    value = JSON.parse(text) as unknown;
  } catch {
    throw invalid('malformed-json', `the field "${name}" is not valid JSON`);
  }
  const repeated = repeatedMemberProblem(text);
  if (repeated) throw repeated;
  return value;
}
