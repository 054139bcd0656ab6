package netwatcher.cli.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code nw watcher packet-capture}: the packet-capture verbs of {@code az network watcher
 * packet-capture} with the same option names, plus {@code download} (the file at the capture's
 * {@code storagePath}, resumable), {@code watch} (live progress) and {@code snapshot} (a time window of a running
 * capture, into one file).
 */
@Command(name = "packet-capture", description = "Packet captures on virtual machines (az network watcher packet-capture).",
        mixinStandardHelpOptions = true)
public final class PacketCaptureCommand implements Runnable {
    /** The subcommands, in usage order; {@link netwatcher.cli.CommandTree} adds only the one a call names. */
    public static final java.util.List<Class<?>> SUBCOMMANDS = java.util.List.of(Create.class, Show.class, ListCaptures.class,
            ShowStatus.class, Stop.class, Snapshot.class, Delete.class, Download.class, Watch.class, StreamCommand.class);

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() { spec.commandLine().usage(spec.commandLine().getOut()); }

    /** Where to look for a capture: a location's watcher, a VM's watcher, or every watcher. */
    public static final class Scope {
        @Option(names = {"-l", "--location"}, paramLabel = "LOCATION", description = "Location of the network watcher (az's way to find it).")
        String location;

        @Option(names = "--vm", paramLabel = "VM", description = "A VM (name or id) whose location's watcher holds the capture.")
        String vm;

        @Option(names = {"-g", "--resource-group"}, paramLabel = "RG", description = "Resource group of --vm.")
        String resourceGroup;

        /** The capture named {@code name} in this scope ({@link Lookup#capture}). */
        JsonNode find(ArmClient arm, String name) {
            return new Lookup(arm).capture(name, location, vm, resourceGroup);
        }
    }

    /** The capture a command acts on: {@code -n NAME} in a {@link Scope}. */
    public static final class CaptureRef {
        @Mixin Scope scope;

        @Option(names = {"-n", "--name"}, required = true, paramLabel = "NAME", description = "Name of the capture.")
        String name;

        JsonNode find(ArmClient arm) {
            return scope.find(arm, name);
        }
    }

    static final String SCOPE_NOTE = "Without -l/--vm every network watcher of the subscription is searched for NAME.";

    @Command(name = "create", mixinStandardHelpOptions = true,
            description = {"Start a packet capture on a VM.",
                "The watcher is the one in the VM's location (or --location). Waits for the create operation "
                    + "(Azure-AsyncOperation) unless --no-wait; with --wait, then shows the capture's progress until it ends "
                    + "and prints the capture. Give --storage-account, --file-path, or both."},
            footerHeading = "%nExamples:%n", footer = {
                "  nw watcher packet-capture create -g lab --vm vm1 -n pc1 \\",
                "      --storage-account netwatcherlocal --time-limit 60",
                "  nw watcher packet-capture create --vm vm1 -n pc2 \\",
                "      --file-path /var/captures/pc2.cap \\",
                "      --filters '[{\"protocol\":\"TCP\",\"remotePort\":\"80;443\"}]'",
                "  nw watcher packet-capture create --vm vm1 -n pc3 \\",
                "      --storage-account netwatcherlocal --capture-size 128 \\",
                "      --capture-limit 10485760 --time-limit 30 --wait",
                "  nw watcher packet-capture create --vm dbss -n fleet1 \\",
                "      --target-type AzureVMSS --exclude 1 \\",
                "      --storage-account netwatcherlocal \\",
                "      --file-path /var/captures/fleet1.cap",
                "  nw watcher packet-capture create --vm vm1 -n ring1 \\",
                "      --file-path /var/captures/ring1.cap \\",
                "      --storage-account netwatcherlocal --continuous \\",
                "      --file-count 10 --file-size 10485760 \\",
                "      --session-time-limit 86400"})
    public static final class Create extends ArmCommand {
        @Option(names = "--vm", required = true, paramLabel = "VM",
                description = "Target VM, or scale set with --target-type AzureVMSS: name (with -g, or unique) or resource id.")
        String vm;

