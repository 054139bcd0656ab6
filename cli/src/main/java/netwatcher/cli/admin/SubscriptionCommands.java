package netwatcher.cli.admin;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code nw admin subscription create|list}. */
@Command(name = "subscription", mixinStandardHelpOptions = true, description = "Subscriptions (the first one is created on first start).")
final class SubscriptionCommands extends AdminCommand.Group {
    @Command(name = "create", mixinStandardHelpOptions = true, description = "Create a subscription.")
    int create(@Option(names = "--id", paramLabel = "ID", description = "Its id (default: a new GUID).") String id,
               @Option(names = "--name", paramLabel = "NAME", description = "Display name.") String name) {
        return with(b -> {
            AdminCommand.printObject(admin.out(), b.createSubscription(id, name));
            return 0;
        });
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List subscriptions.")
    int list() {
        return with(b -> {
            AdminCommand.printTable(admin.out(), b.listSubscriptions(), "subscriptionId", "displayName", "createdAt");
            return 0;
        });
    }
}
