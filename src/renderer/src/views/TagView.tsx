// A hashtag's timeline (#/tag/<name>): the stored posts carrying it, newest first.
import { useEffect } from 'react';
import { EmptyState, PageHeader } from '../components/common';
import { NoteList } from '../components/NoteList';
import { useStore } from '../store';

export function TagView() {
  const tag = (useStore((s) => s.routeArg) ?? '').replace(/^#/, '').toLowerCase();
  const list = useStore((s) => s.tag);
  const loadTag = useStore((s) => s.loadTag);
  const loadMore = useStore((s) => s.loadMoreList);
  useEffect(() => {
    if (tag) void loadTag(tag);
  }, [tag, loadTag]);
  return (
    <div className="page page-narrow">
      <PageHeader title={`#${tag}`} subtitle="Posts with this hashtag that reached you: from people you follow, replies and mentions." />
      <NoteList
        list={list.key === tag ? list : { ...list, status: 'loading' }} label={`Posts tagged #${tag}`} onRetry={() => void loadTag(tag)}
        onMore={() => void loadMore('tag')}
        empty={<EmptyState icon="hash" title={`No posts with #${tag} yet`}>Posts with this hashtag show up here once they reach you.</EmptyState>}
      />
    </div>
  );
}
