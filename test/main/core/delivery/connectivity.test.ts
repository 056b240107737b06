import { describe, expect, it } from 'vitest';
import { ConnectivityMonitor } from '../../../../src/main/core/delivery/connectivity';
import { silentLogger } from '../../../../src/main/core/logger';
import { DEFAULT_CONNECTIVITY } from '../../../../src/main/core/config';
import { until } from './harness';

function monitor(refs: string[], reachable: (origin: string) => boolean, candidates: string[] = []) {
  const changes: boolean[] = [];
  const probed: string[] = [];
  let t = 1000;
  const m = new ConnectivityMonitor({
    references: (exclude) => refs.filter((r) => !r.endsWith(`//${exclude}`)),
    candidates: () => candidates,
    probe: async (origin) => {
      probed.push(origin);
      return reachable(origin);
    },
    ...DEFAULT_CONNECTIVITY,
    recheckMs: 2,
    onChange: (offline) => changes.push(offline),
    log: silentLogger,
    now: () => t,
  });
  return { m, changes, probed, setTime: (v: number) => (t = v) };
}

describe('ConnectivityMonitor', () => {
  it('charges the host when a reference answers', async () => {
    const { m, probed } = monitor(['https://a.test', 'https://b.test'], (o) => o === 'https://b.test');
    expect(await m.judge('dead.test', 500)).toBe('charge');
    expect(probed).toEqual(['https://a.test', 'https://b.test']);
    expect(m.offline).toBe(false);
  });

  it('charges without probing when a success came after the attempt began, or when there is nothing to compare with', async () => {
    const { m, probed, setTime } = monitor(['https://a.test'], () => false);
    setTime(2000);
    m.noteSuccess();
    expect(await m.judge('dead.test', 1500)).toBe('charge');
    expect(probed).toEqual([]);
    const lone = monitor([], () => false);
    expect(await lone.m.judge('dead.test', 0)).toBe('charge');
  });

  it('declares an outage when no reference answers, once, and every failure during it is an outage', async () => {
    const { m, changes } = monitor(['https://a.test', 'https://b.test'], () => false);
    const verdicts = await Promise.all([m.judge('x.test', 500), m.judge('y.test', 500), m.judge('z.test', 500)]);
    expect(verdicts).toEqual(['outage', 'outage', 'outage']);
    expect(m.offline).toBe(true);
    expect(changes).toEqual([true]);
    m.stop();
  });

  it('a success ends the outage', async () => {
    const { m, changes } = monitor(['https://a.test'], () => false);
    await m.judge('x.test', 500);
    m.noteSuccess();
    expect(m.offline).toBe(false);
    expect(changes).toEqual([true, false]);
  });

  it('re-checks a different window of origins each time, so dead references cannot keep it offline', async () => {
    const refs = ['https://r1.test', 'https://r2.test', 'https://r3.test', 'https://r4.test', 'https://r5.test'];
    let live = '';
    const { m, changes, probed } = monitor(refs, (o) => o === live, ['https://new.test']);
    await m.judge('x.test', 500);
    expect(m.offline).toBe(true);
    live = 'https://new.test'; // only a host never reached answers
    await until(() => !m.offline, 'back online');
    expect(changes).toEqual([true, false]);
    expect(probed).toContain('https://r4.test');
    expect(probed).toContain('https://new.test');
  });
});
