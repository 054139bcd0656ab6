package netwatcher.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import netwatcher.agent.Agent;
import netwatcher.agent.AgentConfig;
import netwatcher.logging.Logging;
import picocli.CommandLine.Command;
import picocli.CommandLine.Unmatched;

/** {@code nw agent ...}: runs the agent daemon (flags and settings: docs/agent.md). */
@Command(name = "agent", mixinStandardHelpOptions = true,
        description = {"Run the netwatcher agent (the host's AzureNetworkWatcherExtension) in the foreground.",
                "Flags: --config FILE, --controller-url URL[,URL...], --enrollment-token T, --vm-name N, --resource-group RG,",
                "--location L, --subscription-id S, --scale-set NAME, --ca-file PEM, --state-dir DIR, --captures-root DIR,",
                "--log-format text|json, ...",
                "(docs/agent.md). Logs go to stderr, one line per event; --log-format json writes one JSON object per line."})
public final class AgentCommand implements Callable<Integer> {
    @Unmatched
    List<String> flags = new ArrayList<>();

    @Override
    public Integer call() {
        AgentConfig config;
        try {
            config = AgentConfig.parse(flags);
        } catch (IllegalArgumentException e) {
            System.err.println("nw agent: " + e.getMessage());
            return 2;
        }
        Logging.configure(config.logFormat());
        return Agent.run(config);
    }
}
