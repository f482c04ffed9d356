/**
 * @module
 * SPDY/3.1 framing, as kubectl and the kubelet speak it for port-forward (moby/spdystream):
 * 8-byte frame headers, control frames (SYN_STREAM, SYN_REPLY, RST_STREAM, SETTINGS, PING,
 * GOAWAY, HEADERS, WINDOW_UPDATE) and data frames, and name/value header blocks carried in one
 * zlib stream per direction, preset with the SPDY/3 dictionary.
 *
 * Reading inflates the peer's header blocks with Node's zlib (one context for the connection;
 * its streaming API is asynchronous, so frames are handed on in order by one pump). Writing
 * sends header blocks as zlib *stored* blocks: a valid continuation of the same zlib stream for
 * any inflater, with no compression state to keep — the server only ever sends empty SYN_REPLY
 * headers, so there is nothing worth compressing.
 */
import { createInflate, constants as zc, type Inflate } from 'node:zlib';

export const VERSION = 3;
export const TYPE = { SynStream: 1, SynReply: 2, RstStream: 3, Settings: 4, Ping: 6, GoAway: 7, Headers: 8, WindowUpdate: 9 } as const;
export const FLAG_FIN = 0x01;
export const FLAG_UNIDIRECTIONAL = 0x02;
/** RST_STREAM status codes. */
export const RST = { ProtocolError: 1, InvalidStream: 2, RefusedStream: 3, UnsupportedVersion: 4, Cancel: 5, InternalError: 6, FlowControlError: 7 } as const;
export const SETTINGS_INITIAL_WINDOW_SIZE = 7;
/** SPDY/3.1: every stream, and the connection, starts with a 64 KiB send window. */
export const INITIAL_WINDOW = 65_536;
export const MAX_DATA_LENGTH = 0xffffff;

/** Header names (lowercase) to their values (a NUL-separated list on the wire). */
export type Headers = Record<string, string[]>;

export type Frame =
  | { type: 'data'; streamId: number; flags: number; data: Buffer }
  | { type: 'syn_stream'; streamId: number; associatedTo: number; priority: number; flags: number; headers: Headers }
  | { type: 'syn_reply'; streamId: number; flags: number; headers: Headers }
  | { type: 'rst_stream'; streamId: number; status: number }
  | { type: 'settings'; flags: number; entries: { flags: number; id: number; value: number }[] }
  | { type: 'ping'; id: number }
  | { type: 'goaway'; lastGoodStreamId: number; status: number }
  | { type: 'headers'; streamId: number; flags: number; headers: Headers }
  | { type: 'window_update'; streamId: number; delta: number }
  /** A control frame type SPDY/3 does not define (CREDENTIAL, or newer): peers must ignore these. */
  | { type: 'unknown'; frameType: number; flags: number; payload: Buffer };

export class SpdyError extends Error {}

/** The SPDY/3 header dictionary (draft 3, section 2.6.10.1): length-prefixed names, then common values. */
export const DICTIONARY: Buffer = (() => {
  const words = [
    ...'options head post put delete trace accept accept-charset accept-encoding accept-language accept-ranges age allow authorization'.split(' '),
    ...'cache-control connection content-base content-encoding content-language content-length content-location content-md5'.split(' '),
    ...'content-range content-type date etag expect expires from host if-match if-modified-since if-none-match if-range'.split(' '),
    ...'if-unmodified-since last-modified location max-forwards pragma proxy-authenticate proxy-authorization range referer'.split(' '),
    ...'retry-after server te trailer transfer-encoding upgrade user-agent vary via warning www-authenticate method get status'.split(' '),
    '200 OK',
    'version',
    'HTTP/1.1',
    ...'url public set-cookie keep-alive origin'.split(' '),
  ];
  const tail =
    '100101201202205206300302303304305306307402405406407408409410411412413414415416417502504505' +
    '203 Non-Authoritative Information204 No Content301 Moved Permanently400 Bad Request401 Unauthorized' +
    '403 Forbidden404 Not Found500 Internal Server Error501 Not Implemented503 Service Unavailable' +
    'Jan Feb Mar Apr May Jun Jul Aug Sept Oct Nov Dec 00:00:00 Mon, Tue, Wed, Thu, Fri, Sat, Sun, GMT' +
    'chunked,text/html,image/png,image/jpg,image/gif,application/xml,application/xhtml+xml,text/plain,' +
    'text/javascript,publicprivatemax-age=gzip,deflate,sdchcharset=utf-8charset=iso-8859-1,utf-,*,enq=0.';
  return Buffer.concat([...words.map((w) => Buffer.concat([u32(w.length), Buffer.from(w, 'latin1')])), Buffer.from(tail, 'latin1')]);
})();

