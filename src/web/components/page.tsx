import { type ReactNode, useEffect } from 'react';
import { useApp } from '../app-context.js';

/**
 * A page: its heading (focused on arrival, so that keyboard and screen-reader users start there) and
 * `data-ready` once its data is shown (the e2e tests and the first-paint benchmark wait for it).
 */
export function Page(props: {
  readonly title: string;
  readonly ready: boolean;
  readonly children: ReactNode;
}) {
  const { i18n } = useApp();
  useEffect(() => {
    document.title = `${props.title} · ${i18n.t('app.title')}`;
  }, [props.title, i18n]);
  return (
    <section className="page" aria-labelledby="page-title" data-ready={props.ready ? 'true' : 'false'}>
      <h1 id="page-title" tabIndex={-1}>
        {props.title}
      </h1>
      {props.children}
    </section>
  );
}
