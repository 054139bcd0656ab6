package netwatcher.model.agent;

import java.util.List;

/**
 * PUT {@code /agent/v1/host}: what the agent sees of its host. {@code capabilities} lists what it
 * can do ({@code capture}, {@code probe}, {@code firewall}); {@code problems} says in plain words
 * what it lacks ("libpcap not found: install libpcap0.8", "CAP_NET_RAW missing"). {@code routeTables}
 * are the host's kernel routing tables (empty from an agent that does not read them). {@code scaleSet}
 * is the scale set the agent's host is an instance of ({@code nw agent --scale-set NAME}), null for a
 * stand-alone VM.
 */
public record HostReport(String agentVersion, String hostname, String os, List<NicReport> nics,
                         List<String> capabilities, List<String> problems, List<RouteTableReport> routeTables,
                         String scaleSet) {
    public HostReport {
        nics = nics == null ? List.of() : List.copyOf(nics);
        capabilities = capabilities == null ? List.of() : List.copyOf(capabilities);
        problems = problems == null ? List.of() : List.copyOf(problems);
        routeTables = routeTables == null ? List.of() : List.copyOf(routeTables);
    }

    /** A report without route tables. */
    public HostReport(String agentVersion, String hostname, String os, List<NicReport> nics, List<String> capabilities,
                      List<String> problems) {
        this(agentVersion, hostname, os, nics, capabilities, problems, List.of(), null);
    }

    /** This report with {@code tables} as its route tables. */
    public HostReport withRouteTables(List<RouteTableReport> tables) {
        return new HostReport(agentVersion, hostname, os, nics, capabilities, problems, tables, scaleSet);
    }

    /** This report as an instance of scale set {@code name} (null: of none). */
    public HostReport withScaleSet(String name) {
        return new HostReport(agentVersion, hostname, os, nics, capabilities, problems, routeTables, name);
    }

    /** This report with other NICs and problems (the controller drops addresses another VM owns). */
    public HostReport withNicsAndProblems(List<NicReport> newNics, List<String> newProblems) {
        return new HostReport(agentVersion, hostname, os, newNics, capabilities, newProblems, routeTables, scaleSet);
    }
}