export function adler32(b: Buffer): number {
  let a = 1;
  let s = 0;
  for (let i = 0; i < b.length; i++) {
    a = (a + b[i]!) % 65521;
    s = (s + a) % 65521;
  }
  return ((s << 16) | a) >>> 0;
}

function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n >>> 0);
  return b;
}

/** The uncompressed name/value block: a count, then length-prefixed names and NUL-joined values. */
export function encodeHeaderBlock(headers: Headers): Buffer {
  const parts: Buffer[] = [u32(Object.keys(headers).length)];
  for (const [name, values] of Object.entries(headers)) {
    const n = Buffer.from(name.toLowerCase(), 'utf8');
    const v = Buffer.from(values.join('\0'), 'utf8');
    parts.push(u32(n.length), n, u32(v.length), v);
  }
  return Buffer.concat(parts);
}

export function decodeHeaderBlock(b: Buffer): Headers {
  const headers: Headers = {};
  let off = 0;
  const need = (n: number) => {
    if (off + n > b.length) throw new SpdyError('truncated header block');
  };
  need(4);
  const count = b.readUInt32BE(off);
  off += 4;
  for (let i = 0; i < count; i++) {
    need(4);
    const nl = b.readUInt32BE(off);
    off += 4;
    need(nl);
    const name = b.toString('utf8', off, off + nl).toLowerCase();
    off += nl;
    need(4);
    const vl = b.readUInt32BE(off);
    off += 4;
    need(vl);
    headers[name] = [...(headers[name] ?? []), ...b.toString('utf8', off, off + vl).split('\0')];
    off += vl;
  }
  return headers;
}

/** The first value of a header, by case-insensitive name (as Go's http.Header.Get). */
export function header(h: Headers, name: string): string | undefined {
  return h[name.toLowerCase()]?.[0];
}

/** The empty stored block a zlib Z_SYNC_FLUSH ends with. */
export const SYNC_MARKER = Buffer.from([0x00, 0x00, 0x00, 0xff, 0xff]);

/**
 * This direction's zlib stream: its header, then each header block as stored blocks (which end
 * byte-aligned), closed by the empty stored block of a sync flush. The marker matters: Go's
 * inflater hands out a stored block's bytes only once it has read the next block's header, and
 * without one in the same frame it fails on the next frame (spdystream: connection lost).
 */
export class HeaderDeflater {
  private started = false;

  encode(headers: Headers): Buffer {
    const block = encodeHeaderBlock(headers);
    const parts: Buffer[] = [];
    if (!this.started) {
      // CMF 0x78 (deflate, 32 KiB window), FLG 0x20 (preset dictionary; 0x7820 % 31 === 0), then the dictionary's Adler-32.
      parts.push(Buffer.from([0x78, 0x20]), u32(adler32(DICTIONARY)));
      this.started = true;
    }
    for (let off = 0; off < block.length; off += 0xffff) {
      const chunk = block.subarray(off, off + 0xffff);
      const head = Buffer.alloc(5); // BFINAL 0, BTYPE 00 (stored), padded to the byte; LEN, NLEN
      head.writeUInt16LE(chunk.length, 1);
      head.writeUInt16LE(~chunk.length & 0xffff, 3);
      parts.push(head, chunk);
    }
    parts.push(SYNC_MARKER);
    return Buffer.concat(parts);
  }
}

