package netwatcher.controller.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import netwatcher.controller.admin.AdminRoutes;
import netwatcher.controller.agents.AgentRoutes;
import netwatcher.controller.capture.CaptureRoutes;
import netwatcher.controller.compute.ComputeRoutes;
import netwatcher.controller.connectivity.CheckRoutes;
import netwatcher.controller.operations.OperationRoutes;
import netwatcher.controller.storage.StorageRoutes;
import netwatcher.controller.subscriptions.SubscriptionRoutes;
import netwatcher.controller.watchers.WatcherRoutes;
import org.junit.jupiter.api.Tag;

/**
 * Fuzzes path matching over the controller's real route table: any method and path through
 * {@link Router#match}. Matching never throws; the allowed methods are those {@code methodsFor}
 * names; a match has the asked method and binds every variable to a non-empty value of its pattern.
 * Seeds: {@code RouterFuzzTestInputs/route}.
 */
@Tag("fuzz")
class RouterFuzzTest {
    private static final Router ROUTER = realRoutes();
    private static final List<String> METHODS = List.of("GET", "PUT", "POST", "DELETE", "PATCH", "HEAD", "get", "");

    @FuzzTest(maxDuration = "20s")
    void route(FuzzedDataProvider data) {
        String method = data.pickValue(METHODS);
        String path = data.consumeRemainingAsString();
        Set<String> allowed = new LinkedHashSet<>();
        Router.Match match = ROUTER.match(method, path, allowed);
        Set<String> methods = ROUTER.methodsFor(path);
        assertEquals(allowed, methods);
        if (match == null) return;
        assertTrue(match.route().method().equalsIgnoreCase(method));
        assertTrue(allowed.contains(match.route().method()));
        for (Map.Entry<String, String> v : match.vars().entrySet()) {
            assertNotNull(v.getValue(), v.getKey());
            assertFalse(v.getValue().isEmpty() || v.getValue().startsWith("/"), v.getKey());
            assertTrue(match.route().pattern().contains("{" + v.getKey()), v.getKey());
        }
    }

    /** The controller's route table: every feature's routes (their services are never called while matching). */
    private static Router realRoutes() {
        Router router = new Router();
        Handler none = (ex, v) -> { };
        router.add("GET", "/healthz", Router.Kind.PUBLIC, none);
        new SubscriptionRoutes(null, null).register(router);
        new OperationRoutes(null, null).register(router);
        new WatcherRoutes(null, null).register(router);
        new ComputeRoutes(null, null, null).register(router);
        new CaptureRoutes(null, null, null, null).register(router);
        new StorageRoutes(null, null).register(router);
        new CheckRoutes(null, null, null, null).register(router);
        new AgentRoutes(null, null, null).register(router);
        new AdminRoutes(null, null, null).register(router);
        // SecurityWiring's token and discovery routes (it needs a running issuer to register itself)
        router.add("POST", "/{tenant}/oauth2/token", Router.Kind.PUBLIC, none);
        router.add("POST", "/{tenant}/oauth2/v2.0/token", Router.Kind.PUBLIC, none);
        router.add("GET", "/adfs/discovery/keys", Router.Kind.PUBLIC, none);
        return router;
    }
}
