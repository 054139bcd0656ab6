package netwatcher.agent.hostcfg;

import netwatcher.model.check.CheckReport;

import java.time.InstantSource;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads the host's whole packet filter into one {@link FirewallSnapshot}, whichever tool wrote it:
 * <ol>
 *   <li>{@code nft -j list ruleset}: every nftables table (structure, counters), and {@code nft -a list ruleset}
 *       for each rule's text;</li>
 *   <li>tables written by {@code iptables-nft} (Debian's {@code iptables}) are nftables tables whose
 *       xtables matches (multiport, conntrack, comment...) the JSON leaves opaque: {@code iptables-nft-save -c}
 *       (and {@code ip6tables-nft-save -c}) gives them back, merged rule by rule into the same handles when the
 *       chain has as many rules in both listings;</li>
 *   <li>{@code iptables-legacy} tables, which nftables does not show at all: {@code iptables-legacy-save -c}
 *       (and {@code ip6tables-legacy-save -c}) when the legacy module holds tables
 *       ({@code /proc/net/ip_tables_names}).</li>
 * </ol>
 * What cannot be read becomes a Warning finding of the snapshot. Thread-safe: no state between calls.
 */
final class RulesetReader {
    private static final Set<String> IPTABLES_TABLES = Set.of("filter", "nat", "mangle", "raw", "security");
    private static final Set<String> BUILT_IN_CHAINS = Set.of("INPUT", "FORWARD", "OUTPUT", "PREROUTING", "POSTROUTING");

    private final Commands commands;
    private final InstantSource clock;

    RulesetReader(Commands commands, InstantSource clock) {
        this.commands = commands;
        this.clock = clock;
    }

    /** @throws IllegalStateException when {@code nft} fails (missing, no CAP_NET_ADMIN) */
    FirewallSnapshot read() {
        String json = commands.runOrThrow("nft", "-j", "list", "ruleset");
        FirewallSnapshot nft = NftJson.parse(json, clock.instant(), List.of());
        Commands.Result listing = commands.run("nft", "-a", "list", "ruleset");
        Map<String, String> texts = listing.ok() ? NftText.ruleTexts(listing.stdout()) : Map.of();
        Map<String, String> devices = listing.ok() ? NftText.chainDevices(listing.stdout()) : Map.of();
        List<FirewallSnapshot.Chain> chains = new ArrayList<>();
        for (FirewallSnapshot.Chain chain : nft.chains()) {
            chains.add(chain.device() == null && devices.containsKey(chain.key()) ? chain.withDevice(devices.get(chain.key())) : chain);
        }
        List<FirewallSnapshot.Rule> rules = new ArrayList<>();
        for (FirewallSnapshot.Rule rule : nft.rules()) rules.add(rule.withText(texts.get(rule.key())));
        List<CheckReport.Finding> warnings = new ArrayList<>();
        for (String family : List.of("ip", "ip6")) {
            if (hasIptablesNftTables(chains, family)) {
                String tool = family.equals("ip") ? "iptables-nft-save" : "ip6tables-nft-save";
                Commands.Result save = commands.run(tool, "-c");
                if (save.ok()) {
                    mergeIptablesNft(chains, rules, IptablesSave.parse(save.stdout(), family, FirewallSnapshot.Backend.IPTABLES_NFT));
                }
            }
            String names = family.equals("ip") ? "/proc/net/ip_tables_names" : "/proc/net/ip6_tables_names";
            Commands.Result legacyTables = commands.run("cat", names);
            if (!legacyTables.ok() || legacyTables.stdout().isBlank()) continue; // the legacy module never loaded
            String tool = family.equals("ip") ? "iptables-legacy-save" : "ip6tables-legacy-save";
            Commands.Result save = commands.run(tool, "-c");
            if (!save.ok()) {
                warnings.add(warning(tool + " failed (" + save.stderr().strip() + "): the " + family
                        + " iptables-legacy tables " + legacyTables.stdout().strip().replace('\n', ',')
                        + " are not evaluated"));
                continue;
            }
            IptablesSave.Parsed legacy = IptablesSave.parse(save.stdout(), family, FirewallSnapshot.Backend.IPTABLES_LEGACY);
            chains.addAll(legacy.chains());
            rules.addAll(legacy.rules());
        }
        return new FirewallSnapshot(nft.takenAt(), chains, rules, nft.sets(), warnings);
    }

    private static boolean hasIptablesNftTables(List<FirewallSnapshot.Chain> chains, String family) {
        return chains.stream().anyMatch(c -> c.family().equals(family) && IPTABLES_TABLES.contains(c.table())
                && BUILT_IN_CHAINS.contains(c.name()));
    }

    /**
     * Gives iptables-nft's rules their iptables reading (comment, text, every match), chain by chain, only where the
     * chain has the same number of rules in both listings (else the nft JSON reading stays).
     */
    static void mergeIptablesNft(List<FirewallSnapshot.Chain> chains, List<FirewallSnapshot.Rule> rules,
                                 IptablesSave.Parsed save) {
        Map<String, List<FirewallSnapshot.Rule>> saved = new LinkedHashMap<>();
        for (FirewallSnapshot.Rule rule : save.rules()) {
            saved.computeIfAbsent(rule.family() + "/" + rule.table() + "/" + rule.chain(), k -> new ArrayList<>()).add(rule);
        }
        for (FirewallSnapshot.Chain chain : save.chains()) {
            String key = chain.family() + "/" + chain.table() + "/" + chain.name();
            List<Integer> positions = new ArrayList<>();
            for (int i = 0; i < rules.size(); i++) {
                if (rules.get(i).chainKey().equals(key)) positions.add(i);
            }
            List<FirewallSnapshot.Rule> ours = saved.getOrDefault(key, List.of());
            boolean chainExists = chains.stream().anyMatch(c -> c.key().equals(key));
            if (!chainExists || positions.size() != ours.size()) continue;
            for (int n = 0; n < positions.size(); n++) {
                FirewallSnapshot.Rule nft = rules.get(positions.get(n));
                FirewallSnapshot.Rule ipt = ours.get(n);
                String verdict = ipt.verdict() != null ? ipt.verdict() : nft.verdict();
                String target = ipt.verdict() != null ? ipt.target() : nft.target();
                rules.set(positions.get(n), nft.withIptables(ipt.comment() != null ? ipt.comment() : nft.comment(),
                        ipt.text(), FirewallSnapshot.Backend.IPTABLES_NFT, verdict, target, ipt.matches()));
            }
            for (int i = 0; i < chains.size(); i++) {
                FirewallSnapshot.Chain c = chains.get(i);
                if (c.key().equals(key)) {
                    chains.set(i, new FirewallSnapshot.Chain(c.family(), c.table(), c.name(), c.type(), c.hook(), c.priority(),
                            c.policy(), FirewallSnapshot.Backend.IPTABLES_NFT, null));
                }
            }
        }
    }

    private static CheckReport.Finding warning(String message) {
        Map<String, String> context = new LinkedHashMap<>();
        context.put("Message", message);
        return new CheckReport.Finding(HostConfig.GUEST_FIREWALL, "Local", "Warning", context, "none");
    }
}