/** The peer's zlib stream, inflated block by block (one at a time: callers await in order). */
export class HeaderInflater {
  private readonly z: Inflate;
  private out: Buffer[] = [];
  private failed: Error | undefined;
  private rejectPending: ((e: Error) => void) | undefined;

  constructor() {
    this.z = createInflate({ dictionary: DICTIONARY });
    this.z.on('readable', () => this.drain());
    this.z.on('error', (e: Error) => {
      this.failed = e;
      this.rejectPending?.(new SpdyError(`header decompression failed: ${e.message}`));
    });
  }

  private drain(): void {
    for (let c: Buffer | null; (c = this.z.read() as Buffer | null) !== null; ) this.out.push(c);
  }

  decode(block: Buffer): Promise<Headers> {
    return new Promise((resolve, reject) => {
      if (this.failed) return reject(new SpdyError(`header decompression failed: ${this.failed.message}`));
      this.rejectPending = reject; // a corrupt block ends the stream with 'error', and the flush never completes
      this.z.write(block);
      this.z.flush(zc.Z_SYNC_FLUSH, () => {
        this.rejectPending = undefined;
        this.drain();
        const raw = Buffer.concat(this.out);
        this.out = [];
        if (this.failed) return reject(new SpdyError(`header decompression failed: ${this.failed.message}`));
        try {
          resolve(decodeHeaderBlock(raw));
        } catch (e) {
          reject(e as Error);
        }
      });
    });
  }

  close(): void {
    this.z.destroy();
  }
}

function control(type: number, flags: number, payload: Buffer): Buffer {
  if (payload.length > MAX_DATA_LENGTH) throw new SpdyError('control frame too large');
  const h = Buffer.alloc(8);
  h.writeUInt16BE(0x8000 | VERSION, 0);
  h.writeUInt16BE(type, 2);
  h.writeUInt32BE((((flags & 0xff) << 24) | payload.length) >>> 0, 4);
  return Buffer.concat([h, payload]);
}

export function encodeData(streamId: number, data: Buffer, flags = 0): Buffer {
  if (data.length > MAX_DATA_LENGTH) throw new SpdyError('data frame too large');
  const h = Buffer.alloc(8);
  h.writeUInt32BE(streamId & 0x7fffffff, 0);
  h.writeUInt32BE((((flags & 0xff) << 24) | data.length) >>> 0, 4);
  return Buffer.concat([h, data]);
}

export function encodeSynReply(deflater: HeaderDeflater, streamId: number, headers: Headers, flags = 0): Buffer {
  return control(TYPE.SynReply, flags, Buffer.concat([u32(streamId & 0x7fffffff), deflater.encode(headers)]));
}

export function encodeSynStream(deflater: HeaderDeflater, streamId: number, headers: Headers, flags = 0, priority = 0): Buffer {
  const fixed = Buffer.alloc(10);
  fixed.writeUInt32BE(streamId & 0x7fffffff, 0);
  fixed.writeUInt32BE(0, 4);
  fixed[8] = (priority & 7) << 5;
  return control(TYPE.SynStream, flags, Buffer.concat([fixed, deflater.encode(headers)]));
}

export function encodeRstStream(streamId: number, status: number): Buffer {
  return control(TYPE.RstStream, 0, Buffer.concat([u32(streamId & 0x7fffffff), u32(status)]));
}

export function encodePing(id: number): Buffer {
  return control(TYPE.Ping, 0, u32(id));
}

export function encodeGoAway(lastGoodStreamId: number, status = 0): Buffer {
  return control(TYPE.GoAway, 0, Buffer.concat([u32(lastGoodStreamId & 0x7fffffff), u32(status)]));
}

export function encodeWindowUpdate(streamId: number, delta: number): Buffer {
  return control(TYPE.WindowUpdate, 0, Buffer.concat([u32(streamId & 0x7fffffff), u32(delta & 0x7fffffff)]));
}

export function encodeSettings(entries: { flags?: number; id: number; value: number }[], flags = 0): Buffer {
  return control(TYPE.Settings, flags, Buffer.concat([u32(entries.length), ...entries.map((e) => Buffer.concat([u32((((e.flags ?? 0) & 0xff) << 24) | e.id), u32(e.value)]))]));
}

