/**
 * Reads the files out of a ZIP archive (PKWARE APPNOTE 6.3: the end-of-central-directory
 * record, then each central directory header, then the entry's local header and data),
 * stored or deflated, as CMS packs its code-set releases. Enough for those archives; a
 * ZIP64 archive (over 4 GB) or another compression method is refused by name.
 */
import { readFileSync } from 'node:fs';
import { inflateRawSync } from 'node:zlib';

export interface ZipEntry {
  name: string;
  read(): Buffer;
}

export function zipEntries(path: string): ZipEntry[] {
  const zip = readFileSync(path);
  let eocd = -1;
  // The record is 22 bytes plus a comment of at most 65,535.
  for (let i = zip.length - 22; i >= Math.max(0, zip.length - 22 - 0xffff); i--) {
    if (zip.readUInt32LE(i) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new Error(`${path} is not a ZIP archive (no end of central directory record)`);
  const count = zip.readUInt16LE(eocd + 10);
  let at = zip.readUInt32LE(eocd + 16);
  const entries: ZipEntry[] = [];
  for (let n = 0; n < count; n++) {
    if (zip.readUInt32LE(at) !== 0x02014b50) throw new Error(`${path}: central directory entry ${n + 1} is damaged`);
    const method = zip.readUInt16LE(at + 10);
    const compressed = zip.readUInt32LE(at + 20);
    const nameLength = zip.readUInt16LE(at + 28);
    const skip = nameLength + zip.readUInt16LE(at + 30) + zip.readUInt16LE(at + 32);
    const local = zip.readUInt32LE(at + 42);
    const name = zip.toString('utf8', at + 46, at + 46 + nameLength);
    at += 46 + skip;
    if (compressed === 0xffffffff || local === 0xffffffff)
      throw new Error(`${path}: ${name} is a ZIP64 entry, which this reader does not handle; unzip it and load the files`);
    entries.push({
      name,
      read: () => {
        if (zip.readUInt32LE(local) !== 0x04034b50) throw new Error(`${path}: the local header of ${name} is damaged`);
        const start = local + 30 + zip.readUInt16LE(local + 26) + zip.readUInt16LE(local + 28);
        const data = zip.subarray(start, start + compressed);
        if (method === 0) return Buffer.from(data);
        if (method === 8) return inflateRawSync(data);
        throw new Error(`${path}: ${name} uses compression method ${method}; only stored (0) and deflate (8) are read`);
      },
    });
  }
  return entries;
}