        @Option(names = "--target-type", paramLabel = "TYPE", defaultValue = "AzureVM",
                description = "AzureVM (default) or AzureVMSS: capture on every instance of the scale set --vm that --include/--exclude choose.")
        String targetType;

        @Option(names = "--include", split = ",", paramLabel = "ID", description = "With AzureVMSS: only these instance ids (comma-separated; default all).")
        java.util.List<String> include;

        @Option(names = "--exclude", split = ",", paramLabel = "ID", description = "With AzureVMSS: not these instance ids (comma-separated).")
        java.util.List<String> exclude;

        @Option(names = {"-g", "--resource-group"}, paramLabel = "RG", description = "Resource group of the VM.")
        String resourceGroup;

        @Option(names = {"-n", "--name"}, required = true, paramLabel = "NAME", description = "Name of the capture.")
        String name;

        @Option(names = {"-l", "--location"}, paramLabel = "LOCATION", description = "Location of the watcher (default: the VM's).")
        String location;

        @Option(names = "--file-path", paramLabel = "PATH", description = "Path of the capture file on the VM (e.g. /var/captures/pc1.cap).")
        String filePath;

        @Option(names = "--storage-account", paramLabel = "ID", description = "Storage account (name or id) that receives the file.")
        String storageAccount;

        @Option(names = "--filters", paramLabel = "JSON", description = "JSON array of filters: protocol, localIPAddress, remoteIPAddress, localPort, remotePort.")
        String filters;

        @Option(names = "--capture-size", paramLabel = "N", description = "Bytes captured per packet (0 = whole packet).")
        Long captureSize;

        @Option(names = "--capture-limit", paramLabel = "N", description = "Maximum bytes in the session (API default 1073741824).")
        Long captureLimit;

        @Option(names = "--time-limit", paramLabel = "N", description = "Maximum duration in seconds (API default 18000).")
        Long timeLimit;

        @Option(names = "--continuous", arity = "0..1", paramLabel = "true|false", fallbackValue = "true",
                description = "continuousCapture: true keeps a ring of --file-count files, the oldest replaced; false stops when they are full"
                        + " (docs/captures.md). With it, --file-path is sent as storageLocation.localPath.")
        Boolean continuous;

        @Option(names = "--file-count", paramLabel = "N", description = "captureSettings.fileCount: files of the set or ring (API default 10).")
        Long fileCount;

        @Option(names = "--file-size", paramLabel = "BYTES", description = "captureSettings.fileSizeInBytes: bytes per file (API default 104857600).")
        Long fileSize;

        @Option(names = "--session-time-limit", paramLabel = "SECONDS",
                description = "captureSettings.sessionTimeLimitInSeconds: how long the capture runs (API default 86400, at most 604800).")
        Long sessionTimeLimit;

        @Option(names = "--wait", description = "After creating, show progress until the capture ends; exit 6 if it ends in Error.")
        boolean waitForEnd;

        @Option(names = "--no-wait", description = "Return right after the PUT is accepted (print its 201 body).")
        boolean noWait;

        @Option(names = "--interval", paramLabel = "SECONDS", defaultValue = "1", description = "Seconds between status polls with --wait (default: ${DEFAULT-VALUE}).")
        long interval;

