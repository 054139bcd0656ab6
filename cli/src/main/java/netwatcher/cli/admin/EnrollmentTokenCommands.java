package netwatcher.cli.admin;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code nw admin enrollment-token create|list|revoke}. */
@Command(name = "enrollment-token", mixinStandardHelpOptions = true,
        description = "Tokens with which agents enroll (each agent then holds its own credential).")
final class EnrollmentTokenCommands extends AdminCommand.Group {
    @Command(name = "create", mixinStandardHelpOptions = true, description = "Create an enrollment token; prints it once.")
    int create(@Option(names = "--subscription", paramLabel = "SUB", description = "Allow enrolling only into this subscription.") String subscription,
               @Option(names = "--resource-group", paramLabel = "RG", description = "... and only into this resource group.") String resourceGroup,
               @Option(names = "--max-uses", paramLabel = "N", defaultValue = "100", description = "How many agents may enroll with it (default: ${DEFAULT-VALUE}).") int maxUses,
               @Option(names = "--expires-in", paramLabel = "DURATION", defaultValue = "24h", description = "Lifetime: 90s, 30m, 24h, 7d (default: ${DEFAULT-VALUE}).") String expiresIn) {
        return with(b -> {
            if (resourceGroup != null && subscription == null) throw new AdminException("--resource-group needs --subscription");
            var created = b.createEnrollmentToken(subscription, resourceGroup, AdminCommand.parseDuration(expiresIn).toSeconds(), maxUses);
            AdminCommand.printObject(admin.out(), created);
            admin.out().println(AdminCommand.SECRET_NOTE);
            admin.out().flush();
            return 0;
        });
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List enrollment tokens (never the tokens themselves).")
    int list() {
        return with(b -> {
            AdminCommand.printTable(admin.out(), b.listEnrollmentTokens(), "id", "subscriptionId", "resourceGroup", "expiresAt",
                    "uses", "maxUses", "revoked");
            return 0;
        });
    }

    @Command(name = "revoke", mixinStandardHelpOptions = true, description = "Revoke an enrollment token (agents that enrolled with it keep working).")
    int revoke(@Parameters(paramLabel = "ID") String id) {
        return with(b -> {
            b.revokeEnrollmentToken(id);
            admin.out().println("revoked enrollment token " + id);
            admin.out().flush();
            return 0;
        });
    }
}
