/**
 * Health endpoints for load balancers: {@code /healthz} (the process serves HTTP; no database) and {@code /readyz}
 * (the database answers). Open to anyone, and saying nothing but "ok" or "unavailable": a balancer has no
 * credentials, and nothing here tells a caller more than whether to send requests to this controller.
 */
package netwatcher.controller.health;
