package netwatcher.controller.compute;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import netwatcher.arm.ArmErrorCode;
import netwatcher.arm.ArmResourceId;
import netwatcher.controller.http.Exchange;
import netwatcher.controller.http.Router;
import netwatcher.controller.resources.ArmNames;
import netwatcher.controller.subscriptions.SubscriptionService;

/** Read-only ARM routes for VMs, their Network Watcher extension, and NICs. */
public final class ComputeRoutes {
    public static final String EXTENSION = "AzureNetworkWatcherExtension";
    private static final String VMS = "/subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.Compute/virtualMachines";
    private static final String NICS = "/subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.Network/networkInterfaces";
    private final ComputeService compute;
    private final SubscriptionService subscriptions;
    private final AgentPresence presence;

    public ComputeRoutes(ComputeService compute, SubscriptionService subscriptions, AgentPresence presence) {
        this.compute = compute;
        this.subscriptions = subscriptions;
        this.presence = presence;
    }

    public void register(Router router) {
        router.add("GET", VMS + "/{vm}", Router.Kind.ARM, (ex, v) -> ex.json(200, render(List.of(vm(v)), expanded(ex)).getFirst()));
        router.add("GET", VMS, Router.Kind.ARM, (ex, v) -> ex.json(200, Exchange.list(
                vms(v.get("sub"), ArmNames.resourceGroup(v.get("rg")), expanded(ex)))));
        router.add("GET", "/subscriptions/{sub}/providers/Microsoft.Compute/virtualMachines", Router.Kind.ARM,
                (ex, v) -> ex.json(200, Exchange.list(vms(v.get("sub"), null, expanded(ex)))));
        router.add("GET", VMS + "/{vm}/extensions", Router.Kind.ARM, (ex, v) -> ex.json(200, Exchange.list(List.of(renderExtension(vm(v))))));
        router.add("GET", VMS + "/{vm}/extensions/{ext}", Router.Kind.ARM, (ex, v) -> {
            Vm vm = vm(v);
            if (!v.get("ext").equalsIgnoreCase(EXTENSION)) {
                throw ArmErrorCode.NotFound.exception("The extension '" + v.get("ext") + "' of virtual machine '" + vm.id().name()
                        + "' was not found; netwatcher VMs have only " + EXTENSION + ".");
            }
            ex.json(200, renderExtension(vm));
        });
        router.add("GET", NICS + "/{nic}", Router.Kind.ARM, (ex, v) -> {
            subscriptions.require(v.get("sub"));
            ArmResourceId id = ArmResourceId.of(v.get("sub"), v.get("rg"), "Microsoft.Network", "networkInterfaces", v.get("nic"));
            Nic nic = compute.findNic(id).orElseThrow(() -> ArmErrorCode.ResourceNotFound.exception(
                    "The Resource 'Microsoft.Network/networkInterfaces/" + id.name() + "' under resource group '" + id.resourceGroup()
                            + "' was not found."));
            ex.json(200, renderNic(nic));
        });
        router.add("GET", NICS, Router.Kind.ARM, (ex, v) -> {
            subscriptions.require(v.get("sub"));
            ex.json(200, Exchange.list(compute.listNics(v.get("sub"), ArmNames.resourceGroup(v.get("rg"))).stream().map(ComputeRoutes::renderNic).toList()));
        });
        router.add("GET", "/subscriptions/{sub}/providers/Microsoft.Network/networkInterfaces", Router.Kind.ARM, (ex, v) -> {
            subscriptions.require(v.get("sub"));
            ex.json(200, Exchange.list(compute.listNics(v.get("sub"), null).stream().map(ComputeRoutes::renderNic).toList()));
        });
    }

    private Vm vm(Map<String, String> v) {
        subscriptions.require(v.get("sub"));
        return compute.requireVm(ComputeService.vmId(v.get("sub"), ArmNames.resourceGroup(v.get("rg")), v.get("vm")));
    }

    /**
     * Whether the request asks for the extensions' instance view inline ({@code $expand=instanceView}, as ARM's VM
     * GET and list take it): each VM's {@code resources} then holds its extension's body, agent health included,
     * instead of a reference a client would GET once per VM.
     */
    private static boolean expanded(Exchange ex) {
        String expand = ex.query("$expand");
        return expand != null && java.util.Arrays.stream(expand.split(",")).anyMatch(e -> e.trim().equalsIgnoreCase("instanceView"));
    }

    private List<Map<String, Object>> vms(String sub, String rg, boolean expand) {
        subscriptions.require(sub);
        return render(compute.listVms(sub, rg), expand);
    }

    /** The VMs' bodies; expanded, with every VM's agent presence read at once (one query in cluster mode). */
    private List<Map<String, Object>> render(List<Vm> vms, boolean expand) {
        if (!expand) return vms.stream().map(this::renderVm).toList();
        Map<String, AgentPresence.Presence> present = presence.ofAll(vms.stream().map(vm -> vm.id().key()).toList());
        List<Map<String, Object>> out = new ArrayList<>();
        for (Vm vm : vms) {
            Map<String, Object> body = new java.util.LinkedHashMap<>(renderVm(vm));
            body.put("resources", List.of(renderExtension(vm, present.get(vm.id().key()))));
            out.add(body);
        }
        return out;
    }

