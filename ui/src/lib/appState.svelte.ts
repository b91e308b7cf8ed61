// What every screen may show: the active mode and whether the keychain is reachable; and, when the
// books could not be opened because they are damaged, what the recovery screen needs.
import { appInfo, getRecovery } from './backend';
import { toBackendError } from './backendError';
import type { AppInfo, Recovery } from './types';

export const app = $state<{ info: AppInfo | null; error: string | null; recovery: Recovery | null }>({
  info: null,
  error: null,
  recovery: null,
});

/**
 * Loads app_info at start (and after a recovery); on failure keeps the message for a banner and
 * asks get_recovery whether the books are damaged, so the recovery screen can take over.
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
