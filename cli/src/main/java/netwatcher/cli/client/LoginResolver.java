package netwatcher.cli.client;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import netwatcher.cli.discovery.ControllerDiscovery;
import netwatcher.cli.discovery.ControllerRecord;

/**
 * Which controller and credentials an ARM command uses, in one order:
 * <ol>
 *   <li>explicit flags: {@code --data-dir DIR} (the controller {@code nw up --data-dir DIR} recorded there) or
 *       {@code --config FILE} (a stored login), not both;</li>
 *   <li>the stored login: {@code $NW_CONFIG}, else {@code ~/.config/netwatcher/config.json}, when it exists;</li>
 *   <li>the record of the default data directory ({@code .nw-data} here, else in the netwatcher home);</li>
 *   <li>without a record, that directory's admin token and CA with the default endpoint (controllers started
 *       before records existed), else no credentials ({@code NotLoggedIn}).</li>
 * </ol>
 * A record whose controller is not running is an error at once (exit code 7) that says so and names the
 * command that starts it; nothing waits for a connection timeout. Stateless.
 */
final class LoginResolver {
    private LoginResolver() {}

    /**
     * @param dataDir the {@code --data-dir} given, or null
     * @param config  the {@code --config} given, or null
     * @param env     the environment ({@code NW_CONFIG})
     */
    static ClientConfig resolve(Path dataDir, Path config, Map<String, String> env) {
        if (dataDir != null && config != null) {
            throw CliException.usage("--data-dir and --config both say which controller to use: give one of them");
        }
        if (dataDir != null) {
            ClientConfig found = fromRecord(dataDir);
            if (found == null) {
                throw new CliException(ExitCodes.CONNECTION, "ControllerNotFound", "no controller has recorded itself in "
                        + dataDir + " (no " + ControllerRecord.file(dataDir) + "): start one with `./nw up --data-dir " + dataDir
                        + "`, or check the directory");
            }
            return found;
        }
        Path file = config != null ? config : ClientConfig.path(env);
        if (Files.exists(file)) return ClientConfig.load(file);
        ClientConfig found = fromRecord(ControllerDiscovery.defaultDataDir());
        return found != null ? found : ClientConfig.localDefault();
    }

    /** The login of the controller recorded in {@code dataDir}; null when there is no record. */
    private static ClientConfig fromRecord(Path dataDir) {
        ControllerDiscovery.Found found;
        try {
            found = ControllerDiscovery.find(dataDir);
        } catch (IllegalStateException e) {
            throw new CliException(ExitCodes.GENERIC, "BadControllerRecord", e.getMessage(), e);
        }
        return switch (found) {
            case ControllerDiscovery.Running running -> {
                String token;
                try {
                    token = running.token();
                } catch (IllegalStateException e) {
                    throw new CliException(ExitCodes.AUTH, "AdminTokenUnreadable", e.getMessage(), e);
                }
                ControllerRecord r = running.record();
                yield new ClientConfig(r.url(), token, null, null, null, r.caFile(), null);
            }
            case ControllerDiscovery.NotRunning notRunning ->
                    throw new CliException(ExitCodes.CONNECTION, "ControllerNotRunning", notRunning.reason());
            case ControllerDiscovery.NoRecord none -> null;
        };
    }
}