        @Override
        protected int execute() {
            if (filePath == null && storageAccount == null) throw CliException.usage("give --storage-account ID, --file-path PATH, or both");
            if (waitForEnd && noWait) throw CliException.usage("--wait and --no-wait exclude each other");
            boolean scaleSet = targetType.equalsIgnoreCase("AzureVMSS");
            if (!scaleSet && !targetType.equalsIgnoreCase("AzureVM")) throw CliException.usage("--target-type must be AzureVM or AzureVMSS, got " + targetType);
            if (!scaleSet && (include != null || exclude != null)) throw CliException.usage("--include and --exclude need --target-type AzureVMSS");
            ArmClient arm = client();
            Lookup lookup = new Lookup(arm);
            JsonNode vmNode = scaleSet ? lookup.scaleSet(vm, resourceGroup) : lookup.vm(vm, resourceGroup);
            JsonNode watcher = lookup.watcherIn(location != null ? location : vmNode.path("location").asText());
            ObjectNode props = Output.object();
            props.put("target", vmNode.path("id").asText());
            if (scaleSet) {
                props.put("targetType", "AzureVMSS");
                if (include != null || exclude != null) {
                    ObjectNode scope = props.putObject("scope");
                    if (include != null) include.forEach(scope.putArray("include")::add);
                    if (exclude != null) exclude.forEach(scope.putArray("exclude")::add);
                }
            }
            if (captureSize != null) props.put("bytesToCapturePerPacket", captureSize);
            if (captureLimit != null) props.put("totalBytesPerSession", captureLimit);
            if (timeLimit != null) props.put("timeLimitInSeconds", timeLimit);
            if (continuous != null) props.put("continuousCapture", continuous);
            if (fileCount != null || fileSize != null || sessionTimeLimit != null) {
                ObjectNode settings = props.putObject("captureSettings");
                if (fileCount != null) settings.put("fileCount", fileCount);
                if (fileSize != null) settings.put("fileSizeInBytes", fileSize);
                if (sessionTimeLimit != null) settings.put("sessionTimeLimitInSeconds", sessionTimeLimit);
            }
            ObjectNode storage = props.putObject("storageLocation");
            if (storageAccount != null) storage.put("storageId", lookup.storageAccountId(storageAccount));
            // the spec's rule: with continuousCapture present (true or false) the host path is localPath, else filePath
            if (filePath != null) storage.put(continuous != null ? "localPath" : "filePath", filePath);
            if (filters != null) {
                JsonNode f = Output.parseOption("--filters", filters);
                if (!f.isArray()) throw CliException.usage("--filters must be a JSON array, e.g. '[{\"protocol\":\"TCP\"}]'");
                props.set("filters", f);
            }
            ObjectNode body = Output.object();
            body.set("properties", props);
            String path = watcher.path("id").asText() + "/packetCaptures/" + name;
            ArmClient.Response first = ArmClient.check(arm.send("PUT", path, ArmClient.NETWORK_API, body));
            if (noWait) {
                print(first.body());
                return 0;
            }
            JsonNode capture = arm.follow("PUT", path, ArmClient.NETWORK_API, first).body();
            if (!waitForEnd) {
                print(capture);
                return 0;
            }
            Watching.Result last = Watching.watch(arm, capture, new Progress(err(), Progress.terminal(env()), clock()), Duration.ofSeconds(interval));
            print(arm.get(path, ArmClient.NETWORK_API));
            return last.snapshot().status().equals("Error") ? ExitCodes.OPERATION_FAILED : 0;
        }
    }

    @Command(name = "show", mixinStandardHelpOptions = true, description = {"Show a packet capture.",
                "For a ring or file set (continuousCapture, captureSettings), adds 'ring' from queryStatus: its files"
                    + " (name, index, bytes, packets, first/last packet time, uploaded) and the time they cover.",
                "properties.snapshots lists the capture's snapshots (id, state, window, packets, storagePath or error).", SCOPE_NOTE},
            footerHeading = "%nExamples:%n", footer = {
                "  nw watcher packet-capture show -l local -n pc1",
                "  nw watcher packet-capture show -n pc1 \\",
                "      --query properties.storageLocation.storagePath -o tsv"})
    public static final class Show extends ArmCommand {
        @Mixin CaptureRef ref;

