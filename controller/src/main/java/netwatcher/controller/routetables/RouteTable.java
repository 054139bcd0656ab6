package netwatcher.controller.routetables;

import java.util.List;
import netwatcher.arm.ArmResourceId;
import netwatcher.model.agent.RouteTableReport;

/**
 * One kernel routing table of a registered VM as an ARM resource.
 *
 * @param id       {@code .../providers/Microsoft.Network/routeTables/{vm}-{table}} in the VM's resource group
 * @param vmId     the VM whose host holds the table
 * @param location the VM's location
 * @param table    the kernel's table name ({@code main}, {@code local}, {@code 77})
 * @param routes   the routes with their ARM names, in the kernel's order
 */
public record RouteTable(ArmResourceId id, ArmResourceId vmId, String location, String table, List<NamedRoute> routes) {
    public RouteTable {
        routes = List.copyOf(routes);
    }

    /** A route and its name inside the table (unique there). */
    public record NamedRoute(String name, RouteTableReport.Route route) {}
}
