package netwatcher.cli;

import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Callable;
import netwatcher.agent.Agent;
import netwatcher.agent.AgentConfig;
import netwatcher.agent.EngineCaptureRunner;
import netwatcher.cli.discovery.ControllerDiscovery;
import netwatcher.cli.discovery.ControllerRecord;
import netwatcher.cli.lab.LabAgents;
import netwatcher.cli.lab.LabSession;
import netwatcher.controller.Controller;
import netwatcher.controller.ControllerConfig;
import netwatcher.lab.LabHandle;
import netwatcher.lab.Topology;
import netwatcher.logging.LogFormat;
import netwatcher.logging.Logging;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** {@code nw up}: the controller in the foreground, until Ctrl-C. */
@Command(name = "up", mixinStandardHelpOptions = true,
        description = {"Start the controller (and a local agent) in the foreground on embedded defaults. Ctrl-C stops it.",
                "--lab also builds the network-namespace lab with real agents (root) and prints a short guide.",
                "The banner (URL, token, CA, first commands) goes to stdout; logs go to stderr, one line per event."})
public final class UpCommand implements Callable<Integer> {
    private static final Logger LOG = LoggerFactory.getLogger(UpCommand.class);

    @Option(names = "--data-dir", description = "Where everything is kept (default: ${DEFAULT-VALUE}).", defaultValue = ".nw-data")
    Path dataDir;

    @Option(names = "--port", description = "HTTPS port (default: 8443).")
    Integer port;

    @Option(names = "--no-agent", description = "Do not start the local agent.")
    boolean noAgent;

    @Option(names = "--lab", description = "Also build the network-namespace lab with one agent per lab host (needs root; docs/lab.md).")
    boolean lab;

    @Option(names = "--topology", description = "With --lab: the topology file (default: the built-in lab).")
    Path topology;

    @Option(names = "--log-format", paramLabel = "text|json",
            description = "Log lines on stderr: text (default; one line per event) or json (one object per line, for log shippers)."
                    + " Default: log-format in DATA_DIR/controller.properties, else text.")
    String logFormat;