        @Override
        protected int execute() {
            ArmClient arm = client();
            JsonNode capture = ref.find(arm);
            JsonNode p = capture.path("properties");
            if ((p.has("continuousCapture") || p.has("captureSettings")) && capture instanceof ObjectNode o) {
                JsonNode status = arm.longRunning("POST", capture.path("id").asText() + "/queryStatus", ArmClient.NETWORK_API, null).body();
                if (status.has("ring")) o.set("ring", status.path("ring"));
            }
            print(capture);
            return 0;
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true,
            description = {"List packet captures: of the watcher in -l LOCATION (or the VM's), else of every watcher.",
                "-o table shows Name, ResourceGroup, Location, Target (the VM), Status (from queryStatus) and ProvisioningState."},
            footerHeading = "%nExamples:%n", footer = {
                "  nw watcher packet-capture list -l local",
                "  nw watcher packet-capture list -o table"})
    public static final class ListCaptures extends ArmCommand {
        @Mixin Scope scope;

        @Override
        protected int execute() {
            ArmClient arm = client();
            List<JsonNode> items = new ArrayList<>();
            Map<JsonNode, String> locations = new IdentityHashMap<>();
            for (JsonNode w : new Lookup(arm).watchersFor(scope.location, scope.vm, scope.resourceGroup)) {
                for (JsonNode capture : arm.list(w.path("id").asText() + "/packetCaptures", ArmClient.NETWORK_API)) {
                    items.add(capture);
                    locations.put(capture, w.path("location").asText());
                }
            }
            // the status column needs queryStatus, asked only when a table is printed
            printList(items, capture -> TableRows.capture(capture, locations.get(capture),
                    arm.longRunning("POST", capture.path("id").asText() + "/queryStatus", ArmClient.NETWORK_API, null).body()));
            return 0;
        }
    }

    @Command(name = "show-status", mixinStandardHelpOptions = true,
            description = {"Query a capture's status (POST queryStatus, followed to its Location).",
                "Prints packetCaptureStatus, stopReason, packetCaptureError and, from netwatcher, the counters packetsCaptured, "
                    + "bytesWritten, kernelDrops, interfaceDrops, uploadState.", SCOPE_NOTE},
            footerHeading = "%nExamples:%n", footer = {
                "  nw watcher packet-capture show-status -l local -n pc1",
                "  nw watcher packet-capture show-status -n pc1 \\",
                "      --query packetCaptureStatus -o tsv"})
    public static final class ShowStatus extends ArmCommand {
        @Mixin CaptureRef ref;

        @Override
        protected int execute() {
            ArmClient arm = client();
            JsonNode capture = ref.find(arm);
            print(arm.longRunning("POST", capture.path("id").asText() + "/queryStatus", ArmClient.NETWORK_API, null).body());
            return 0;
        }
    }

    @Command(name = "stop", mixinStandardHelpOptions = true,
            description = {"Stop a running capture.", "POST stop, then waits until the operation at Location completes.", SCOPE_NOTE},
            footerHeading = "%nExamples:%n", footer = {"  nw watcher packet-capture stop -l local -n pc1"})
    public static final class Stop extends ArmCommand {
        @Mixin CaptureRef ref;

        @Override
        protected int execute() {
            ArmClient arm = client();
            JsonNode capture = ref.find(arm);
            arm.longRunning("POST", capture.path("id").asText() + "/stop", ArmClient.NETWORK_API, null);
            return 0;
        }
    }

    @Command(name = "snapshot", mixinStandardHelpOptions = true,
            description = {"Cut a time window out of a running capture into one file, without stopping it (a netwatcher extension).",
                "POST snapshot with --last DURATION (the window ends now) or --from/--to (RFC 3339 times), then waits for the"
                    + " operation, showing its progress on standard error (redrawn in place on a terminal), and prints the snapshot:"
                    + " packets, first/last packet time and storagePath (<capture's folder>/snapshots/<id>.cap). One snapshot"
                    + " per capture runs at a time. Exit 6 when the agent could not cut or store it (the error says why).",
                "A scale-set capture (--target-type AzureVMSS): every instance whose capture runs cuts the window, and the"
                    + " controller merges the cuts into one time-ordered pcapng (one interface per host, vm/eth0) at"
                    + " <capture's folder>/snapshots/<id>.pcapng; 'instances' lists each instance's packets or why it has none."
                    + " Exit 6 when no instance contributed (FleetSnapshotEmpty).", SCOPE_NOTE},
            footerHeading = "%nExamples:%n", footer = {
                "  nw watcher packet-capture snapshot -n ring1 --last 30s",
                "  nw watcher packet-capture snapshot -n ring1 \\",
                "      --from 2026-12-03T14:05:00Z --to 2026-12-03T14:06:00Z",
                "  nw watcher packet-capture snapshot -n ring1 --last 5m --no-wait",
                "  nw watcher packet-capture snapshot -n dbfleet --last 10s"})
    public static final class Snapshot extends ArmCommand {
        @Mixin CaptureRef ref;

