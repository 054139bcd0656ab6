package netwatcher.agent.hostcfg;

import netwatcher.testing.netns.Netns;
import netwatcher.testing.netns.ProcessResult;
import netwatcher.testing.netns.Processes;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.io.IOException;
import java.net.ConnectException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * JUnit extension, one fresh network per test method: source {@code s} (eth0 198.18.R.10 and
 * 2001:2:0:(2R+1)::10, default routes via fw), forwarding host {@code f} (eth0 .1 of both, eth1 198.19.R.1 and
 * 2001:2:0:(2R+2)::1, forwarding on), destination {@code d} (eth0 198.19.R.10 and 2001:2:0:(2R+2)::10, default
 * routes via fw); R random. Namespaces are {@code nwt} + 8 hex digits + s/f/d and are
 * deleted after each test, after a failed set-up and by a shutdown hook; everything made inside them (nft
 * tables, routes, rules) goes with them. Used on one test thread.
 */
final class ThreeHosts implements BeforeEachCallback, AfterEachCallback {
    /** One host: its namespace and address. */
    record Host(String namespace, String address, String address6) {
        ProcessResult exec(String... command) {
            List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", namespace));
            full.addAll(List.of(command));
            return Processes.run(Duration.ofSeconds(30), full);
        }

        /** Runs the command in this host and fails the test when it exits non-zero. */
        void run(String... command) {
            exec(command).orThrow(String.join(" ", command) + " in " + namespace);
        }

        /** nft -f - equivalent: the script as one argument file. */
        void nft(String script) {
            run("nft", script);
        }

        HostConfig hostConfig() {
            return new HostConfig(List.of("ip", "netns", "exec", namespace), InstantSource.system());
        }

        /**
         * TCP connection attempts from this host with a short timeout: "connected", "refused", "timeout",
         * or the error's message.
         */
        List<String> connect(String address, int port, int attempts) throws Exception {
            return Netns.call(namespace, () -> {
                List<String> outcomes = new ArrayList<>();
                for (int i = 0; i < attempts; i++) {
                    try (Socket socket = new Socket()) {
                        socket.connect(new InetSocketAddress(address, port), 300);
                        outcomes.add("connected");
                    } catch (SocketTimeoutException e) {
                        outcomes.add("timeout");
                    } catch (ConnectException e) {
                        outcomes.add(e.getMessage() != null && e.getMessage().contains("refused") ? "refused" : e.getMessage());
                    } catch (IOException e) {
                        outcomes.add(String.valueOf(e.getMessage()));
                    }
                }
                return outcomes;
            });
        }

        /** One UDP datagram from this host. */
        void sendUdp(String address, int port) throws Exception {
            Netns.call(namespace, () -> {
                try (DatagramSocket socket = new DatagramSocket()) {
                    socket.send(new DatagramPacket(new byte[] {1, 2, 3}, 3, new InetSocketAddress(address, port)));
                }
                return null;
            });
        }
    }

    private Host source;
    private Host firewall;
    private Host destination;
    private String subnet;
    private final List<String> created = new ArrayList<>();
    private Thread shutdownHook;

    Host source() { return source; }

    Host firewall() { return firewall; }

    Host destination() { return destination; }

    /** The source's gateway (fw's eth0 address). */
    String sourceGateway() { return "198.18." + subnet + ".1"; }

