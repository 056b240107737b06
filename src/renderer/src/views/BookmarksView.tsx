// Bookmarks (#/bookmarks): posts the user kept, newest bookmark first. Private: never sent anywhere.
import { useEffect } from 'react';
import { EmptyState, PageHeader } from '../components/common';
import { NoteList } from '../components/NoteList';
import { useStore } from '../store';

export function BookmarksView() {
  const list = useStore((s) => s.bookmarks);
  const load = useStore((s) => s.loadBookmarks);
  const loadMore = useStore((s) => s.loadMoreList);
  useEffect(() => {
    void load();
  }, [load]);
  return (
    <div className="page page-narrow">
      <PageHeader title="Bookmarks" subtitle="Posts you kept for later. Only you can see them." />
      <NoteList
        list={list} label="Bookmarks" onRetry={() => void load()} onMore={() => void loadMore('bookmarks')}
        empty={<EmptyState icon="bookmark" title="No bookmarks yet">Use the bookmark button on a post (or press s on it) to keep it here.</EmptyState>}
      />
    </div>
  );
}
