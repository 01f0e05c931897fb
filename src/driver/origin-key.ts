/** The scheme and authority of an absolute URL as spelled (`http://host:port`), without parsing it. */
export function originKey(url: string): string {
  const scheme = url.indexOf("//");
  let end = scheme === -1 ? 0 : scheme + 2;
  while (end < url.length) {
    const c = url.charCodeAt(end);
    if (c === 47 || c === 63 || c === 35) break; // "/" "?" "#"
    end++;
  }
  return url.slice(0, end);
}
