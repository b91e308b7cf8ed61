// What every screen may show: the active mode and whether the keychain is reachable; and, when the
// books could not be opened because they are damaged, what the recovery screen needs.
import { appInfo, getRecovery } from './backend';
import { toBackendError } from './backendError';
import type { AppInfo, Recovery } from './types';

export const app = $state<{
  info: AppInfo | null;
  error: string | null;
  recovery: Recovery | null;
  /** The first loadAppInfo has settled: the app knows whether its books opened. */
  started: boolean;
}>({
  info: null,
  error: null,
  recovery: null,
  started: false,
});

/**
 * Loads app_info at start (and after a recovery); on failure keeps the message for a banner and
 * asks get_recovery whether the books are damaged, so the recovery screen can take over. Until the
 * first call settles the app shows neither screens nor navigation (damaged books would flash them).
 */
export async function loadAppInfo(): Promise<void> {
  try {
    app.info = await appInfo();
    app.error = null;
    app.recovery = null;
  } catch (raw) {
    const message = toBackendError(raw).message;
    app.recovery = await loadRecovery();
    app.error = message;
  } finally {
    app.started = true;
  }
}

/** The damaged books to recover, or null (not damaged, or get_recovery itself failed: the banner stays). */
async function loadRecovery(): Promise<Recovery | null> {
  try {
    return (await getRecovery()) ?? null;
  } catch {
    return null;
  }
}

/** Records the AppInfo that set_mode returned. */
export function setAppInfo(info: AppInfo): void {
  app.info = info;
}
