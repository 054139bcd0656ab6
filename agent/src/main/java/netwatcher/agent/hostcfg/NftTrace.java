package netwatcher.agent.hostcfg;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An nftables trace of one flow: a table of its own, {@code inet nw_trace_<random>}, whose prerouting and output
 * chains (priority -350, before everything else) set {@code meta nftrace 1} on the flow's packets, and an
 * {@code nft -a monitor} process reading the kernel's trace events. {@link #stop()} ends the monitor, removes
 * the table and returns the verdicts the trace saw: which rule (family, table, chain, handle) or chain policy
 * accepted, dropped or rejected each traced packet. The table and the process are removed on every path:
 * {@code stop()}/{@link #close()}, a failed start, and a shutdown hook if the JVM exits first.
 * Thread-safe: {@code stop} and {@code close} may race; the first one cleans up.
 */
public final class NftTrace implements AutoCloseable {
    /** One terminal decision the trace saw; handle is null when a chain policy decided. */
    public record TraceVerdict(String traceId, String family, String table, String chain, Long handle, String verdict) {}

    private static final Pattern RULE = Pattern.compile(
            "^trace id (\\S+) (\\S+) (\\S+) (\\S+) rule .* # handle (\\d+) \\(verdict (\\w+)");
    private static final Pattern POLICY = Pattern.compile("^trace id (\\S+) (\\S+) (\\S+) (\\S+) policy (\\w+)");

    private final Commands commands;
    private final String table;
    private final Process monitor;
    private final List<String> collected;
    private final CountDownLatch deleted;
    private final Thread reader;
    private final Thread shutdownHook;
    private List<TraceVerdict> result;

    private NftTrace(Commands commands, String table, Process monitor, List<String> collected, CountDownLatch deleted,
                     Thread reader, Thread shutdownHook) {
        this.commands = commands;
        this.table = table;
        this.monitor = monitor;
        this.collected = collected;
        this.deleted = deleted;
        this.reader = reader;
        this.shutdownHook = shutdownHook;
    }

    /** Starts the monitor, waits until it reports a change of its own table, so no traced packet is missed. */
    static NftTrace start(Commands commands, FlowFacts flow) {
        byte[] random = new byte[4];
        new SecureRandom().nextBytes(random);
        String table = "nw_trace_" + HexFormat.of().formatHex(random);
        String selector = selector(flow);
        Process process;
        try {
            process = new ProcessBuilder(commands.command(List.of("nft", "-a", "monitor"))).redirectErrorStream(true).start();
            process.getOutputStream().close();
        } catch (IOException e) {
            throw new IllegalStateException("cannot start nft monitor: " + e.getMessage(), e);
        }
        java.util.concurrent.atomic.AtomicInteger ownEvents = new java.util.concurrent.atomic.AtomicInteger();
        CountDownLatch deleted = new CountDownLatch(1);
        List<String> collected = new ArrayList<>();
        Thread reader = Thread.ofPlatform().daemon(true).name("nft-trace-" + table).start(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = in.readLine()) != null; ) {
                    if (line.startsWith("add ") && line.contains(" " + table)) ownEvents.incrementAndGet();
                    if (line.startsWith("delete table inet " + table)) deleted.countDown();
                    if (line.startsWith("trace id ")) {
                        synchronized (collected) {
                            collected.add(line);
                        }
                    }
                }
            } catch (IOException e) {
                // the monitor ended
            }
        });
        Thread hook = new Thread(() -> cleanup(commands, table, process), "nft-trace-cleanup-" + table);
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            String script = "table inet " + table + " {\n"
                    + " chain pre { type filter hook prerouting priority -350; policy accept; " + selector + " meta nftrace set 1; }\n"
                    + " chain out { type filter hook output priority -350; policy accept; " + selector + " meta nftrace set 1; }\n"
                    + "}\n";
            commands.runOrThrow("nft", script);
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
        return new NftTrace(commands, table, process, collected, deleted, reader, hook);
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
    public synchronized List<TraceVerdict> stop() {
        if (result != null) return result;
        try {
            // removing our table is itself an event, delivered after every trace event before it: wait for it
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
        List<String> copy;
        synchronized (collected) {
            copy = List.copyOf(collected);
        }
        result = parse(copy, table);
        return result;
    }

    /** Terminal verdicts from monitor lines, leaving out the trace table's own chains. */
    static List<TraceVerdict> parse(List<String> lines, String ownTable) {
        List<TraceVerdict> out = new ArrayList<>();
        for (String line : lines) {
            Matcher rule = RULE.matcher(line);
            if (rule.find()) {
                if (rule.group(3).equals(ownTable)) continue;
                String verdict = rule.group(6);
                if (isTerminal(verdict)) {
                    out.add(new TraceVerdict(rule.group(1), rule.group(2), rule.group(3), rule.group(4),
                            Long.parseLong(rule.group(5)), verdict));
                }
                continue;
            }
            Matcher policy = POLICY.matcher(line);
            if (policy.find() && !policy.group(3).equals(ownTable) && isTerminal(policy.group(5))) {
                out.add(new TraceVerdict(policy.group(1), policy.group(2), policy.group(3), policy.group(4), null,
                        policy.group(5)));
            }
        }
        return out;
    }

    private static boolean isTerminal(String verdict) {
        return verdict.equals("accept") || verdict.equals("drop") || verdict.equals("reject");
    }

    @Override
    public void close() {
        stop();
    }

    private static void cleanup(Commands commands, String table, Process monitor) {
        try {
            commands.run("nft", "delete", "table", "inet", table); // absent already: nft says so, nothing to do
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
