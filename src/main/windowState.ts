// Remembers the window's position and size between runs (a JSON file in the data folder).
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface WindowBounds {
  x?: number;
  y?: number;
  width: number;
  height: number;
  maximized: boolean;
}

const DEFAULT: WindowBounds = { width: 1200, height: 800, maximized: false };
const MIN = { width: 720, height: 480 };

export function loadWindowState(dataDir: string): WindowBounds {
  try {
    const s = JSON.parse(readFileSync(join(dataDir, 'window-state.json'), 'utf8')) as Partial<WindowBounds>;
    const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? Math.round(v) : undefined);
    return {
      x: num(s.x), y: num(s.y),
      width: Math.max(MIN.width, num(s.width) ?? DEFAULT.width),
      height: Math.max(MIN.height, num(s.height) ?? DEFAULT.height),
      maximized: s.maximized === true,
    };
  } catch {
    return { ...DEFAULT };
  }
}

export function saveWindowState(dataDir: string, state: WindowBounds): void {
  try {
    writeFileSync(join(dataDir, 'window-state.json'), JSON.stringify(state));
  } catch {
    /* losing the window position is not worth an error */
  }
}

/** Whether a saved position is still on one of the displays (monitors come and go). */
export function isVisibleOn(bounds: WindowBounds, displays: { x: number; y: number; width: number; height: number }[]): boolean {
  if (bounds.x === undefined || bounds.y === undefined) return false;
  return displays.some((d) => bounds.x! + 100 > d.x && bounds.x! < d.x + d.width - 100 && bounds.y! >= d.y && bounds.y! < d.y + d.height - 50);
}
