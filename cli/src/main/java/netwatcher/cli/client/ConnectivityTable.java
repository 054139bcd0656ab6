package netwatcher.cli.client;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * {@code nw watcher test-connectivity -o table}: ConnectivityInformation as a person reads it, one row per hop
 * (#, type, host/VM, address, RTT, issues as {@code type: rule/route name}), then the status and the probe counts.
 * Pure apart from the host-name lookup it is given; one instance per rendering.
 */
final class ConnectivityTable {
    private static final List<String> HEADERS = List.of("#", "Type", "Host", "Address", "RTT", "Issues");

    private ConnectivityTable() {}

    /**
     * @param result  the ConnectivityInformation body
     * @param hostOf  a hop's resourceId → the name of the VM that owns it (a NIC's VM), or null when unknown
     */
    static String render(JsonNode result, Function<String, String> hostOf) {
        List<List<String>> rows = new ArrayList<>();
        int n = 0;
        for (JsonNode hop : result.path("hops")) {
            List<String> row = new ArrayList<>();
            row.add(Integer.toString(++n));
            row.add(hop.path("type").asText(""));
            row.add(host(hop.path("resourceId").asText(""), hostOf));
            row.add(hop.path("address").isNull() ? "*" : hop.path("address").asText("*"));
            row.add(rtt(hop));
            List<String> issues = new ArrayList<>();
            for (JsonNode issue : hop.path("issues")) issues.add(issue(issue));
            row.add(String.join("; ", issues));
            rows.add(row);
        }
        StringBuilder sb = new StringBuilder();
        int[] width = new int[HEADERS.size()];
        for (int i = 0; i < width.length; i++) {
            width[i] = HEADERS.get(i).length();
            for (List<String> row : rows) width[i] = Math.max(width[i], row.get(i).length());
        }
        line(sb, HEADERS, width);
        line(sb, java.util.Arrays.stream(width).mapToObj("-"::repeat).toList(), width);
        rows.forEach(row -> line(sb, row, width));
        sb.append('\n');
        sb.append("Status: ").append(result.path("connectionStatus").asText("Unknown")).append('\n');
        sb.append("Probes: ").append(result.path("probesSent").asInt()).append(" sent, ")
                .append(result.path("probesFailed").asInt()).append(" failed");
        if (result.has("avgLatencyInMs")) {
            sb.append("; latency min/avg/max ").append(result.path("minLatencyInMs").asInt()).append('/')
                    .append(result.path("avgLatencyInMs").asInt()).append('/').append(result.path("maxLatencyInMs").asInt())
                    .append(" ms");
        }
        sb.append('\n');
        return sb.toString();
    }

    /** {@code type: name}: the rule, route or the class's key fact (port, status, certificate problem, ICMP code). */
    static String issue(JsonNode issue) {
        String type = issue.path("type").asText("Unknown");
        String name = null;
        for (String key : List.of("RuleName", "Route", "Problem", "IcmpCode", "HostName", "Reason", "Limitation", "Message")) {
            name = context(issue, key);
            if (name != null) break;
        }
        String status = context(issue, "Status");
        if (status != null) name = status + " (expected " + context(issue, "ValidStatusCodes") + ")";
        else if (type.equals("PortClosed")) name = "port " + context(issue, "Port");
        String text = name == null ? type : type + ": " + name;
        return "Warning".equals(issue.path("severity").asText()) ? text + " (warning)" : text;
    }

    private static String context(JsonNode issue, String key) {
        for (JsonNode kv : issue.path("context")) {
            if (key.equals(kv.path("key").asText())) return kv.path("value").asText();
        }
        return null;
    }

    private static String host(String resourceId, Function<String, String> hostOf) {
        if (resourceId.isEmpty() || resourceId.equals("Unknown") || resourceId.equals("Internet")) return "";
        String name = hostOf.apply(resourceId);
        if (name != null) return name;
        int vms = resourceId.indexOf("/virtualMachines/");
        if (vms >= 0) return resourceId.substring(vms + "/virtualMachines/".length()).replaceAll("/.*", "");
        return "";
    }

    /** The average round trip to this hop (its previous link's), in ms, or empty. */
    private static String rtt(JsonNode hop) {
        for (JsonNode link : hop.path("previousLinks")) {
            JsonNode avg = link.path("properties").path("roundTripTimeAvg");
            if (avg.isNumber()) return avg.asLong() + " ms";
        }
        return "";
    }

    private static void line(StringBuilder sb, List<String> cells, int[] width) {
        StringBuilder line = new StringBuilder();
        for (int i = 0; i < cells.size(); i++) {
            if (i > 0) line.append("  ");
            line.append(cells.get(i)).append(" ".repeat(width[i] - cells.get(i).length()));
        }
        sb.append(line.toString().stripTrailing()).append('\n');
    }
}
