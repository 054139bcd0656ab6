package netwatcher.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bringing labs up and down: what exists before, during and after, on success and on failure. */
@Tag("netns")
class LabLifecycleTest {
    @TempDir
    Path dataDir;

    private String labName;
    private LabSpec spec;
    private final List<Runnable> cleanups = new ArrayList<>();

    @BeforeEach
    void setUp() {
        labName = LabExtension.randomLabName();
        spec = new LabSpec(dataDir, labName, 8443, LabExtension.freeManagementNetwork(), AgentLauncher.none(), false);
    }

    @AfterEach
    void tearDown() {
        // Whatever a failed assertion left behind.
        Lab.down(dataDir, labName);
        cleanups.reversed().forEach(Runnable::run);
    }

    @Test
    void down_whenLabWasUp_removesEverythingItCreatedAndNothingElse() {
        Decoys decoys = createDecoys();
        Set<String> namespacesBefore = namespaces();
        Set<String> linksBefore = rootLinks();
        Set<String> netnsDirsBefore = netnsDirs();
        String nftBefore = Commands.run(List.of("nft", "list", "tables")).stdout();

        LabHandle lab = Lab.up(spec, Topology.defaultLab());
        Set<String> namespacesDuring = namespaces();
        Set<String> linksDuring = rootLinks();
        lab.close();

        Set<String> expectedNamespaces = Topology.defaultLab().hosts().stream()
                .map(h -> "nw-" + labName + "-" + h.name()).collect(Collectors.toCollection(TreeSet::new));
        expectedNamespaces.add("nw-" + labName + "-fab");
        assertTrue(namespacesDuring.containsAll(expectedNamespaces), namespacesDuring.toString());
        assertTrue(linksDuring.contains("nw" + labName + "m"), linksDuring.toString());
        assertEquals(Set.of(), ours(namespaces()), "namespaces left");
        assertEquals(Set.of(), ours(rootLinks()), "root links left");
        assertEquals(Set.of(), ours(netnsDirs()), "/etc/netns dirs left");
        assertTrue(namespaces().containsAll(withoutTransient(namespacesBefore)), "a namespace that was there before is gone");
        assertTrue(rootLinks().containsAll(withoutTransient(linksBefore)), "a link that was there before is gone");
        assertTrue(netnsDirs().containsAll(withoutTransient(netnsDirsBefore)), "an /etc/netns dir that was there before is gone");
        assertEquals(nftBefore, Commands.run(List.of("nft", "list", "tables")).stdout());
        decoys.assertIntact();
        assertFalse(Files.exists(Lab.stateFile(dataDir)));
    }

    @Test
    void down_whenRunTwice_isANoOpTheSecondTime() {
        Lab.up(spec, Topology.defaultLab());

        assertTrue(Lab.down(dataDir, labName));
        assertFalse(Lab.down(dataDir, labName));
        assertEquals(Set.of(), ours(namespaces()));
    }

    @Test
    void up_whenNftScriptFailsHalfway_leavesNothingBehind() {
        Topology broken = Topology.read(write(Topology.defaultLab().toJson().replace("policy accept;\", \"  tcp dport 80",
                "policy accept;\", \"  tcp dport eighty")));

        LabException error = assertThrows(LabException.class, () -> Lab.up(spec, broken));

        assertTrue(error.getMessage().contains("nftables"), error.getMessage());
        assertNothingOfOursLeft();
    }

    @Test
    void up_whenRouteGatewayIsUnreachable_leavesNothingBehind() {
        // Valid lab address, so validation passes; the kernel refuses the route mid-build.
        Topology broken = Topology.read(write(Topology.defaultLab().toJson().replace("\"via\" : \"198.18.3.1\"", "\"via\" : \"198.18.9.1\"")));

        LabException error = assertThrows(LabException.class, () -> Lab.up(spec, broken));

        assertTrue(error.getMessage().contains("configuring host db"), error.getMessage());
        assertTrue(error.getMessage().contains("198.18.9.1"), error.getMessage());
        assertNothingOfOursLeft();
    }

