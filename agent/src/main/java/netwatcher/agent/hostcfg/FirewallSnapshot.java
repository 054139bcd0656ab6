package netwatcher.agent.hostcfg;

import com.fasterxml.jackson.databind.JsonNode;
import netwatcher.model.check.CheckReport;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The host's packet filter at one instant: the nftables ruleset as {@code nft -j list ruleset} printed it
 * (tables written by {@code nft} and by {@code iptables-nft}, the latter with the matches and comments
 * {@code iptables-nft-save} shows), plus the tables of {@code iptables-legacy} as {@code iptables-legacy-save -c}
 * printed them. Every chain and every rule with its counter, verdict, match expressions and text, the named
 * sets, and warnings about what the snapshot cannot see. Two snapshots taken around a probe are diffed by
 * {@link HostConfig#explain}. Immutable.
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
     * An ingress chain (family netdev, or inet) is bound to one device, null when not known.
     */
    public record Chain(String family, String table, String name, String type, String hook, Integer priority,
                        String policy, Backend backend, String device) {
        public Chain {
            if (backend == null) backend = Backend.NFT;
        }

        Chain withDevice(String newDevice) {
            return new Chain(family, table, name, type, hook, priority, policy, backend, newDevice);
        }

        public boolean isBase() { return hook != null; }

        /** {@code family/table/name}, with the backend's prefix for iptables-legacy (its tables are not nftables'). */
        public String key() { return backend.keyPrefix() + family + "/" + table + "/" + name; }
    }

    /** Which tool wrote a table: it decides how a rule is named and whether an nftables trace can see it. */
    public enum Backend {
        /** Written by {@code nft} (or anything speaking nftables natively, such as firewalld). */
        NFT("nft", ""),
        /** Written by {@code iptables-nft} (Debian's {@code iptables}): nftables tables with xtables matches. */
        IPTABLES_NFT("iptables-nft", ""),
        /** Written by {@code iptables-legacy}: the old xtables, invisible to nft and to its traces. */
        IPTABLES_LEGACY("iptables-legacy", "iptables-legacy:");

        private final String wireName;
        private final String keyPrefix;

        Backend(String wireName, String keyPrefix) {
            this.wireName = wireName;
            this.keyPrefix = keyPrefix;
        }

        /** As findings spell it (context Backend). */
        public String wireName() { return wireName; }

        String keyPrefix() { return keyPrefix; }

        /** True when an nftables trace sees this backend's rules. */
        public boolean traceable() { return this != IPTABLES_LEGACY; }
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
     * @param expr     the rule's whole expression array, as nft printed it (for iptables-legacy: synthesized
     *                 in the same shape)
     * @param handle   nft's rule handle; for iptables-legacy the rule's position in its chain (1 = first), as
     *                 {@code iptables -L --line-numbers} counts
     * @param text     the rule as its tool prints it ({@code nft -a list ruleset}, or the {@code -A} line of
     *                 iptables-save), or null when unknown
     * @param backend  which tool wrote the rule's table
     */
    public record Rule(String family, String table, String chain, long handle, String comment, String verdict,
                       String target, long packets, long bytes, List<JsonNode> matches, JsonNode expr, String text,
                       Backend backend) {
        public Rule {
            matches = List.copyOf(matches);
            if (backend == null) backend = Backend.NFT;
        }

        /** {@code family/table/chain/handle}: unique while the rule exists (prefixed for iptables-legacy). */
        public String key() { return chainKey() + "/" + handle; }

        /** The chain's key, {@code family/table/chain} (prefixed for iptables-legacy). */
        public String chainKey() { return backend.keyPrefix() + family + "/" + table + "/" + chain; }

        /**
         * The comment when there is one, else {@code family/table/chain/handle} (iptables-legacy:
         * {@code iptables-legacy/family/table/chain/position}).
         */
        public String displayName() {
            if (comment != null && !comment.isBlank()) return comment;
            return (backend == Backend.IPTABLES_LEGACY ? backend.wireName() + "/" : "") + family + "/" + table + "/"
                    + chain + "/" + handle;
        }

        /** The same rule with another comment, text, backend and matches (iptables-nft rules read back). */
        Rule withIptables(String newComment, String newText, Backend newBackend, String newVerdict, String newTarget,
                          List<JsonNode> newMatches) {
            return new Rule(family, table, chain, handle, newComment, newVerdict, newTarget, packets, bytes, newMatches,
                    expr, newText, newBackend);
        }

        Rule withText(String newText) {
            return new Rule(family, table, chain, handle, comment, verdict, target, packets, bytes, matches, expr,
                    newText, backend);
        }

        public boolean hasCounter() { return packets >= 0; }
    }

    /** The nftables chain with this {@code family/table/name}, if any. */
    public Optional<Chain> chain(String family, String table, String name) {
        return chain(Backend.NFT, family, table, name);
    }

    /** The chain with this {@code family/table/name} of a rule's backend (iptables-legacy's are apart), if any. */
    public Optional<Chain> chain(Backend backend, String family, String table, String name) {
        boolean legacy = backend == Backend.IPTABLES_LEGACY;
        return chains.stream().filter(c -> (c.backend() == Backend.IPTABLES_LEGACY) == legacy && c.family().equals(family)
                && c.table().equals(table) && c.name().equals(name)).findFirst();
    }

    /** The rules of one chain, in order. */
    public List<Rule> rulesOf(Chain chain) {
        List<Rule> out = new ArrayList<>();
        String key = chain.key();
        for (Rule rule : rules) {
            if (rule.chainKey().equals(key)) out.add(rule);
        }
        return out;
    }

    /** The rule with the same key in this snapshot, if it still exists. */
    public Optional<Rule> rule(String key) {
        return rules.stream().filter(r -> r.key().equals(key)).findFirst();
    }

    /** The chains a rule may jump or go to: its own verdict's, and those of a verdict map's elements. */
    private static List<String> targets(FirewallSnapshot.Rule rule) {
        List<String> out = new ArrayList<>();
        if (rule.target() != null) out.add(rule.target());
        if (rule.expr() == null) return out;
        for (JsonNode statement : rule.expr()) {
            for (JsonNode element : statement.path("vmap").path("data").path("set")) {
                JsonNode verdict = element.path(1);
                for (String kind : List.of("jump", "goto")) {
                    if (verdict.path(kind).has("target")) out.add(verdict.path(kind).path("target").asText());
                }
            }
        }
        return out;
    }

    /** Chain key → the hooks of the base chains that reach it (itself, or by jump/goto, verdict maps included). */
    public Map<String, Set<String>> hooksReaching() {
        FirewallSnapshot snapshot = this;
        Map<String, Set<String>> out = new LinkedHashMap<>();
        for (FirewallSnapshot.Chain base : snapshot.chains()) {
            if (!base.isBase()) continue;
            Deque<FirewallSnapshot.Chain> todo = new ArrayDeque<>(List.of(base));
            Set<String> seen = new HashSet<>();
            while (!todo.isEmpty()) {
                FirewallSnapshot.Chain chain = todo.pop();
                if (!seen.add(chain.key())) continue;
                out.computeIfAbsent(chain.key(), k -> new LinkedHashSet<>()).add(base.hook());
                for (FirewallSnapshot.Rule rule : snapshot.rulesOf(chain)) {
                    for (String target : targets(rule)) {
                        snapshot.chain(rule.backend(), rule.family(), rule.table(), target).ifPresent(todo::push);
                    }
                }
            }
        }
        return out;
    }
}
