package netwatcher.agent.hostcfg;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;

/**
 * What one {@link NftTrace} keeps of its monitor's lines, parsed as they arrive and bounded, so a trace costs the same
 * few hundred KiB however much traffic its selector matches. The monitor reports every trace event on the host: the
 * flow's probes, but also every other packet of the flow's addresses and port (a busy connection pool to the
 * destination, thousands of packets in a part) and the events of concurrent checks' traces. Keeping those lines
 * whole held 9 of the agent's 20 MiB with three observer parts at once and ended agents with
 * {@code OutOfMemoryError} (docs/deployment.md; BENCHMARKS.md §2e).
 *
 * <p>Kept per trace id: the packet as first printed (before NAT here), the packet as last printed (what the next
 * deciding chain sees) and the terminal verdicts of tables other than traces'. Which trace ids are kept:
 * <ul>
 *   <li>the first {@link #OPENING} whose first packet may open a connection (SYN, SYN-ACK, not TCP, or flags not
 *       printed): the packets the explanation reads ({@code FirewallExplainer} ignores verdicts on packets of an
 *       established connection);</li>
 *   <li>the first {@link #ESTABLISHED} of the others, so that the flow's established packets are still known to
 *       have been seen;</li>
 *   <li>beyond those, up to {@link #BLOCKED} more whose packet a rule or policy dropped or rejected: their first
 *       packet is remembered for the last {@link #RECENT} trace ids until a verdict comes, so a drop is never lost
 *       to traffic the host accepted.</li>
 * </ul>
 * Everything else is counted in {@link NftTrace.Seen#omitted()}. Strings that repeat (tables, chains, addresses,
 * flags) are shared through a bounded table of canonical copies.
 *
 * <p>Thread-safety: thread-safe; the monitor's reader adds lines while {@link #seen()} may be called.
 */
final class TraceCollector {
    /** Trace ids kept whose first packet may open a connection. */
    static final int OPENING = 1024;
    /** Trace ids kept whose first packet is a TCP packet of an established connection. */
    static final int ESTABLISHED = 64;
    /** Trace ids kept beyond the others because a rule or policy dropped or rejected the packet. */
    static final int BLOCKED = 1024;
    /** First packets of ids not kept, remembered until a verdict comes (a packet's events arrive together). */
    static final int RECENT = 128;
    /** Most distinct canonical strings. */
    private static final int CANONICAL = 512;

    /** The packets of one trace id: as first printed and as last printed. */
    private static final class Traced {
        NftTrace.Packet first;
        NftTrace.Packet latest;

        Traced(NftTrace.Packet first) {
            this.first = first;
            this.latest = first;
        }

        void printed(NftTrace.Packet p) {
            if (first == null) first = p; // its verdict came before any packet line
            latest = p; // as the next chain sees it (after NAT)
        }
    }

    private final String ownTable;
    private final Map<String, Traced> kept = new LinkedHashMap<>();
    private final Map<String, Traced> recent = new LinkedHashMap<>(RECENT, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Traced> eldest) {
            return size() > RECENT;
        }
    };
    private final List<NftTrace.TraceVerdict> verdicts = new ArrayList<>();
    private final Map<String, String> canonical = new HashMap<>();
    private int opening;
    private int established;
    private int blocked;
    private long omitted;

    /** @param ownTable the trace's own table (its verdicts, like those of every {@code nw_trace_} table, are no evidence) */
    TraceCollector(String ownTable) {
        this.ownTable = ownTable;
    }

    /** Takes one line of {@code nft -a monitor}; lines other than trace events are ignored. */
    synchronized void accept(String line) {
        if (!line.startsWith("trace id ")) return;
        int idEnd = line.indexOf(' ', 9);
        if (idEnd < 0) return;
        String id = line.substring(9, idEnd);
        Traced traced = kept.get(id);
        Matcher packet = NftTrace.PACKET.matcher(line);
        if (packet.find()) {
            NftTrace.Packet p = canonical(NftTrace.Packet.parse(packet.group(2)));
            if (traced != null) {
                traced.printed(p);
                return;
            }
            Traced pending = recent.get(id);
            if (pending != null) {
                pending.printed(p);
                return;
            }
            boolean opens = p.opensConnection();
            if (opens ? opening < OPENING : established < ESTABLISHED) {
                if (opens) opening++;
                else established++;
                kept.put(id, new Traced(p));
            } else {
                recent.put(id, new Traced(p));
                omitted++;
            }
            return;
        }
        if (line.endsWith("(verdict continue)")) return; // the bulk of a trace: no decision
        NftTrace.TraceVerdict verdict = verdict(line);
        if (verdict == null) return;
        if (traced == null) {
            Traced pending = recent.remove(id);
            if (pending == null) {
                // a verdict before any packet line of its id: as good as a packet that may open a connection
                if (opening < OPENING) {
                    opening++;
                    traced = new Traced(null);
                    kept.put(id, traced);
                } else {
                    pending = new Traced(null);
                    omitted++;
                }
            }
            if (traced == null) {
                if (verdict.verdict().equals("accept") || blocked >= BLOCKED) {
                    recent.put(id, pending); // a later chain may still drop it
                    return;
                }
                blocked++;
                omitted--;
                traced = pending;
                kept.put(id, traced);
            }
        }
        verdicts.add(new NftTrace.TraceVerdict(verdict.traceId(), verdict.family(), verdict.table(), verdict.chain(),
                verdict.handle(), verdict.verdict(), traced.latest));
    }

    /** A terminal verdict of a table other than a trace's, with canonical strings, or null. */
    private NftTrace.TraceVerdict verdict(String line) {
        Matcher rule = NftTrace.RULE.matcher(line);
        if (rule.find()) {
            if (rule.group(3).equals(ownTable) || rule.group(3).startsWith(NftTrace.TABLE_PREFIX) || !isTerminal(rule.group(6))) return null;
            return new NftTrace.TraceVerdict(rule.group(1), canonical(rule.group(2)), canonical(rule.group(3)), canonical(rule.group(4)),
                    Long.parseLong(rule.group(5)), canonical(rule.group(6)), null);
        }
        Matcher policy = NftTrace.POLICY.matcher(line);
        if (policy.find() && !policy.group(3).equals(ownTable) && !policy.group(3).startsWith(NftTrace.TABLE_PREFIX)
                && isTerminal(policy.group(5))) {
            return new NftTrace.TraceVerdict(policy.group(1), canonical(policy.group(2)), canonical(policy.group(3)),
                    canonical(policy.group(4)), null, canonical(policy.group(5)), null);
        }
        return null;
    }

    private static boolean isTerminal(String verdict) {
        return verdict.equals("accept") || verdict.equals("drop") || verdict.equals("reject");
    }

    /** What was kept: the verdicts in order, the first packet of each kept trace id, and how many ids were not kept. */
    synchronized NftTrace.Seen seen() {
        Map<String, NftTrace.Packet> packets = new LinkedHashMap<>();
        kept.forEach((id, t) -> {
            if (t.first != null) packets.put(id, t.first);
        });
        return new NftTrace.Seen(verdicts, packets, omitted);
    }

    private NftTrace.Packet canonical(NftTrace.Packet p) {
        return new NftTrace.Packet(canonical(p.saddr()), canonical(p.daddr()), canonical(p.l4()), p.sport(), p.dport(),
                canonical(p.tcpFlags()));
    }

    private String canonical(String s) {
        if (s == null) return null;
        String known = canonical.get(s);
        if (known != null) return known;
        if (canonical.size() < CANONICAL) canonical.put(s, s);
        return s;
    }
}
