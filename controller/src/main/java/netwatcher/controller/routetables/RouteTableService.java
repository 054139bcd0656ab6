package netwatcher.controller.routetables;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import netwatcher.arm.ArmErrorCode;
import netwatcher.arm.ArmResourceId;
import netwatcher.controller.compute.ComputeService;
import netwatcher.controller.compute.Vm;
import netwatcher.model.agent.RouteTableReport;

/**
 * The route tables of registered VMs, derived from their last host report. Stateless over
 * {@link ComputeService}; thread-safe.
 */
public final class RouteTableService {
    /** The ARM resource type. */
    public static final String TYPE = "routeTables";

    private final ComputeService compute;

    public RouteTableService(ComputeService compute) {
        this.compute = compute;
    }

    /** The id of {@code vm}'s table {@code table}: {@code routeTables/{vm}-{table}} in the VM's resource group. */
    public static ArmResourceId idOf(ArmResourceId vm, String table) {
        return ArmResourceId.of(vm.subscriptionId(), vm.resourceGroup(), "Microsoft.Network", TYPE, vm.name() + "-" + table);
    }

    /** The tables of one VM. */
    public List<RouteTable> of(Vm vm) {
        List<RouteTable> out = new ArrayList<>();
        for (RouteTableReport t : vm.host().routeTables()) out.add(table(vm, t));
        return out;
    }

    /** The tables of every VM of the subscription, or of one resource group when {@code group} is not null. */
    public List<RouteTable> list(String subscription, String group) {
        List<RouteTable> out = new ArrayList<>();
        for (Vm vm : compute.listVms(subscription, group)) out.addAll(of(vm));
        return out;
    }

    /** The table with this id, or 404 ResourceNotFound. */
    public RouteTable require(ArmResourceId id) {
        return find(id).orElseThrow(() -> ArmErrorCode.ResourceNotFound.exception("The Resource 'Microsoft.Network/routeTables/"
                + id.name() + "' under resource group '" + id.resourceGroup() + "' was not found. Route tables are named"
                + " {vm}-{table} after a registered VM and one of its kernel routing tables."));
    }

    /** The table with this id (names compared case-insensitively, as ARM does). */
    public Optional<RouteTable> find(ArmResourceId id) {
        String wanted = id.name().toLowerCase(Locale.ROOT);
        for (Vm vm : compute.listVms(id.subscriptionId(), id.resourceGroup())) {
            String prefix = vm.id().name().toLowerCase(Locale.ROOT) + "-";
            if (!wanted.startsWith(prefix)) continue;
            for (RouteTableReport t : vm.host().routeTables()) {
                if ((prefix + t.name().toLowerCase(Locale.ROOT)).equals(wanted)) return Optional.of(table(vm, t));
            }
        }
        return Optional.empty();
    }

    private static RouteTable table(Vm vm, RouteTableReport t) {
        List<RouteTable.NamedRoute> routes = new ArrayList<>();
        Set<String> taken = new HashSet<>();
        for (RouteTableReport.Route r : t.routes()) {
            String base = routeName(r);
            String name = base;
            for (int n = 2; !taken.add(name.toLowerCase(Locale.ROOT)); n++) name = base + "-" + n;
            routes.add(new RouteTable.NamedRoute(name, r));
        }
        return new RouteTable(idOf(vm.id(), t.name()), vm.id(), vm.location(), t.name(), routes);
    }

    /**
     * A route's name: its prefix with {@code /} as {@code _} and {@code :} as {@code -} ({@code 198.18.70.0_24},
     * {@code 2001-2--_64}), after the kernel's type when it is not unicast ({@code blackhole-198.18.60.0_24}), and
     * {@code -metric-N} when the route has a metric; a repeat within the table gets {@code -2}, {@code -3}, ...
     */
    static String routeName(RouteTableReport.Route r) {
        String name = r.destination().replace('/', '_').replace(':', '-');
        if (r.type() != null && !r.type().equals("unicast")) name = r.type() + "-" + name;
        if (r.metric() != 0) name = name + "-metric-" + r.metric();
        return name;
    }
}