    @Override
    public void beforeEach(ExtensionContext context) {
        byte[] random = new byte[5];
        new SecureRandom().nextBytes(random);
        String base = "nwt" + HexFormat.of().formatHex(random, 0, 4);
        subnet = Integer.toString((random[4] & 0xff) % 250);
        String s = base + "s";
        String f = base + "f";
        String d = base + "d";
        List<String> names = created;
        shutdownHook = new Thread(() -> names.forEach(ThreeHosts::delete), "nwt-hostcfg-cleanup");
        Runtime.getRuntime().addShutdownHook(shutdownHook);
        try {
            for (String ns : List.of(s, f, d)) {
                Processes.run("ip", "netns", "add", ns).orThrow("ip netns add " + ns);
                created.add(ns);
                Processes.run("ip", "-n", ns, "link", "set", "lo", "up").orThrow("lo up");
            }
            veth(s, "eth0", f, "eth0", base + "a");
            veth(f, "eth1", d, "eth0", base + "b");
            String left = "198.18." + subnet + ".";
            String right = "198.19." + subnet + ".";
            address(s, "eth0", left + "10/24");
            address(f, "eth0", left + "1/24");
            address(f, "eth1", right + "1/24");
            address(d, "eth0", right + "10/24");
            Processes.run("ip", "-n", s, "route", "add", "default", "via", left + "1").orThrow("route s");
            Processes.run("ip", "-n", d, "route", "add", "default", "via", right + "1").orThrow("route d");
            Processes.run("ip", "netns", "exec", f, "sysctl", "-qw", "net.ipv4.ip_forward=1").orThrow("forwarding");
            Processes.run("ip", "netns", "exec", f, "sysctl", "-qw", "net.ipv6.conf.all.forwarding=1").orThrow("forwarding6");
            int n = Integer.parseInt(subnet);
            String left6 = "2001:2:0:" + Integer.toHexString(2 * n + 1) + "::";
            String right6 = "2001:2:0:" + Integer.toHexString(2 * n + 2) + "::";
            address6(s, "eth0", left6 + "10/64");
            address6(f, "eth0", left6 + "1/64");
            address6(f, "eth1", right6 + "1/64");
            address6(d, "eth0", right6 + "10/64");
            Processes.run("ip", "-n", s, "-6", "route", "add", "default", "via", left6 + "1").orThrow("route6 s");
            Processes.run("ip", "-n", d, "-6", "route", "add", "default", "via", right6 + "1").orThrow("route6 d");
            source = new Host(s, left + "10", left6 + "10");
            firewall = new Host(f, left + "1", left6 + "1");
            destination = new Host(d, right + "10", right6 + "10");
        } catch (RuntimeException e) {
            afterEach(context);
            throw e;
        }
    }

    private static void veth(String ns1, String name1, String ns2, String name2, String tmp) {
        Processes.run("ip", "link", "add", tmp + "1", "netns", ns1, "type", "veth", "peer", "name", tmp + "2", "netns", ns2)
                .orThrow("veth " + tmp);
        Processes.run("ip", "-n", ns1, "link", "set", tmp + "1", "name", name1).orThrow("rename");
        Processes.run("ip", "-n", ns2, "link", "set", tmp + "2", "name", name2).orThrow("rename");
        Processes.run("ip", "-n", ns1, "link", "set", name1, "up").orThrow("up");
        Processes.run("ip", "-n", ns2, "link", "set", name2, "up").orThrow("up");
    }

    private static void address(String ns, String device, String cidr) {
        Processes.run("ip", "-n", ns, "addr", "add", cidr, "dev", device).orThrow("addr " + cidr);
    }

    private static void address6(String ns, String device, String cidr) {
        Processes.run("ip", "-n", ns, "addr", "add", cidr, "dev", device, "nodad").orThrow("addr " + cidr);
    }

    @Override
    public void afterEach(ExtensionContext context) {
        List<String> failed = new ArrayList<>();
        for (String ns : List.copyOf(created)) {
            if (delete(ns)) created.remove(ns);
            else failed.add(ns);
        }
        if (shutdownHook != null) {
            try {
                Runtime.getRuntime().removeShutdownHook(shutdownHook);
            } catch (IllegalStateException shuttingDown) {
                // the hook deletes the same namespaces
            }
            shutdownHook = null;
        }
        if (!failed.isEmpty()) throw new IllegalStateException("could not delete namespaces " + failed);
    }

    private static boolean delete(String ns) {
        return Processes.run("ip", "netns", "delete", ns).exitCode() == 0;
    }
}