    @Test
    void up_whenAgentLaunchFailsAfterServicesStarted_killsThemAndLeavesNothingBehind() {
        // A unique sleep duration marks the stand-in agents this test starts.
        String token = "600." + (System.nanoTime() % 100000);
        AgentLauncher failsOnDb = host -> {
            if (host.name().equals("db")) throw new IllegalStateException("no enrollment token for db");
            return List.of("sleep", token);
        };

        LabException error = assertThrows(LabException.class, () -> Lab.up(spec.withAgents(failsOnDb), Topology.defaultLab()));

        assertTrue(error.getMessage().contains("no enrollment token for db"), error.getMessage());
        assertNothingOfOursLeft();
        List<ProcessHandle> survivors = ProcessHandle.allProcesses()
                .filter(p -> p.info().commandLine().orElse("").contains("sleep " + token)).toList();
        assertEquals(List.of(), survivors, "stand-in agents survived the failed up");
        String dataDirText = dataDir.toString();
        assertEquals(List.of(), ProcessHandle.allProcesses()
                .filter(p -> p.info().commandLine().orElse("").contains(dataDirText)).toList(), "lab helpers survived");
    }

    @Test
    void up_whenLabAlreadyRecordedOrNamesTaken_refusesClearly(@TempDir Path otherDataDir) {
        Lab.up(spec, Topology.defaultLab());

        LabException sameDir = assertThrows(LabException.class, () -> Lab.up(spec, Topology.defaultLab()));
        LabException sameName = assertThrows(LabException.class,
                () -> Lab.up(new LabSpec(otherDataDir, labName, 8443, LabExtension.freeManagementNetwork(), AgentLauncher.none(), false),
                        Topology.defaultLab()));

        assertTrue(sameDir.getMessage().contains("already recorded"), sameDir.getMessage());
        assertTrue(sameName.getMessage().contains("namespace nw-" + labName + "-app exists"), sameName.getMessage());
        assertFalse(Files.exists(Lab.stateFile(otherDataDir)));
        assertTrue(namespaces().contains("nw-" + labName + "-app"), "the refused up must not touch the running lab");
    }

    @Test
    void agents_withStandInCommand_getPrivateCapturesAndAreKilledOnDown() throws Exception {
        AgentLauncher standIn = host -> List.of("sh", "-c", "touch /var/captures/marker-" + host.name() + " && exec sleep 600");
        LabHandle lab = Lab.up(spec.withAgents(standIn), Topology.defaultLab());
        List<ProcessHandle> agents = new ArrayList<>();
        for (String host : List.of("app", "fw1", "fw2", "db")) {
            agents.add(lab.agentProcess(host).orElseThrow(() -> new AssertionError("no agent on " + host)));
        }
        // the stand-ins start one by one: wait until each has run before looking at what it left
        for (String host : List.of("app", "fw1", "fw2", "db")) {
            waitFor(() -> Files.exists(lab.host(host).capturesDirectory().resolve("marker-" + host)));
        }

        assertTrue(lab.agentProcess("web").isEmpty());
        assertEquals(List.of("marker-app"), list(lab.host("app").capturesDirectory()));
        assertEquals(List.of("marker-db"), list(lab.host("db").capturesDirectory()));
        assertTrue(agents.getFirst().info().commandLine().orElse("").contains("sleep 600"), agents.getFirst().info().toString());

        lab.close();

        for (ProcessHandle agent : agents) {
            assertFalse(agent.isAlive(), "agent " + agent.pid() + " survived down");
        }
    }

    @Test
    void stopAgent_thenStartAgent_replacesTheProcess() {
        LabHandle lab = Lab.up(spec.withAgents(host -> List.of("sleep", "600")), Topology.defaultLab());
        ProcessHandle first = lab.agentProcess("app").orElseThrow();

        lab.stopAgent("app");
        boolean goneAfterStop = !first.isAlive() && lab.agentProcess("app").isEmpty();
        lab.startAgent("app");
        ProcessHandle second = lab.agentProcess("app").orElseThrow();

        assertTrue(goneAfterStop);
        assertTrue(second.isAlive() && second.pid() != first.pid());
        assertThrows(LabException.class, () -> lab.startAgent("app"));
        assertThrows(IllegalArgumentException.class, () -> lab.startAgent("web"));
        lab.close();
        assertFalse(second.isAlive());
    }

