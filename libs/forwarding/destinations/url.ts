/**
 * The one way request URLs are built from a configured base URL (the destination, Kibana /
 * Dashboards): the base's scheme, host and port are kept whatever the path holds.
 *
 * Resolving a path against the base (`new URL(path, base)`) is not that: a path that starts with
 * `//` is a network-path reference, so `DESTINATION_URL=http://host-a//host-b/` sent `_bulk` (and
 * its Authorization header) to host-b, and `https://search.example.com//` to a host named
 * `_bulk`. Here the base is copied and only its path set, which can never change the host; runs
 * of slashes (or backslashes, which URLs read as slashes) become one, so the path that arrives is
 * the one meant: `http://host-a//host-b/` + `_bulk` is `http://host-a/host-b/_bulk`.
 */
export function requestUrl(base: URL, path: string, query?: string | Record<string, string>): URL {
  const url = new URL(base.href);
  url.username = '';
  url.password = '';
  url.hash = '';
  url.pathname = `${base.pathname}/${path}`;
  // Set again: the setter has read backslashes as slashes and percent-encoded `?` and `#`.
  url.pathname = url.pathname.replace(/\/{2,}/g, '/');
  url.search = typeof query === 'string' ? query : new URLSearchParams(query ?? {}).toString();
  if (url.protocol !== base.protocol || url.host !== base.host) {
    // Unreachable by construction; the check makes sure no future change sends elsewhere.
    throw new Error(`request URL for ${base.host} would go to ${url.host}`);
  }
  return url;
}
