package netwatcher.controller.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import netwatcher.controller.admin.AdminRoutes;
import netwatcher.controller.agents.AgentRoutes;
import netwatcher.controller.capture.CaptureRoutes;
import netwatcher.controller.compute.ComputeRoutes;
import netwatcher.controller.connectivity.CheckRoutes;
import netwatcher.controller.http.Handler;
import netwatcher.controller.http.Router;
import netwatcher.controller.operations.OperationRoutes;
import netwatcher.controller.storage.StorageRoutes;
import netwatcher.controller.subscriptions.SubscriptionRoutes;
import netwatcher.controller.watchers.WatcherRoutes;
import org.junit.jupiter.api.Tag;

/**
 * Fuzzes the request-path parsers the authorization and routing decisions rest on: {@link Scope}
 * (parse, segments, covers) and {@link Router#match} over the controller's real route table. Scope
 * may refuse only with an {@link IllegalArgumentException}; segments, covers and match never throw;
 * a parsed scope covers its own path and what it covers starts with it; a route match binds every
 * variable of its pattern to a non-empty value. Seeds: {@code ResourcePathFuzzTestInputs/scope} and
 * {@code .../route}.
 */
@Tag("fuzz")
class ResourcePathFuzzTest {
    private static final Router ROUTER = realRoutes();
    private static final List<String> METHODS = List.of("GET", "PUT", "POST", "DELETE", "PATCH", "HEAD", "get", "");

    @FuzzTest(maxDuration = "20s")
    void scope(FuzzedDataProvider data) {
        String scopeText = data.consumeString(300);
        String path = data.consumeRemainingAsString();
        Optional<List<String>> segments = Scope.segments(path);
        segments.ifPresent(s -> s.forEach(seg -> assertFalse(seg.isEmpty() || seg.equals(".") || seg.equals(".."))));
        Scope scope;
        try {
            scope = Scope.parse(scopeText);
        } catch (IllegalArgumentException e) {
            assertEquals(IllegalArgumentException.class, e.getClass());
            assertNotNull(e.getMessage());
            return;
        }
        assertTrue(scope.covers(scope.path()), scope::path);
        assertTrue(scope.covers(scope.path() + "/providers/Microsoft.Network/networkWatchers/nw"), scope::path);
        assertEquals(scope.key(), Scope.parse(scope.path()).key());
        if (scope.covers(path)) {
            List<String> own = Scope.segments(scope.path()).orElseThrow();
            List<String> given = segments.orElseThrow();
            assertTrue(given.size() >= own.size());
            for (int i = 0; i < own.size(); i++) assertTrue(own.get(i).equalsIgnoreCase(given.get(i)), path);
        }
    }

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
            assertFalse(v.getValue().isEmpty(), v.getKey());
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
        new WatcherRoutes(null, null, null).register(router);
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
