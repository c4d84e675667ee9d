/**
 * fetch with a string body handed over as its UTF-8 bytes. Node's fetch (undici) scans a string body for
 * lone surrogates (toUSVString), measures it (Buffer.byteLength) and encodes it again while streaming it;
 * for requests carrying base64 images that was about a tenth of an evol sample's client CPU (issue 18).
 * The wire is the same: UTF-8 either way (a lone surrogate becomes U+FFFD in both), the same Content-Length,
 * and the body is only converted when the request sets its own Content-Type (a string body without one would
 * get undici's text/plain default, which bytes do not).
 */
export function withByteBodies(inner: typeof fetch): typeof fetch {
  return (input, init) => {
    if (typeof init?.body !== 'string' || !new Headers(init.headers).has('content-type')) return inner(input, init);
    return inner(input, { ...init, body: Buffer.from(init.body, 'utf8') });
  };
}
