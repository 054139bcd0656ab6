package netwatcher.cli.store;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;

/**
 * The CLI's JSON mapper and its private files. {@link #MAPPER} is the one {@link ObjectMapper} of a
 * CLI process (trees only: output, ARM answers, the files here); each further mapper costs a
 * short-lived JVM its construction again. Thread-safe.
 */
public final class JsonFiles {
    /** Pretty-printing mapper for trees; never used for data binding on a routine call's path. */
    public static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private JsonFiles() {}

    /**
     * The JSON object in {@code file}.
     *
     * @throws IOException when it cannot be read (including {@link java.nio.file.NoSuchFileException}),
     *                     is not JSON, or is not an object
     */
    public static JsonNode readObject(Path file) throws IOException {
        JsonNode tree = MAPPER.readTree(Files.readAllBytes(file));
        if (tree == null || !tree.isObject()) throw new IOException("not a JSON object");
        return tree;
    }

    /** The text of {@code field}, or null when it is absent or JSON null. */
    public static String text(JsonNode object, String field) {
        JsonNode value = object.get(field);
        return value == null || value.isNull() ? null : value.asText();
    }

    /** An object of {@code fields} in their order, leaving out null values. */
    public static ObjectNode object(Map<String, ?> fields) {
        ObjectNode node = MAPPER.createObjectNode();
        fields.forEach((name, value) -> {
            switch (value) {
                case null -> { }
                case Long l -> node.put(name, l);
                case Integer i -> node.put(name, i);
                default -> node.put(name, value.toString());
            }
        });
        return node;
    }

    /**
     * Writes {@code tree} to {@code file} as a 0600 temporary file in the same directory renamed over
     * it, so a reader sees the old or the new file, never half of one and never a readable secret. A
     * missing directory is created with mode 0700.
     */
    public static void writePrivate(Path file, JsonNode tree) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        if (!Files.exists(dir)) {
            Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        }
        Path tmp = Files.createTempFile(dir, "." + file.getFileName(), ".tmp",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        try {
            Files.write(tmp, MAPPER.writeValueAsBytes(tree));
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}