    public Map<String, Object> renderVm(Vm vm) {
        List<Map<String, Object>> nicRefs = new ArrayList<>();
        for (Nic n : compute.nicsOf(vm.id().key())) {
            nicRefs.add(Map.of("id", n.id().toString(), "properties", Map.of("primary", n.primary())));
        }
        String computerName = vm.host().hostname() == null ? vm.id().name() : vm.host().hostname();
        return Exchange.object("id", vm.id().toString(), "name", vm.id().name(), "type", "Microsoft.Compute/virtualMachines",
                "location", vm.location(), "tags", Map.of(),
                "properties", Exchange.object(
                        "vmId", vm.vmUuid(),
                        "provisioningState", "Succeeded",
                        "hardwareProfile", Map.of("vmSize", "Host"),
                        "storageProfile", Map.of("osDisk", Map.of("osType", "Linux", "name", vm.id().name() + "-os",
                                "createOption", "Attach")),
                        "osProfile", Exchange.object("computerName", computerName, "linuxConfiguration", Map.of()),
                        "networkProfile", Map.of("networkInterfaces", nicRefs),
                        "timeCreated", vm.createdAt().toString(),
                        "virtualMachineScaleSet", compute.scaleSetOf(vm.id().key())
                                .map(s -> (Object) Map.of("id", s.scaleSetId().toString())).orElse(null)),
                "resources", List.of(Map.of("id", vm.id() + "/extensions/" + EXTENSION)));
    }

    public Map<String, Object> renderExtension(Vm vm) {
        return renderExtension(vm, presence.of(vm.id().key()));
    }

    private Map<String, Object> renderExtension(Vm vm, AgentPresence.Presence p) {
        String display = !p.enrolled() ? "Not installed" : p.connected() ? "Connected" : "Disconnected";
        String message = vm.host().problems().isEmpty() ? display : display + ": " + String.join("; ", vm.host().problems());
        Map<String, Object> status = Exchange.object("code", "ProvisioningState/" + (p.connected() ? "succeeded" : "unavailable"),
                "level", p.connected() && vm.host().problems().isEmpty() ? "Info" : "Warning",
                "displayStatus", display, "message", message,
                "time", p.lastSeen() == null ? null : p.lastSeen().toString());
        String version = p.agentVersion() != null ? p.agentVersion() : vm.host().agentVersion();
        return Exchange.object("id", vm.id() + "/extensions/" + EXTENSION, "name", EXTENSION,
                "type", "Microsoft.Compute/virtualMachines/extensions", "location", vm.location(),
                "properties", Exchange.object("publisher", "Microsoft.Azure.NetworkWatcher", "type", "NetworkWatcherAgentLinux",
                        "typeHandlerVersion", version == null ? "1.4" : version, "autoUpgradeMinorVersion", true,
                        "provisioningState", p.enrolled() ? "Succeeded" : "Failed",
                        "instanceView", Exchange.object("name", EXTENSION, "type", "NetworkWatcherAgentLinux",
                                "typeHandlerVersion", version, "statuses", List.of(status)),
                        "settings", Map.of("capabilities", vm.host().capabilities())));
    }

    public static Map<String, Object> renderNic(Nic n) {
        List<Map<String, Object>> configs = new ArrayList<>();
        for (int i = 0; i < n.addresses().size(); i++) {
            String cidr = n.addresses().get(i);
            String ip = cidr.contains("/") ? cidr.substring(0, cidr.indexOf('/')) : cidr;
            String name = "ipconfig" + (i + 1);
            configs.add(Exchange.object("id", n.id() + "/ipConfigurations/" + name, "name", name,
                    "type", "Microsoft.Network/networkInterfaces/ipConfigurations",
                    "properties", Exchange.object("privateIPAddress", ip, "privateIPAddressVersion", ip.contains(":") ? "IPv6" : "IPv4",
                            "privateIPAllocationMethod", "Static", "primary", i == 0, "provisioningState", "Succeeded",
                            "prefix", cidr)));
        }
        String mac = n.macAddress() == null ? null : n.macAddress().toUpperCase(java.util.Locale.ROOT).replace(':', '-');
        return Exchange.object("id", n.id().toString(), "name", n.id().name(), "type", "Microsoft.Network/networkInterfaces",
                "location", n.location(), "tags", Map.of(),
                "properties", Exchange.object("provisioningState", "Succeeded", "macAddress", mac, "primary", n.primary(),
                        "virtualMachine", Map.of("id", n.vmId().toString()), "ipConfigurations", configs,
                        "enableIPForwarding", false, "interfaceName", n.interfaceName()));
    }
}
