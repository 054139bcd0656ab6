package netwatcher.lab;

import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * How to run a lab: where its files go, its name, where the controller listens and how agents start.
 *
 * <p>Everything the lab writes lives under {@code dataDir/lab/}: {@code state.json} (what exists,
 * for {@link Lab#down}), {@code ca/} (the lab CA), {@code hosts/<host>/} (agent state, captures,
 * logs). Kernel objects are named after {@code labName}: namespaces {@code nw-<labName>-<host>},
 * the root-side management veth {@code nw<labName>m}. Immutable and thread-safe.
 *
 * @param dataDir           the data directory (the CLI's {@code --data-dir})
 * @param labName           1 to 12 of {@code [a-z0-9]}, starting with a letter; default {@code lab}
 * @param controllerPort    the port the controller listens on at the management address
 * @param managementNetwork the management /24; the root namespace gets its {@code .1} (the controller
 *                          address), agent hosts {@code .10}, {@code .11}, ... Default
 *                          {@value #DEFAULT_MANAGEMENT_NETWORK}
 * @param agentLauncher     the agent command per host
 * @param startAgents       whether {@link Lab#up} starts an agent on every agent host
 */
public record LabSpec(Path dataDir, String labName, int controllerPort, String managementNetwork,
                      AgentLauncher agentLauncher, boolean startAgents) {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final String ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789";

    public static final String DEFAULT_LAB_NAME = "lab";
    public static final String DEFAULT_MANAGEMENT_NETWORK = "198.19.255.0/24";
    public static final int DEFAULT_CONTROLLER_PORT = 8443;
    private static final Pattern LAB_NAME = Pattern.compile("[a-z][a-z0-9]{0,11}");

    public LabSpec {
        Objects.requireNonNull(dataDir, "dataDir");
        dataDir = dataDir.toAbsolutePath().normalize();
        Objects.requireNonNull(agentLauncher, "agentLauncher");
        checkLabName(labName);
        if (controllerPort < 1 || controllerPort > 65535) {
            throw new IllegalArgumentException("controllerPort: " + controllerPort + " is not a port");
        }
        Cidr network;
        try {
            network = Cidr.parse(managementNetwork);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("managementNetwork: " + e.getMessage(), e);
        }
        if (network.ipv6() || network.prefixLength() != 24 || !network.inLabSpace()) {
            throw new IllegalArgumentException("managementNetwork: " + managementNetwork + " must be an IPv4 /24 inside 198.18.0.0/15");
        }
        managementNetwork = network.network().toString();
    }

    /** Lab {@code lab} in {@code dataDir}, controller on 8443, default management network, no agents. */
    public static LabSpec of(Path dataDir) {
        return new LabSpec(dataDir, DEFAULT_LAB_NAME, DEFAULT_CONTROLLER_PORT, DEFAULT_MANAGEMENT_NETWORK, AgentLauncher.none(), false);
    }

    public LabSpec withLabName(String name) {
        return new LabSpec(dataDir, name, controllerPort, managementNetwork, agentLauncher, startAgents);
    }

    public LabSpec withControllerPort(int port) {
        return new LabSpec(dataDir, labName, port, managementNetwork, agentLauncher, startAgents);
    }

    public LabSpec withManagementNetwork(String network) {
        return new LabSpec(dataDir, labName, controllerPort, network, agentLauncher, startAgents);
    }

    /** Starts agents with {@code launcher} on every agent host when the lab comes up. */
    public LabSpec withAgents(AgentLauncher launcher) {
        return new LabSpec(dataDir, labName, controllerPort, managementNetwork, launcher, true);
    }

    /** Keeps {@code launcher} for {@link LabHandle#startAgent} but starts no agent in {@link Lab#up}. */
    public LabSpec withAgentsStopped(AgentLauncher launcher) {
        return new LabSpec(dataDir, labName, controllerPort, managementNetwork, launcher, false);
    }

    /** The directory of this lab's files: {@code dataDir/lab}. */
    public Path labDir() {
        return dataDir.resolve("lab");
    }

    /** The controller's address as agents see it: the management network's {@code .1}. */
    public String controllerAddress() {
        return Cidr.text(Cidr.parse(managementNetwork).host(1));
    }

    /** {@code https://<controllerAddress>:<controllerPort>}. */
    public String controllerUrl() {
        return "https://" + controllerAddress() + ":" + controllerPort;
    }

    /** A random lab name: {@code prefix} and 6 of {@code [a-z0-9]}. */
    public static String randomLabName(char prefix) {
        StringBuilder name = new StringBuilder().append(prefix);
        for (int i = 0; i < 6; i++) name.append(ALPHABET.charAt(RANDOM.nextInt(ALPHABET.length())));
        return name.toString();
    }

    /** A management /24 in 198.19.128.0/17 (below the default .255) that the root namespace does not route. */
    public static String freeManagementNetwork() {
        for (int attempt = 0; attempt < 50; attempt++) {
            String candidate = "198.19." + (128 + RANDOM.nextInt(127)) + ".0/24";
            var routes = Commands.run(List.of("ip", "-4", "route", "show", "match", candidate));
            if (!routes.stdout().contains(candidate.substring(0, candidate.length() - 4))) return candidate;
        }
        throw new LabException("no free management /24 in 198.19.128.0/17");
    }

    static void checkLabName(String labName) {
        if (labName == null || !LAB_NAME.matcher(labName).matches()) {
            throw new IllegalArgumentException("labName: '" + labName + "' must match " + LAB_NAME
                    + " (it becomes part of interface names of at most 15 characters)");
        }
    }
}
