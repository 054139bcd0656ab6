package netwatcher.testing.bidi;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A throwaway Firefox profile for one test browser: {@code user.js} with preferences that keep Firefox quiet and off
 * the network (every non-loopback request goes to a proxy on {@code 127.0.0.1:9}, where nothing listens, and the
 * services that phone home are off), and, when a CA is given, that CA trusted for web sites in the profile's own NSS
 * database ({@code certutil}, Debian's {@code libnss3-tools}), so the controller's certificate is verified as a user's
 * browser would once it trusts the CA, with no {@code acceptInsecureCerts}. Stateless.
 */
public final class FirefoxProfile {
    /** Where Debian's libnss3-tools puts certutil. */
    static final Path CERTUTIL = Path.of("/usr/bin/certutil");
    /** The nickname of the trusted CA in the profile's certificate database. */
    static final String CA_NICKNAME = "netwatcher test CA";

    private FirefoxProfile() {}

    /**
     * The preferences. Loopback never goes through the proxy ({@code network.proxy.allow_hijacking_localhost} stays
     * false), so the controller on 127.0.0.1 is reached directly and anything else fails at the dead proxy.
     */
    public static Map<String, Object> preferences() {
        Map<String, Object> prefs = new LinkedHashMap<>();
        prefs.put("network.proxy.type", 1);
        for (String scheme : List.of("http", "ssl")) {
            prefs.put("network.proxy." + scheme, "127.0.0.1");
            prefs.put("network.proxy." + scheme + "_port", 9);
        }
        prefs.put("network.proxy.allow_hijacking_localhost", false);
        prefs.put("network.proxy.no_proxies_on", "");
        prefs.put("network.trr.mode", 5);
        prefs.put("network.dns.disablePrefetch", true);
        prefs.put("network.prefetch-next", false);
        prefs.put("network.captive-portal-service.enabled", false);
        prefs.put("network.connectivity-service.enabled", false);
        prefs.put("app.update.disabledForTesting", true);
        prefs.put("app.normandy.enabled", false);
        prefs.put("browser.safebrowsing.malware.enabled", false);
        prefs.put("browser.safebrowsing.phishing.enabled", false);
        prefs.put("browser.safebrowsing.downloads.enabled", false);
        prefs.put("browser.safebrowsing.blockedURIs.enabled", false);
        prefs.put("datareporting.policy.dataSubmissionEnabled", false);
        prefs.put("datareporting.healthreport.uploadEnabled", false);
        prefs.put("toolkit.telemetry.enabled", false);
        prefs.put("toolkit.telemetry.unified", false);
        prefs.put("dom.push.connection.enabled", false);
        prefs.put("extensions.update.enabled", false);
        prefs.put("extensions.getAddons.cache.enabled", false);
        prefs.put("services.settings.server", "http://127.0.0.1:9/v1");
        prefs.put("browser.shell.checkDefaultBrowser", false);
        prefs.put("browser.startup.homepage_override.mstone", "ignore");
        prefs.put("browser.aboutwelcome.enabled", false);
        prefs.put("security.OCSP.enabled", 0);
        prefs.put("security.remote_settings.crlite_filters.enabled", false);
        // downloads land in the profile's folder without a dialog (a test reads them there)
        prefs.put("browser.download.folderList", 2);
        prefs.put("browser.download.useDownloadDir", true);
        return prefs;
    }

    /** {@code user.js}'s text for {@code prefs}. */
    public static String userJs(Map<String, Object> prefs) {
        StringBuilder out = new StringBuilder("// written by netwatcher's test browser (FirefoxProfile)\n");
        prefs.forEach((name, value) -> out.append("user_pref(\"").append(name).append("\", ").append(literal(value)).append(");\n"));
        return out.toString();
    }

    private static String literal(Object value) {
        return switch (value) {
            case String s -> "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
            case Boolean b -> b.toString();
            case Integer i -> i.toString();
            default -> throw new IllegalArgumentException("a preference is a string, boolean or integer: " + value);
        };
    }

    /**
     * Writes the profile into {@code dir} (empty): the preferences, downloads going to {@code dir/downloads}, and the
     * CA in {@code caCertificate} (PEM; null for none) trusted for web sites.
     *
     * @throws IllegalStateException when certutil is missing or refuses (with the package that provides it)
     */
    public static void write(Path dir, Path caCertificate) throws IOException, InterruptedException {
        Map<String, Object> prefs = preferences();
        Path downloads = Files.createDirectories(dir.resolve("downloads"));
        prefs.put("browser.download.dir", downloads.toString());
        Files.writeString(dir.resolve("user.js"), userJs(prefs), StandardCharsets.UTF_8);
        if (caCertificate == null) return;
        if (!Files.isExecutable(CERTUTIL)) {
            throw new IllegalStateException(CERTUTIL + " is missing: install Debian's libnss3-tools (testing/prerequisites.sh does)");
        }
        String db = "sql:" + dir;
        certutil(List.of("-N", "-d", db, "--empty-password"));
        certutil(List.of("-A", "-d", db, "-n", CA_NICKNAME, "-t", "C,,", "-a", "-i", caCertificate.toString()));
    }

    private static void certutil(List<String> args) throws IOException, InterruptedException {
        List<String> command = new java.util.ArrayList<>(List.of(CERTUTIL.toString()));
        command.addAll(args);
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        byte[] output;
        try (var in = process.getInputStream()) {
            output = in.readAllBytes();
        }
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IllegalStateException("certutil did not finish in 30 s: " + command);
        }
        if (process.exitValue() != 0) {
            throw new IllegalStateException("certutil failed (exit " + process.exitValue() + "): " + command + ": "
                    + new String(output, StandardCharsets.UTF_8).strip());
        }
    }
}
