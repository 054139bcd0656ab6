/**
 * The HTTP edge: a Jetty 12 server (TLS by default) on virtual threads, a small case-insensitive
 * router, and the ARM pipeline every ARM route runs through ({@link netwatcher.controller.http.ArmEdge}):
 * request ids, client-request-id echo, authentication, api-version, body size and media type checks,
 * authorization by scope, and the one error renderer. Handlers see an {@link netwatcher.controller.http.Exchange}
 * and answer with records; they never write error JSON themselves.
 */
package netwatcher.controller.http;
