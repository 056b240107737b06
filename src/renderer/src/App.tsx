import { useEffect, useState } from 'react';
import type { QueueStatsDto, StatusDto } from '../../shared/dto';
import { connect } from './api';

const client = connect();

export function App() {
  const [status, setStatus] = useState<StatusDto | null>(null);
  const [queue, setQueue] = useState<QueueStatsDto | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    if (!client) return;
    const load = () => {
      client.api.status({}).then(setStatus, (e: Error) => setError(e.message));
      client.api.queueStats({}).then(setQueue, () => {});
    };
    load();
    const offs = [client.subscribe('queue', setQueue), client.subscribe('delivery', load), client.subscribe('notification', load)];
    return () => offs.forEach((off) => off());
  }, []);

  if (!client) {
    return (
      <main className="center">
        <h1>Outpost</h1>
        <p>Open this page with the link the headless instance printed (it carries the admin token).</p>
      </main>
    );
  }
  if (error) return <main className="center" role="alert">Could not reach the instance: {error}</main>;
  if (!status) return <main className="center" aria-busy="true">Loading…</main>;
  return (
    <main className="center">
      <h1>{status.displayName || status.username}</h1>
      <p className="muted">@{status.handle}</p>
      {!status.federation.enabled && <p role="alert" className="warning">{status.federation.reason}</p>}
      <dl>
        <dt>Public URL</dt><dd>{status.publicUrl}</dd>
        <dt>Posts</dt><dd>{status.counts.notes}</dd>
        <dt>Followers</dt><dd>{status.counts.followers}</dd>
        <dt>Following</dt><dd>{status.counts.following}</dd>
        {queue && (<><dt>Delivery queue</dt><dd>{queue.queued} queued · {queue.inFlight} in flight · {queue.delivered} delivered · {queue.failed} failed</dd></>)}
      </dl>
    </main>
  );
}
