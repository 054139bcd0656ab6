package netwatcher.controller.watchers;

import java.util.Map;
import netwatcher.arm.ArmBody;
import netwatcher.arm.ArmResourceId;
import netwatcher.controller.http.Exchange;
import netwatcher.controller.http.InputPolicy;
import netwatcher.controller.http.Router;
import netwatcher.controller.resources.ArmNames;
import netwatcher.controller.subscriptions.SubscriptionService;

/** The ARM routes of {@code Microsoft.Network/networkWatchers}. */
public final class WatcherRoutes {
    public static final String RG = "/subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.Network/networkWatchers";
    public static final String NW = RG + "/{nw}";
    private final WatcherService watchers;
    private final SubscriptionService subscriptions;

    public WatcherRoutes(WatcherService watchers, SubscriptionService subscriptions) {
        this.watchers = watchers;
        this.subscriptions = subscriptions;
    }

    public void register(Router router) {
        router.add("PUT", NW, Router.Kind.ARM, this::put);
        router.add("GET", NW, Router.Kind.ARM, this::get);
        router.add("PATCH", NW, Router.Kind.ARM, this::patch);
        router.add("DELETE", NW, Router.Kind.ARM, this::delete);
        router.add("GET", RG, Router.Kind.ARM, (ex, v) -> list(ex, v.get("sub"), ArmNames.resourceGroup(v.get("rg"))));
        router.add("GET", "/subscriptions/{sub}/providers/Microsoft.Network/networkWatchers", Router.Kind.ARM,
                (ex, v) -> list(ex, v.get("sub"), null));
    }

    private ArmResourceId id(Map<String, String> v) {
        subscriptions.require(v.get("sub"));
        return WatcherService.id(v.get("sub"), ArmNames.resourceGroup(v.get("rg")), ArmNames.networkResource("network watcher", v.get("nw")));
    }

    private void put(Exchange ex, Map<String, String> v) {
        ArmResourceId id = id(v);
        ArmBody body = ArmBody.root(ex.body(Long.MAX_VALUE));
        String location = body.requireString("location");
        Map<String, String> tags = InputPolicy.checkTags(body.stringMap("tags"), "tags");
        body.object("properties");
        WatcherService.PutResult r = watchers.put(id, location, tags, etag -> ArmNames.checkPreconditions(ex, etag));
        ex.setHeader("ETag", r.watcher().etag());
        ex.json(r.created() ? 201 : 200, render(r.watcher()));
    }

    private void get(Exchange ex, Map<String, String> v) {
        Watcher w = watchers.require(id(v));
        ex.setHeader("ETag", w.etag());
        ex.json(200, render(w));
    }

    private void patch(Exchange ex, Map<String, String> v) {
        ArmResourceId id = id(v);
        ArmBody body = ArmBody.root(ex.body(Long.MAX_VALUE));
        Watcher w = watchers.updateTags(id, InputPolicy.checkTags(body.stringMap("tags"), "tags"), etag -> ArmNames.checkPreconditions(ex, etag));
        ex.setHeader("ETag", w.etag());
        ex.json(200, render(w));
    }

    private void delete(Exchange ex, Map<String, String> v) {
        ArmResourceId id = id(v);
        var existing = watchers.find(id);
        if (existing.isEmpty()) {
            ex.empty(204);
            return;
        }
        ArmNames.checkPreconditions(ex, existing.get().etag());
        watchers.delete(id);
        // done in the transaction above: answered at once (NetworkWatchers_Delete lists 202 and 204)
        ex.empty(204);
    }

    private void list(Exchange ex, String sub, String rg) {
        subscriptions.require(sub);
        ex.json(200, Exchange.list(watchers.list(sub, rg).stream().map(WatcherRoutes::render).toList()));
    }

    public static Map<String, Object> render(Watcher w) {
        return Exchange.object("id", w.id().toString(), "name", w.id().name(), "type", "Microsoft.Network/networkWatchers",
                "etag", w.etag(), "location", w.location(), "tags", w.tags(),
                "properties", Map.of("provisioningState", w.provisioningState()));
    }
}
