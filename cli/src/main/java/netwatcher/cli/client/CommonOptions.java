package netwatcher.cli.client;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The options every ARM command takes: output format, field query, subscription, and which controller (login file or data directory). */
public final class CommonOptions {
    @Option(names = {"-o", "--output"}, paramLabel = "FORMAT", defaultValue = "json",
            description = "Output format: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
    Output.Format output = Output.Format.json;

    @Option(names = "--query", paramLabel = "PATH",
            description = "Print only the field at PATH, e.g. properties.provisioningState, [0].name, or [].name for every item.")
    String query;

    @Option(names = "--subscription", paramLabel = "SUB", description = "Subscription id (default: the login's, else the only one visible).")
    String subscription;

    @Option(names = "--config", paramLabel = "FILE",
            description = "Login file (default: $NW_CONFIG, else ~/.config/netwatcher/config.json).")
    Path config;

    @Option(names = "--data-dir", paramLabel = "DIR",
            description = "Use the controller that `nw up --data-dir DIR` runs (its URL, CA and admin token from DIR/controller.json)."
                    + " Default, without a login: .nw-data.")
    Path dataDir;
}
