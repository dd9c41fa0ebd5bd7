// SHA-256 of a local file, streamed through @noble/hashes: WebCrypto's digest is not streaming and is missing on plain
// HTTP (not a secure context), and the file must never leave the machine.
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex } from '@noble/hashes/utils.js';

export async function sha256OfFile(file: Blob, onProgress?: (done: number, total: number) => void): Promise<string> {
  const hash = sha256.create();
  const reader = file.stream().getReader();
  let done = 0;
  for (;;) {
    const chunk = await reader.read();
    if (chunk.done) break;
    hash.update(chunk.value);
    done += chunk.value.length;
    onProgress?.(done, file.size);
  }
  return bytesToHex(hash.digest());
}
