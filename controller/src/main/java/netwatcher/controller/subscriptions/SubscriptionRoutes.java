package netwatcher.controller.subscriptions;

import java.util.List;
import java.util.Map;
import netwatcher.controller.http.AccessControl;
import netwatcher.controller.http.Exchange;
import netwatcher.controller.http.Router;

/**
 * {@code GET /subscriptions}, {@code GET /subscriptions/{id}}, {@code GET /tenants} and
 * {@code GET /metadata/endpoints}: what az CLI and the SDKs read to find their way.
 */
public final class SubscriptionRoutes {
    /** The tenant name the built-in ADFS-style issuer serves. */
    public static final String TENANT = "adfs";
    private final SubscriptionService subscriptions;
    private final AccessControl access;

    public SubscriptionRoutes(SubscriptionService subscriptions, AccessControl access) {
        this.subscriptions = subscriptions;
        this.access = access;
    }

    public void register(Router router) {
        router.add("GET", "/subscriptions", Router.Kind.ARM_DEFERRED_AUTHZ, this::list);
        router.add("GET", "/subscriptions/{sub}", Router.Kind.ARM, this::get);
        router.add("GET", "/tenants", Router.Kind.ARM_DEFERRED_AUTHZ, (ex, v) ->
                ex.json(200, Exchange.list(List.of(Map.of("id", "/tenants/" + TENANT, "tenantId", TENANT)))));
        router.add("GET", "/metadata/endpoints", Router.Kind.ARM_METADATA, this::metadata);
    }

    private void list(Exchange ex, Map<String, String> vars) {
        List<Map<String, Object>> items = subscriptions.all().stream()
                .filter(s -> access.canSee(ex.caller(), s.id()))
                .map(SubscriptionRoutes::body).toList();
        ex.json(200, Exchange.list(items));
    }

    private void get(Exchange ex, Map<String, String> vars) {
        ex.json(200, body(subscriptions.require(vars.get("sub"))));
    }

    static Map<String, Object> body(Subscription s) {
        return Exchange.object("id", "/subscriptions/" + s.id(), "subscriptionId", s.id(), "tenantId", TENANT,
                "displayName", s.displayName(), "state", "Enabled",
                "subscriptionPolicies", Map.of("locationPlacementId", "Public_2014-09-01", "quotaId", "netwatcher",
                        "spendingLimit", "Off"),
                "authorizationSource", "RoleBased");
    }

    private void metadata(Exchange ex, Map<String, String> vars) {
        String base = ex.baseUrl();
        String version = ex.apiVersionText();
        Map<String, Object> auth = Exchange.object("loginEndpoint", base + "/adfs",
                "audiences", List.of(base + "/", "https://management.core.windows.net/"),
                "tenant", TENANT, "identityProvider", "ADFS");
        if (version.compareTo("2019-05-01") >= 0) {
            ex.json(200, List.of(Exchange.object("name", "netwatcher", "portal", base, "resourceManager", base + "/",
                    "authentication", auth, "media", base, "graphAudience", base + "/", "graph", base + "/",
                    "suffixes", Map.of("storage", "local", "keyVaultDns", "vault.local", "acrLoginServer", "azurecr.local"),
                    "batch", base, "sqlManagement", base, "microsoftGraphResourceId", base + "/",
                    "activeDirectoryDataLake", base, "vmImageAliasDoc", base)));
        } else {
            ex.json(200, Exchange.object("galleryEndpoint", base + "/", "graphEndpoint", base + "/",
                    "portalEndpoint", base + "/", "resourceManager", base + "/", "authentication", auth));
        }
    }
}
