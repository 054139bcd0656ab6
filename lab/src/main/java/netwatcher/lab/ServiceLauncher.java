package netwatcher.lab;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import netwatcher.lab.Topology.Host;
import netwatcher.lab.Topology.Service;
import netwatcher.pki.CertificateAuthority;
import netwatcher.pki.IssuedCertificate;

/**
 * Starts the lab's helper processes: the lab resolver (dnsmasq, answering only for the lab's names,
 * NXDOMAIN for everything else) and one {@link LabServers} JVM per host with services, each inside
 * its host's namespace, and waits until they listen. Certificates for https services come from the
 * lab CA in {@code dataDir/lab/ca}. Every process is recorded in the {@link LabState}.
 *
 * <p>Not thread-safe; used once by {@code Lab.up}.
 */
public final class ServiceLauncher {
    /** The password of the generated server key stores (lab keys, not secrets). */
    public static final String KEY_STORE_PASSWORD = "netwatcher-lab";
    /** How long a helper process may take to listen. */
    public static final Duration READY_TIMEOUT = Duration.ofSeconds(30);

    private final String lab;
    private final Topology topology;
    private final Path labDir;
    private final LabState state;

    public ServiceLauncher(String lab, Topology topology, Path labDir, LabState state) {
        this.lab = lab;
        this.topology = topology;
        this.labDir = labDir;
        this.state = state;
    }

    /** The lab CA's certificate file: what clients in the lab trust. */
    public static Path caCertificate(Path labDir) {
        return labDir.resolve("ca").resolve(CertificateAuthority.CERTIFICATE_FILE);
    }

    /** Starts dnsmasq and the servers, then waits for all of them. */
    public void startAll() {
        List<Runnable> waits = new ArrayList<>();
        if (topology.dns() != null) waits.add(startDns());
        CertificateAuthority ca = null;
        for (Host host : topology.hosts()) {
            if (host.services().isEmpty()) continue;
            if (ca == null && host.services().stream().anyMatch(s -> s.kind().equals("https"))) {
                ca = CertificateAuthority.loadOrCreate(labDir.resolve("ca"), "netwatcher lab CA");
            }
            waits.add(startServers(host, ca));
        }
        waits.forEach(Runnable::run);
    }

    /** Name → addresses the lab resolver answers: every host and every extra https name. */
    public Map<String, List<String>> names() {
        Map<String, List<String>> names = new LinkedHashMap<>();
        String domain = topology.dns() == null ? "lab.test" : topology.dns().domain();
        for (Host host : topology.hosts()) {
            List<String> addresses = new ArrayList<>();
            host.primaryIpv4().ifPresent(addresses::add);
            host.primaryIpv6().ifPresent(addresses::add);
            names.put(host.name() + "." + domain, addresses);
            for (Service service : host.services()) {
                for (String name : service.names()) names.put(name, addresses);
            }
        }
        return names;
    }

    private Runnable startDns() {
        Host dnsHost = topology.host(topology.dns().host());
        String listen = dnsHost.primaryIpv4().orElseThrow();
        Path dnsDir = labDir.resolve("dns");
        Path hostsFile = dnsDir.resolve("hosts");
        StringBuilder hosts = new StringBuilder("# netwatcher lab " + lab + ": the names the lab resolver answers\n");
        names().forEach((name, addresses) -> {
            String shortName = name.endsWith("." + topology.dns().domain())
                    ? " " + name.substring(0, name.length() - topology.dns().domain().length() - 1) : "";
            addresses.forEach(address -> hosts.append(address).append(' ').append(name).append(shortName).append('\n'));
        });
        write(hostsFile, hosts.toString());
        String namespace = Names.namespace(lab, dnsHost.name());
        List<String> command = Commands.inNamespace(namespace, List.of("dnsmasq",
                "--keep-in-foreground", "--conf-file=/dev/null", "--pid-file=", "--user=root",
                "--no-resolv", "--no-hosts", "--addn-hosts=" + hostsFile,
                "--bind-interfaces", "--listen-address=" + listen, "--port=53",
                "--domain=" + topology.dns().domain(), "--local=/#/",
                "--log-queries", "--log-facility=" + dnsDir.resolve("dnsmasq.log")));
        Path log = dnsDir.resolve("dnsmasq.out");
        Process process = Processes.start(command, log);
        record("dns", dnsHost.name(), process);
        return () -> waitUntil(process, log, "dnsmasq on " + dnsHost.name(), () -> {
            var sockets = Commands.run(Commands.inNamespace(namespace, List.of("ss", "-Hlun", "sport = :53")));
            return sockets.stdout().contains(listen + ":53");
        });
    }