/**
 * Cuts a byte stream into frames and decodes them, header blocks through one inflater, handing
 * each frame on in arrival order. `push` may be called with any slicing of the stream.
 */
export class FrameReader {
  private buf: Buffer = Buffer.alloc(0);
  private running = false;
  private dead = false;
  private readonly inflater = new HeaderInflater();
  private readonly onFrame: (f: Frame) => void;
  private readonly onError: (e: Error) => void;

  constructor(onFrame: (f: Frame) => void, onError: (e: Error) => void) {
    this.onFrame = onFrame;
    this.onError = onError;
  }

  push(chunk: Buffer): void {
    if (this.dead) return;
    this.buf = this.buf.length === 0 ? chunk : Buffer.concat([this.buf, chunk]);
    if (!this.running) void this.pump();
  }

  close(): void {
    this.dead = true;
    this.inflater.close();
  }

  private async pump(): Promise<void> {
    this.running = true;
    try {
      while (!this.dead && this.buf.length >= 8) {
        const length = this.buf.readUInt32BE(4) & 0xffffff;
        if (this.buf.length < 8 + length) break;
        const head = this.buf.subarray(0, 8);
        const payload = this.buf.subarray(8, 8 + length);
        this.buf = this.buf.subarray(8 + length);
        const frame = await this.decode(head, payload);
        if (!this.dead) this.onFrame(frame);
      }
    } catch (e) {
      this.dead = true;
      this.inflater.close();
      this.onError(e as Error);
    } finally {
      this.running = false;
    }
  }

  private async decode(head: Buffer, p: Buffer): Promise<Frame> {
    const word = head.readUInt32BE(0);
    const flags = head[4]!;
    if ((word & 0x80000000) === 0) return { type: 'data', streamId: word & 0x7fffffff, flags, data: Buffer.from(p) };
    const version = (word >>> 16) & 0x7fff;
    const type = word & 0xffff;
    if (version !== VERSION) throw new SpdyError(`unsupported SPDY version ${version}`);
    const need = (n: number) => {
      if (p.length < n) throw new SpdyError(`control frame ${type} too short (${p.length} bytes)`);
    };
    const id = (off: number) => p.readUInt32BE(off) & 0x7fffffff;
    switch (type) {
      case TYPE.SynStream:
        need(10);
        return { type: 'syn_stream', streamId: id(0), associatedTo: id(4), priority: p[8]! >> 5, flags, headers: await this.inflater.decode(p.subarray(10)) };
      case TYPE.SynReply:
        need(4);
        return { type: 'syn_reply', streamId: id(0), flags, headers: await this.inflater.decode(p.subarray(4)) };
      case TYPE.Headers:
        need(4);
        return { type: 'headers', streamId: id(0), flags, headers: await this.inflater.decode(p.subarray(4)) };
      case TYPE.RstStream:
        need(8);
        return { type: 'rst_stream', streamId: id(0), status: p.readUInt32BE(4) };
      case TYPE.Settings: {
        need(4);
        const n = p.readUInt32BE(0);
        need(4 + 8 * n);
        const entries = Array.from({ length: n }, (_, i) => {
          const w = p.readUInt32BE(4 + 8 * i);
          return { flags: w >>> 24, id: w & 0xffffff, value: p.readUInt32BE(8 + 8 * i) };
        });
        return { type: 'settings', flags, entries };
      }
      case TYPE.Ping:
        need(4);
        return { type: 'ping', id: p.readUInt32BE(0) };
      case TYPE.GoAway:
        need(4);
        return { type: 'goaway', lastGoodStreamId: id(0), status: p.length >= 8 ? p.readUInt32BE(4) : 0 };
      case TYPE.WindowUpdate:
        need(8);
        return { type: 'window_update', streamId: id(0), delta: p.readUInt32BE(4) & 0x7fffffff };
      default:
        return { type: 'unknown', frameType: type, flags, payload: Buffer.from(p) };
    }
  }
}
