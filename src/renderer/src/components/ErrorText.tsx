// An error as people read it ("Connection refused — the server is down"), with the raw
// error one click away in a details element (or, inline in tables, in a tooltip).
import { explainError } from '../../../shared/errorText';

export function ErrorText({ error, className = '' }: { error: unknown; className?: string }) {
  const e = explainError(error);
  return (
    <span className={`error-text-block ${className}`}>
      <span className="error-message">{e.message}</span>
      {e.detail && (
        <details className="error-detail small">
          <summary>Details</summary>
          <code>{e.detail}</code>
        </details>
      )}
    </span>
  );
}

/** The short form for table cells: the message, the raw error as its tooltip. */
export function ErrorLine({ error, className = '' }: { error: string; className?: string }) {
  const e = explainError(error);
  return <span className={className} title={e.detail ?? undefined}>{e.message}</span>;
}
