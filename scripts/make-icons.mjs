#!/usr/bin/env node
// Draws the app and tray icons (a broadcast mark on a rounded square) into resources/.
// Run once when the design changes: `node scripts/make-icons.mjs`. No image library needed.
import { deflateSync } from 'node:zlib';
import { writeFileSync, mkdirSync } from 'node:fs';

function crc32(buf) {
  let c, crc = 0xffffffff;
  for (let n = 0; n < buf.length; n++) {
    c = (crc ^ buf[n]) & 0xff;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    crc = (crc >>> 8) ^ c;
  }
  return (crc ^ 0xffffffff) >>> 0;
}
function chunk(type, data) {
  const len = Buffer.alloc(4); len.writeUInt32BE(data.length);
  const td = Buffer.concat([Buffer.from(type), data]);
  const crc = Buffer.alloc(4); crc.writeUInt32BE(crc32(td));
  return Buffer.concat([len, td, crc]);
}
function png(size, pixel) {
  const raw = Buffer.alloc(size * (size * 4 + 1));
  for (let y = 0; y < size; y++) {
    raw[y * (size * 4 + 1)] = 0;
    for (let x = 0; x < size; x++) {
      const [r, g, b, a] = pixel(x + 0.5, y + 0.5, size);
      const o = y * (size * 4 + 1) + 1 + x * 4;
      raw[o] = r; raw[o + 1] = g; raw[o + 2] = b; raw[o + 3] = a;
    }
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0); ihdr.writeUInt32BE(size, 4); ihdr[8] = 8; ihdr[9] = 6;
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw)), chunk('IEND', Buffer.alloc(0))]);
}
const clamp = (v) => Math.max(0, Math.min(1, v));
// Coverage of the broadcast mark (a dot and two arcs opening upwards) at (u, v) in [0,1]², with antialiasing width w.
function mark(u, v, w) {
  const cx = 0.5, cy = 0.64;
  const d = Math.hypot(u - cx, v - cy);
  let cov = clamp((0.075 - d) / w + 0.5);
  const up = v < cy + 0.02 && Math.abs(Math.atan2(u - cx, cy - v)) < 0.95;
  for (const r of [0.2, 0.33]) if (up) cov = Math.max(cov, clamp((0.045 - Math.abs(d - r)) / w + 0.5));
  return cov;
}
function appPixel(x, y, size) {
  const u = x / size, v = y / size, w = 1.2 / size;
  const rad = 0.2, m = 0.04;
  const qx = Math.max(Math.abs(u - 0.5) - (0.5 - m - rad), 0), qy = Math.max(Math.abs(v - 0.5) - (0.5 - m - rad), 0);
  const bg = clamp((rad - Math.hypot(qx, qy)) / w + 0.5);
  const t = v; // vertical gradient teal
  const base = [Math.round(15 + 10 * t), Math.round(118 - 30 * t), Math.round(110 - 20 * t)];
  const c = mark(u, v, w);
  const rgb = base.map((ch) => Math.round(ch * (1 - c) + 255 * c));
  return [...rgb, Math.round(255 * bg)];
}
function trayPixel(x, y, size) {
  const c = mark(x / size, y / size, 1.2 / size);
  return [0, 0, 0, Math.round(255 * c)]; // template image: black + alpha
}
mkdirSync('resources', { recursive: true });
writeFileSync('resources/icon.png', png(512, appPixel));
writeFileSync('resources/trayTemplate.png', png(16, trayPixel));
writeFileSync('resources/trayTemplate@2x.png', png(32, trayPixel));
console.log('wrote resources/icon.png, resources/trayTemplate.png, resources/trayTemplate@2x.png');
