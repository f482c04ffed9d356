import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createDeflate, createInflate, constants as zc, type Deflate, type Inflate } from 'node:zlib';
import {
  adler32, decodeHeaderBlock, DICTIONARY, encodeData, encodeGoAway, encodeHeaderBlock, encodePing, encodeRstStream, encodeSettings, encodeSynReply,
  encodeSynStream, encodeWindowUpdate, FLAG_FIN, FrameReader, HeaderDeflater, SYNC_MARKER, type Frame, type Headers,
} from './spdy.ts';

/**
 * Every byte kubectl 1.32 sent on a port-forward WebSocket while curl made two requests
 * through it (captured from the local cluster): per connection an error stream (SYN_STREAM,
 * then FIN), a data stream (SYN_STREAM, the request, FIN). One zlib context runs through all
 * four header blocks, so the later ones only decode after the earlier ones.
 */
const KUBECTL_TWO_REQUESTS =
  '800300010000003d0000000100000000000078f9e3c6a7c202253a48f95b044aab4c16060c0c0c9c4590d8ca04a5624603703a2c294a4dcc851635aca9a08800000000ffff' +
  '0000000101000000' +
  '800300010000001a00000003000000000000826a459502954289840c04000000ffff' +
  '000000030000004f474554202f20485454502f312e310d0a486f73743a203132372e302e302e313a31383039330d0a557365722d4167656e743a206375726c2f372e38382e310d0a4163636570743a202a2f2a0d0a0d0a' +
  '0000000301000000' +
  '800300010000001800000005000000000000c2aa136e283ead8600000000ffff' +
  '0000000501000000' +
  '80030001000000160000000700000000000022c2bd86d81d05000000ffff' +
  '000000070000004f474554202f20485454502f312e310d0a486f73743a203132372e302e302e313a31383039330d0a557365722d4167656e743a206375726c2f372e38382e310d0a4163636570743a202a2f2a0d0a0d0a' +
  '0000000701000000';

const REQUEST = 'GET / HTTP/1.1\r\nHost: 127.0.0.1:18093\r\nUser-Agent: curl/7.88.1\r\nAccept: */*\r\n\r\n';

/** Feeds bytes to a FrameReader in the given slices and collects the frames until `count` came (or an error). */
async function read(bytes: Buffer, slice = bytes.length, count = Infinity): Promise<{ frames: Frame[]; error?: Error }> {
  const frames: Frame[] = [];
  let error: Error | undefined;
  const r = new FrameReader(
    (f) => frames.push(f),
    (e) => (error = e),
  );
  for (let i = 0; i < bytes.length; i += slice) r.push(bytes.subarray(i, i + slice));
  // Header blocks inflate asynchronously (zlib's thread pool).
  for (let i = 0; i < 200 && !error && frames.length < count; i++) await new Promise((res) => setTimeout(res, 10));
  r.close();
  return { frames, error };
}

const show = (f: Frame) => (f.type === 'data' ? { ...f, data: f.data.toString() } : f);

function zlibStep(z: Deflate | Inflate, input: Buffer): Promise<Buffer> {
  return new Promise((resolve) => {
    const out: Buffer[] = [];
    const onData = (c: Buffer) => out.push(c);
    z.on('data', onData);
    z.write(input);
    z.flush(zc.Z_SYNC_FLUSH, () => setImmediate(() => (z.off('data', onData), resolve(Buffer.concat(out)))));
  });
}

describe('SPDY/3 header dictionary', () => {
  it('is the 1423 bytes whose Adler-32 (0xe3c6a7c2) every SPDY/3 zlib stream names', () => {
    assert.equal(DICTIONARY.length, 1423);
    assert.equal(adler32(DICTIONARY), 0xe3c6a7c2);
    assert.equal(DICTIONARY.subarray(0, 11).toString('latin1'), '\0\0\0\x07options');
    assert.ok(DICTIONARY.toString('latin1').endsWith('charset=iso-8859-1,utf-,*,enq=0.'));
    // kubectl's own first header block names the same dictionary (bytes 2-5 after 78 f9).
    assert.equal(Buffer.from(KUBECTL_TWO_REQUESTS, 'hex').readUInt32BE(20), 0xe3c6a7c2);
  });
});

