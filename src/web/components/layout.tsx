import type { ReactNode } from 'react';
import { useApp } from '../app-context.js';
import type { MessageKey } from '../i18n/messages.js';
import { LOCALES, type Locale } from '../i18n/messages.js';
import { hrefOf, type PageName, type Route } from '../route.js';

const NAV: readonly {
  readonly route: Route;
  readonly label: MessageKey;
  readonly pages: readonly PageName[];
}[] = [
  { route: { page: 'overview' }, label: 'nav.overview', pages: ['overview'] },
  { route: { page: 'suspects' }, label: 'nav.suspects', pages: ['suspects', 'suspect'] },
  { route: { page: 'alerts' }, label: 'nav.alerts', pages: ['alerts', 'alert'] },
  { route: { page: 'network' }, label: 'nav.network', pages: ['network'] },
  { route: { page: 'handlers' }, label: 'nav.handlers', pages: ['handlers'] },
  { route: { page: 'cases' }, label: 'nav.cases', pages: ['cases', 'case'] },
  { route: { page: 'rules' }, label: 'nav.rules', pages: ['rules'] },
  { route: { page: 'data-quality' }, label: 'nav.dataQuality', pages: ['data-quality'] },
];

export function LanguageSwitch() {
  const { i18n, setLocale } = useApp();
  return (
    <label className="language">
      <span>{i18n.t('lang.label')}</span>
      <select
        value={i18n.locale}
        onChange={(e) => setLocale(e.target.value as Locale)}
        data-testid="language"
      >
        {LOCALES.map((locale) => (
          <option key={locale} value={locale} lang={locale}>
            {i18n.t(`lang.${locale}`)}
          </option>
        ))}
      </select>
    </label>
  );
}

/** The frame of every signed-in page: a skip link, the header (language, user, sign out), the navigation. */
export function Layout(props: {
  readonly current: PageName;
  readonly onLogout: () => void;
  readonly children: ReactNode;
}) {
  const { i18n, user } = useApp();
  return (
    <div className="layout">
      <button type="button" className="skip" onClick={() => document.getElementById('page-title')?.focus()}>
        {i18n.t('app.skip')}
      </button>
      <header className="top">
        <span className="brand">{i18n.t('app.title')}</span>
        <LanguageSwitch />
        {user === undefined ? null : (
          <span className="who" data-testid="who">
            {i18n.t('user.signedInAs', {
              name: user.name,
              role: i18n.term('role', user.role),
              unit: user.unit ?? i18n.t('user.noUnit'),
            })}
          </span>
        )}
        <button type="button" onClick={props.onLogout}>
          {i18n.t('user.logout')}
        </button>
      </header>
      <nav className="side" aria-label={i18n.t('nav.label')}>
        <ul>
          {NAV.map((item) => (
            <li key={item.label}>
              <a
                href={hrefOf(item.route)}
                aria-current={item.pages.includes(props.current) ? 'page' : undefined}
              >
                {i18n.t(item.label)}
              </a>
            </li>
          ))}
        </ul>
      </nav>
      <main id="main">{props.children}</main>
    </div>
  );
}
