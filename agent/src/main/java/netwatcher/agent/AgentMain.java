package netwatcher.agent;

import java.util.Arrays;
import netwatcher.logging.Logging;

/**
 * {@code java -cp ... netwatcher.agent.AgentMain [--config FILE] [--key value ...]}: the agent
 * without the CLI. Keys are those of {@link AgentConfig#KEYS}; {@code --help} lists them with their
 * defaults. Logs go to stderr, one line per event ({@code log-format=json}: one JSON object per line;
 * under systemd without the time, which the journal adds). Exits with {@link Agent#run}'s code.
 */
public final class AgentMain {
    private AgentMain() {}

    public static void main(String[] args) {
        if (Arrays.asList(args).contains("--help")) {
            System.out.println("usage: netwatcher-agent [--config FILE] [--KEY VALUE ...]   (flags override the file)");
            AgentConfig.KEYS.forEach((k, v) -> System.out.println("  --" + k + (v == null ? "" : "   (default " + (v.isEmpty() ? "none" : v) + ")")));
            return;
        }
        AgentConfig config;
        try {
            config = AgentConfig.parse(Arrays.asList(args));
        } catch (IllegalArgumentException e) {
            System.err.println("netwatcher-agent: " + e.getMessage());
            System.exit(Agent.EXIT_CONFIG);
            return;
        }
        Logging.configure(config.logFormat());
        System.exit(Agent.run(config));
    }
}
