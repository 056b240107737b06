// Changes the user made to a note in this window (a like, a bookmark, a vote, an edit) and
// the fetches that were already under way when they were made. Such a fetch answers with
// the note as it was before: shown as is, it would undo the change on screen (the server
// has it; the window would not). A fetch's notes go through `adopt`, which keeps the copy
// made here for a note changed after the fetch began.
import type { NoteDto } from '../../../shared/dto';

/** Notes remembered at most (the oldest go first); far more than one fetch can overlap. */
const REMEMBERED = 500;

let clock = 0;
const changed = new Map<string, { at: number; note: NoteDto }>();

/** Taken before a fetch starts; its answer is adopted against it. */
export function localClock(): number {
  return clock;
}

/**
 * A note changed here: `note` is how it looks now. Called when the change is shown and
 * again when the server has answered, so a fetch that raced the request is covered too.
 */
export function noteChangedHere(note: NoteDto): void {
  changed.delete(note.id);
  changed.set(note.id, { at: ++clock, note });
  if (changed.size > REMEMBERED) changed.delete(changed.keys().next().value!);
}

/** Marks the note as changed now, as it was last changed here (the server answered). */
export function noteSettledHere(noteId: string): void {
  const last = changed.get(noteId);
  if (last) noteChangedHere(last.note);
}

/** The copy to show of a note a fetch begun at `since` returned. */
export function adopt(note: NoteDto, since: number): NoteDto {
  if (since === clock) return note;
  const mine = changed.get(note.id);
  return mine && mine.at > since ? mine.note : note;
}

/** `adopt` for every note of a list of entries that carry one (`null` notes pass). */
export function adoptAll<T extends { note: NoteDto | null }>(list: T[], since: number): T[] {
  if (since === clock) return list;
  return list.map((e) => {
    if (!e.note) return e;
    const note = adopt(e.note, since);
    return note === e.note ? e : { ...e, note } as T;
  });
}
