/**
 * The HTTP edge: a Jetty 12 server (TLS by default) on virtual threads ({@link netwatcher.controller.http.HttpServer},
 * its listeners), a small case-insensitive router, and one handler for every request
 * ({@link netwatcher.controller.http.Dispatcher}): request ids, client-request-id echo, the input rules of
 * {@link netwatcher.controller.http.InputPolicy} (raw path, method, media type, tags, forms, ranges), the
 * {@link netwatcher.controller.http.ArmPipeline} of the route's kind (authentication, api-version, body size,
 * authorization by scope), and the one error renderer, {@link netwatcher.controller.http.EdgeErrors} (Jetty's own
 * rejections included). Handlers see an {@link netwatcher.controller.http.Exchange} (over Jetty:
 * {@link netwatcher.controller.http.JettyExchange}) and answer with records; they never write error JSON themselves.
 */
package netwatcher.controller.http;
