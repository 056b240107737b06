// Serving stored files with Range (video and audio seek), and what a file's first bytes say it is.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { fileReply, parseRange } from '../../../../src/main/core/http/fileReply';
import { sniffMediaType } from '../../../../src/main/core/media/sniff';
import { mediaBytes } from '../../../support/remote/mediaFiles';

const dir = mkdtempSync(join(tmpdir(), 'outpost-filereply-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('parseRange', () => {
  it('reads the three single-range forms, clamped to the file', () => {
    expect(parseRange('bytes=0-9', 100)).toEqual({ start: 0, end: 9 });
    expect(parseRange('bytes=90-', 100)).toEqual({ start: 90, end: 99 });
    expect(parseRange('bytes=-10', 100)).toEqual({ start: 90, end: 99 });
    expect(parseRange('bytes=50-500', 100)).toEqual({ start: 50, end: 99 });
  });
  it('refuses ranges outside the file, and ignores what it does not understand', () => {
    expect(parseRange('bytes=100-', 100)).toBe('unsatisfiable');
    expect(parseRange('bytes=9-3', 100)).toBe('unsatisfiable');
    expect(parseRange('bytes=-0', 100)).toBe('unsatisfiable');
    expect(parseRange('bytes=0-1,5-6', 100)).toBeUndefined();
    expect(parseRange('items=0-1', 100)).toBeUndefined();
    expect(parseRange('bytes=-', 100)).toBeUndefined();
  });
});

describe('fileReply', () => {
  const path = join(dir, 'f');
  writeFileSync(path, Buffer.alloc(100, 7));
  it('answers 200 with the length, 206 with Content-Range, 416 outside, 404 for no file', () => {
    expect(fileReply(path, 'video/mp4', undefined, {})).toMatchObject({ status: 200, headers: { 'content-length': '100', 'accept-ranges': 'bytes', 'content-type': 'video/mp4' } });
    expect(fileReply(path, 'video/mp4', 'bytes=10-19', {})).toMatchObject({ status: 206, headers: { 'content-length': '10', 'content-range': 'bytes 10-19/100' }, body: { start: 10, end: 19 } });
    expect(fileReply(path, 'video/mp4', 'bytes=200-', {})).toMatchObject({ status: 416, headers: { 'content-range': 'bytes */100' } });
    expect(fileReply(join(dir, 'missing'), 'video/mp4', undefined, {}).status).toBe(404);
  });
  it('every answer says nosniff and forbids scripts', () => {
    const h = fileReply(path, 'image/png', undefined, {}).headers;
    expect(h['x-content-type-options']).toBe('nosniff');
    expect(h['content-security-policy']).toContain("default-src 'none'");
  });
});

describe('sniffMediaType', () => {
  it('names pictures, video and sound by their bytes', async () => {
    for (const type of ['image/jpeg', 'image/png', 'image/webp', 'image/gif', 'video/mp4', 'audio/mpeg']) {
      expect(sniffMediaType((await mediaBytes(type)).subarray(0, 64))).toBe(type);
    }
  });
  it('knows no HTML, SVG, text or nothing', () => {
    for (const text of ['<!doctype html><p>x</p>', '<svg xmlns="http://www.w3.org/2000/svg"><script/></svg>', '<?xml version="1.0"?><svg/>', 'hello', '']) {
      expect(sniffMediaType(Buffer.from(text))).toBeNull();
    }
  });
});
