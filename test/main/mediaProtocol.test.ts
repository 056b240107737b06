// The Electron window's media scheme, run under Node: the same answers as the admin port's
// /media/ paths, as web Responses (Range included), nothing outside /media/ on its own host.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { mediaSchemeResponse } from '../../src/main/mediaProtocol';
import { fileReply, NOT_FOUND_REPLY } from '../../src/main/core/http/fileReply';

const dir = mkdtempSync(join(tmpdir(), 'outpost-scheme-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const file = join(dir, 'clip.mp4');
writeFileSync(file, Buffer.from('0123456789'));
const asked: string[] = [];
const answer = async (path: string, range: string | undefined) => {
  asked.push(path);
  return path === '/media/local/clip.mp4'
    ? fileReply(file, 'video/mp4', range, { 'cross-origin-resource-policy': 'same-origin' })
    : NOT_FOUND_REPLY;
};

describe('the outpost-media scheme', () => {
  it('serves a file, and one range of it, as the admin port would', async () => {
    const whole = await mediaSchemeResponse(answer, 'outpost-media://app/media/local/clip.mp4', 'GET', undefined);
    expect(whole.status).toBe(200);
    expect(whole.headers.get('content-type')).toBe('video/mp4');
    expect(await whole.text()).toBe('0123456789');
    const part = await mediaSchemeResponse(answer, 'outpost-media://app/media/local/clip.mp4', 'GET', 'bytes=2-4');
    expect(part.status).toBe(206);
    expect(await part.text()).toBe('234');
    // The page is a file: URL: a same-origin resource policy would block every picture.
    expect(whole.headers.get('cross-origin-resource-policy')).toBeNull();
  });

  it('answers nothing outside /media/ on its own host, nor other methods', async () => {
    asked.length = 0;
    expect((await mediaSchemeResponse(answer, 'outpost-media://app/rpc/status', 'GET', undefined)).status).toBe(404);
    expect((await mediaSchemeResponse(answer, 'outpost-media://elsewhere/media/local/clip.mp4', 'GET', undefined)).status).toBe(404);
    expect((await mediaSchemeResponse(answer, 'https://app/media/local/clip.mp4', 'GET', undefined)).status).toBe(404);
    expect((await mediaSchemeResponse(answer, 'outpost-media://app/media/local/clip.mp4', 'POST', undefined)).status).toBe(405);
    expect(asked).toEqual([]);
  });
});