    @Test
    void down_fromAnotherProcessAfterACrash_removesTheLabAndItsProcesses() throws Exception {
        List<String> command = new ArrayList<>(ServiceLauncher.javaCommand());
        command.addAll(List.of(CrashingLab.class.getName(), dataDir.toString(), labName, spec.managementNetwork()));
        Process crashing = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(crashing.getInputStream().readAllBytes());
        assertTrue(crashing.waitFor(60, TimeUnit.SECONDS));
        assertEquals(CrashingLab.EXIT_CODE, crashing.exitValue(), output);
        assertTrue(namespaces().contains("nw-" + labName + "-app"), "the crashed JVM's lab should still be there: " + output);
        List<ProcessHandle> orphans = namespaces().contains("nw-" + labName + "-db")
                ? pidsIn("nw-" + labName + "-db") : List.of();
        assertFalse(orphans.isEmpty(), "expected the db server and agent to outlive the crashed JVM");

        assertTrue(Lab.down(dataDir, labName));

        assertNothingOfOursLeft();
        orphans.forEach(p -> assertFalse(p.isAlive(), "process " + p.pid() + " survived down"));
    }

    @Test
    void up_whenTheJvmIsInterrupted_removesTheLabInTheShutdownHook() throws Exception {
        List<String> command = new ArrayList<>(ServiceLauncher.javaCommand());
        command.addAll(List.of(HeldLab.class.getName(), dataDir.toString(), labName, spec.managementNetwork()));
        Process held = new ProcessBuilder(command).redirectErrorStream(true).start();
        var reader = new java.io.BufferedReader(new java.io.InputStreamReader(held.getInputStream()));
        String line = reader.readLine();
        assertEquals("up", line, "the child did not bring its lab up");
        assertTrue(namespaces().contains("nw-" + labName + "-app"));
        List<ProcessHandle> helpers = pidsIn("nw-" + labName + "-db");

        held.destroy(); // SIGTERM, as Ctrl-C's SIGINT: shutdown hooks run
        assertTrue(held.waitFor(60, TimeUnit.SECONDS));

        assertNothingOfOursLeft();
        helpers.forEach(p -> assertFalse(p.isAlive(), "process " + p.pid() + " survived the shutdown hook"));
    }

    @Test
    void attach_whenLabRunsInThisDataDir_controlsItWithoutOwningItsExit() {
        Lab.up(spec, Topology.defaultLab());
        LabHandle attached = Lab.attach(spec.withAgentsStopped(host -> List.of("sleep", "600")));

        attached.startAgent("fw1");

        assertEquals("nw-" + labName + "-fw1", attached.host("fw1").namespace());
        assertTrue(attached.agentProcess("fw1").isPresent());
        assertEquals(0, attached.exec("app", "hping3", "-n", "-1", "-c", "1", "198.18.201.10").exitCode());
        assertThrows(LabException.class, () -> Lab.attach(spec.withLabName("other")));
        attached.close();
        assertNothingOfOursLeft();
    }

    /** Brings a lab up and waits to be killed; the shutdown hook must take the lab down. */
    static final class HeldLab {
        public static void main(String[] args) throws InterruptedException {
            LabSpec heldSpec = new LabSpec(Path.of(args[0]), args[1], 8443, args[2], host -> List.of("sleep", "600"), true);
            Lab.up(heldSpec, Topology.defaultLab());
            System.out.println("up");
            System.out.flush();
            Thread.sleep(Duration.ofMinutes(5));
        }
    }

    /** Brings a lab up with stand-in agents and exits without any cleanup (no shutdown hooks). */
    static final class CrashingLab {
        static final int EXIT_CODE = 42;

