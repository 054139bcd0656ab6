package netwatcher.lab;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * One host of a running lab, as agents and tests see it. Immutable and thread-safe.
 *
 * @param name              the topology's host name ({@code app})
 * @param namespace         the network namespace ({@code nw-lab-app})
 * @param agent             whether the host runs an agent
 * @param addresses         the lab addresses of its NICs with prefix length ({@code 198.18.1.10/24}), in topology order
 * @param managementAddress the address of {@code mgmt0} (agent hosts only)
 * @param controllerUrl     where its agent reaches the controller ({@code https://198.19.255.1:8443})
 * @param directory         {@code dataDir/lab/hosts/<name>}: {@code captures/} (its {@code /var/captures}),
 *                          {@code agent/} (agent state), {@code agent.log}
 * @param scaleSet          the scale set its agent joins (topology {@code scaleSet}), if any
 */
public record LabHost(String name, String namespace, boolean agent, List<String> addresses,
                      Optional<String> managementAddress, String controllerUrl, Path directory, Optional<String> scaleSet) {

    public LabHost {
        addresses = List.copyOf(addresses);
    }

    /** The first IPv4 address without prefix length, e.g. {@code 198.18.1.10}. */
    public String ipv4() {
        return addresses.stream().filter(a -> !a.contains(":")).map(a -> a.substring(0, a.indexOf('/'))).findFirst()
                .orElseThrow(() -> new IllegalStateException(name + " has no IPv4 address"));
    }

    /** The first IPv6 address without prefix length, if any. */
    public Optional<String> ipv6() {
        return addresses.stream().filter(a -> a.contains(":")).map(a -> a.substring(0, a.indexOf('/'))).findFirst();
    }

    /** The host's private {@code /var/captures}. */
    public Path capturesDirectory() {
        return directory.resolve("captures");
    }

    /** The directory to give the agent as its state directory. */
    public Path agentStateDirectory() {
        return directory.resolve("agent");
    }

    public Path agentLog() {
        return directory.resolve("agent.log");
    }
}
