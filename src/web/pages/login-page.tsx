import { type FormEvent, useEffect, useId, useRef, useState } from 'react';
import { ApiError } from '../api/api-client.js';
import type { LoginResponse, UserView } from '../api/types.js';
import { useApp } from '../app-context.js';
import { LanguageSwitch } from '../components/layout.js';

/** Sign in with a user name and password; the API sets the session cookie and gives the CSRF token. */
export function LoginPage(props: { readonly onSignedIn: (user: UserView, csrfToken: string) => void }) {
  const { api, i18n } = useApp();
  const [name, setName] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | undefined>(undefined);
  const [busy, setBusy] = useState(false);
  const nameId = useId();
  const passwordId = useId();
  const nameInput = useRef<HTMLInputElement>(null);
  useEffect(() => {
    document.title = `${i18n.t('login.title')} · ${i18n.t('app.title')}`;
    nameInput.current?.focus();
  }, [i18n]);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    try {
      const answer = await api.post<LoginResponse>('/api/login', { name, password });
      props.onSignedIn(answer.user, answer.csrfToken);
    } catch (e) {
      setError(i18n.t('login.failed', { message: e instanceof ApiError ? e.message : String(e) }));
      setBusy(false);
    }
  };
  return (
    <main id="main" className="login" data-ready="true">
      <div className="login-box">
        <LanguageSwitch />
        <h1>{i18n.t('app.title')}</h1>
        <p>{i18n.t('login.intro')}</p>
        <form onSubmit={submit} aria-labelledby="login-heading">
          <h2 id="login-heading">{i18n.t('login.title')}</h2>
          <label htmlFor={nameId}>{i18n.t('login.name')}</label>
          <input
            id={nameId}
            ref={nameInput}
            name="name"
            autoComplete="username"
            required
            value={name}
            onChange={(e) => setName(e.target.value)}
          />
          <label htmlFor={passwordId}>{i18n.t('login.password')}</label>
          <input
            id={passwordId}
            name="password"
            type="password"
            autoComplete="current-password"
            required
            value={password}
            onChange={(e) => setPassword(e.target.value)}
          />
          <button type="submit" disabled={busy}>
            {i18n.t('login.submit')}
          </button>
          {error === undefined ? null : (
            <p className="message error" role="alert">
              {error}
            </p>
          )}
        </form>
      </div>
    </main>
  );
}
