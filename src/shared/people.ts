// Profiles and what went out: shapes and limits the instance and its UIs share.
// No runtime dependencies: imported by main, preload and renderer alike.
import type { DeliverySummary } from './dto';

/** Profile fields (name/value pairs) an account may show, as Mastodon allows. */
export const PROFILE_FIELDS_MAX = 4;
/** Longest field name, in characters (Mastodon's limit). */
export const PROFILE_FIELD_NAME_MAX = 255;
/** Longest field value, in characters (Mastodon's limit). */
export const PROFILE_FIELD_VALUE_MAX = 255;

/** A profile field as the owner typed it. */
export interface ProfileFieldInput {
  name: string;
  value: string;
}

/** A profile field as shown: the value is sanitized HTML (a link for a URL). */
export interface ProfileFieldDto {
  name: string;
  valueHtml: string;
  /**
   * When Outpost last found a rel="me" link back to the profile on the page this field
   * links to (Mastodon's "verified" check mark), or null when it did not or has not checked.
   */
  verifiedAt: number | null;
}

/** One activity the instance sent (a post, like, boost, delete, profile update…) and how far it got. */
export interface SentActivityDto {
  activityId: string;
  uri: string;
  /** Create, Like, Announce, Delete, Update, Undo, Follow, Accept, Reject, Block, Flag… */
  type: string;
  /** What the activity is about (the note, the actor), or null. */
  objectUri: string | null;
  /** For a note still stored: the start of its text, for people. */
  objectText: string | null;
  createdAt: number;
  summary: DeliverySummary;
}

export interface SentActivityPage {
  activities: SentActivityDto[];
  /** Cursor for older activities, or null at the end. */
  next: string | null;
}

/** Most object URIs one sentActivities call may ask about. */
export const SENT_ACTIVITIES_MAX_OBJECTS = 100;
