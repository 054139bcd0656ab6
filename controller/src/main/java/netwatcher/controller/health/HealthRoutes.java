package netwatcher.controller.health;

import java.time.Duration;
import java.util.Map;
import netwatcher.arm.ArmErrorCode;
import netwatcher.controller.db.Database;
import netwatcher.controller.http.Router;

/**
 * {@code GET /healthz} and {@code GET /readyz}, for load balancers and service managers. Both are
 * unauthenticated and answer only {@code {"status":"ok"}} or an ARM error without detail (see
 * docs/security.md for why they are open):
 * <ul>
 * <li>{@code /healthz}: the process is up and serving HTTP; it touches no database, so a database outage does not
 * make a balancer's liveness check restart healthy controllers.</li>
 * <li>{@code /readyz}: the database answers a pooled connection's validity check within {@link #READY_WAIT};
 * otherwise 503 {@code ServiceUnavailable} with {@code Retry-After}, so a balancer sends requests elsewhere while
 * this controller cannot reach its state (or has no connection to spare).</li>
 * </ul>
 * Thread-safe.
 */
public final class HealthRoutes {
    /** Longest a readiness check waits for the database: well inside a balancer's usual 2 s check timeout. */
    static final Duration READY_WAIT = Duration.ofSeconds(1);
    private static final Map<String, String> OK = Map.of("status", "ok");

    private final Database db;

    public HealthRoutes(Database db) {
        this.db = db;
    }

    public void register(Router router) {
        router.add("GET", "/healthz", Router.Kind.PUBLIC, (ex, v) -> ex.json(200, OK));
        router.add("GET", "/readyz", Router.Kind.PUBLIC, (ex, v) -> {
            if (!db.ping(READY_WAIT)) {
                throw ArmErrorCode.ServiceUnavailable.exception("The controller cannot reach its database.");
            }
            ex.json(200, OK);
        });
    }
}