        @Option(names = "--last", paramLabel = "DURATION", description = "The last DURATION up to now: seconds, or with a unit: 30s, 5m, 2h.")
        String last;

        @Option(names = "--from", paramLabel = "TIME", description = "Window start, RFC 3339 (e.g. 2026-12-03T14:05:00Z); with --to.")
        String from;

        @Option(names = "--to", paramLabel = "TIME", description = "Window end, RFC 3339; with --from.")
        String to;

        @Option(names = "--no-wait", description = "Return once the request is accepted: print the operation's URLs (or the snapshot when it was done at once).")
        boolean noWait;

        @Override
        protected int execute() {
            ObjectNode body = Output.object();
            if (last != null) {
                if (from != null || to != null) throw CliException.usage("give --last DURATION or --from TIME --to TIME, not both");
                body.put("lastSeconds", seconds(last));
            } else {
                if (from == null || to == null) throw CliException.usage("give --last DURATION (e.g. 30s) or both --from TIME and --to TIME");
                body.put("from", from);
                body.put("to", to);
            }
            ArmClient arm = client();
            JsonNode capture = ref.find(arm);
            String path = capture.path("id").asText() + "/snapshot";
            ArmClient.Response first = ArmClient.check(arm.send("POST", path, ArmClient.NETWORK_API, body));
            if (noWait && first.status() == 202) {
                ObjectNode accepted = Output.object();
                accepted.put("status", "Accepted");
                accepted.put("azureAsyncOperation", first.header("Azure-AsyncOperation"));
                accepted.put("location", first.header("Location"));
                print(accepted);
                return 0;
            }
            SnapshotProgress progress = new SnapshotProgress(err(), Progress.terminal(env()), ref.name, clock());
            JsonNode snapshot;
            try {
                snapshot = arm.follow("POST", path, ArmClient.NETWORK_API, first, progress::update).body();
            } finally {
                progress.finish();
            }
            print(snapshot);
            return 0;
        }

        /** Whole seconds of a duration given as N, Ns, Nm or Nh. */
        static long seconds(String text) {
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("(\\d{1,9})\\s*([smh]?)").matcher(text.strip());
            if (!m.matches()) throw CliException.usage("--last takes seconds or a duration such as 30s, 5m or 2h; got '" + text + "'");
            long n = Long.parseLong(m.group(1));
            return switch (m.group(2)) {
                case "m" -> n * 60;
                case "h" -> n * 3600;
                default -> n;
            };
        }
    }

    /**
     * The progress of a snapshot's operation on standard error: on a terminal one line redrawn in place (status and
     * seconds waited), elsewhere one plain line per status change and no escape codes. Not thread-safe.
     */
    static final class SnapshotProgress {
        private final java.io.PrintWriter out;
        private final boolean terminal;
        private final String name;
        private final java.time.InstantSource clock;
        private final java.time.Instant start;
        private String shown;

        SnapshotProgress(java.io.PrintWriter out, boolean terminal, String name, java.time.InstantSource clock) {
            this.out = out;
            this.terminal = terminal;
            this.name = name;
            this.clock = clock;
            this.start = clock.instant();
        }

