// The one admin client of this window.
import type { AdminApi, AdminEventName, AdminEvents } from '../../shared/adminApi';
import { connect } from './api';

export const client = connect();

/** True in the Electron window (the preload's IPC bridge), false in a browser at the admin URL. */
export const isDesktop = typeof window !== 'undefined' && !!window.outpost;

/** The admin API (only called once App has checked that a client exists). */
export function api(): AdminApi {
  if (!client) throw new Error('Not connected to an Outpost instance');
  return client.api;
}

export function subscribe<K extends AdminEventName>(name: K, listener: (data: AdminEvents[K]) => void): () => void {
  return client ? client.subscribe(name, listener) : () => {};
}
