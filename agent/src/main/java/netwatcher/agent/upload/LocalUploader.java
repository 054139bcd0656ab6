package netwatcher.agent.upload;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import netwatcher.model.agent.UploadTarget;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.channels.Channels;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.function.Function;
import java.util.function.LongConsumer;

/**
 * Uploads to the controller's local storage account (protocol section 5): {@code HEAD} gives the
 * resume point, then {@code PUT}s of at most {@code chunkBytes} with {@code Content-Range} until the
 * controller answers {@code complete:true}. A {@code 416} moves the resume point to the controller's
 * length. Requests come from {@code requests}, which adds the agent's credential and protocol
 * header. Thread-safe (stateless between calls).
 */
public final class LocalUploader implements Uploader {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient http;
    private final Function<URI, HttpRequest.Builder> requests;
    private final int chunkBytes;

    public LocalUploader(HttpClient http, Function<URI, HttpRequest.Builder> requests, int chunkBytes) {
        this.http = http;
        this.requests = requests;
        this.chunkBytes = chunkBytes;
    }

    @Override
    public void upload(Path file, UploadTarget target, LongConsumer progress, FileDigest digest) throws IOException, InterruptedException {
        URI url = URI.create(target.url());
        long total = Files.size(file);
        HttpResponse<Void> head = http.send(requests.apply(url).timeout(Duration.ofSeconds(30))
                .method("HEAD", HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.discarding());
        if (head.statusCode() != 200) throw new IOException("HEAD " + url + " answered " + head.statusCode());
        long offset = contentLength(head, url);
        if (offset > total) {
            throw new IOException("the controller holds " + offset + " bytes of " + url + " but the file has " + total);
        }
        progress.accept(offset);
        digest.catchUp(file, offset); // the prefix sent by an earlier attempt or process
        // The controller holding every byte does not mean it completed the blob (the answer to the last
        // PUT may have been lost): re-send the last byte once, which makes it complete and say so.
        boolean confirming = false;
        if (offset == total && total > 0) {
            offset = total - 1;
            confirming = true;
        }
        while (true) {
            long length = Math.min(chunkBytes, total - offset);
            String range = total == 0 ? "bytes */0" : "bytes " + offset + "-" + (offset + length - 1) + "/" + total;
            HttpResponse<byte[]> put = http.send(requests.apply(url)
                    .timeout(Duration.ofSeconds(60))
                    .header("Content-Type", "application/octet-stream")
                    .header("Content-Range", range)
                    .PUT(rangeOf(file, offset, length, digest)).build(), HttpResponse.BodyHandlers.ofByteArray());
            if (put.statusCode() == 416) {
                offset = contentLength(put, url);
                if (offset <= total) digest.catchUp(file, offset);
                if (offset > total) throw new IOException("controller length " + offset + " exceeds file size " + total);
                progress.accept(offset);
                if (offset == total) {
                    if (confirming) throw new IOException("the controller holds all " + total + " bytes of " + url + " but does not complete it");
                    offset = total - 1;
                    confirming = true;
                }
                continue;
            }
            if (put.statusCode() != 200) {
                throw new IOException("PUT " + url + " (" + range + ") answered " + put.statusCode());
            }
            JsonNode answer = JSON.readTree(put.body());
            long received = answer.path("received").asLong(-1);
            if (received < 0) throw new IOException("PUT " + url + " answered without 'received'");
            offset = received;
            progress.accept(offset);
            if (answer.path("complete").asBoolean(false)) return;
            if (offset >= total) {
                throw new IOException("controller received all " + total + " bytes of " + url + " but did not say complete");
            }
        }
    }

    /**
     * {@code length} bytes of {@code file} from {@code offset}, read in the HTTP client's own small
     * buffers as the request is sent (a chunk is never held in memory whole), from a fresh stream each
     * time the client subscribes.
     */
    static HttpRequest.BodyPublisher rangeOf(Path file, long offset, long length, FileDigest digest) {
        if (length == 0) return HttpRequest.BodyPublishers.noBody();
        return HttpRequest.BodyPublishers.fromPublisher(HttpRequest.BodyPublishers.ofInputStream(() -> {
            try {
                SeekableByteChannel channel = Files.newByteChannel(file, StandardOpenOption.READ).position(offset);
                return digest.tap(new BoundedInputStream(Channels.newInputStream(channel), length), offset);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }), length);
    }

    private static long contentLength(HttpResponse<?> resp, URI url) throws IOException {
        try {
            return Long.parseLong(resp.headers().firstValue("Content-Length")
                    .orElseThrow(() -> new IOException(url + ": answer without Content-Length")).trim());
        } catch (NumberFormatException e) {
            throw new IOException(url + ": bad Content-Length", e);
        }
    }
}
