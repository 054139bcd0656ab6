package netwatcher.controller.admin;

import java.nio.charset.StandardCharsets;
import java.util.UUID;
import netwatcher.arm.ArmBody;
import netwatcher.arm.ArmErrorCode;
import netwatcher.controller.agents.AgentService;
import netwatcher.controller.auth.SecurityAdmin;
import netwatcher.controller.http.Exchange;
import netwatcher.controller.http.Router;
import netwatcher.controller.subscriptions.SubscriptionService;

/**
 * {@code /admin/v1/subscriptions} (POST create, GET list), {@code /admin/v1/agents} (GET list,
 * DELETE revoke) and {@code POST /admin/v1/servicePrincipals/{clientId}/resetSecret}. Admin token
 * only (the {@link Router.Kind#ADMIN} pipeline). Thread-safe.
 */
public final class AdminRoutes {
    private final SubscriptionService subscriptions;
    private final AgentService agents;
    private final SecurityAdmin security;

    public AdminRoutes(SubscriptionService subscriptions, AgentService agents, SecurityAdmin security) {
        this.subscriptions = subscriptions;
        this.agents = agents;
        this.security = security;
    }

    public void register(Router router) {
        router.add("POST", "/admin/v1/subscriptions", Router.Kind.ADMIN, (ex, v) -> {
            ArmBody b = ArmBody.root(bodyOrEmpty(ex));
            ex.json(201, AdminViews.subscription(subscriptions.create(b.string("subscriptionId").orElse(null),
                    b.string("displayName").orElse(null))));
        });
        router.add("GET", "/admin/v1/subscriptions", Router.Kind.ADMIN,
                (ex, v) -> ex.json(200, Exchange.list(subscriptions.all().stream().map(AdminViews::subscription).toList())));
        router.add("GET", "/admin/v1/agents", Router.Kind.ADMIN,
                (ex, v) -> ex.json(200, Exchange.list(agents.all().stream().map(AdminViews::agent).toList())));
        router.add("DELETE", "/admin/v1/agents/{id}", Router.Kind.ADMIN, (ex, v) -> {
            if (!agents.revoke(v.get("id"))) throw ArmErrorCode.NotFound.exception("No agent with id '" + v.get("id") + "'.");
            ex.empty(204);
        });
        router.add("POST", "/admin/v1/servicePrincipals/{id}/resetSecret", Router.Kind.ADMIN, (ex, v) -> {
            UUID clientId = clientId(v.get("id"));
            ex.json(200, AdminViews.createdServicePrincipal(security.resetServicePrincipalSecret(clientId).orElseThrow(
                    () -> ArmErrorCode.NotFound.exception("No service principal with client id '" + clientId + "'."))));
        });
    }

    /** Parses a client id (GUID) or answers 400 InvalidParameter. */
    public static UUID clientId(String s) {
        try {
            return UUID.fromString(s);
        } catch (IllegalArgumentException e) {
            throw ArmErrorCode.InvalidParameter.exception("'" + s + "' is not a client id (GUID).", "clientId");
        }
    }

    /** The request body, or {@code {}} when it is empty (bodies of these POSTs are optional). */
    public static byte[] bodyOrEmpty(Exchange ex) {
        byte[] b = ex.body(1 << 16);
        return b.length == 0 ? "{}".getBytes(StandardCharsets.UTF_8) : b;
    }

}
