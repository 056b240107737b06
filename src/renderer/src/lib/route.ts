// Client-side routes in the URL's hash, so deep links work in the Electron window
// (file:// pages cannot use history paths) and in the browser, and survive reload.
// `#/<view>` or `#/<view>/<argument>`, the argument URI-encoded (a note id, a handle, a query).

export interface Route<V extends string = string> {
  view: V;
  arg: string | null;
}

/** Parses a hash; an unknown view or a damaged encoding falls back to `fallback`. */
export function parseRoute<V extends string>(hash: string, views: readonly V[], fallback: V): Route<V> {
  const body = hash.replace(/^#\/?/, '');
  const slash = body.indexOf('/');
  const name = slash < 0 ? body : body.slice(0, slash);
  if (!(views as readonly string[]).includes(name)) return { view: fallback, arg: null };
  if (slash < 0 || slash === body.length - 1) return { view: name as V, arg: null };
  try {
    return { view: name as V, arg: decodeURIComponent(body.slice(slash + 1)) };
  } catch {
    return { view: name as V, arg: null };
  }
}

export function routeHash(route: Route): string {
  return route.arg === null ? `#/${route.view}` : `#/${route.view}/${encodeURIComponent(route.arg)}`;
}

export function sameRoute(a: Route, b: Route): boolean {
  return a.view === b.view && a.arg === b.arg;
}
