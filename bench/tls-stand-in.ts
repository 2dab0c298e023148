// A stand-in for the TLS proxy in front of a production Tobira: every https://127.0.0.1 request
// made with fetch (the benchmarks' issuer) goes to http on the same port, marked as forwarded from
// https, as a terminating proxy would.
export function installTlsStandIn(): void {
  const plainFetch = globalThis.fetch;
  globalThis.fetch = (input, init) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    if (url.protocol !== 'https:' || url.hostname !== '127.0.0.1') return plainFetch(input, init);
    url.protocol = 'http:';
    const request = new Request(input instanceof Request ? input : url, init);
    const headers = new Headers(request.headers);
    headers.set('x-forwarded-proto', 'https');
    return plainFetch(url, { method: request.method, headers, body: request.body, redirect: request.redirect, duplex: 'half' } as RequestInit);
  };
}
