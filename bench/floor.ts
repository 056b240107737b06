// The physical floor: how many RSA-2048 (SHA-256, PKCS#1 v1.5) signatures this machine makes
// per second, on one thread (crypto.sign without a callback) and through libuv's threadpool
// (the callback form, which is what Outpost's signRequest uses). Every delivery costs one.
import { createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify } from 'node:crypto';

export interface Floor {
  rsaSignPerSecSingleThread: number;
  rsaSignPerSecThreadpool: number;
  rsaVerifyPerSecSingleThread: number;
  threadpoolSize: number;
}

export async function measureFloor(durationMs = 1000): Promise<Floor> {
  const { privateKey: pem } = generateKeyPairSync('rsa', {
    modulusLength: 2048, privateKeyEncoding: { type: 'pkcs8', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' },
  });
  const key = createPrivateKey(pem);
  const pub = createPublicKey(key);
  const data = Buffer.from('(request-target): post /inbox\nhost: 127.0.1.1:8000\ndate: Thu, 01 Jan 2026 00:00:00 GMT\ndigest: SHA-256=x');

  for (let i = 0; i < 20; i++) sign('sha256', data, key); // warm-up
  let n = 0;
  let t0 = performance.now();
  while (performance.now() - t0 < durationMs) {
    sign('sha256', data, key);
    n++;
  }
  const single = (n * 1000) / (performance.now() - t0);

  const sig = sign('sha256', data, key);
  let v = 0;
  t0 = performance.now();
  while (performance.now() - t0 < durationMs / 2) {
    verify('sha256', data, pub, sig);
    v++;
  }
  const verifySingle = (v * 1000) / (performance.now() - t0);

  // Threadpool: keep 64 signatures queued for the duration (bounded by time and count).
  const pooled = await new Promise<number>((resolve) => {
    let done = 0;
    let inFlight = 0;
    const start = performance.now();
    const cap = 1_000_000;
    const pump = () => {
      while (inFlight < 64 && performance.now() - start < durationMs && done + inFlight < cap) {
        inFlight++;
        sign('sha256', data, key, () => {
          inFlight--;
          done++;
          if (inFlight === 0 && (performance.now() - start >= durationMs || done >= cap)) resolve((done * 1000) / (performance.now() - start));
          else pump();
        });
      }
    };
    pump();
  });
  return {
    rsaSignPerSecSingleThread: Math.round(single),
    rsaSignPerSecThreadpool: Math.round(pooled),
    rsaVerifyPerSecSingleThread: Math.round(verifySingle),
    threadpoolSize: Number(process.env.UV_THREADPOOL_SIZE) || 4,
  };
}
