// A tiny state-based router: the current screen is a value, navigation replaces it.
import type { Invoice } from './types';

export type Route =
  | { name: 'dashboard' }
  | { name: 'invoices' }
  | { name: 'invoice-editor'; id: string | null; clientId?: string; invoice?: Invoice }
  | { name: 'clients' }
  | { name: 'client-editor'; id: string | null }
  | { name: 'contractors' }
  | { name: 'contractor-editor'; id: string | null }
  | { name: 'payouts' }
  | { name: 'payout-editor'; id: string | null; contractorId?: string }
  | { name: 'payout-review'; id: string }
  | { name: 'settings' }
  | { name: 'webhooks' };

/** The section of the sidebar a route belongs to. */
export type Section = 'dashboard' | 'invoices' | 'clients' | 'contractors' | 'payouts' | 'settings' | 'webhooks';

export const router = $state<{ route: Route; visit: number }>({ route: { name: 'invoices' }, visit: 0 });

/** Shows `route`; every call counts as a new visit, so the screen mounts afresh. */
export function navigate(route: Route): void {
  router.route = route;
  router.visit += 1;
}

export function sectionOf(route: Route): Section {
  switch (route.name) {
    case 'dashboard':
      return 'dashboard';
    case 'invoices':
    case 'invoice-editor':
      return 'invoices';
    case 'clients':
    case 'client-editor':
      return 'clients';
    case 'contractors':
    case 'contractor-editor':
      return 'contractors';
    case 'payouts':
    case 'payout-editor':
    case 'payout-review':
      return 'payouts';
    case 'settings':
      return 'settings';
    case 'webhooks':
      return 'webhooks';
  }
}
