import { createContext, useContext } from 'react';
import type { ApiClient } from './api/api-client.js';
import type { UserView } from './api/types.js';
import type { Locale, Translator } from './i18n/messages.js';
import type { Route } from './route.js';

/** What every page needs: the one API client, the translator, who is signed in, and navigation. */
export interface AppServices {
  readonly api: ApiClient;
  readonly i18n: Translator;
  readonly user: UserView | undefined;
  setLocale(locale: Locale): void;
  navigate(route: Route): void;
  signedOut(): void;
}

export const AppContext = createContext<AppServices | undefined>(undefined);

export function useApp(): AppServices {
  const services = useContext(AppContext);
  if (services === undefined) throw new Error('useApp outside <AppContext.Provider>');
  return services;
}
