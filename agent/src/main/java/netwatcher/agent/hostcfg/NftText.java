package netwatcher.agent.hostcfg;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the rule texts out of {@code nft -a list ruleset}: each rule as nft prints it (the way a person wrote or
 * reads it), keyed by {@code family/table/chain/handle}, counter values left out (they change between reads).
 * The JSON listing has the structure; this has the words a finding quotes. Stateless.
 */
final class NftText {
    private static final Pattern TABLE = Pattern.compile("^table (\\S+) (\\S+) \\{");
    private static final Pattern CHAIN = Pattern.compile("^chain (\\S+) \\{");
    private static final Pattern BLOCK = Pattern.compile("^(set|map|flowtable|ct helper|ct timeout|ct expectation|counter|quota|limit|secmark|synproxy) ");
    private static final Pattern RULE = Pattern.compile("^(.*\\S)\\s+# handle (\\d+)$");
    private static final Pattern COUNTER_VALUES = Pattern.compile("\\s*packets \\d+ bytes \\d+");

    private NftText() {}

    private static final Pattern DEVICE = Pattern.compile("hook ingress device \"?([^\"\\s;]+)\"?");

    /** Chain key ({@code family/table/chain}) → the device of an ingress chain, as {@code type ... device "x"} says. */
    static Map<String, String> chainDevices(String listing) {
        Map<String, String> out = new LinkedHashMap<>();
        forEachChainLine(listing, (chainKey, line) -> {
            Matcher d = DEVICE.matcher(line);
            if (line.startsWith("type ") && d.find()) out.put(chainKey, d.group(1));
        });
        return out;
    }

    /** Rule key ({@code family/table/chain/handle}) → the rule's text. */
    static Map<String, String> ruleTexts(String listing) {
        Map<String, String> out = new LinkedHashMap<>();
        forEachChainLine(listing, (chainKey, line) -> {
            Matcher r = RULE.matcher(line);
            if (!r.find()) return;
            String text = COUNTER_VALUES.matcher(r.group(1)).replaceAll("").replaceAll("\\s{2,}", " ").strip();
            out.put(chainKey + "/" + r.group(2), text);
        });
        return out;
    }

    /**
     * Calls {@code visit} with the chain's key ({@code family/table/chain}) and each stripped line inside a chain of
     * the listing; the lines of sets, maps and other objects of a table are not a chain's and are skipped.
     */
    private static void forEachChainLine(String listing, java.util.function.BiConsumer<String, String> visit) {
        String family = null;
        String table = null;
        String chain = null;
        for (String raw : listing.lines().toList()) {
            String line = raw.strip();
            Matcher t = TABLE.matcher(line);
            if (t.find()) {
                family = t.group(1);
                table = unquote(t.group(2));
                chain = null;
                continue;
            }
            Matcher c = CHAIN.matcher(line);
            if (c.find()) {
                chain = unquote(c.group(1));
                continue;
            }
            if (BLOCK.matcher(line).find() && line.endsWith("{") || line.contains("{ # handle")) {
                chain = null; // a set, map or other object: its lines are no rules
                continue;
            }
            if (line.equals("}") || chain == null || table == null) continue;
            visit.accept(family + "/" + table + "/" + chain, line);
        }
    }

    private static String unquote(String name) {
        return name.length() >= 2 && name.startsWith("\"") && name.endsWith("\"") ? name.substring(1, name.length() - 1) : name;
    }
}
