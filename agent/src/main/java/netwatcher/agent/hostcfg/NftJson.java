package netwatcher.agent.hostcfg;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import netwatcher.model.check.CheckReport;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Reads the output of {@code nft -j list ruleset} (JSON schema version 1) into a {@link FirewallSnapshot}. */
final class NftJson {
    static final Set<String> VERDICTS = Set.of("accept", "drop", "reject", "jump", "goto", "return", "queue",
            "continue");
    private static final ObjectMapper JSON = new ObjectMapper();

    private NftJson() {}

    static FirewallSnapshot parse(String json, Instant takenAt, List<CheckReport.Finding> warnings) {
        JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (Exception e) {
            throw new IllegalStateException("nft -j list ruleset printed no JSON: " + e.getMessage(), e);
        }
        JsonNode items = root.path("nftables");
        List<FirewallSnapshot.Chain> chains = new ArrayList<>();
        List<FirewallSnapshot.Rule> rules = new ArrayList<>();
        Map<String, JsonNode> sets = new LinkedHashMap<>();
        for (JsonNode item : items) {
            if (item.has("chain")) {
                JsonNode c = item.get("chain");
                String hook = text(c, "hook");
                chains.add(new FirewallSnapshot.Chain(text(c, "family"), text(c, "table"), text(c, "name"),
                        text(c, "type"), hook, c.has("prio") && c.get("prio").isNumber() ? c.get("prio").asInt() : null,
                        hook == null ? null : c.path("policy").asText("accept"), FirewallSnapshot.Backend.NFT,
                        text(c, "dev")));
            } else if (item.has("set") || item.has("map")) {
                JsonNode s = item.has("set") ? item.get("set") : item.get("map");
                JsonNode elem = s.has("elem") ? s.get("elem") : JsonNodeFactory.instance.arrayNode();
                sets.put(text(s, "family") + "/" + text(s, "table") + "/" + text(s, "name"), elem);
            } else if (item.has("rule")) {
                rules.add(rule(item.get("rule")));
            }
        }
        return new FirewallSnapshot(takenAt, chains, rules, sets, warnings);
    }

    static FirewallSnapshot.Rule rule(JsonNode r) {
        String verdict = null;
        String target = null;
        long packets = -1;
        long bytes = -1;
        List<JsonNode> matches = new ArrayList<>();
        JsonNode expr = r.path("expr");
        for (JsonNode statement : expr) {
            String name = statement.fieldNames().hasNext() ? statement.fieldNames().next() : "";
            if (name.equals("match")) {
                matches.add(statement.get("match"));
            } else if (name.equals("counter") && packets < 0 && statement.get("counter").has("packets")) {
                packets = statement.get("counter").path("packets").asLong();
                bytes = statement.get("counter").path("bytes").asLong();
            } else if (name.equals("xt") && verdict == null && "target".equals(statement.get("xt").path("type").asText())
                    && "REJECT".equals(statement.get("xt").path("name").asText())) {
                verdict = "reject"; // iptables-nft keeps -j REJECT as an xtables target
            } else if (VERDICTS.contains(name) && verdict == null) {
                verdict = name;
                if (name.equals("jump") || name.equals("goto")) target = text(statement.get(name), "target");
            }
        }
        return new FirewallSnapshot.Rule(text(r, "family"), text(r, "table"), text(r, "chain"), r.path("handle").asLong(),
                text(r, "comment"), verdict, target, packets, bytes, matches, expr, null, FirewallSnapshot.Backend.NFT);
    }

    private static String text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value == null || value.isNull() ? null : value.asText();
    }
}
