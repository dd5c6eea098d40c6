import { lazy, type ReactNode, Suspense, useCallback, useEffect, useMemo, useState } from 'react';
import { type ApiClient, ApiError } from './api/api-client.js';
import type { MeResponse, UserView } from './api/types.js';
import { AppContext, type AppServices } from './app-context.js';
import { Layout } from './components/layout.js';
import { en } from './i18n/en.js';
import { createTranslator, type Locale, type Messages } from './i18n/messages.js';
import { zhCN } from './i18n/zh-CN.js';
import { LoginPage } from './pages/login-page.js';
import { hrefOf, parseRoute, type Route } from './route.js';

const CATALOGUES: Readonly<Record<Locale, Messages>> = { 'zh-CN': zhCN, en };
const LOCALE_KEY = 'ghostwatch.locale';

// Each page is its own chunk: the charts (ECharts) and the graph (Cytoscape.js) load only where they are drawn.
const OverviewPage = lazy(() =>
  import('./pages/overview-page.js').then((m) => ({ default: m.OverviewPage })),
);
const SuspectsPage = lazy(() =>
  import('./pages/suspects-page.js').then((m) => ({ default: m.SuspectsPage })),
);
const SuspectPage = lazy(() => import('./pages/suspect-page.js').then((m) => ({ default: m.SuspectPage })));
const AlertsPage = lazy(() => import('./pages/alerts-page.js').then((m) => ({ default: m.AlertsPage })));
const AlertPage = lazy(() => import('./pages/alert-page.js').then((m) => ({ default: m.AlertPage })));
const NetworkPage = lazy(() => import('./pages/network-page.js').then((m) => ({ default: m.NetworkPage })));
const HandlersPage = lazy(() =>
  import('./pages/handlers-page.js').then((m) => ({ default: m.HandlersPage })),
);
const CasesPage = lazy(() => import('./pages/cases-page.js').then((m) => ({ default: m.CasesPage })));
const CasePage = lazy(() => import('./pages/case-page.js').then((m) => ({ default: m.CasePage })));
const RulesPage = lazy(() => import('./pages/rules-page.js').then((m) => ({ default: m.RulesPage })));
const DataQualityPage = lazy(() =>
  import('./pages/data-quality-page.js').then((m) => ({ default: m.DataQualityPage })),
);

function pageFor(route: Route): ReactNode {
  switch (route.page) {
    case 'login':
    case 'overview':
      return <OverviewPage />;
    case 'suspects':
      return <SuspectsPage />;
    case 'suspect':
      return <SuspectPage id={route.id} />;
    case 'alerts':
      return <AlertsPage />;
    case 'alert':
      return <AlertPage id={route.id} />;
    case 'network':
      return <NetworkPage ringId={route.ringId} />;
    case 'handlers':
      return <HandlersPage />;
    case 'cases':
      return <CasesPage />;
    case 'case':
      return <CasePage id={route.id} />;
    case 'rules':
      return <RulesPage />;
    case 'data-quality':
      return <DataQualityPage />;
    default: {
      const never: never = route;
      return never;
    }
  }
}

function storedLocale(): Locale {
  try {
    return window.localStorage.getItem(LOCALE_KEY) === 'en' ? 'en' : 'zh-CN';
  } catch {
    return 'zh-CN';
  }
}

/** The dashboard's root: the language, the session, the current route, and the page it names. */
export function App(props: { readonly api: ApiClient }) {
  const { api } = props;
  const [locale, setLocaleState] = useState<Locale>(storedLocale);
  const [user, setUser] = useState<UserView | undefined>(undefined);
  const [checked, setChecked] = useState(false);
  const [route, setRoute] = useState<Route>(() => parseRoute(window.location.hash));

  useEffect(() => {
    const onHash = () => setRoute(parseRoute(window.location.hash));
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, []);

  useEffect(() => {
    document.documentElement.lang = locale;
  }, [locale]);

  useEffect(() => {
    api.get<MeResponse>('/api/me').then(
      (me) => {
        api.setCsrfToken(me.csrfToken);
        setUser(me.user);
        setChecked(true);
      },
      (error: unknown) => {
        if (!(error instanceof ApiError) || error.status !== 401) console.error(error);
        setChecked(true);
      },
    );
  }, [api]);

  const setLocale = useCallback((next: Locale) => {
    setLocaleState(next);
    try {
      window.localStorage.setItem(LOCALE_KEY, next);
    } catch {
      // Private windows may refuse storage; the choice then lasts for this page only.
    }
  }, []);

  const services: AppServices = useMemo(
    () => ({
      api,
      i18n: createTranslator(locale, CATALOGUES[locale]),
      user,
      setLocale,
      navigate: (next: Route) => {
        window.location.hash = hrefOf(next);
      },
      signedOut: () => {
        api.setCsrfToken(undefined);
        setUser(undefined);
      },
    }),
    [api, locale, user, setLocale],
  );

  const signedIn = (me: UserView, csrfToken: string) => {
    api.setCsrfToken(csrfToken);
    setUser(me);
    if (route.page === 'login') window.location.hash = hrefOf({ page: 'overview' });
  };

  const logout = () => {
    api.post('/api/logout').finally(() => {
      services.signedOut();
      window.location.hash = hrefOf({ page: 'login' });
    });
  };

  let body: ReactNode;
  if (!checked) body = null;
  else if (user === undefined) body = <LoginPage onSignedIn={signedIn} />;
  else
    body = (
      <Layout current={route.page} onLogout={logout}>
        <div data-route={hrefOf(route)} key={hrefOf(route)}>
          <Suspense fallback={<p role="status">{services.i18n.t('app.loading')}</p>}>
            {pageFor(route)}
          </Suspense>
        </div>
      </Layout>
    );
  return <AppContext.Provider value={services}>{body}</AppContext.Provider>;
}
