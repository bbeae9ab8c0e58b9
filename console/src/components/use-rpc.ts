import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { describeError, reportUnauthenticated } from '../api.js';

/** A failed call as the console shows it. */
export interface RpcFailure {
  readonly code: string;
  readonly message: string;
}

/** State of one RPC-backed view. */
export interface RpcState<T> {
  readonly data: T | undefined;
  readonly error: RpcFailure | undefined;
  readonly loading: boolean;
  reload(): void;
}

/**
 * Runs `load` when `deps` change (and every `pollMs` if given), keeping the last good answer on
 * screen while a refresh runs. An UNAUTHENTICATED answer sends the shell to the login form.
 */
export function useRpc<T>(load: () => Promise<T>, deps: unknown[], pollMs?: number): RpcState<T> {
  const [data, setData] = useState<T>();
  const [error, setError] = useState<RpcFailure>();
  const [loading, setLoading] = useState(true);
  const generation = useRef(0);
  const run = useCallback(load, deps);

  const reload = useCallback(() => {
    const mine = ++generation.current;
    setLoading(true);
    run().then(
      (value) => {
        if (mine !== generation.current) return;
        setData(value);
        setError(undefined);
        setLoading(false);
      },
      (failure: unknown) => {
        if (mine !== generation.current) return;
        const described = describeError(failure);
        if (described.unauthenticated) reportUnauthenticated();
        setError(described);
        setLoading(false);
      },
    );
  }, [run]);

  useEffect(() => {
    setData(undefined);
    reload();
    if (!pollMs) return undefined;
    const timer = setInterval(reload, pollMs);
    return () => clearInterval(timer);
  }, [reload, pollMs]);

  return { data, error, loading, reload };
}
