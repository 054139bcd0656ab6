package netwatcher.bench;

import com.sun.management.OperatingSystemMXBean;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.Locale;
import netwatcher.cli.Main;
import netwatcher.cli.client.ArmClient;
import netwatcher.cli.client.ClientConfig;

/**
 * Where a routine {@code nw} call's CPU goes, stage by stage, in one fresh JVM: the JVM's own start
 * (with whatever AOT cache it was given), Jackson, reading the login, the ARM client (TLS context),
 * the first request (TCP + TLS handshake + answer), a second request on the same connection, and
 * the partial picocli tree of {@code nw vm list}. Process CPU time (all threads) and wall time per
 * stage. Run it on the launcher's class path with the launcher's flags (BENCHMARKS.md §6):
 * {@code java -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -XX:-UsePerfData -XX:AOTCache=cli/target/aot/nw-cli.aot
 * -cp "CLI_CLASSPATH:bench/target/netwatcher-bench-0.1.0-SNAPSHOT.jar" netwatcher.bench.CliStartStages LOGIN_FILE}.
 */
public final class CliStartStages {
    private static final OperatingSystemMXBean OS = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    private static long wall = System.nanoTime();
    private static long cpu = 0;

    private CliStartStages() {}

    public static void main(String[] args) throws Exception {
        lap("JVM start (to main)");
        new com.fasterxml.jackson.databind.ObjectMapper();
        lap("Jackson ObjectMapper");
        ClientConfig config = ClientConfig.load(Path.of(args[0]));
        lap("login file read");
        ArmClient client = new ArmClient(config, d -> Thread.sleep(d.toMillis()));
        lap("ARM client (TLS context)");
        client.get("/subscriptions", ArmClient.SUBSCRIPTIONS_API);
        lap("first request (TLS handshake)");
        client.get("/subscriptions", ArmClient.SUBSCRIPTIONS_API);
        lap("second request (same connection)");
        Main.commandLine("vm", "list");
        lap("picocli tree of `nw vm list`");
        System.out.printf(Locale.ROOT, "total: %d ms CPU, JVM uptime %d ms%n", OS.getProcessCpuTime() / 1_000_000,
                ManagementFactory.getRuntimeMXBean().getUptime());
    }

    private static void lap(String stage) {
        long now = System.nanoTime();
        long used = OS.getProcessCpuTime();
        System.out.printf(Locale.ROOT, "%-36s %5d ms wall %5d ms CPU%n", stage,
                stage.startsWith("JVM") ? ManagementFactory.getRuntimeMXBean().getUptime() : (now - wall) / 1_000_000, (used - cpu) / 1_000_000);
        wall = now;
        cpu = used;
    }
}
