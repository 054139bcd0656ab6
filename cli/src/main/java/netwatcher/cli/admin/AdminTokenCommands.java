package netwatcher.cli.admin;

import java.util.Map;
import netwatcher.arm.Json;
import netwatcher.cli.client.Output;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code nw admin admin-token rotate}. */
@Command(name = "admin-token", mixinStandardHelpOptions = true,
        description = "The admin token (DIR/admin.token): rotate it while the controllers run.")
final class AdminTokenCommands extends AdminCommand.Group {
    @Command(name = "rotate", mixinStandardHelpOptions = true, description = {
            "Replace the admin token on every controller of the database, without a restart; prints the new token once and"
                    + " writes it to DIR/admin.token (mode 0600), so this machine's nw keeps working.",
            "The old token stops verifying on every controller within 1 s (after --grace). Other controllers' admin.token"
                    + " files keep the old token: copy the new file where 'nw admin' or 'nw up' runs."})
    int rotate(@Option(names = "--grace", paramLabel = "DURATION", defaultValue = "0",
                       description = "How long the old token keeps working too: 0 (default: at once), 90s, 30m, up to 24h.") String grace,
               @Option(names = {"-o", "--output"}, paramLabel = "FORMAT",
                       description = "Output format: ${COMPLETION-CANDIDATES} (default: one 'field value' line each).") Output.Format output,
               @Option(names = "--query", paramLabel = "PATH",
                       description = "Print only this field (e.g. tokenFile); with -o, else as JSON.") String query) {
        long graceSeconds = AdminCommand.parseDuration(grace).toSeconds();
        if (graceSeconds > 86_400) throw new AdminException("--grace must be at most 24h; was " + grace);
        return with(b -> {
            Map<String, Object> rotated = b.rotateAdminToken(graceSeconds);
            if (output != null || query != null) {
                admin.out().print(Output.render(Json.MAPPER.valueToTree(rotated), output == null ? Output.Format.json : output, query));
            } else {
                AdminCommand.printObject(admin.out(), rotated);
                admin.out().println("The old token " + (rotated.get("previousTokenValidUntil") == null ? "stops working now"
                        : "keeps working until " + rotated.get("previousTokenValidUntil")) + " on every controller.");
            }
            admin.out().flush();
            return 0;
        });
    }
}