    private Runnable startServers(Host host, CertificateAuthority ca) {
        Path hostDir = labDir.resolve("hosts").resolve(host.name());
        Path ready = hostDir.resolve("servers.ready");
        try {
            Files.createDirectories(hostDir);
            Files.deleteIfExists(ready);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<String> arguments = new ArrayList<>(List.of("serve", "--name", host.name(), "--ready-file", ready.toString()));
        for (Service service : host.services()) {
            arguments.add("--" + service.kind());
            arguments.add(Integer.toString(service.port()));
            if (service.kind().equals("https")) {
                Path keyStore = writeKeyStore(host, service, ca, hostDir.resolve("tls"));
                arguments.addAll(List.of("--key-store", keyStore.toString(), "--key-store-password", KEY_STORE_PASSWORD));
            }
        }
        List<String> command = new ArrayList<>(javaCommand());
        command.add(LabServers.class.getName());
        command.addAll(arguments);
        Path log = hostDir.resolve("servers.log");
        Process process = Processes.start(Commands.inNamespace(Names.namespace(lab, host.name()), command), log);
        record("servers", host.name(), process);
        return () -> waitUntil(process, log, "servers on " + host.name(), () -> Files.exists(ready));
    }

    /** {@code java <small-footprint options> -cp <this JVM's classpath>}. */
    public static List<String> javaCommand() {
        String java = ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        return List.of(java, "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xmx64m", "-Xss512k",
                "-cp", System.getProperty("java.class.path"));
    }

    private Path writeKeyStore(Host host, Service service, CertificateAuthority ca, Path dir) {
        String domain = topology.dns() == null ? "lab.test" : topology.dns().domain();
        List<String> dnsNames = new ArrayList<>();
        dnsNames.add(host.name() + "." + domain);
        service.names().stream().filter(n -> !dnsNames.contains(n)).forEach(dnsNames::add);
        List<InetAddress> addresses = new ArrayList<>();
        host.interfaces().forEach(nic -> nic.addresses().forEach(a -> addresses.add(Cidr.parse(a).address())));
        IssuedCertificate issued = ca.issueServer(dnsNames, addresses, Duration.ofDays(30));
        Path file = dir.resolve("server-" + service.port() + ".p12");
        try {
            Files.createDirectories(dir);
            Files.deleteIfExists(file);
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            try (OutputStream out = Files.newOutputStream(file, StandardOpenOption.TRUNCATE_EXISTING)) {
                issued.toKeyStore(KEY_STORE_PASSWORD.toCharArray()).store(out, KEY_STORE_PASSWORD.toCharArray());
            }
        } catch (IOException | GeneralSecurityException e) {
            throw new LabException("cannot write the key store for " + host.name() + ":" + service.port(), e);
        }
        return file;
    }

    private void record(String role, String host, Process process) {
        state.addProcess(new LabState.ProcessEntry(role, host, process.pid(), Processes.startMillis(process.toHandle())));
    }

    private static void waitUntil(Process process, Path log, String what, java.util.function.BooleanSupplier ready) {
        Instant deadline = Instant.now().plus(READY_TIMEOUT);
        while (!ready.getAsBoolean()) {
            if (!process.isAlive()) {
                throw new LabException(what + " exited with " + process.exitValue() + " before it was ready: " + tail(log));
            }
            if (Instant.now().isAfter(deadline)) {
                throw new LabException(what + " was not ready after " + READY_TIMEOUT.toSeconds() + " s: " + tail(log));
            }
            Processes.sleep(20);
        }
    }

    /** The last lines of a log, for error messages. */
    public static String tail(Path log) {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join(" | ", lines.subList(Math.max(0, lines.size() - 5), lines.size()));
        } catch (IOException e) {
            return "(no log at " + log + ")";
        }
    }

    private static void write(Path file, String content) {
        try {
            Files.createDirectories(file.getParent());
            Files.writeString(file, content);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }
}
