// Event subscriptions are async (listen resolves later), components unmount synchronously:
// this ties the two together so a late subscription is still stopped.
import type { Unlisten } from './backend';

/** Starts a subscription; the returned function stops it, now or as soon as it has started. */
export function subscription(start: () => Promise<Unlisten> | undefined): () => void {
  let stopped = false;
  let unlisten: Unlisten | null = null;
  void Promise.resolve(start())
    .then((stop) => {
      if (typeof stop !== 'function') return;
      if (stopped) stop();
      else unlisten = stop;
    })
    .catch(() => {});
  return () => {
    stopped = true;
    unlisten?.();
    unlisten = null;
  };
}
