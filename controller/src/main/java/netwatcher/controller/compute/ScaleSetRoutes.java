package netwatcher.controller.compute;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import netwatcher.arm.ArmErrorCode;
import netwatcher.arm.ArmResourceId;
import netwatcher.controller.http.Exchange;
import netwatcher.controller.http.Router;
import netwatcher.controller.resources.ArmNames;
import netwatcher.controller.subscriptions.SubscriptionService;

/**
 * Read-only ARM routes for scale sets ({@code Microsoft.Compute/virtualMachineScaleSets}) and their
 * instances ({@code .../virtualMachines/{instanceId}}), in the shapes of the Compute REST API for a
 * Uniform-orchestration set. A scale set is the agents that joined it ({@code --scale-set}): it
 * exists while it has instances, its {@code sku.capacity} is their number, and each instance is the
 * member VM seen through the set (same {@code vmId}, computer name and NICs).
 */
public final class ScaleSetRoutes {
    public static final String TYPE = "Microsoft.Compute/virtualMachineScaleSets";
    private static final String SETS = "/subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.Compute/virtualMachineScaleSets";
    private final ComputeService compute;
    private final ComputeRoutes vms;
    private final SubscriptionService subscriptions;

    public ScaleSetRoutes(ComputeService compute, ComputeRoutes vms, SubscriptionService subscriptions) {
        this.compute = compute;
        this.vms = vms;
        this.subscriptions = subscriptions;
    }

    public void register(Router router) {
        router.add("GET", SETS + "/{vmss}", Router.Kind.ARM, (ex, v) -> ex.json(200, renderSet(compute.requireInstances(setId(v)))));
        router.add("GET", SETS, Router.Kind.ARM, (ex, v) -> ex.json(200, Exchange.list(sets(v.get("sub"), ArmNames.resourceGroup(v.get("rg"))))));
        router.add("GET", "/subscriptions/{sub}/providers/Microsoft.Compute/virtualMachineScaleSets", Router.Kind.ARM,
                (ex, v) -> ex.json(200, Exchange.list(sets(v.get("sub"), null))));
        router.add("GET", SETS + "/{vmss}/virtualMachines", Router.Kind.ARM, (ex, v) -> ex.json(200, Exchange.list(
                compute.requireInstances(setId(v)).stream().map(this::renderInstance).toList())));
        router.add("GET", SETS + "/{vmss}/virtualMachines/{instance}", Router.Kind.ARM, (ex, v) -> {
            ArmResourceId set = setId(v);
            String wanted = v.get("instance");
            ScaleSetInstance instance = compute.requireInstances(set).stream()
                    .filter(i -> String.valueOf(i.instanceId()).equals(wanted)).findFirst()
                    .orElseThrow(() -> ArmErrorCode.ResourceNotFound.exception("The Resource '" + TYPE + "/" + set.name()
                            + "/virtualMachines/" + wanted + "' under resource group '" + set.resourceGroup() + "' was not found."));
            ex.json(200, renderInstance(instance));
        });
    }

    private ArmResourceId setId(Map<String, String> v) {
        subscriptions.require(v.get("sub"));
        return ComputeService.scaleSetId(v.get("sub"), ArmNames.resourceGroup(v.get("rg")), v.get("vmss"));
    }

    private List<Map<String, Object>> sets(String sub, String rg) {
        subscriptions.require(sub);
        Map<String, List<ScaleSetInstance>> bySet = new LinkedHashMap<>();
        for (ScaleSetInstance i : compute.listInstances(sub, rg)) bySet.computeIfAbsent(i.scaleSetId().key(), k -> new ArrayList<>()).add(i);
        return bySet.values().stream().map(this::renderSet).toList();
    }

    /** A scale set as ARM returns it; {@code instances} is not empty. */
    public Map<String, Object> renderSet(List<ScaleSetInstance> instances) {
        ScaleSetInstance first = instances.getFirst();
        ArmResourceId id = first.scaleSetId();
        String location = compute.findVm(first.vmKey()).map(Vm::location).orElse(null);
        Instant created = instances.stream().map(ScaleSetInstance::joinedAt).min(Instant::compareTo).orElseThrow();
        return Exchange.object("id", id.toString(), "name", id.name(), "type", TYPE, "location", location, "tags", Map.of(),
                "sku", Map.of("name", "Host", "tier", "Standard", "capacity", instances.size()),
                "properties", Exchange.object(
                        "singlePlacementGroup", false,
                        "orchestrationMode", "Uniform",
                        "upgradePolicy", Map.of("mode", "Manual"),
                        "virtualMachineProfile", Map.of(
                                "osProfile", Map.of("computerNamePrefix", id.name(), "linuxConfiguration", Map.of()),
                                "storageProfile", Map.of("osDisk", Map.of("osType", "Linux", "createOption", "Attach")),
                                "extensionProfile", Map.of("extensions", List.of(Map.of("name", ComputeRoutes.EXTENSION,
                                        "properties", Map.of("publisher", "Microsoft.Azure.NetworkWatcher",
                                                "type", "NetworkWatcherAgentLinux", "typeHandlerVersion", "1.4"))))),
                        "overprovision", false,
                        "provisioningState", "Succeeded",
                        "uniqueId", first.setUuid(),
                        "timeCreated", created.toString()));
    }

    /** An instance as ARM returns it: the member VM's view with the instance's id, name and {@code instanceId}. */
    public Map<String, Object> renderInstance(ScaleSetInstance instance) {
        Vm vm = compute.findVm(instance.vmKey()).orElseThrow(() -> ArmErrorCode.ResourceNotFound.exception(
                "The instance " + instance.instanceId() + " of scale set " + instance.scaleSetId().name() + " has no VM."));
        Map<String, Object> asVm = vms.renderVm(vm);
        @SuppressWarnings("unchecked")
        Map<String, Object> vmProperties = new LinkedHashMap<>((Map<String, Object>) asVm.get("properties"));
        vmProperties.remove("virtualMachineScaleSet");
        vmProperties.put("latestModelApplied", true);
        vmProperties.put("instanceView", Map.of("computerName", ((Map<?, ?>) vmProperties.get("osProfile")).get("computerName")));
        return Exchange.object("id", instance.armId(), "name", instance.name(), "type", TYPE + "/virtualMachines",
                "location", vm.location(), "tags", Map.of(), "instanceId", String.valueOf(instance.instanceId()),
                "sku", Map.of("name", "Host", "tier", "Standard"),
                "properties", vmProperties,
                "resources", List.of(Map.of("id", instance.armId() + "/extensions/" + ComputeRoutes.EXTENSION)));
    }
}
