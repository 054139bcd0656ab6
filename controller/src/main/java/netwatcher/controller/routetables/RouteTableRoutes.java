package netwatcher.controller.routetables;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import netwatcher.arm.ArmResourceId;
import netwatcher.arm.Json;
import netwatcher.controller.http.Exchange;
import netwatcher.controller.http.Router;
import netwatcher.controller.resources.ArmNames;
import netwatcher.controller.subscriptions.SubscriptionService;

/**
 * Read-only ARM routes for route tables: GET one, list by resource group, list by subscription. Bodies are
 * ARM's RouteTable ({@code properties.routes[]} with {@code addressPrefix}, {@code nextHopType},
 * {@code nextHopIpAddress}) plus netwatcher's read-only extras: the table's {@code kernelTable} and
 * {@code virtualMachine}, and per route {@code routeType} (the kernel's type), {@code device}, {@code protocol},
 * {@code metric} and {@code userDefined}. Stateless; thread-safe.
 */
public final class RouteTableRoutes {
    private static final String TABLES = "/subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.Network/routeTables";

    private final RouteTableService tables;
    private final SubscriptionService subscriptions;

    public RouteTableRoutes(RouteTableService tables, SubscriptionService subscriptions) {
        this.tables = tables;
        this.subscriptions = subscriptions;
    }

    public void register(Router router) {
        router.add("GET", TABLES + "/{table}", Router.Kind.ARM, (ex, v) -> {
            subscriptions.require(v.get("sub"));
            ArmResourceId id = ArmResourceId.of(v.get("sub"), ArmNames.resourceGroup(v.get("rg")), "Microsoft.Network",
                    RouteTableService.TYPE, v.get("table"));
            RouteTable table = tables.require(id);
            Map<String, Object> body = render(table);
            ex.setHeader("ETag", (String) body.get("etag"));
            ex.json(200, body);
        });
        router.add("GET", TABLES, Router.Kind.ARM, (ex, v) -> {
            subscriptions.require(v.get("sub"));
            ex.json(200, Exchange.list(tables.list(v.get("sub"), ArmNames.resourceGroup(v.get("rg"))).stream()
                    .map(RouteTableRoutes::render).toList()));
        });
        router.add("GET", "/subscriptions/{sub}/providers/Microsoft.Network/routeTables", Router.Kind.ARM, (ex, v) -> {
            subscriptions.require(v.get("sub"));
            ex.json(200, Exchange.list(tables.list(v.get("sub"), null).stream().map(RouteTableRoutes::render).toList()));
        });
    }

    /** ARM's RouteTable body; the etag changes exactly when the table's routes do. */
    static Map<String, Object> render(RouteTable table) {
        List<Map<String, Object>> routes = new ArrayList<>();
        for (RouteTable.NamedRoute named : table.routes()) {
            var r = named.route();
            String type = r.nextHopType();
            routes.add(Exchange.object("id", table.id() + "/routes/" + named.name(), "name", named.name(),
                    "type", "Microsoft.Network/routeTables/routes", "etag", etag(r),
                    "properties", Exchange.object("provisioningState", "Succeeded", "addressPrefix", r.destination(),
                            "nextHopType", type,
                            "nextHopIpAddress", type.equals("VirtualAppliance") ? r.gateway() : null,
                            "routeType", r.type(), "device", r.device(), "protocol", r.protocol(), "metric", r.metric(),
                            "userDefined", r.userDefined())));
        }
        return Exchange.object("id", table.id().toString(), "name", table.id().name(), "type", "Microsoft.Network/routeTables",
                "location", table.location(), "tags", Map.of(), "etag", etag(table.routes()),
                "properties", Exchange.object("provisioningState", "Succeeded", "disableBgpRoutePropagation", false,
                        "routes", routes, "kernelTable", table.table(), "virtualMachine", Map.of("id", table.vmId().toString())));
    }

    private static String etag(Object content) {
        return "W/\"" + UUID.nameUUIDFromBytes(Json.writeString(content).getBytes(StandardCharsets.UTF_8)) + "\"";
    }
}
