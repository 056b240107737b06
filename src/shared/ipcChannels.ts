// IPC channel names shared by main and preload.
import type { AdminMethod } from './adminApi';

export const adminChannel = (method: AdminMethod): string => `outpost:${method}`;
export const ADMIN_EVENT_CHANNEL = 'outpost:event';
