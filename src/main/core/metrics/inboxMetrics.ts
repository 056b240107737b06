// Inbox metrics: activities answered 202 and dropped because processing has nothing to do
// with them (Add/Remove to someone's featured collection, Flag, View, anything new), by
// type. The label set is bounded: the ActivityStreams activity types by name, everything
// else as "other", so a sender inventing types cannot grow the registry.
import { Counter, type Registry } from 'prom-client';

/** The activity types of the ActivityStreams vocabulary (and Misskey's/Pleroma's reactions). */
export const KNOWN_ACTIVITY_TYPES: ReadonlySet<string> = new Set([
  'Accept', 'Add', 'Announce', 'Arrive', 'Block', 'Create', 'Delete', 'Dislike', 'Flag', 'Follow', 'Ignore', 'Invite',
  'Join', 'Leave', 'Like', 'Listen', 'Move', 'Offer', 'Question', 'Read', 'Reject', 'Remove', 'TentativeAccept',
  'TentativeReject', 'Travel', 'Undo', 'Update', 'View', 'EmojiReact',
]);

/** The label an activity type is counted under. */
export function activityTypeLabel(type: string): string {
  return KNOWN_ACTIVITY_TYPES.has(type) ? type : 'other';
}

export class InboxMetrics {
  private readonly ignoredTotal: Counter<'type'>;

  constructor(registry: Registry) {
    this.ignoredTotal = new Counter({
      name: 'outpost_inbox_ignored_activities_total',
      help: 'Activities answered 202 and dropped without processing, by type (unknown types as "other")',
      labelNames: ['type'], registers: [registry],
    });
  }

  ignored(type: string): void {
    this.ignoredTotal.inc({ type: activityTypeLabel(type) });
  }
}
