package netwatcher.agent;

import java.io.IOException;
import java.io.Reader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import netwatcher.logging.LogFormat;
import netwatcher.logging.Logging;

/**
 * Everything the agent daemon needs to know, validated once at start-up.
 *
 * <p>Settings come from a {@code key=value} properties file ({@code --config FILE}) and from flags
 * ({@code --key value} or {@code --key=value}); flags override the file. Every key is listed in
 * {@link #KEYS} and in {@code docs/agent.md}. A wrong value fails {@link #parse} with an
 * {@link IllegalArgumentException} naming the setting.
 *
 * @param controllerUrls     base URLs of the controllers ({@code https://host:8443}), in the order tried: one balanced
 *                           name, or several controllers; {@code http://} only for loopback
 * @param enrollmentToken    the admin-issued token, needed only until the agent has enrolled, else null
 * @param vmName             the VM name to enroll as (default: the host name)
 * @param resourceGroup      resource group of the VM (needed to enroll), or null
 * @param location           location of the VM, e.g. {@code westeurope} (needed to enroll), or null
 * @param subscriptionId     subscription of the VM (needed to enroll), or null
 * @param caFile             PEM file of the CA(s) to trust for the controller's TLS; null = system CAs
 * @param stateDir           where the credential and the journal live
 * @param capturesRoot       root of every capture file
 * @param ignoredInterfaces  interface names (or {@code *} patterns) never reported nor captured on (e.g. {@code mgmt0});
 *                           interfaces marked {@code netwatcher:ignore} are left out too ({@code host.InterfaceExclusions})
 * @param diskFloor          free space under which no capture starts and running ones stop
 * @param reportInterval     how often running captures report counters
 * @param kernelBufferBytes  libpcap ring buffer per interface
 * @param hostPollInterval   how often the interfaces are checked for changes
 * @param uploadRetryLimit   total time an upload keeps retrying before it is reported failed
 * @param uploadChunkBytes   bytes per local PUT and per blob block
 * @param flushInterval      how often the capture engine flushes the file
 * @param shutdownGrace      how long shutdown waits for capture files to close
 * @param probeCaFile        PEM file of extra CA(s) HTTPS connectivity probes trust besides the system CAs, or null
 * @param logFormat          how the agent's log lines on stderr look: {@code text} or {@code json} (default: {@code NW_LOG_FORMAT}, else text)
 * @param scaleSet           the scale set this host is an instance of ({@code Microsoft.Compute/virtualMachineScaleSets/NAME}
 *                           in the VM's resource group), or null for a stand-alone VM
 */
