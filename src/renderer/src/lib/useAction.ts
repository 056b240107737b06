// A button's action: busy while it runs, its error (as the instance said it) kept for display.
import { useCallback, useState } from 'react';
import { errorMessage } from './format';

export function useAction() {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const run = useCallback(async (fn: () => Promise<unknown>, after?: () => void) => {
    setBusy(true);
    setError(null);
    try {
      await fn();
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
      after?.();
    }
  }, []);
  return { busy, error, setError, run };
}
