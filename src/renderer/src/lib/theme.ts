// The window's theme: light, dark, or the system's (the default), chosen in Settings →
// Appearance and remembered in localStorage. public/theme-boot.js applies it before the
// first paint; this keeps <html data-theme> current when the choice or the system changes.
import { useSyncExternalStore } from 'react';

export type ThemePreference = 'system' | 'light' | 'dark';
/** Also read by public/theme-boot.js. */
const STORAGE_KEY = 'outpost.theme';

const query = typeof window !== 'undefined' ? window.matchMedia('(prefers-color-scheme: dark)') : null;
const listeners = new Set<() => void>();

function readPreference(): ThemePreference {
  try {
    const v = localStorage.getItem(STORAGE_KEY);
    return v === 'light' || v === 'dark' ? v : 'system';
  } catch {
    return 'system';
  }
}

let preference: ThemePreference = typeof window !== 'undefined' ? readPreference() : 'system';

function effective(): 'dark' | 'light' {
  return preference === 'system' ? (query?.matches ? 'dark' : 'light') : preference;
}

function apply(): void {
  document.documentElement.setAttribute('data-theme', effective());
  for (const l of listeners) l();
}

if (typeof window !== 'undefined') {
  apply();
  query?.addEventListener('change', () => preference === 'system' && apply());
}

export function setThemePreference(next: ThemePreference): void {
  preference = next;
  try {
    if (next === 'system') localStorage.removeItem(STORAGE_KEY);
    else localStorage.setItem(STORAGE_KEY, next);
  } catch {
    // storage off: the choice lasts until the window closes
  }
  apply();
}

function subscribe(cb: () => void): () => void {
  listeners.add(cb);
  return () => listeners.delete(cb);
}

/** 'dark' or 'light': what the window shows now (the choice, or the system's). */
export function useColorScheme(): 'dark' | 'light' {
  return useSyncExternalStore(subscribe, effective);
}

/** The remembered choice and its setter (Settings → Appearance). */
export function useThemePreference(): [ThemePreference, (p: ThemePreference) => void] {
  return [useSyncExternalStore(subscribe, () => preference), setThemePreference];
}

/** The value of a CSS custom property on the root element. */
export function cssVar(name: string): string {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim();
}
