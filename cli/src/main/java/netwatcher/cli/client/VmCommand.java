package netwatcher.cli.client;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code nw vm}: the virtual machines (hosts with an agent, or Azure VMs) of a subscription. */
@Command(name = "vm", description = "Virtual machines: list them, show one.", mixinStandardHelpOptions = true)
public final class VmCommand implements Runnable {
    /** The subcommands, in usage order; {@link netwatcher.cli.CommandTree} adds only the one a call names. */
    public static final java.util.List<Class<?>> SUBCOMMANDS = java.util.List.of(ListVms.class, Show.class);

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() { spec.commandLine().usage(spec.commandLine().getOut()); }

    @Command(name = "list", description = {"List the virtual machines of the subscription or of one resource group.",
                "Each VM's resources carry its Network Watcher extension: the agent's health (Connected, Disconnected) and when it was last seen; "
                    + "-o table shows Name, ResourceGroup, Location, Agent and LastSeen."},
            mixinStandardHelpOptions = true, footerHeading = "%nExamples:%n", footer = {
                "  nw vm list",
                "  nw vm list -g lab -o table",
                "  nw vm list --query [0].id -o tsv"})
    public static final class ListVms extends ArmCommand {
        @Option(names = {"-g", "--resource-group"}, paramLabel = "RG", description = "Only this resource group.")
        String resourceGroup;

        @Override
        protected int execute() {
            ArmClient arm = client();
            String path = "/subscriptions/" + arm.subscription()
                    + (resourceGroup != null ? "/resourceGroups/" + resourceGroup : "") + "/providers/Microsoft.Compute/virtualMachines";
            // the extensions inline: one request per page, not one more per VM (AgentHealth.expand then has nothing to fetch)
            var vms = arm.list(path + "?$expand=instanceView", ArmClient.COMPUTE_API).stream().map(vm -> AgentHealth.expand(arm, vm)).toList();
            printList(vms, TableRows::vm);
            return 0;
        }
    }

    @Command(name = "show", description = "Show one virtual machine, by resource group and name or by id.",
            mixinStandardHelpOptions = true, footerHeading = "%nExamples:%n", footer = {
                "  nw vm show -g lab -n vm1",
                "  nw vm show --ids \"$(nw vm list --query [0].id -o tsv)\"",
                "  nw vm show -g lab -n vm1 --query location -o tsv"})
    public static final class Show extends ArmCommand {
        @Option(names = {"-g", "--resource-group"}, paramLabel = "RG", description = "Resource group of the VM.")
        String resourceGroup;

        @Option(names = {"-n", "--name"}, paramLabel = "NAME", description = "VM name (with -g; alone when unique in the subscription).")
        String name;

        @Option(names = "--ids", paramLabel = "ID", description = "Full resource id of the VM (instead of -g/-n).")
        String id;

        @Override
        protected int execute() {
            if ((id == null) == (name == null)) throw CliException.usage("give either --ids ID or -n NAME (with -g RG)");
            ArmClient arm = client();
            JsonNode vm = AgentHealth.expand(arm, new Lookup(arm).vm(id != null ? id : name, resourceGroup));
            print(tableRows() ? TableRows.vm(vm) : vm);
            return 0;
        }
    }
}