        void update(JsonNode status) {
            String s = status.path("status").asText("InProgress");
            if (terminal) {
                double waited = Duration.between(start, clock.instant()).toMillis() / 1000.0;
                out.printf(java.util.Locale.ROOT, "\r\u001b[Ksnapshot of %s: %s (%.1f s)", name, s, waited);
                out.flush();
                shown = s;
            } else if (!s.equals(shown)) {
                out.println("snapshot of " + name + ": " + s);
                out.flush();
                shown = s;
            }
        }

        void finish() {
            if (terminal && shown != null) {
                out.print("\r\u001b[K");
                out.flush();
            }
        }
    }

    @Command(name = "delete", mixinStandardHelpOptions = true,
            description = {"Delete a capture.", "A running capture is stopped first; the file in storage is kept.", SCOPE_NOTE},
            footerHeading = "%nExamples:%n", footer = {"  nw watcher packet-capture delete -l local -n pc1"})
    public static final class Delete extends ArmCommand {
        @Mixin CaptureRef ref;

        @Override
        protected int execute() {
            ArmClient arm = client();
            JsonNode capture = ref.find(arm);
            arm.longRunning("DELETE", capture.path("id").asText(), ArmClient.NETWORK_API, null);
            return 0;
        }
    }

    @Command(name = "download", mixinStandardHelpOptions = true,
            description = {"Download a capture's file from its storagePath, with resume.",
                "The bytes go to FILE.part first; when a download is interrupted, running the command again resumes it "
                    + "(HTTP Range). The bearer token is sent only when storagePath is on the endpoint's own origin.", SCOPE_NOTE},
            footerHeading = "%nExamples:%n", footer = {
                "  nw watcher packet-capture download -n pc1",
                "  nw watcher packet-capture download -l local -n pc1 -f /tmp/pc1.pcap",
                "  tshark -r /tmp/pc1.pcap"})
    public static final class Download extends ArmCommand {
        @Mixin CaptureRef ref;

        @Option(names = {"-f", "--file"}, paramLabel = "FILE", description = "Where to write (default: the storagePath's file name in the working directory).")
        Path file;

        @Option(names = "--merged", description = "A scale-set capture's merged pcapng (properties.mergedFile) instead of storagePath.")
        boolean merged;

        @Override
        protected int execute() {
            if (file != null) requireDirectoryOf(file);
            ArmClient arm = client();
            JsonNode capture = ref.find(arm);
            String url = capture.path("properties").path("storageLocation").path("storagePath").asText("");
            if (merged) {
                JsonNode m = capture.path("properties").path("mergedFile");
                if (m.path("state").asText().equals("MergeFailed")) {
                    JsonNode status = arm.longRunning("POST", capture.path("id").asText() + "/queryStatus", ArmClient.NETWORK_API, null).body();
                    throw new CliException(ExitCodes.OPERATION_FAILED, "MergeFailed", mergeFailed(ref.name, m, status));
                }
                if (!m.path("state").asText().equals("Done")) {
                    throw new CliException(ExitCodes.NOT_FOUND, "NoMergedFile", "capture " + ref.name + " has no merged file"
                            + (m.isMissingNode() ? " (it is not a scale-set capture with a storage account)" : " yet (state " + m.path("state").asText() + ")"));
                }
                url = m.path("storagePath").asText();
            }
            if (url.isEmpty()) {
                throw new CliException(ExitCodes.NOT_FOUND, "NoStoragePath", "capture " + ref.name + " has no storagePath (created with --file-path only); "
                        + "its file stays on the VM at " + capture.path("properties").path("storageLocation").path("filePath").asText("?"));
            }
            Path target = file;
            if (target == null) {
                String p = URI.create(url).getPath();
                target = Path.of(p.substring(p.lastIndexOf('/') + 1).isEmpty() ? ref.name + ".cap" : p.substring(p.lastIndexOf('/') + 1));
            }
            requireDirectoryOf(target);
            ArmClient.Download d;
            try {
                d = arm.download(url, target);
            } catch (CliException e) {
                if (e.exitCode() != ExitCodes.NOT_FOUND) throw e;
                throw new CliException(e.exitCode(), e.code(), e.getMessage() + " (is the file uploaded yet? see uploadState in "
                        + "`nw watcher packet-capture show-status -n " + ref.name + "`)", e);
            }
            ObjectNode result = Output.object();
            result.put("name", ref.name);
            result.put("storagePath", url);
            result.put("file", d.file().toAbsolutePath().toString());
            result.put("bytes", d.bytes());
            result.put("resumedFrom", d.resumedFrom());
            print(result);
            return 0;
        }
    }