describe('header blocks', () => {
  const cases: { name: string; headers: Headers; hex?: string }[] = [
    { name: 'empty (what SYN_REPLY carries)', headers: {}, hex: '00000000' },
    { name: 'one header', headers: { port: ['80'] }, hex: '00000001' + '00000004' + Buffer.from('port').toString('hex') + '00000002' + '3830' },
    { name: "kubectl's three", headers: { streamtype: ['data'], port: ['8080'], requestid: ['12'] } },
    { name: 'several values, NUL-separated on the wire', headers: { accept: ['a', 'b', ''] } },
  ];
  for (const c of cases) {
    it(`round-trips: ${c.name}`, () => {
      const b = encodeHeaderBlock(c.headers);
      if (c.hex) assert.equal(b.toString('hex'), c.hex);
      assert.deepEqual(decodeHeaderBlock(b), c.headers);
    });
  }
  it('lower-cases names as spdystream does, and rejects truncated blocks', () => {
    assert.deepEqual(decodeHeaderBlock(encodeHeaderBlock({ StreamType: ['error'] })), { streamtype: ['error'] });
    assert.throws(() => decodeHeaderBlock(Buffer.from('0000000100000009706f', 'hex')), /truncated/);
  });
});

describe('frame encoding', () => {
  const table: { name: string; frame: Buffer; hex: string }[] = [
    { name: 'PING echo', frame: encodePing(1), hex: '80030006' + '00000004' + '00000001' },
    { name: 'RST_STREAM cancel', frame: encodeRstStream(3, 5), hex: '80030003' + '00000008' + '00000003' + '00000005' },
    { name: 'GOAWAY ok', frame: encodeGoAway(7), hex: '80030007' + '00000008' + '00000007' + '00000000' },
    { name: 'WINDOW_UPDATE', frame: encodeWindowUpdate(3, 32768), hex: '80030009' + '00000008' + '00000003' + '00008000' },
    { name: 'SETTINGS initial window', frame: encodeSettings([{ id: 7, value: 65536 }]), hex: '80030004' + '0000000c' + '00000001' + '00000007' + '00010000' },
    { name: 'DATA', frame: encodeData(3, Buffer.from('hi')), hex: '00000003' + '00000002' + '6869' },
    { name: 'DATA with FIN, empty', frame: encodeData(1, Buffer.alloc(0), FLAG_FIN), hex: '00000001' + '01000000' },
  ];
  for (const c of table) it(c.name, () => assert.equal(c.frame.toString('hex'), c.hex));

  it("SYN_REPLY: the zlib header with the dictionary's id first, then stored blocks, each closed by a sync flush", () => {
    const d = new HeaderDeflater();
    const first = encodeSynReply(d, 1, {});
    assert.equal(first.toString('hex'), '80030002' + '00000018' + '00000001' + '7820' + 'e3c6a7c2' + '000400fbff' + '00000000' + '000000ffff');
    const second = encodeSynReply(d, 3, {});
    assert.equal(second.toString('hex'), '80030002' + '00000012' + '00000003' + '000400fbff' + '00000000' + '000000ffff');
    assert.ok(second.subarray(-5).equals(SYNC_MARKER));
  });

  it('what we write is one zlib stream a standard inflater with the dictionary reads block by block', async () => {
    const d = new HeaderDeflater();
    const z = createInflate({ dictionary: DICTIONARY });
    const blocks: Headers[] = [{}, { status: ['200'] }, { big: ['x'.repeat(70_000)] }, {}];
    for (const h of blocks) {
      const frame = encodeSynReply(d, 1, h);
      assert.deepEqual(decodeHeaderBlock(await zlibStep(z, frame.subarray(12))), h);
    }
    z.close();
  });
});

