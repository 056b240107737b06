// Request bodies as the public and admin servers read them: whole, however they arrive;
// refused past the limit; and a sender that goes away mid-body never leaves a read hanging.
import { createServer, request, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { BodyTooLargeError, readBody } from '../../../../src/main/core/http/httpUtil';

let close: (() => void) | undefined;
afterEach(() => close?.());

/** A loopback server that reads each body with `readBody(max)` and reports what came of it. */
async function server(max: number) {
  const outcomes: Array<{ body?: string; error?: string }> = [];
  let seen: (() => void) | undefined;
  const srv = createServer((req: IncomingMessage, res) => {
    readBody(req, max).then(
      (b) => { outcomes.push({ body: b.toString() }); res.writeHead(202).end(); },
      (err: Error) => { outcomes.push({ error: err instanceof BodyTooLargeError ? 'too large' : 'failed' }); res.writeHead(413).end(); },
    ).finally(() => seen?.());
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  close = () => srv.close();
  const next = () => new Promise<void>((r) => (seen = r));
  return { port: (srv.address() as AddressInfo).port, outcomes, next };
}

function send(port: number, pieces: string[], opts: { abort?: boolean } = {}): Promise<number | undefined> {
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, method: 'POST', path: '/', headers: { 'transfer-encoding': 'chunked' } });
    req.on('response', (res) => { res.resume(); resolve(res.statusCode); });
    req.on('error', () => resolve(undefined));
    void (async () => {
      for (const p of pieces) {
        req.write(p);
        await new Promise((r) => setTimeout(r, 10));
      }
      if (opts.abort) req.destroy();
      else req.end();
    })();
  });
}

describe('readBody', () => {
  it('reads a body sent in pieces, whole', async () => {
    const s = await server(1000);
    expect(await send(s.port, ['{"a":', '"b', 'c"}'])).toBe(202);
    expect(s.outcomes).toEqual([{ body: '{"a":"bc"}' }]);
  });

  it('refuses a body that grows past the limit as it streams, and still answers', async () => {
    const s = await server(10);
    expect(await send(s.port, ['0123456', '789abc', 'def'])).toBe(413);
    expect(s.outcomes).toEqual([{ error: 'too large' }]);
  });

  it('a sender gone mid-body: the read fails, it does not hang', async () => {
    const s = await server(1000);
    const seen = s.next();
    await send(s.port, ['{"a":'], { abort: true });
    await seen;
    expect(s.outcomes).toEqual([{ error: 'failed' }]);
  });
});
