package netwatcher.cli.client;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.Set;

/**
 * {@code test-connectivity --evidence-dir DIR}: downloads each stored file of a check's
 * {@code evidence} entries into {@code DIR/<vm>.pcap} through the storage download endpoint with the
 * caller's token (an entry whose upload is still pending is retried for up to {@link #PENDING_WAIT}),
 * checks its SHA-256 against the entry, and says on standard error what it wrote and what it could not.
 * A VM name that two entries share (two resource groups) is written as {@code <rg>-<vm>.pcap}.
 * Used once, by one thread.
 */
final class EvidenceDownload {
    /** How long a pending upload is waited for; files are small and uploaded when each part ends. */
    static final Duration PENDING_WAIT = Duration.ofSeconds(15);

    private final ArmClient arm;
    private final PrintWriter err;

    EvidenceDownload(ArmClient arm, PrintWriter err) {
        this.arm = arm;
        this.err = err;
    }

    /** Downloads every entry of {@code result.evidence} that has a storagePath; returns how many files were written. */
    int into(Path dir, JsonNode result) {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new CliException(ExitCodes.GENERIC, "LocalFileFailed", "cannot create " + dir + ": " + e.getMessage(), e);
        }
        Set<String> names = new HashSet<>();
        Set<String> duplicated = new HashSet<>();
        for (JsonNode e : result.path("evidence")) {
            String name = vmName(e);
            if (!names.add(name)) duplicated.add(name);
        }
        int written = 0;
        for (JsonNode e : result.path("evidence")) {
            String vm = vmName(e);
            String file = (duplicated.contains(vm) ? resourceGroup(e) + "-" : "") + vm + ".pcap";
            String storagePath = e.path("storagePath").asText(null);
            if (storagePath == null) {
                err.println("evidence of " + vm + ": no file (" + e.path("reason").asText("not captured") + ")");
                continue;
            }
            Path target = dir.resolve(file);
            download(storagePath, target);
            String expected = e.path("sha256").asText(null);
            String actual = sha256(target);
            if (expected != null && !expected.equals(actual)) {
                throw new CliException(ExitCodes.GENERIC, "EvidenceMismatch", "the file downloaded from " + storagePath
                        + " has SHA-256 " + actual + ", not the " + expected + " its host captured");
            }
            err.println("evidence of " + vm + ": " + target + " (" + e.path("packets").asLong() + " packets, "
                    + e.path("role").asText() + ")");
            written++;
        }
        err.flush();
        return written;
    }

    private void download(String url, Path target) {
        long deadline = System.nanoTime() + PENDING_WAIT.toNanos();
        while (true) {
            try {
                arm.download(url, target);
                return;
            } catch (CliException e) {
                // 404: the upload is still pending (uploads appear when complete)
                if ((e.exitCode() != ExitCodes.NOT_FOUND && !"NotFound".equals(e.code())) || System.nanoTime() > deadline) throw e;
                arm.sleep(Duration.ofMillis(500));
            }
        }
    }

    private static String vmName(JsonNode entry) {
        String id = entry.path("vmId").asText("");
        return id.substring(id.lastIndexOf('/') + 1);
    }

    private static String resourceGroup(JsonNode entry) {
        String[] parts = entry.path("vmId").asText("").split("/");
        for (int i = 0; i + 1 < parts.length; i++) if (parts[i].equalsIgnoreCase("resourceGroups")) return parts[i + 1];
        return "rg";
    }

    private static String sha256(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            byte[] buf = new byte[64 * 1024];
            for (int n; (n = in.read(buf)) > 0; ) digest.update(buf, 0, n);
            return HexFormat.of().formatHex(digest.digest());
        } catch (IOException | NoSuchAlgorithmException e) {
            throw new CliException(ExitCodes.GENERIC, "LocalFileFailed", "cannot read " + file + ": " + e.getMessage(), e);
        }
    }
}
