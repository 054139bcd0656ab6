package netwatcher.cli.admin;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code nw admin service-principal create|list|revoke|reset-secret}. */
@Command(name = "service-principal", mixinStandardHelpOptions = true,
        description = "Service principals: client id and secret for the built-in OAuth2 issuer (az login --service-principal).")
final class ServicePrincipalCommands extends AdminCommand.Group {
    @Command(name = "create", mixinStandardHelpOptions = true, description = "Create a service principal; prints its secret once. Give it a role with 'nw admin role assign'.")
    int create(@Option(names = "--name", paramLabel = "NAME", required = true, description = "Display name.") String name) {
        return with(b -> {
            AdminCommand.printObject(admin.out(), b.createServicePrincipal(name));
            admin.out().println(AdminCommand.SECRET_NOTE);
            admin.out().flush();
            return 0;
        });
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List service principals (never their secrets).")
    int list() {
        return with(b -> {
            AdminCommand.printTable(admin.out(), b.listServicePrincipals(), "clientId", "displayName", "createdAt");
            return 0;
        });
    }

    @Command(name = "revoke", mixinStandardHelpOptions = true, description = "Delete a service principal and its role assignments; its tokens stop working at once.")
    int revoke(@Parameters(paramLabel = "CLIENT_ID") String clientId) {
        return with(b -> {
            b.revokeServicePrincipal(clientId);
            admin.out().println("revoked service principal " + clientId);
            admin.out().flush();
            return 0;
        });
    }

    @Command(name = "reset-secret", mixinStandardHelpOptions = true, description = "Replace a service principal's secret (the old one stops working); prints it once.")
    int resetSecret(@Parameters(paramLabel = "CLIENT_ID") String clientId) {
        return with(b -> {
            AdminCommand.printObject(admin.out(), b.resetServicePrincipalSecret(clientId));
            admin.out().println(AdminCommand.SECRET_NOTE);
            admin.out().flush();
            return 0;
        });
    }
}
