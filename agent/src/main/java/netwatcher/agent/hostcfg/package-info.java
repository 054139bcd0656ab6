/**
 * Host configuration as evidence: what this host's real firewall and routes do to one flow.
 * {@link netwatcher.agent.hostcfg.HostConfig} reads the kernel through {@code nft -j list ruleset} (with
 * {@code nft -a list ruleset} for rule texts, {@code iptables-nft-save} for tables iptables-nft wrote and
 * {@code iptables-legacy-save} for the legacy tables nftables cannot show: {@code RulesetReader},
 * {@code IptablesSave}) and {@code ip -j route get / rule / route show}, and answers the agent's parts of a
 * check: a {@link netwatcher.agent.hostcfg.FirewallSnapshot} before and after a probe, explained by
 * {@code FirewallExplainer} into the rule or chain policy that stopped the flow with the best evidence there is
 * (counters that moved for a matching rule; an nftables trace of the flow, {@link netwatcher.agent.hostcfg.NftTrace},
 * a table {@code inet nw_trace_<random>} plus {@code nft monitor} that sees rules without counters; else the live
 * ruleset evaluated for the flow as it crosses this host), the route the kernel refuses the flow with (blackhole,
 * unreachable, prohibit, a policy rule; evidence {@code route-lookup}) and the next hop ({@code RouteExplainer}),
 * and IP flow verify as a static walk of the ruleset ({@code FlowVerifier} over {@code RulesetEvaluator}: hooks by
 * priority, an accept ending only its base chain, jumps, gotos, policies). {@code HostConfig} is only the facade
 * that wires these over one set of host commands. The expression matcher ({@code RuleMatcher}, nft's JSON shape, which iptables rules
 * are read into too) is three-valued: what it cannot evaluate it never takes as proof against a rule, and every
 * finding or verdict says what it assumed.
 */
package netwatcher.agent.hostcfg;
