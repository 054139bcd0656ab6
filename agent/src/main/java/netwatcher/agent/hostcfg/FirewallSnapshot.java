package netwatcher.agent.hostcfg;

import com.fasterxml.jackson.databind.JsonNode;
import netwatcher.model.check.CheckReport;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The host's nftables ruleset at one instant, as {@code nft -j list ruleset} printed it: every chain
 * and every rule with its counter, verdict and match expressions, the named sets, and warnings about
 * what the snapshot cannot see (rules in {@code iptables-legacy}). Two snapshots taken around a probe
 * are diffed by {@link HostConfig#explain}. Immutable.
 *
 * @param takenAt  when it was read
 * @param chains   every chain, in the order nft listed them
 * @param rules    every rule, in chain order
 * @param sets     named sets by {@code family/table/name}: their {@code elem} array (empty when none)
 * @param warnings findings about what is not evaluated (severity Warning)
 */
public record FirewallSnapshot(Instant takenAt, List<Chain> chains, List<Rule> rules, Map<String, JsonNode> sets,
                               List<CheckReport.Finding> warnings) {
    public FirewallSnapshot {
        chains = List.copyOf(chains);
        rules = List.copyOf(rules);
        sets = Map.copyOf(sets);
        warnings = List.copyOf(warnings);
    }

    /**
     * A chain. Base chains have a hook (prerouting, input, forward, output, postrouting, ingress), a type
     * (filter, nat, route), a priority and a policy (accept when nft does not say); regular chains have none.
     */
    public record Chain(String family, String table, String name, String type, String hook, Integer priority,
                        String policy) {
        public boolean isBase() { return hook != null; }

        /** {@code family/table/name}. */
        public String key() { return family + "/" + table + "/" + name; }
    }

    /**
     * A rule.
     *
     * @param verdict  accept, drop, reject, jump, goto, return, queue, continue, or null when the rule has no verdict
     *                 statement (it only counts, logs, marks...)
     * @param target   the chain of a jump/goto, else null
     * @param packets  the first counter's packets, or -1 when the rule has no counter
     * @param bytes    the first counter's bytes, or -1 when the rule has no counter
     * @param matches  the rule's {@code match} expressions (each the JSON object under "match")
     * @param expr     the rule's whole expression array, as nft printed it
     */
    public record Rule(String family, String table, String chain, long handle, String comment, String verdict,
                       String target, long packets, long bytes, List<JsonNode> matches, JsonNode expr) {
        public Rule {
            matches = List.copyOf(matches);
        }

        /** {@code family/table/chain/handle}: unique while the rule exists. */
        public String key() { return family + "/" + table + "/" + chain + "/" + handle; }

        /** The chain's key, {@code family/table/chain}. */
        public String chainKey() { return family + "/" + table + "/" + chain; }

        /** The comment when there is one, else {@code table/chain/handle}. */
        public String displayName() {
            return comment != null && !comment.isBlank() ? comment : table + "/" + chain + "/" + handle;
        }

        public boolean hasCounter() { return packets >= 0; }
    }

    /** The chain with this {@code family/table/name}, if any. */
    public Optional<Chain> chain(String family, String table, String name) {
        return chains.stream().filter(c -> c.family().equals(family) && c.table().equals(table) && c.name().equals(name))
                .findFirst();
    }

    /** The rules of one chain, in order. */
    public List<Rule> rulesOf(Chain chain) {
        List<Rule> out = new ArrayList<>();
        for (Rule rule : rules) {
            if (rule.family().equals(chain.family()) && rule.table().equals(chain.table())
                    && rule.chain().equals(chain.name())) {
                out.add(rule);
            }
        }
        return out;
    }

    /** The rule with the same key in this snapshot, if it still exists. */
    public Optional<Rule> rule(String key) {
        return rules.stream().filter(r -> r.key().equals(key)).findFirst();
    }
}
