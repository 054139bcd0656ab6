package netwatcher.model.check;

import java.time.Instant;

/**
 * One agent's part in a check.
 *
 * <ul>
 *   <li>{@code source}: resolve the destination, look up the route, probe ({@link ProbeSpec}) and trace
 *       the path with TTL-limited probes of the same 5-tuple, and explain its own part (firewall,
 *       routes), then report.</li>
 *   <li>{@code observer}: while {@code active}, watch (snapshot rule counters, optionally trace); when
 *       the order turns inactive, its {@code flow} is the resolved flow: explain this host's part of it
 *       (rules whose counters moved and that match the flow, the route the kernel picks) and report.</li>
 *   <li>{@code verify}: IP flow verify: evaluate the host firewall for {@code flow} in {@code flow.direction}
 *       and report Allow/Deny and the rule.</li>
 *   <li>{@code nexthop}: report the route the kernel picks for the flow.</li>
 * </ul>
 *
 * @param key       the check's key (one check may have several orders, one per agent)
 * @param checkId   ARM-ish id of the check, for messages
 * @param role      the agent's part
 * @param active    see above (observers); always true for the other roles until answered
 * @param flow      the flow (resolved when known)
 * @param probe     for the source: how to probe
 * @param createdAt when the controller accepted the check
 * @param evidence  source and observer of a connectivity check: capture the check's probes as this says
 *                  (armed before the first probe, stopped after the last), or null for no capture
 */
public record CheckOrder(String key, String checkId, CheckRole role, boolean active, Flow flow, ProbeSpec probe,
                         Instant createdAt, EvidenceSpec evidence) {
}
