import { useSyncExternalStore } from 'react';

const query = typeof window !== 'undefined' ? window.matchMedia('(prefers-color-scheme: dark)') : null;

/** 'dark' or 'light', following the OS theme live. */
function subscribe(cb: () => void): () => void {
  query?.addEventListener('change', cb);
  return () => query?.removeEventListener('change', cb);
}
const snapshot = (): 'dark' | 'light' => (query?.matches ? 'dark' : 'light');

export function useColorScheme(): 'dark' | 'light' {
  return useSyncExternalStore(subscribe, snapshot);
}

/** The value of a CSS custom property on the root element. */
export function cssVar(name: string): string {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim();
}
