/** The dashboard's pages, addressed by the URL's hash (`#/suspects/B0017`) so that any static server serves them. */
export type Route =
  | { readonly page: 'login' }
  | { readonly page: 'overview' }
  | { readonly page: 'suspects' }
  | { readonly page: 'suspect'; readonly id: string }
  | { readonly page: 'alerts' }
  | { readonly page: 'alert'; readonly id: string }
  | { readonly page: 'network'; readonly ringId?: string }
  | { readonly page: 'handlers' }
  | { readonly page: 'cases' }
  | { readonly page: 'case'; readonly id: string }
  | { readonly page: 'rules' }
  | { readonly page: 'data-quality' };

export type PageName = Route['page'];

/**
 * The route a hash names; the overview for anything unknown.
 * @example parseRoute('#/suspects/B0017') // { page: 'suspect', id: 'B0017' }
 */
export function parseRoute(hash: string): Route {
  const [first = '', second] = hash
    .replace(/^#\/?/, '')
    .split('/')
    .map((part) => decodeURIComponent(part));
  switch (first) {
    case 'login':
      return { page: 'login' };
    case 'suspects':
      return second ? { page: 'suspect', id: second } : { page: 'suspects' };
    case 'alerts':
      return second ? { page: 'alert', id: second } : { page: 'alerts' };
    case 'network':
      return second ? { page: 'network', ringId: second } : { page: 'network' };
    case 'handlers':
      return { page: 'handlers' };
    case 'cases':
      return second ? { page: 'case', id: second } : { page: 'cases' };
    case 'rules':
      return { page: 'rules' };
    case 'data-quality':
      return { page: 'data-quality' };
    default:
      return { page: 'overview' };
  }
}

/** The hash of a route (the inverse of parseRoute). */
export function hrefOf(route: Route): string {
  const id = (value: string) => encodeURIComponent(value);
  switch (route.page) {
    case 'login':
      return '#/login';
    case 'overview':
      return '#/';
    case 'suspects':
      return '#/suspects';
    case 'suspect':
      return `#/suspects/${id(route.id)}`;
    case 'alerts':
      return '#/alerts';
    case 'alert':
      return `#/alerts/${id(route.id)}`;
    case 'network':
      return route.ringId === undefined ? '#/network' : `#/network/${id(route.ringId)}`;
    case 'handlers':
      return '#/handlers';
    case 'cases':
      return '#/cases';
    case 'case':
      return `#/cases/${id(route.id)}`;
    case 'rules':
      return '#/rules';
    case 'data-quality':
      return '#/data-quality';
    default: {
      const never: never = route;
      return never;
    }
  }
}
