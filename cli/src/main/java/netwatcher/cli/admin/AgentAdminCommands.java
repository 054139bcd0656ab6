package netwatcher.cli.admin;

import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code nw admin agent list|revoke}. */
@Command(name = "agent", mixinStandardHelpOptions = true, description = "Enrolled agents and their credentials.")
final class AgentAdminCommands extends AdminCommand.Group {
    @Command(name = "list", mixinStandardHelpOptions = true, description = "List enrolled agents.")
    int list() {
        return with(b -> {
            AdminCommand.printTable(admin.out(), b.listAgents(), "agentId", "vm", "agentVersion", "lastSeenAt", "revoked");
            return 0;
        });
    }

    @Command(name = "revoke", mixinStandardHelpOptions = true, description = "Revoke an agent's credential; it must enroll again.")
    int revoke(@Parameters(paramLabel = "AGENT_ID") String agentId) {
        return with(b -> {
            b.revokeAgent(agentId);
            admin.out().println("revoked agent " + agentId);
            admin.out().flush();
            return 0;
        });
    }
}