        public static void main(String[] args) {
            LabSpec crashSpec = new LabSpec(Path.of(args[0]), args[1], 8443, args[2], host -> List.of("sleep", "600"), true);
            Lab.up(crashSpec, Topology.defaultLab());
            System.out.println("up; crashing");
            Runtime.getRuntime().halt(EXIT_CODE);
        }
    }

    private void assertNothingOfOursLeft() {
        assertEquals(Set.of(), ours(namespaces()), "namespaces left");
        assertEquals(Set.of(), ours(rootLinks()), "root links left");
        assertEquals(Set.of(), ours(netnsDirs()), "/etc/netns dirs left");
        assertFalse(Files.exists(Lab.stateFile(dataDir)), "state file left");
    }

    private Set<String> ours(Set<String> names) {
        return names.stream().filter(n -> n.startsWith("nw-" + labName + "-") || n.equals("nw" + labName + "m"))
                .collect(Collectors.toSet());
    }

    /** Other helpers' tests create and remove nwt* objects concurrently; do not count those. */
    private static Set<String> withoutTransient(Set<String> names) {
        return names.stream().filter(n -> !n.startsWith("nwt") && !n.startsWith("nw-t")).collect(Collectors.toSet());
    }

    private static Set<String> namespaces() {
        return netwatcher.lab.Teardown.existingNamespaces();
    }

    private static Set<String> rootLinks() {
        return netwatcher.lab.Teardown.existingRootLinks();
    }

    private static Set<String> netnsDirs() {
        Path etc = Path.of("/etc/netns");
        if (!Files.isDirectory(etc)) return Set.of();
        try (var entries = Files.list(etc)) {
            return entries.map(p -> p.getFileName().toString()).collect(Collectors.toSet());
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private static List<ProcessHandle> pidsIn(String namespace) {
        String pids = Commands.run(List.of("ip", "netns", "pids", namespace)).stdout();
        return pids.lines().filter(l -> !l.isBlank()).flatMap(l -> ProcessHandle.of(Long.parseLong(l.trim())).stream()).toList();
    }

    private static List<String> list(Path dir) throws IOException {
        try (var entries = Files.list(dir)) {
            return entries.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    private Path write(String json) {
        try {
            Path file = dataDir.resolve("topology.json");
            Files.writeString(file, json);
            return file;
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private static void waitFor(java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) throw new AssertionError("condition not met within 30 s");
            Thread.sleep(20);
        }
    }

    /** Objects named like a lab's that another lab must never touch: a namespace, a root veth, an /etc/netns dir. */
    private Decoys createDecoys() {
        String suffix = LabExtension.randomLabName().substring(1);
        Decoys decoys = new Decoys("nwt" + suffix + "d", "nwt" + suffix + "v", Path.of("/etc/netns/nwt" + suffix + "d"));
        Commands.check("decoy namespace", List.of("ip", "netns", "add", decoys.namespace()));
        cleanups.add(() -> Commands.run(List.of("ip", "netns", "del", decoys.namespace())));
        Commands.check("decoy link", List.of("ip", "link", "add", decoys.link(), "type", "veth", "peer", "name", decoys.link() + "p"));
        cleanups.add(() -> Commands.run(List.of("ip", "link", "del", decoys.link())));
        try {
            boolean etcExisted = Files.isDirectory(Path.of("/etc/netns"));
            Files.createDirectories(decoys.dir());
            cleanups.add(() -> {
                try {
                    Files.deleteIfExists(decoys.dir());
                    if (!etcExisted) Files.deleteIfExists(Path.of("/etc/netns"));
                } catch (IOException e) {
                    throw new AssertionError(e);
                }
            });
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        return decoys;
    }

    private record Decoys(String namespace, String link, Path dir) {
        void assertIntact() {
            assertTrue(namespaces().contains(namespace), "decoy namespace removed");
            assertTrue(rootLinks().contains(link), "decoy link removed");
            assertTrue(Files.isDirectory(dir), "decoy /etc/netns dir removed");
        }
    }
}