    @Override
    public Integer call() throws Exception {
        Path dir = dataDir.toAbsolutePath();
        try {
            Logging.configure(logFormat(logFormat, dir));
        } catch (IllegalArgumentException e) {
            System.err.println("nw up: " + e.getMessage());
            return 2;
        }
        ControllerConfig config = ControllerConfig.load(dir, port);
        if (alreadyRunning(dataDir) instanceof ControllerDiscovery.Running running) {
            System.err.println("nw up: a controller already runs with " + dataDir + " at " + running.record().url() + " (pid "
                    + running.record().pid() + "); use it, or stop it first (Ctrl-C in its shell, or `kill " + running.record().pid() + "`)");
            return 1;
        }
        Clock clock = Clock.systemUTC();
        Controller controller = Controller.start(config, clock);
        ControllerRecord record = record(controller, clock);
        record.write(dir);
        Agent agent = noAgent ? null : startLocalAgent(controller, dir);
        LabHandle labHandle = null;
        if (lab) {
            try {
                labHandle = LabSession.up(dir, Topology.readOrDefault(topology),
                        controller.config().host(), controller.port(), LabAgents.LOCATION);
            } catch (RuntimeException e) {
                LOG.error("the lab did not come up: {}", e.getMessage());
                if (agent != null) agent.close();
                controller.close();
                markStopped(dir, record, clock);
                return 1;
            }
        }
        LabHandle runningLab = labHandle;
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            System.out.println("\nnw: stopping...");
            if (runningLab != null) {
                try {
                    runningLab.close(); // agents first, so their last reports reach the controller
                } catch (RuntimeException e) {
                    LOG.warn("lab cleanup failed (run `nw lab down`): {}", e.getMessage());
                }
            }
            if (agent != null) agent.close();
            try {
                controller.close();
            } catch (Exception e) {
                LOG.error("error while stopping", e);
            }
            markStopped(dir, record, clock);
            stopped.countDown();
        }, "nw-shutdown"));
        String sub = controller.defaultSubscription().id();
        String ca = controller.caFile() == null ? "" : " --cacert " + controller.caFile();
        System.out.printf("""
                netwatcher is up.
                  API base URL:   %s
                  web console:    %s/console/ (log in with the admin token)
                  admin token:    %s
                  CA certificate: %s
                  subscription:   %s
                  recorded in:    %s (nw, nw admin and nw lab find it there)
                Try:
                  curl%s -H "Authorization: Bearer $(cat %s)" "%s/subscriptions/%s/providers/Microsoft.Network/networkWatchers?api-version=2025-05-01"
                """, controller.baseUrl(), controller.baseUrl(), controller.adminTokenFile(), controller.caFile(), sub, ControllerRecord.file(dir), ca,
                controller.adminTokenFile(), controller.baseUrl(), sub);
        for (String notice : controller.notices()) System.out.println("Note: " + notice);
        if (runningLab != null) System.out.print(labGuide(controller, runningLab));
        System.out.println(runningLab != null ? "Ctrl-C takes the lab down and stops the controller." : "Ctrl-C stops it.");
        System.out.flush();
        stopped.await();
        return 0;
    }

    /**
     * The log format: {@code --log-format}, else {@code log-format} in {@code DIR/controller.properties},
     * else {@code NW_LOG_FORMAT}, else text.
     *
     * @throws IllegalArgumentException naming the flag or the setting when the value is not a format
     */
    static LogFormat logFormat(String flag, Path dataDir) throws java.io.IOException {
        if (flag != null) return LogFormat.parse("--log-format", flag);
        return ControllerConfig.setting(dataDir, "log-format").map(v -> LogFormat.parse("log-format in controller.properties", v))
                .orElse(Logging.defaultFormat());
    }

    /** A short, paste-able tour of the lab: VMs, a capture on db, its status, its file. */
    public static String labGuide(Controller controller, LabHandle lab) {
        String sub = controller.defaultSubscription().id();
        String base = controller.baseUrl();
        String pc = base + "/subscriptions/" + sub + "/resourceGroups/NetworkWatcherRG/providers/Microsoft.Network/networkWatchers/NetworkWatcher_"
                + LabAgents.LOCATION + "/packetCaptures/demo";
        String db = "/subscriptions/" + sub + "/resourceGroups/" + LabAgents.RESOURCE_GROUP + "/providers/Microsoft.Compute/virtualMachines/db";
        String account = "/subscriptions/" + sub + "/resourceGroups/" + Controller.STORAGE_GROUP + "/providers/Microsoft.Storage/storageAccounts/"
                + Controller.LOCAL_ACCOUNT;
        String nw = System.getProperty("nw.home") == null ? "./nw" : Path.of(System.getProperty("nw.home"), "nw").toString();
        return """
                The lab is up: VMs %s in resource group '%s' (hosts are namespaces nw-lab-<host>; docs/lab.md). In another shell:
                  nwc() { curl -s --cacert %s -H "Authorization: Bearer $(cat %s)" "$@"; echo; }; PC=%s; V=api-version=2025-05-01; export NW_CONFIG=%s; %s login --endpoint %s --token "$(cat %s)" --ca-file %s >/dev/null
                  nwc "%s/subscriptions/%s/resourceGroups/%s/providers/Microsoft.Compute/virtualMachines?$V"
                  nwc -X PUT -H "Content-Type: application/json" "$PC?$V" -d '{"properties":{"target":"%s","timeLimitInSeconds":60,"storageLocation":{"storageId":"%s","filePath":"/var/captures/demo.cap"},"filters":[{"protocol":"TCP","localPort":"1433"}]}}'; sleep 1; ip netns exec %s bash -c 'echo hello > /dev/tcp/%s/1433'
                  nwc -X POST "$PC/queryStatus?$V"
                  %s watcher packet-capture stop -l %s -n demo && sleep 3 && %s watcher packet-capture download -l %s -n demo -f demo.cap && tshark -n -r demo.cap
                  %s watcher test-connectivity -g %s --source-resource app --dest-resource db --dest-port 80 -o table
                """.formatted(String.join(", ", LabSession.agentHosts(lab)), LabAgents.RESOURCE_GROUP,
                controller.caFile(), controller.adminTokenFile(), pc,
                controller.config().dataDir().resolve("nw-cli.json"), nw, base, controller.adminTokenFile(), controller.caFile(),
                base, sub, LabAgents.RESOURCE_GROUP,
                db, account, lab.host("app").namespace(), lab.host("db").ipv4(),
                nw, LabAgents.LOCATION, nw, LabAgents.LOCATION, nw, LabAgents.RESOURCE_GROUP);
    }

    /** The local agent: this machine becomes a VM of the default subscription at once. */
    public static Agent startLocalAgent(Controller controller, Path dir) {
        boolean root = "root".equals(System.getProperty("user.name"));
        String host = AgentConfig.hostName().toLowerCase(java.util.Locale.ROOT).replaceAll("[^a-z0-9_.-]", "-");
        java.util.Map<String, String> settings = new java.util.LinkedHashMap<>();
        settings.put("controller-url", controller.baseUrl());
        settings.put("enrollment-token", controller.adminToken());
        settings.put("vm-name", host.isEmpty() ? "localhost" : host);
        settings.put("resource-group", "local");
        settings.put("location", "local");
        settings.put("subscription-id", controller.defaultSubscription().id());
        if (controller.caFile() != null) settings.put("ca-file", controller.caFile().toString());
        settings.put("state-dir", dir.resolve("agent").toString());
        settings.put("captures-root", root ? "/var/captures" : dir.resolve("captures").toString());
        try {
            Agent agent = Agent.start(AgentConfig.fromSettings(settings), EngineCaptureRunner.create(), Agent.Tuning.DEFAULT,
                    java.time.InstantSource.system());
            System.out.println("  local agent:    VM " + settings.get("vm-name") + " in resource group 'local', location 'local'"
                    + (root ? "" : " (captures under " + settings.get("captures-root") + ": not root)"));
            return agent;
        } catch (Exception e) {
            System.out.println("  local agent:    not started: " + e.getMessage());
            return null;
        }
    }

    /** What the data directory's record says; an unreadable record counts as none (this start rewrites it). */
    private static ControllerDiscovery.Found alreadyRunning(Path dataDir) {
        try {
            return ControllerDiscovery.find(dataDir);
        } catch (IllegalStateException e) {
            return new ControllerDiscovery.NoRecord(dataDir);
        }
    }

    /** Where {@code controller}, running in this process, is: what {@code DIR/controller.json} records. */
    public static ControllerRecord record(Controller controller, Clock clock) {
        return new ControllerRecord(controller.baseUrl(), controller.caFile() == null ? null : controller.caFile().toAbsolutePath().toString(),
                controller.adminTokenFile().toAbsolutePath().toString(), ProcessHandle.current().pid(), clock.instant(), Agent.VERSION, null);
    }

    /** Marks {@code ours} stopped in {@code dir}, unless another controller has recorded itself there since. */
    public static void markStopped(Path dir, ControllerRecord ours, Clock clock) {
        try {
            var current = ControllerRecord.read(dir);
            if (current.isPresent() && current.get().pid() == ours.pid() && current.get().startedAt().equals(ours.startedAt())) {
                ours.stoppedAt(clock.instant()).write(dir);
            }
        } catch (RuntimeException e) {
            System.err.println("nw: cannot mark " + ControllerRecord.file(dir) + " stopped: " + e.getMessage());
        }
    }
}
