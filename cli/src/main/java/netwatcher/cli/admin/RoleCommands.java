package netwatcher.cli.admin;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code nw admin role assign|list|remove}. */
@Command(name = "role", mixinStandardHelpOptions = true,
        description = "Role assignments: Reader, Contributor or Owner on a subscription or resource group.")
final class RoleCommands extends AdminCommand.Group {
    @Command(name = "assign", mixinStandardHelpOptions = true, description = "Give a principal a role at a scope.")
    int assign(@Option(names = "--principal", paramLabel = "PRINCIPAL", required = true,
                       description = "A service principal's client id, or an OIDC user as <provider>:<oid>.") String principal,
               @Option(names = "--role", paramLabel = "ROLE", required = true, description = "Reader, Contributor or Owner.") String role,
               @Option(names = "--scope", paramLabel = "SCOPE", required = true,
                       description = "/subscriptions/{id} or /subscriptions/{id}/resourceGroups/{name}.") String scope) {
        return with(b -> {
            AdminCommand.printObject(admin.out(), b.assignRole(principal, role, scope));
            return 0;
        });
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List role assignments.")
    int list() {
        return with(b -> {
            AdminCommand.printTable(admin.out(), b.listRoleAssignments(), "id", "principalId", "role", "scope");
            return 0;
        });
    }

    @Command(name = "remove", mixinStandardHelpOptions = true, description = "Remove a role assignment.")
    int remove(@Parameters(paramLabel = "ID") String id) {
        return with(b -> {
            b.removeRoleAssignment(id);
            admin.out().println("removed role assignment " + id);
            admin.out().flush();
            return 0;
        });
    }
}