    /**
     * What to tell a user who asked for a scale-set capture's merged file that was given up ({@code mergedFile.state}
     * {@code MergeFailed}): the cause, and the instances' own files (queryStatus {@code instances[].storagePath}) with the
     * command that downloads each, since the merged file will not come.
     */
    static String mergeFailed(String name, JsonNode merged, JsonNode status) {
        StringBuilder b = new StringBuilder("the merged file of capture " + name + " was given up after "
                + merged.path("attempts").asInt() + " attempt(s): " + merged.path("error").asText("no cause recorded") + ".");
        List<String> files = new ArrayList<>();
        for (JsonNode i : status.path("instances")) {
            String url = i.path("storagePath").asText("");
            if (!url.isEmpty()) files.add("  instance " + i.path("instanceId").asText() + ": " + url);
        }
        if (files.isEmpty()) {
            b.append(" No instance's file is in the storage account either (see `nw watcher packet-capture show-status -n ")
                    .append(name).append("`, instances[].message).");
        } else {
            b.append(" Each instance's own file is in the storage account; download them (e.g. with curl and your token,")
                    .append(" or open them side by side in Wireshark, or merge them with mergecap):\n")
                    .append(String.join("\n", files));
        }
        return b.toString();
    }

    /** A download target's directory must exist and take files; said before any byte is fetched. */
    static void requireDirectoryOf(Path target) {
        Path dir = target.toAbsolutePath().getParent();
        if (!Files.isDirectory(dir)) {
            throw CliException.usage("directory " + dir + " does not exist: create it (mkdir -p " + dir + ") or give -f FILE in an existing directory");
        }
        if (!Files.isWritable(dir)) {
            throw CliException.usage("directory " + dir + " is not writable: give -f FILE in a directory you can write");
        }
    }

    @Command(name = "watch", mixinStandardHelpOptions = true,
            description = {"Show a capture's live progress until it ends.",
                "Packets, bytes against the limit, drops and time left, on standard error. On a terminal the panel redraws "
                    + "in place; otherwise one plain line per change, no escape codes. Prints the final status; exits 6 when "
                    + "the capture ended in Error.", SCOPE_NOTE},
            footerHeading = "%nExamples:%n", footer = {
                "  nw watcher packet-capture watch -n pc1",
                "  nw watcher packet-capture watch pc1 -l local --interval 2"})
    public static final class Watch extends ArmCommand {
        @Mixin Scope scope;

        @Parameters(index = "0", arity = "0..1", paramLabel = "NAME", description = "Name of the capture (or -n NAME).")
        String positionalName;

        @Option(names = {"-n", "--name"}, paramLabel = "NAME", description = "Name of the capture, as the other packet-capture commands take it.")
        String name;

        @Option(names = "--interval", paramLabel = "SECONDS", defaultValue = "1", description = "Seconds between polls (default: ${DEFAULT-VALUE}).")
        long interval;

        @Override
        protected int execute() {
            if ((name == null) == (positionalName == null)) {
                throw CliException.usage(name == null ? "give the capture's name: -n NAME" : "give the capture's name once: -n NAME or NAME, not both");
            }
            ArmClient arm = client();
            JsonNode capture = scope.find(arm, name != null ? name : positionalName);
            Watching.Result last = Watching.watch(arm, capture, new Progress(err(), Progress.terminal(env()), clock()), Duration.ofSeconds(interval));
            print(last.status());
            return last.snapshot().status().equals("Error") ? ExitCodes.OPERATION_FAILED : 0;
        }
    }
}
