/**
 * Host configuration as evidence: what this host's real firewall and routes do to one flow.
 * {@link netwatcher.agent.hostcfg.HostConfig} reads the kernel through {@code nft -j list ruleset} and
 * {@code ip -j route get / rule / route show} and answers the agent's parts of a check: a
 * {@link netwatcher.agent.hostcfg.FirewallSnapshot} before and after a probe, diffed into findings that name
 * a drop or reject rule only when its counter moved and its matches fit the flow (evidence {@code counters}),
 * the route the kernel refuses the flow with (blackhole, unreachable, prohibit, a policy rule; evidence
 * {@code route-lookup}), IP flow verify as a static walk of the ruleset (hooks by priority, jumps, gotos,
 * policies), and the next hop. {@link netwatcher.agent.hostcfg.NftTrace} adds an nftables trace of the flow (a
 * table {@code inet nw_trace_<random>} plus {@code nft monitor}) that names a rule without a counter, or a chain
 * policy, with evidence {@code trace}. The nft JSON expression matcher ({@code RuleMatcher}) is three-valued: what it
 * cannot evaluate it never takes as proof against a rule, and every finding or verdict says what it assumed.
 */
package netwatcher.agent.hostcfg;