describe('FrameReader', () => {
  const expected = [
    { type: 'syn_stream', streamId: 1, associatedTo: 0, priority: 0, flags: 0, headers: { port: ['80'], requestid: ['0'], streamtype: ['error'] } },
    { type: 'data', streamId: 1, flags: FLAG_FIN, data: '' },
    { type: 'syn_stream', streamId: 3, associatedTo: 0, priority: 0, flags: 0, headers: { streamtype: ['data'], port: ['80'], requestid: ['0'] } },
    { type: 'data', streamId: 3, flags: 0, data: REQUEST },
    { type: 'data', streamId: 3, flags: FLAG_FIN, data: '' },
    { type: 'syn_stream', streamId: 5, associatedTo: 0, priority: 0, flags: 0, headers: { streamtype: ['error'], port: ['80'], requestid: ['1'] } },
    { type: 'data', streamId: 5, flags: FLAG_FIN, data: '' },
    { type: 'syn_stream', streamId: 7, associatedTo: 0, priority: 0, flags: 0, headers: { port: ['80'], requestid: ['1'], streamtype: ['data'] } },
    { type: 'data', streamId: 7, flags: 0, data: REQUEST },
    { type: 'data', streamId: 7, flags: FLAG_FIN, data: '' },
  ];
  for (const slice of [Infinity, 4, 1]) {
    it(`decodes what kubectl 1.32 sent, in order (${slice === Infinity ? 'all at once' : `${slice}-byte slices`})`, async () => {
      const bytes = Buffer.from(KUBECTL_TWO_REQUESTS, 'hex');
      const { frames, error } = await read(bytes, slice === Infinity ? bytes.length : slice, expected.length);
      assert.equal(error, undefined);
      assert.deepEqual(frames.map(show), expected);
    });
  }

  it('decodes every control frame type, and header blocks deflated by zlib itself', async () => {
    const z = createDeflate({ dictionary: DICTIONARY, level: 9 });
    const block = (h: Headers) => zlibStep(z, encodeHeaderBlock(h));
    const control = (type: number, flags: number, payload: Buffer) => {
      const h = Buffer.alloc(8);
      h.writeUInt32BE(((0x8003 << 16) | type) >>> 0);
      h.writeUInt32BE(((flags << 24) | payload.length) >>> 0, 4);
      return Buffer.concat([h, payload]);
    };
    const synStream = control(1, 2, Buffer.concat([Buffer.from('00000009000000016000', 'hex'), await block({ streamtype: ['data'], port: ['5432'] })]));
    const headersFrame = control(8, 1, Buffer.concat([Buffer.from('00000009', 'hex'), await block({ x: ['1'] })]));
    const synReply = control(2, 0, Buffer.concat([Buffer.from('00000002', 'hex'), await block({})]));
    z.close();
    const bytes = Buffer.concat([
      synStream,
      encodeSettings([{ flags: 1, id: 7, value: 1 << 20 }]),
      encodePing(3),
      encodeWindowUpdate(0, 1000),
      encodeRstStream(9, 5),
      headersFrame,
      synReply,
      control(10, 0, Buffer.from('abcd')), // CREDENTIAL: not for us, ignored
      encodeGoAway(9, 0),
    ]);
    const { frames, error } = await read(bytes, 3, 9);
    assert.equal(error, undefined);
    assert.deepEqual(frames.map(show), [
      { type: 'syn_stream', streamId: 9, associatedTo: 1, priority: 3, flags: 2, headers: { streamtype: ['data'], port: ['5432'] } },
      { type: 'settings', flags: 0, entries: [{ flags: 1, id: 7, value: 1 << 20 }] },
      { type: 'ping', id: 3 },
      { type: 'window_update', streamId: 0, delta: 1000 },
      { type: 'rst_stream', streamId: 9, status: 5 },
      { type: 'headers', streamId: 9, flags: 1, headers: { x: ['1'] } },
      { type: 'syn_reply', streamId: 2, flags: 0, headers: {} },
      { type: 'unknown', frameType: 10, flags: 0, payload: Buffer.from('abcd') },
      { type: 'goaway', lastGoodStreamId: 9, status: 0 },
    ]);
  });

  it('reads our own SYN_STREAM back (the client side of the same codec)', async () => {
    const d = new HeaderDeflater();
    const bytes = Buffer.concat([encodeSynStream(d, 1, { streamtype: ['error'], port: ['80'], requestid: ['0'] }), encodeSynStream(d, 3, { streamtype: ['data'], port: ['80'], requestid: ['0'] }, FLAG_FIN)]);
    const { frames, error } = await read(bytes, bytes.length, 2);
    assert.equal(error, undefined);
    assert.deepEqual(
      frames.map((f) => (f.type === 'syn_stream' ? [f.streamId, f.flags, f.headers.streamtype] : f.type)),
      [
        [1, 0, ['error']],
        [3, FLAG_FIN, ['data']],
      ],
    );
  });

  it('fails on another SPDY version, a short control frame, or a header block that is not zlib', async () => {
    assert.match(String((await read(Buffer.from('8002000600000004' + '00000001', 'hex'))).error), /unsupported SPDY version 2/);
    assert.match(String((await read(Buffer.from('8003000300000004' + '00000001', 'hex'))).error), /too short/);
    assert.match(String((await read(Buffer.from('800300010000000e' + '00000001000000000000' + 'deadbeef', 'hex'))).error), /header decompression failed/);
  });
});
