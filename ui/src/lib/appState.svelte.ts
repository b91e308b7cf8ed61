// What every screen may show: the active mode and whether the keychain is reachable.
import { appInfo } from './backend';
import { toBackendError } from './backendError';
import type { AppInfo } from './types';

export const app = $state<{ info: AppInfo | null; error: string | null }>({ info: null, error: null });

/** Loads app_info once at start; on failure keeps the message for a banner. */
export async function loadAppInfo(): Promise<void> {
  try {
    app.info = await appInfo();
    app.error = null;
  } catch (raw) {
    app.error = toBackendError(raw).message;
  }
}

/** Records the AppInfo that set_mode returned. */
export function setAppInfo(info: AppInfo): void {
  app.info = info;
}
