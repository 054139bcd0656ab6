/**
 * Route tables: every registered VM's kernel routing tables, from its agent's host report, as the ARM
 * resources {@code Microsoft.Network/routeTables/{vm}-{table}} in the VM's resource group (GET, list by
 * resource group and by subscription; read-only, so Reader on the scope suffices). {@link RouteTableService}
 * derives them from the stored VMs (nothing is stored twice: the host report is the one record of a host's
 * routes), names them and their routes, and gives the resource id a next hop or a route issue points at;
 * {@link RouteTableRoutes} registers the ARM endpoints and shapes the bodies as ARM's RouteTable.
 */
package netwatcher.controller.routetables;
