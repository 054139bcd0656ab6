package netwatcher.controller.console;

import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The console's files, read once from the classpath ({@code netwatcher/console/}) at start-up: nothing is
 * built or fetched at run time. Immutable and thread-safe.
 */
final class StaticAssets {
    /** Every file the console serves, relative to {@code /console/}. */
    static final List<String> FILES = List.of("index.html", "console.css", "js/main.js", "js/api.js", "js/login.js",
            "js/fleet.js", "js/captures.js", "js/sparkline.js", "js/dom.js", "js/operations.js", "js/forms.js", "js/hopdiagram.js",
            "js/connectivity.js", "js/flowchecks.js");
    private static final String ROOT = "netwatcher/console/";

    /** One file: its bytes, media type and strong ETag. */
    record Asset(byte[] bytes, String contentType, String etag) {}

    private final Map<String, Asset> assets;

    StaticAssets() {
        this.assets = FILES.stream().collect(Collectors.toUnmodifiableMap(Function.identity(), StaticAssets::load));
    }

    Optional<Asset> find(String path) {
        return Optional.ofNullable(assets.get(path.isEmpty() ? "index.html" : path));
    }

    private static Asset load(String name) {
        try (InputStream in = StaticAssets.class.getClassLoader().getResourceAsStream(ROOT + name)) {
            if (in == null) throw new IllegalStateException("console file missing from the classpath: " + ROOT + name);
            byte[] bytes = in.readAllBytes();
            String etag = "\"" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes), 0, 16) + "\"";
            return new Asset(bytes, contentType(name), etag);
        } catch (IOException | NoSuchAlgorithmException e) {
            throw new IllegalStateException("cannot read console file " + name + ": " + e.getMessage(), e);
        }
    }

    static String contentType(String name) {
        if (name.endsWith(".html")) return "text/html; charset=utf-8";
        if (name.endsWith(".css")) return "text/css; charset=utf-8";
        if (name.endsWith(".js")) return "text/javascript; charset=utf-8";
        if (name.endsWith(".svg")) return "image/svg+xml";
        return "application/octet-stream";
    }
}
