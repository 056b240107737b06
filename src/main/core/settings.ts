// User settings kept in the store's meta table: delivery tunables (applied over the
// defaults in config.ts) and the OS-notification switch.
import type { Db } from './store/database';
import type { DeliveryConfig } from './config';
import type { DeliverySettingsDto } from '../../shared/dto';
import type { SignatureSpecName } from '../../shared/federation';

const KEY = 'settings';

export interface StoredTunnel {
  /** On when the user last started it: the desktop app brings it back at launch. */
  enabled: boolean;
  host?: string;
  subdomain?: string;
}

export interface StoredSettings {
  delivery: Partial<DeliverySettingsDto>;
  osNotifications: boolean;
  /** Notes and collections only to signed GETs (Mastodon's secure mode). Default off. */
  authorizedFetch: boolean;
  /** Show sensitive media without blurring it first. Default off. */
  showSensitiveMedia: boolean;
  tunnel: StoredTunnel;
  /** The signature spec a host we know nothing about gets first; unset: config's default (RFC 9421). */
  signatureSpec?: SignatureSpecName;
}

export function loadStoredSettings(db: Db): StoredSettings {
  const row = db.prepare<[string], { value: string }>('SELECT value FROM meta WHERE key = ?').get(KEY);
  const parsed = row ? (JSON.parse(row.value) as Partial<StoredSettings>) : {};
  return {
    delivery: parsed.delivery ?? {}, osNotifications: parsed.osNotifications ?? true, authorizedFetch: parsed.authorizedFetch ?? false,
    showSensitiveMedia: parsed.showSensitiveMedia ?? false,
    tunnel: parsed.tunnel ?? { enabled: false },
    ...(parsed.signatureSpec ? { signatureSpec: parsed.signatureSpec } : {}),
  };
}

export function saveStoredSettings(db: Db, s: StoredSettings): void {
  db.prepare('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value').run(KEY, JSON.stringify(s));
}

/** Remembers the tunnel the user started or stopped, for the next launch. */
export function saveTunnelSettings(db: Db, tunnel: StoredTunnel): void {
  const stored = loadStoredSettings(db);
  stored.tunnel = { enabled: tunnel.enabled, ...(tunnel.host ? { host: tunnel.host } : {}), ...(tunnel.subdomain ? { subdomain: tunnel.subdomain } : {}) };
  saveStoredSettings(db, stored);
}

export function deliverySettingsOf(c: DeliveryConfig): DeliverySettingsDto {
  return {
    globalConcurrency: c.globalConcurrency,
    perHostConcurrency: c.perHostConcurrency,
    attemptTimeoutMs: c.attemptTimeoutMs,
    retryInitialDelayMs: c.retry.initialDelayMs,
    retryMaxDelayMs: c.retry.maxDelayMs,
    retryMaxElapsedMs: c.retry.maxElapsedMs,
  };
}

/** Applies user overrides onto a delivery config, in place (the running queue reads it live). */
export function applyDeliverySettings(c: DeliveryConfig, s: Partial<DeliverySettingsDto>): void {
  if (s.globalConcurrency !== undefined) c.globalConcurrency = s.globalConcurrency;
  if (s.perHostConcurrency !== undefined) c.perHostConcurrency = s.perHostConcurrency;
  if (s.attemptTimeoutMs !== undefined) c.attemptTimeoutMs = s.attemptTimeoutMs;
  c.maxInFlight = Math.max(c.maxInFlight, c.globalConcurrency);
  c.retry = {
    ...c.retry,
    ...(s.retryInitialDelayMs !== undefined ? { initialDelayMs: s.retryInitialDelayMs } : {}),
    ...(s.retryMaxDelayMs !== undefined ? { maxDelayMs: s.retryMaxDelayMs } : {}),
    ...(s.retryMaxElapsedMs !== undefined ? { maxElapsedMs: s.retryMaxElapsedMs } : {}),
  };
}
