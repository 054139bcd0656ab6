package netwatcher.testing.netns;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.Callable;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * JUnit 5 extension: two network namespaces joined by a veth pair.
 *
 * <pre>{@code
 * @RegisterExtension static final VethPair net = new VethPair();   // one pair per class
 * // or a non-static field for a fresh pair per test method
 * }</pre>
 *
 * Namespace {@code left} holds interface {@code left().interfaceName()} with 198.18.X.1/24 and
 * 2001:2:0:X::1/64, {@code right} the peer with .2 / ::2 (X random). Names are {@code nwt} + 8 random
 * hex digits + {@code a}/{@code b} (12 characters, within the 15 allowed for interfaces). Both
 * namespaces are deleted in afterAll/afterEach, after a failed set-up, and by a shutdown hook if
 * the JVM exits first; deleting a namespace removes its veth end.
 *
 * <p>Thread-safety: set up and torn down by JUnit on one thread; the accessors are safe afterwards.
 */
public final class VethPair implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback, AfterEachCallback {

    /** One side of the pair. */
    public record Namespace(String name, String interfaceName, InetAddress ipv4, InetAddress ipv6) {
        /** Runs a command inside this namespace ({@code ip netns exec}), waiting up to 60 s. */
        public ProcessResult exec(String... command) {
            return exec(Duration.ofSeconds(60), command);
        }

        public ProcessResult exec(Duration timeout, String... command) {
            List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", name));
            full.addAll(List.of(command));
            return Processes.run(timeout, full);
        }

        /** {@code ip netns exec <name> bash -c <script>}, failing on a non-zero exit. */
        public ProcessResult bash(String script) {
            return exec("bash", "-c", script).orThrow("bash in " + name + ": " + script);
        }

        /** Runs {@code task} on a platform thread that entered this namespace (see {@link Netns#call}). */
        public <T> T call(Callable<T> task) throws Exception {
            return Netns.call(name, task);
        }
    }

    private Namespace left;
    private Namespace right;
    private boolean perClass;
    private Thread shutdownHook;

    public Namespace left() { return require(left); }

    public Namespace right() { return require(right); }

    private static Namespace require(Namespace ns) {
        if (ns == null) throw new IllegalStateException("VethPair is not set up (register it with @RegisterExtension)");
        return ns;
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        perClass = true;
        create();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (perClass) remove();
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        if (!perClass) create();
    }

    @Override
    public void afterEach(ExtensionContext context) {
        if (!perClass) remove();
    }

    private void create() {
        byte[] random = new byte[5];
        new SecureRandom().nextBytes(random);
        String base = "nwt" + HexFormat.of().formatHex(random, 0, 4);
        int subnet = random[4] & 0xff;
        String a = base + "a";
        String b = base + "b";
        List<String> created = new ArrayList<>();
        shutdownHook = new Thread(() -> created.forEach(VethPair::deleteNamespace), "nwt-netns-cleanup");
        Runtime.getRuntime().addShutdownHook(shutdownHook);
        try {
            for (String ns : List.of(a, b)) {
                Processes.run("ip", "netns", "add", ns).orThrow("ip netns add " + ns);
                created.add(ns);
            }
            Processes.run("ip", "link", "add", a, "netns", a, "type", "veth", "peer", "name", b, "netns", b)
                    .orThrow("ip link add veth " + a + "/" + b);
            String v4 = "198.18." + subnet + ".";
            String v6 = "2001:2:0:" + Integer.toHexString(subnet) + "::";
            configure(a, v4 + "1/24", v6 + "1/64");
            configure(b, v4 + "2/24", v6 + "2/64");
            left = new Namespace(a, a, InetAddress.getByName(v4 + "1"), InetAddress.getByName(v6 + "1"));
            right = new Namespace(b, b, InetAddress.getByName(v4 + "2"), InetAddress.getByName(v6 + "2"));
        } catch (RuntimeException | UnknownHostException e) {
            created.forEach(VethPair::deleteNamespace);
            removeHook();
            throw new IllegalStateException("cannot create namespaces " + a + "/" + b + ": " + e.getMessage(), e);
        }
    }

    private static void configure(String ns, String v4, String v6) {
        Processes.run("ip", "-n", ns, "link", "set", "lo", "up").orThrow("lo up in " + ns);
        Processes.run("ip", "-n", ns, "addr", "add", v4, "dev", ns).orThrow("ip addr " + v4);
        Processes.run("ip", "-n", ns, "addr", "add", v6, "dev", ns, "nodad").orThrow("ip addr " + v6);
        Processes.run("ip", "-n", ns, "link", "set", ns, "up").orThrow("link up " + ns);
    }

    private void remove() {
        List<String> failures = new ArrayList<>();
        for (Namespace ns : new Namespace[] {left, right}) {
            if (ns != null && !deleteNamespace(ns.name())) failures.add(ns.name());
        }
        left = null;
        right = null;
        removeHook();
        if (!failures.isEmpty()) throw new IllegalStateException("could not delete namespaces " + failures);
    }

    private void removeHook() {
        if (shutdownHook == null) return;
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException shuttingDown) {
            // the hook is running or about to: it deletes the same namespaces
        }
        shutdownHook = null;
    }

    private static boolean deleteNamespace(String name) {
        ProcessResult result = Processes.run("ip", "netns", "del", name);
        return result.exitCode() == 0 || result.stderr().contains("No such file");
    }
}
