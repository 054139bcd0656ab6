/**
 * The HTTP edge: a Jetty 12 server (TLS by default) on virtual threads, a small case-insensitive
 * router, and the ARM pipeline every ARM route runs through ({@link netwatcher.controller.http.HttpServer}):
 * request ids, client-request-id echo, the input rules of {@link netwatcher.controller.http.InputPolicy}
 * (raw path, method, media type, tags, forms, ranges), authentication, api-version, body size,
 * authorization by scope, and the one error renderer (Jetty's own rejections included). Handlers see an {@link netwatcher.controller.http.Exchange}
 * and answer with records; they never write error JSON themselves.
 */
package netwatcher.controller.http;