public record AgentConfig(List<URI> controllerUrls, String enrollmentToken, String vmName, String resourceGroup,
                          String location, String subscriptionId, Path caFile, Path stateDir, Path capturesRoot,
                          Set<String> ignoredInterfaces, DiskFloor diskFloor, Duration reportInterval,
                          long kernelBufferBytes, Duration hostPollInterval, Duration uploadRetryLimit,
                          long uploadChunkBytes, Duration flushInterval, Duration shutdownGrace,
                          Path probeCaFile, LogFormat logFormat, String scaleSet) {

    /** Every accepted key with its default ({@code null}: no default). Order is the documentation order. */
    public static final Map<String, String> KEYS;

    static {
        Map<String, String> keys = new LinkedHashMap<>();
        keys.put("controller-url", null);
        keys.put("enrollment-token", null);
        keys.put("vm-name", null);
        keys.put("resource-group", null);
        keys.put("location", null);
        keys.put("subscription-id", null);
        keys.put("ca-file", null);
        keys.put("state-dir", "/var/lib/netwatcher-agent");
        keys.put("captures-root", "/var/captures");
        keys.put("ignore-interfaces", "");
        keys.put("disk-floor", "auto");
        keys.put("report-interval", "1s");
        keys.put("kernel-buffer", "32MiB");
        keys.put("host-poll-interval", "5s");
        keys.put("upload-retry-limit", "30m");
        keys.put("upload-chunk-size", "8MiB");
        keys.put("flush-interval", "1s");
        keys.put("shutdown-grace", "10s");
        keys.put("probe-ca-file", null);
        keys.put("log-format", null); // text, unless NW_LOG_FORMAT says otherwise (Logging.defaultFormat)
        keys.put("scale-set", null);
        KEYS = java.util.Collections.unmodifiableMap(keys);
    }

    public AgentConfig {
        if (controllerUrls == null || controllerUrls.isEmpty()) throw bad("controller-url", "is required");
        controllerUrls = List.copyOf(controllerUrls);
        for (URI controllerUrl : controllerUrls) {
            String scheme = controllerUrl.getScheme() == null ? "" : controllerUrl.getScheme().toLowerCase(Locale.ROOT);
            if (!scheme.equals("https") && !(scheme.equals("http") && isLoopback(controllerUrl.getHost()))) {
                throw bad("controller-url", "must be an https:// URL (http:// is accepted only for a loopback controller), got "
                        + controllerUrl);
            }
            if (controllerUrl.getHost() == null) throw bad("controller-url", "has no host: " + controllerUrl);
        }
        if (new LinkedHashSet<>(controllerUrls).size() != controllerUrls.size()) {
            throw bad("controller-url", "names a URL twice: " + controllerUrls);
        }
        if (vmName == null || vmName.isBlank()) throw bad("vm-name", "is required");
        if (!vmName.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,63}")) {
            throw bad("vm-name", "must be 1-64 letters, digits, '.', '_' or '-', got '" + vmName + "'");
        }
        if (scaleSet != null && !scaleSet.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,63}")) {
            throw bad("scale-set", "must be 1-64 letters, digits, '.', '_' or '-', got '" + scaleSet + "'");
        }
        if (caFile != null && !Files.isReadable(caFile)) throw bad("ca-file", "cannot read " + caFile);
        if (probeCaFile != null && !Files.isReadable(probeCaFile)) throw bad("probe-ca-file", "cannot read " + probeCaFile);
        if (stateDir == null) throw bad("state-dir", "is required");
        if (capturesRoot == null) throw bad("captures-root", "is required");
        if (!capturesRoot.isAbsolute()) throw bad("captures-root", "must be absolute, got " + capturesRoot);
        ignoredInterfaces = ignoredInterfaces == null ? Set.of() : Set.copyOf(ignoredInterfaces);
        if (logFormat == null) logFormat = LogFormat.TEXT;
        if (diskFloor == null) diskFloor = DiskFloor.AUTO;
        positive("report-interval", reportInterval);
        positive("host-poll-interval", hostPollInterval);
        positive("upload-retry-limit", uploadRetryLimit);
        positive("flush-interval", flushInterval);
        positive("shutdown-grace", shutdownGrace);
        if (kernelBufferBytes < 65536 || kernelBufferBytes > Integer.MAX_VALUE) {
            throw bad("kernel-buffer", "must be between 64KiB and 2GiB, got " + kernelBufferBytes);
        }
        if (uploadChunkBytes < 64 * 1024 || uploadChunkBytes > 100L * 1024 * 1024) {
            throw bad("upload-chunk-size", "must be between 64KiB and 100MiB, got " + uploadChunkBytes);
        }
    }

    /** The first controller URL (the only one when {@code controller-url} names one, e.g. a balancer). */
    public URI controllerUrl() {
        return controllerUrls.getFirst();
    }

    /** The bytes of free space under which captures are refused or stopped, for a file system of {@code totalBytes}. */
    public record DiskFloor(long fixedBytes, double fraction) {
        /** The default: 512 MiB or 5 % of the file system, whichever is smaller. */
        public static final DiskFloor AUTO = new DiskFloor(512L * 1024 * 1024, 0.05);

        public DiskFloor {
            if (fixedBytes < 0) throw bad("disk-floor", "must not be negative");
            if (fraction < 0 || fraction > 1) throw bad("disk-floor", "percentage must be 0-100");
        }

        public long bytesFor(long totalBytes) {
            return Math.min(fixedBytes, (long) (fraction * totalBytes));
        }

        static DiskFloor parse(String value) {
            String v = value.trim();
            if (v.equalsIgnoreCase("auto")) return AUTO;
            if (v.endsWith("%")) {
                double pct = Double.parseDouble(v.substring(0, v.length() - 1).trim());
                return new DiskFloor(Long.MAX_VALUE, pct / 100.0);
            }
            return new DiskFloor(parseSize("disk-floor", v), 1.0);
        }
    }

    /** The credential-free enrollment settings, or an exception naming the first missing one. */
    public void requireEnrollmentSettings() {
        if (enrollmentToken == null || enrollmentToken.isBlank()) {
            throw bad("enrollment-token", "is required: this agent has not enrolled yet (no credential in " + stateDir + ")");
        }
        if (subscriptionId == null || subscriptionId.isBlank()) throw bad("subscription-id", "is required to enroll");
        if (resourceGroup == null || resourceGroup.isBlank()) throw bad("resource-group", "is required to enroll");
        if (location == null || location.isBlank()) throw bad("location", "is required to enroll");
    }

    /**
     * Parses flags, reading {@code --config FILE} first when given; flags override the file.
     *
     * @throws IllegalArgumentException naming the offending flag or setting
     */
    public static AgentConfig parse(List<String> args) {
        Map<String, String> flags = new LinkedHashMap<>();
        Path configFile = null;
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            if (!arg.startsWith("--")) throw new IllegalArgumentException("unexpected argument '" + arg + "'");
            String key = arg.substring(2);
            String value;
            int eq = key.indexOf('=');
            if (eq >= 0) {
                value = key.substring(eq + 1);
                key = key.substring(0, eq);
            } else {
                if (i + 1 >= args.size()) throw new IllegalArgumentException("--" + key + " needs a value");
                value = args.get(++i);
            }
            if (key.equals("config")) {
                configFile = Path.of(value);
            } else if (!KEYS.containsKey(key)) {
                throw new IllegalArgumentException("unknown flag --" + key + "; known: " + String.join(", ", KEYS.keySet()));
            } else {
                flags.put(key, value);
            }
        }
        Map<String, String> settings = new LinkedHashMap<>();
        if (configFile != null) settings.putAll(readFile(configFile));
        settings.putAll(flags);
        return fromSettings(settings);
    }

    /** Reads a {@code key=value} file; unknown keys are an error naming the file and the key. */
    public static Map<String, String> readFile(Path file) {
        Properties props = new Properties();
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            props.load(reader);
        } catch (IOException e) {
            throw new IllegalArgumentException("config: cannot read " + file + ": " + e.getMessage(), e);
        }
        Map<String, String> out = new LinkedHashMap<>();
        for (String name : props.stringPropertyNames()) {
            if (!KEYS.containsKey(name)) {
                throw new IllegalArgumentException("config " + file + ": unknown setting '" + name + "'");
            }
            out.put(name, props.getProperty(name).trim());
        }
        return out;
    }

    /** Builds a config from settings by key (missing keys take their defaults). */
    public static AgentConfig fromSettings(Map<String, String> settings) {
        for (String key : settings.keySet()) {
            if (!KEYS.containsKey(key)) throw new IllegalArgumentException("unknown setting '" + key + "'");
        }
        java.util.function.Function<String, String> get = key -> {
            String v = settings.get(key);
            if (v == null || v.isBlank()) v = KEYS.get(key);
            return v == null || v.isBlank() ? null : v.trim();
        };
        String rawUrls = get.apply("controller-url");
        if (rawUrls == null) throw bad("controller-url", "is required");
        List<URI> urls = new ArrayList<>();
        for (String rawUrl : rawUrls.split("[,\\s]+")) {
            if (rawUrl.isBlank()) continue;
            try {
                urls.add(URI.create(rawUrl.endsWith("/") ? rawUrl.substring(0, rawUrl.length() - 1) : rawUrl));
            } catch (IllegalArgumentException e) {
                throw bad("controller-url", "is not a URL: " + rawUrl);
            }
        }
        String vmName = Optional.ofNullable(get.apply("vm-name")).orElseGet(AgentConfig::hostName);
        Set<String> ignored = new LinkedHashSet<>();
        String ignoreList = get.apply("ignore-interfaces");
        if (ignoreList != null) {
            for (String name : ignoreList.split("[,\\s]+")) if (!name.isBlank()) ignored.add(name.trim());
        }
        String ca = get.apply("ca-file");
        DiskFloor floor;
        try {
            floor = DiskFloor.parse(get.apply("disk-floor"));
        } catch (NumberFormatException e) {
            throw bad("disk-floor", "must be 'auto', a size like 1GiB or a percentage like 5%, got '"
                    + settings.get("disk-floor") + "'");
        }
        return new AgentConfig(urls, get.apply("enrollment-token"), vmName, get.apply("resource-group"),
                get.apply("location"), get.apply("subscription-id"), ca == null ? null : Path.of(ca),
                Path.of(get.apply("state-dir")), Path.of(get.apply("captures-root")), ignored, floor,
                parseDuration("report-interval", get.apply("report-interval")),
                parseSize("kernel-buffer", get.apply("kernel-buffer")),
                parseDuration("host-poll-interval", get.apply("host-poll-interval")),
                parseDuration("upload-retry-limit", get.apply("upload-retry-limit")),
                parseSize("upload-chunk-size", get.apply("upload-chunk-size")),
                parseDuration("flush-interval", get.apply("flush-interval")),
                parseDuration("shutdown-grace", get.apply("shutdown-grace")),
                get.apply("probe-ca-file") == null ? null : Path.of(get.apply("probe-ca-file")),
                get.apply("log-format") == null ? Logging.defaultFormat()
                        : LogFormat.parse("agent setting log-format", get.apply("log-format")),
                get.apply("scale-set"));
    }

    /** {@code 1048576}, {@code 512KiB}, {@code 32MiB}, {@code 1GiB}, {@code 10MB} (SI), case-insensitive. */
    public static long parseSize(String key, String value) {
        String v = value.trim().toLowerCase(Locale.ROOT).replace(" ", "");
        String[][] units = {{"kib", "1024"}, {"mib", "1048576"}, {"gib", "1073741824"}, {"tib", "1099511627776"},
                {"kb", "1000"}, {"mb", "1000000"}, {"gb", "1000000000"}, {"k", "1024"}, {"m", "1048576"},
                {"g", "1073741824"}, {"b", "1"}};
        long multiplier = 1;
        for (String[] unit : units) {
            if (v.endsWith(unit[0])) {
                multiplier = Long.parseLong(unit[1]);
                v = v.substring(0, v.length() - unit[0].length());
                break;
            }
        }
        try {
            long n = Long.parseLong(v);
            if (n < 0) throw bad(key, "must not be negative, got '" + value + "'");
            return Math.multiplyExact(n, multiplier);
        } catch (NumberFormatException | ArithmeticException e) {
            throw bad(key, "must be a size like 32MiB or 1048576, got '" + value + "'");
        }
    }

    /** {@code 500ms}, {@code 2s}, {@code 30m}, {@code 1h}, or ISO-8601 {@code PT2S}. */
    public static Duration parseDuration(String key, String value) {
        String v = value.trim().toLowerCase(Locale.ROOT);
        try {
            if (v.startsWith("pt") || v.startsWith("p")) return Duration.parse(value.trim().toUpperCase(Locale.ROOT));
            if (v.endsWith("ms")) return Duration.ofMillis(Long.parseLong(v.substring(0, v.length() - 2)));
            if (v.endsWith("s")) return Duration.ofSeconds(Long.parseLong(v.substring(0, v.length() - 1)));
            if (v.endsWith("m")) return Duration.ofMinutes(Long.parseLong(v.substring(0, v.length() - 1)));
            if (v.endsWith("h")) return Duration.ofHours(Long.parseLong(v.substring(0, v.length() - 1)));
            return Duration.ofSeconds(Long.parseLong(v));
        } catch (RuntimeException e) {
            throw bad(key, "must be a duration like 2s, 500ms, 30m or PT2S, got '" + value + "'");
        }
    }

    /** The settings as {@code key=value} lines, as the install script writes them (no secrets hidden). */
    public List<String> describe() {
        List<String> lines = new ArrayList<>();
        lines.add("controller-url=" + String.join(",", controllerUrls.stream().map(URI::toString).toList()));
        lines.add("vm-name=" + vmName);
        if (scaleSet != null) lines.add("scale-set=" + scaleSet);
        lines.add("state-dir=" + stateDir);
        lines.add("captures-root=" + capturesRoot);
        lines.add("ignore-interfaces=" + String.join(",", ignoredInterfaces));
        return lines;
    }

    private static void positive(String key, Duration d) {
        if (d == null || d.isNegative() || d.isZero()) throw bad(key, "must be a positive duration, got " + d);
    }

    private static boolean isLoopback(String host) {
        if (host == null) return false;
        String h = host.replace("[", "").replace("]", "");
        return h.equals("localhost") || h.startsWith("127.") || h.equals("::1");
    }

    public static String hostName() {
        try {
            return Files.readString(Path.of("/proc/sys/kernel/hostname")).trim();
        } catch (IOException e) {
            try {
                return java.net.InetAddress.getLocalHost().getHostName();
            } catch (IOException e2) {
                return "localhost";
            }
        }
    }

    private static IllegalArgumentException bad(String key, String problem) {
        return new IllegalArgumentException("agent setting " + key + " " + problem);
    }
}
