package netwatcher.cli.client;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code nw login}: checks the credentials against the endpoint (a subscriptions call) and stores
 * them with mode 0600. Prints the visible subscriptions, as {@code az login} does.
 */
@Command(name = "login", mixinStandardHelpOptions = true,
        description = {"Log in to an ARM endpoint (a netwatcher controller, or Azure) and store the login (mode 0600).",
            "Without a login, nw uses the local controller of `./nw up`: the one recorded in .nw-data/controller.json "
                + "(or --data-dir DIR), with the CA and admin token it names."},
        footerHeading = "%nExamples:%n", footer = {
            "  nw login --endpoint https://127.0.0.1:8443 \\",
            "      --token \"$(cat .nw-data/admin.token)\" --ca-file .nw-data/tls/ca.pem",
            "  nw login --endpoint https://nw.example.net:8443 --ca-file ca.pem \\",
            "      --service-principal --client-id ID --client-secret S",
            "  nw login --endpoint https://management.azure.com \\",
            "      --token \"$(az account get-access-token --query accessToken -o tsv)\" \\",
            "      --subscription SUB"})
public final class LoginCommand extends ArmCommand {
    @Option(names = "--endpoint", required = true, paramLabel = "URL", description = "ARM base URL.")
    String endpoint;

    @Option(names = "--token", paramLabel = "T", description = "A bearer token (a netwatcher token, or Azure's from az).")
    String token;

    @Option(names = "--service-principal", description = "Log in with client credentials (--client-id, --client-secret).")
    boolean servicePrincipal;

    @Option(names = {"--client-id", "-u", "--username"}, paramLabel = "ID", description = "Service principal client id.")
    String clientId;

    @Option(names = {"--client-secret", "-p", "--password"}, paramLabel = "S", description = "Service principal secret.")
    String clientSecret;

    @Option(names = {"--tenant", "-t"}, paramLabel = "TENANT", defaultValue = "adfs",
            description = "Token endpoint tenant: tokens come from {endpoint}/{tenant}/oauth2/token (default: ${DEFAULT-VALUE}).")
    String tenant;

    @Option(names = "--ca-file", paramLabel = "PEM", description = "CA certificate(s) to trust for the endpoint (PEM).")
    Path caFile;

    @Override
    protected int execute() {
        if (servicePrincipal == (token != null)) throw CliException.usage("give either --token T or --service-principal --client-id ID --client-secret S");
        if (servicePrincipal && (clientId == null || clientSecret == null)) throw CliException.usage("--service-principal needs --client-id and --client-secret");
        if (caFile != null && !Files.isReadable(caFile)) throw CliException.usage("--ca-file " + caFile + " does not exist or is not readable: " + Hints.CA_FILE);
        ClientConfig config = new ClientConfig(endpoint, token, servicePrincipal ? clientId : null, servicePrincipal ? clientSecret : null,
                tenant, caFile == null ? null : caFile.toAbsolutePath().toString(), common.subscription);
        ArmClient arm = client(config);
        JsonNode subs = arm.get("/subscriptions", ArmClient.SUBSCRIPTIONS_API).path("value");
        String sub = common.subscription;
        if (sub == null && subs.size() == 1) sub = subs.get(0).path("subscriptionId").asText();
        Path file = configPath();
        config.withSubscription(sub).save(file);
        err().println("Logged in to " + config.endpoint() + (sub != null ? ", subscription " + sub : "") + "; login stored in " + file);
        if (subs.isEmpty()) {
            String who = servicePrincipal ? "service principal " + clientId : "this token's principal";
            err().println("WARNING: " + who + " has no role assignments: it sees no subscription, so every call will be refused. "
                    + "An administrator grants one with `nw admin role assign --principal " + (servicePrincipal ? clientId : "ID")
                    + " --role Reader --scope /subscriptions/SUB`.");
        }
        err().flush();
        print(subs);
        return 0;
    }
}
