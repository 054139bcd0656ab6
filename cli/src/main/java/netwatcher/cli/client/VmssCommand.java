package netwatcher.cli.client;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code nw vmss}: the scale sets of a subscription (agents started with {@code --scale-set}) and their instances. */
@Command(name = "vmss", description = "Virtual machine scale sets: list them, show one, list its instances.", mixinStandardHelpOptions = true)
public final class VmssCommand implements Runnable {
    /** The subcommands, in usage order; {@link netwatcher.cli.CommandTree} adds only the one a call names. */
    public static final java.util.List<Class<?>> SUBCOMMANDS = java.util.List.of(ListSets.class, Show.class, ListInstances.class);

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() { spec.commandLine().usage(spec.commandLine().getOut()); }

    /** A table row of a scale set: Name, ResourceGroup, Location, Capacity. */
    static JsonNode row(JsonNode set) {
        var r = Output.object();
        r.put("Name", set.path("name").asText());
        r.put("ResourceGroup", set.path("id").asText().replaceAll("(?i).*/resourceGroups/([^/]+)/.*", "$1"));
        r.put("Location", set.path("location").asText());
        r.put("Capacity", set.path("sku").path("capacity").asInt());
        return r;
    }

    /** A table row of an instance: InstanceId, Name, ComputerName. */
    static JsonNode instanceRow(JsonNode instance) {
        var r = Output.object();
        r.put("InstanceId", instance.path("instanceId").asText());
        r.put("Name", instance.path("name").asText());
        r.put("ComputerName", instance.path("properties").path("osProfile").path("computerName").asText());
        return r;
    }

    /** The scale set a verb works on ({@code -g}, {@code -n}): one mixin, so that every verb spells and resolves it alike. */
    public static final class ScaleSetRef {
        @Option(names = {"-g", "--resource-group"}, paramLabel = "RG", description = "Resource group of the scale set.")
        String resourceGroup;

        @Option(names = {"-n", "--name"}, required = true, paramLabel = "NAME", description = "Scale set name or resource id.")
        String name;

        /** The scale set, by resource group and name, a name unique in the subscription, or id. */
        JsonNode find(ArmClient arm) {
            return new Lookup(arm).scaleSet(name, resourceGroup);
        }
    }

    @Command(name = "list", description = "List the scale sets of the subscription or of one resource group.",
            mixinStandardHelpOptions = true, footerHeading = "%nExamples:%n", footer = {
                "  nw vmss list",
                "  nw vmss list -g lab --query [].name -o tsv"})
    public static final class ListSets extends ArmCommand {
        @Option(names = {"-g", "--resource-group"}, paramLabel = "RG", description = "Only this resource group.")
        String resourceGroup;

        @Override
        protected int execute() {
            ArmClient arm = client();
            String path = "/subscriptions/" + arm.subscription()
                    + (resourceGroup != null ? "/resourceGroups/" + resourceGroup : "") + "/providers/Microsoft.Compute/virtualMachineScaleSets";
            printList(arm.list(path, ArmClient.COMPUTE_API), VmssCommand::row);
            return 0;
        }
    }

    @Command(name = "show", description = "Show one scale set, by resource group and name, a name unique in the subscription, or id.",
            mixinStandardHelpOptions = true, footerHeading = "%nExamples:%n", footer = {
                "  nw vmss show -g lab -n dbss",
                "  nw vmss show -n dbss --query sku.capacity -o tsv"})
    public static final class Show extends ArmCommand {
        @Mixin
        ScaleSetRef set;

        @Override
        protected int execute() {
            ArmClient arm = client();
            print(set.find(arm));
            return 0;
        }
    }

    @Command(name = "list-instances", description = "List the instances of a scale set (instanceId, computer name, vmId).",
            mixinStandardHelpOptions = true, footerHeading = "%nExamples:%n", footer = {
                "  nw vmss list-instances -n dbss --query [].instanceId -o tsv"})
    public static final class ListInstances extends ArmCommand {
        @Mixin
        ScaleSetRef set;

        @Override
        protected int execute() {
            ArmClient arm = client();
            JsonNode found = set.find(arm);
            printList(arm.list(found.path("id").asText() + "/virtualMachines", ArmClient.COMPUTE_API), VmssCommand::instanceRow);
            return 0;
        }
    }
}
