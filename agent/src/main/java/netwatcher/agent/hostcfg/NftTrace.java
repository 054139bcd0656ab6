package netwatcher.agent.hostcfg;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An nftables trace of one flow, both directions: a table of its own, {@code inet nw_trace_<random>}, whose
 * prerouting and output chains (priority -350, before everything else) set {@code meta nftrace 1} on the flow's
 * packets (plus, where the kernel allows, a {@code netdev} table of the same name whose ingress chains, one per
 * device, do the same before prerouting), and an
 * {@code nft -a monitor} process reading the kernel's trace events. {@link #stop()} ends the monitor, removes
 * the table and returns the verdicts the trace saw: which rule (family, table, chain, handle) or chain policy
 * accepted, dropped or rejected each traced packet. The table and the process are removed on every path:
 * {@code stop()}/{@link #close()}, a failed start, and a shutdown hook if the JVM exits first.
 * Thread-safe: {@code stop} and {@code close} may race; the first one cleans up.
 */
public final class NftTrace implements AutoCloseable {
    /**
     * One terminal decision the trace saw; handle is null when a chain policy decided; packet is the traced packet
     * as the deciding chain saw it (after NAT earlier on this host), null when the monitor printed none.
     */
    public record TraceVerdict(String traceId, String family, String table, String chain, Long handle, String verdict,
                               Packet packet) {
        public TraceVerdict(String traceId, String family, String table, String chain, Long handle, String verdict) {
            this(traceId, family, table, chain, handle, verdict, null);
        }
    }

    /**
     * The header fields of a traced packet, as {@code nft monitor trace} prints them ({@code ip saddr ...
     * tcp dport ...}); null/0 for what it did not print.
     */
    public record Packet(String saddr, String daddr, String l4, int sport, int dport, String tcpFlags) {
        private static final Pattern FLAGS = Pattern.compile("\\btcp flags == (\\S+(?: \\| \\S+)*)");

        public Packet(String saddr, String daddr, String l4, int sport, int dport) {
            this(saddr, daddr, l4, sport, dport, null);
        }

        /**
         * True unless this is a TCP packet whose flags the trace printed without SYN: a packet that opens (SYN) or
         * answers the opening of (SYN-ACK) a connection, or one whose flags are not known.
         */
        public boolean opensConnection() {
            if (tcpFlags == null) return true;
            if (tcpFlags.contains("syn")) return true;
            if (tcpFlags.startsWith("0x")) {
                try {
                    return (Integer.parseInt(tcpFlags.substring(2), 16) & 0x02) != 0;
                } catch (NumberFormatException e) {
                    return true;
                }
            }
            return false;
        }

        private static final Pattern SADDR = Pattern.compile("\\bip6? saddr (\\S+)");
        private static final Pattern DADDR = Pattern.compile("\\bip6? daddr (\\S+)");
        private static final Pattern L4 = Pattern.compile("\\b(?:ip protocol|ip6 nexthdr|meta l4proto) (\\S+)");
        private static final Pattern SPORT = Pattern.compile("\\b(?:tcp|udp|sctp) sport (\\d+)");
        private static final Pattern DPORT = Pattern.compile("\\b(?:tcp|udp|sctp) dport (\\d+)");

        static Packet parse(String line) {
            return new Packet(group(SADDR, line), group(DADDR, line), group(L4, line), number(SPORT, line), number(DPORT, line),
                    group(FLAGS, line));
        }

        private static String group(Pattern pattern, String line) {
            Matcher m = pattern.matcher(line);
            return m.find() ? m.group(1) : null;
        }

        private static int number(Pattern pattern, String line) {
            String n = group(pattern, line);
            return n == null ? 0 : Integer.parseInt(n);
        }
    }

    static final Pattern RULE = Pattern.compile(
            "^trace id (\\S+) (\\S+) (\\S+) (\\S+) rule .* # handle (\\d+) \\(verdict (\\w+)");
    static final Pattern POLICY = Pattern.compile("^trace id (\\S+) (\\S+) (\\S+) (\\S+) policy (\\w+)");
    static final Pattern PACKET = Pattern.compile("^trace id (\\S+) \\S+ \\S+ \\S+ packet: (.*)$");
    /** Every trace's own table starts so; verdicts of such tables (ours or a concurrent check's) are no evidence. */
    static final String TABLE_PREFIX = "nw_trace_";

    private final Commands commands;
    private final String table;
    private final Process monitor;
    private final TraceCollector collected;
    private final CountDownLatch deleted;
    private final Thread reader;
    private final Thread shutdownHook;
    private Seen result;

    /**
     * What a stopped trace saw: its terminal verdicts and the packets it traced (by trace id, in order), as far as its
     * bounds kept them ({@link TraceCollector}); {@code omitted} counts the trace ids it did not keep.
     */
    public record Seen(List<TraceVerdict> verdicts, java.util.Map<String, Packet> packets, long omitted) {
        public Seen {
            verdicts = List.copyOf(verdicts);
            packets = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(packets));
        }

        /** Everything kept. */
        public Seen(List<TraceVerdict> verdicts, java.util.Map<String, Packet> packets) {
            this(verdicts, packets, 0);
        }
    }

    /**
     * The running {@code nft monitor} of one trace.
     *
     * @param process   the monitor
     * @param reader    the thread reading its output
     * @param collected what the trace lines read so far showed (bounded)
     * @param deleted   counted down when the monitor saw the trace's table deleted
     */
    private record Monitor(Process process, Thread reader, TraceCollector collected, CountDownLatch deleted) {}

    private NftTrace(Commands commands, String table, Monitor monitor, Thread shutdownHook) {
        this.commands = commands;
        this.table = table;
        this.monitor = monitor.process();
        this.collected = monitor.collected();
        this.deleted = monitor.deleted();
        this.reader = monitor.reader();
        this.shutdownHook = shutdownHook;
    }

    /** Starts the monitor, waits until it reports a change of its own table, so no traced packet is missed. */
    static NftTrace start(Commands commands, FlowFacts flow) {
        if (flow.daddr() == null) {
            // without an address the selector would trace every packet to the port on this host: not worth its cost
            throw new IllegalStateException("no nftables trace without the flow's destination address");
        }
        byte[] random = new byte[4];
        new SecureRandom().nextBytes(random);
        String table = "nw_trace_" + HexFormat.of().formatHex(random);
        String selector = selector(flow);
        String replySelector = selector(reply(flow));
        Process process;
        try {
            process = new ProcessBuilder(commands.command(List.of("nft", "-a", "monitor"))).redirectErrorStream(true).start();
            process.getOutputStream().close();
        } catch (IOException e) {
            throw new IllegalStateException("cannot start nft monitor: " + e.getMessage(), e);
        }
        java.util.concurrent.atomic.AtomicInteger ownEvents = new java.util.concurrent.atomic.AtomicInteger();
        CountDownLatch deleted = new CountDownLatch(1);
        TraceCollector collected = new TraceCollector(table);
        Thread reader = Thread.ofPlatform().daemon(true).name("nft-trace-" + table).start(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = in.readLine()) != null; ) {
                    if (line.startsWith("add ") && line.contains(" " + table)) ownEvents.incrementAndGet();
                    if (line.startsWith("delete table inet " + table)) deleted.countDown();
                    collected.accept(line); // parsed now and bounded: a busy flow prints thousands of lines
                }
            } catch (IOException e) {
                // the monitor ended
            }
        });
        Thread hook = new Thread(() -> cleanup(commands, table, process), "nft-trace-cleanup-" + table);
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            String script = "table inet " + table + " {\n"
                    + " chain pre { type filter hook prerouting priority -350; policy accept; " + selector + " meta nftrace set 1; "
                    + replySelector + " meta nftrace set 1; }\n"
                    + " chain out { type filter hook output priority -350; policy accept; " + selector + " meta nftrace set 1; "
                    + replySelector + " meta nftrace set 1; }\n"
                    + "}\n";
            commands.runOrThrow("nft", script);
            addIngress(commands, table, selector, replySelector);
            // the monitor may subscribe after the table appeared: touch the table until it reports a change, after
            // which it sees every trace event of the (already active) nftrace rules
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            for (int attempt = 0; ownEvents.get() == 0; attempt++) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("nft monitor reported no change of table " + table + " within 5 s");
                }
                if (attempt > 0) commands.runOrThrow("nft", "add", "chain", "inet", table, "ready" + attempt);
                Thread.sleep(100);
            }
        } catch (RuntimeException | InterruptedException e) {
            cleanup(commands, table, process);
            removeHook(hook);
            if (e instanceof InterruptedException) Thread.currentThread().interrupt();
            throw new IllegalStateException("cannot start an nftables trace: " + e.getMessage(), e);
        }
        return new NftTrace(commands, table, new Monitor(process, reader, collected, deleted), hook);
    }

    /**
     * Traces from the ingress hook too, which runs before prerouting: a {@code netdev} table of the same name with a
     * chain per device (loopback aside). Best effort: a kernel or device that refuses it leaves prerouting's trace.
     */
    private static void addIngress(Commands commands, String table, String selector, String replySelector) {
        Commands.Result links = commands.run("ip", "-o", "link", "show");
        if (!links.ok()) return;
        StringBuilder script = new StringBuilder("table netdev " + table + " {\n");
        int n = 0;
        for (String line : links.stdout().lines().toList()) {
            String[] parts = line.split(":\\s+", 3);
            if (parts.length < 2) continue;
            String device = parts[1].contains("@") ? parts[1].substring(0, parts[1].indexOf('@')) : parts[1];
            if (device.equals("lo") || !device.matches("[A-Za-z0-9_.\\-]+")) continue;
            script.append(" chain in").append(n++).append(" { type filter hook ingress device \"").append(device)
                    .append("\" priority -500; policy accept; ").append(selector).append(" meta nftrace set 1; ")
                    .append(replySelector).append(" meta nftrace set 1; }\n");
        }
        if (n == 0) return;
        script.append("}\n");
        commands.run("nft", script.toString()); // refused: prerouting's trace stays
    }

    /** The reply direction of a flow: addresses and ports swapped (what is unknown stays unknown). */
    static FlowFacts reply(FlowFacts flow) {
        return new FlowFacts(flow.family(), flow.l4(), flow.daddr(), flow.saddr(), flow.dport(), flow.sport(), null, null,
                "established", null);
    }

    /** The nft selector for the flow's original direction (unknown parts left out). */
    static String selector(FlowFacts flow) {
        StringBuilder s = new StringBuilder();
        String ip = "ipv6".equals(flow.family()) ? "ip6" : "ip";
        if (flow.saddr() != null) s.append(ip).append(" saddr ").append(flow.saddr().getHostAddress()).append(' ');
        if (flow.daddr() != null) s.append(ip).append(" daddr ").append(flow.daddr().getHostAddress()).append(' ');
        if (flow.l4() != null) {
            s.append("meta l4proto ").append(flow.l4()).append(' ');
            if (flow.l4().equals("tcp") || flow.l4().equals("udp")) {
                if (flow.sport() != 0) s.append(flow.l4()).append(" sport ").append(flow.sport()).append(' ');
                if (flow.dport() != 0) s.append(flow.l4()).append(" dport ").append(flow.dport()).append(' ');
            }
        }
        return s.toString().strip();
    }

    /** Ends the trace (idempotent) and returns the terminal verdicts it saw, in order. */
    public List<TraceVerdict> stop() {
        return seen().verdicts();
    }

    /** Ends the trace (idempotent) and returns what it saw: verdicts and packets. */
    public synchronized Seen seen() {
        if (result != null) return result;
        try {
            // removing our table is itself an event, delivered after every trace event before it: wait for it
            commands.run("nft", "delete", "table", "netdev", table); // absent when ingress was refused
            commands.run("nft", "delete", "table", "inet", table);
            deleted.await(3, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            cleanup(commands, table, monitor);
            removeHook(shutdownHook);
        }
        try {
            reader.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        result = collected.seen();
        return result;
    }

    /**
     * Terminal verdicts from monitor lines, leaving out the chains of trace tables (this one's and any concurrent
     * check's), each with the packet as the deciding chain saw it; bounded as a running trace is.
     */
    static List<TraceVerdict> parse(List<String> lines, String ownTable) {
        return collect(lines, ownTable).verdicts();
    }

    /**
     * The ids of every traced packet, with the packet as first printed (before NAT on this host), also packets no
     * rule decided on; bounded as a running trace is.
     */
    static java.util.Map<String, Packet> packets(List<String> lines) {
        return collect(lines, null).packets();
    }

    private static Seen collect(List<String> lines, String ownTable) {
        TraceCollector collector = new TraceCollector(ownTable == null ? TABLE_PREFIX : ownTable);
        lines.forEach(collector::accept);
        return collector.seen();
    }

    @Override
    public void close() {
        stop();
    }

    private static void cleanup(Commands commands, String table, Process monitor) {
        try {
            commands.run("nft", "delete", "table", "netdev", table); // absent already: nft says so, nothing to do
            commands.run("nft", "delete", "table", "inet", table);
        } finally {
            monitor.destroy();
            try {
                if (!monitor.waitFor(2, TimeUnit.SECONDS)) monitor.destroyForcibly();
            } catch (InterruptedException e) {
                monitor.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
    }

    private static void removeHook(Thread hook) {
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // the hook is running: it cleans up the same things
        }
    }
}
