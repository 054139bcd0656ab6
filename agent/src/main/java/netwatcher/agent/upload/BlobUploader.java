package netwatcher.agent.upload;

import com.azure.core.http.HttpClient;
import com.azure.core.http.jdk.httpclient.JdkHttpClientBuilder;
import com.azure.core.util.BinaryData;
import com.azure.storage.blob.models.Block;
import com.azure.storage.blob.models.BlockList;
import com.azure.storage.blob.models.BlockListType;
import com.azure.storage.blob.models.BlobStorageException;
import com.azure.storage.blob.specialized.BlockBlobClient;
import com.azure.storage.blob.specialized.SpecializedBlobClientBuilder;
import com.azure.storage.common.policy.RequestRetryOptions;
import com.azure.storage.common.policy.RetryPolicyType;
import netwatcher.model.agent.UploadTarget;

import com.azure.core.util.Context;
import com.azure.storage.blob.models.BlobRequestConditions;
import com.azure.storage.blob.options.BlockBlobCommitBlockListOptions;
import com.azure.storage.blob.options.BlockBlobSimpleUploadOptions;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
import java.nio.file.StandardOpenOption;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongConsumer;

/**
 * Uploads to Azure Blob Storage (or Azurite) with the official SDK, through the JDK HTTP client
 * (no Netty). The file is cut into blocks of {@code blockBytes} with deterministic ids
 * ({@code nw-block-00000042}); an attempt first lists the blob's blocks and stages only those not
 * already staged with the right size, then commits the list. So an attempt after an outage resumes
 * where the last one stopped, and a repeated commit is harmless. The SDK's own retries are switched off (one
 * try per request): {@link UploadService} does the long retrying. Thread-safe.
 */
public final class BlobUploader implements Uploader {
    private final int blockBytes;
    private HttpClient http; // built by the first upload: an agent that never uploads to Blob loads no SDK

    public BlobUploader(int blockBytes) {
        this.blockBytes = blockBytes;
    }

    private synchronized HttpClient http() {
        if (http == null) {
            http = new JdkHttpClientBuilder()
                    .connectionTimeout(Duration.ofSeconds(10))
                    .responseTimeout(Duration.ofSeconds(60))
                    .build();
        }
        return http;
    }

    @Override
    public void upload(Path file, UploadTarget target, LongConsumer progress, FileDigest digest) throws IOException {
        BlockBlobClient blob = new SpecializedBlobClientBuilder()
                .endpoint(target.url())
                .httpClient(http())
                .retryOptions(new RequestRetryOptions(RetryPolicyType.FIXED, 1, Duration.ofSeconds(60),
                        Duration.ofMillis(200), Duration.ofSeconds(2), null))
                .buildBlockBlobClient();
        long total = Files.size(file);
        int blocks = (int) Math.max(1, (total + blockBytes - 1) / blockBytes);
        List<String> ids = new ArrayList<>(blocks);
        for (int i = 0; i < blocks; i++) {
            ids.add(blockId(file, i));
        }
        try {
            Map<String, Long> committed = new HashMap<>();
            Map<String, Long> staged = new HashMap<>();
            try {
                BlockList list = blob.listBlocks(BlockListType.ALL);
                for (Block b : list.getCommittedBlocks()) committed.put(b.getName(), b.getSizeLong());
                for (Block b : list.getUncommittedBlocks()) staged.put(b.getName(), b.getSizeLong());
            } catch (BlobStorageException e) {
                if (e.getStatusCode() != 404) throw e;
            }
            if (total == 0) {
                if (committed.isEmpty()) {
                    blob.uploadWithResponse(new BlockBlobSimpleUploadOptions(new ByteArrayInputStream(new byte[0]), 0)
                            .setRequestConditions(new BlobRequestConditions().setIfNoneMatch("*")), null, Context.NONE);
                }
                progress.accept(0);
                return;
            }
            if (committed.size() == blocks && sameBlocks(ids, committed, total)) {
                progress.accept(total);
                return;
            }
            long confirmed = 0;
            for (int i = 0; i < blocks; i++) {
                long start = (long) i * blockBytes;
                long length = Math.min(blockBytes, total - start);
                Long have = staged.get(ids.get(i));
                if (have == null || have != length) {
                    digest.catchUp(file, start);
                    // read from the file in small pieces as the block is sent (a block is never held whole), hashed on the way
                    try (InputStream in = digest.tap(new BoundedInputStream(Channels.newInputStream(
                            Files.newByteChannel(file, StandardOpenOption.READ).position(start)), length), start)) {
                        blob.stageBlock(ids.get(i), BinaryData.fromStream(in, length));
                    }
                } else {
                    digest.catchUp(file, start + length); // staged by an earlier attempt: hash it from the file
                }
                confirmed += length;
                progress.accept(confirmed);
            }
            try {
                blob.commitBlockListWithResponse(new BlockBlobCommitBlockListOptions(ids)
                        .setRequestConditions(new BlobRequestConditions().setIfNoneMatch("*")), null, Context.NONE);
            } catch (BlobStorageException e) {
                if (e.getStatusCode() != 409 && e.getStatusCode() != 412) throw e;
                throw new IOException("the blob " + redact(target.url()) + " exists already (another capture's file):"
                        + " a stored file is never overwritten");
            }
            progress.accept(total);
        } catch (RuntimeException e) {
            // BlobStorageException, UncheckedIOException, reactor's wrapped timeouts: all are worth a retry
            throw new IOException("blob upload to " + redact(target.url()) + " failed: "
                    + String.valueOf(e.getMessage()).replaceAll("sig=[^&\\s]+", "sig=<redacted>"), e);
        }
    }

    /**
     * The id of block {@code i} of {@code file}: the same in every attempt for this file, different for
     * another capture file (so another capture's committed blob does not look like this upload, done; a
     * 24-bit tag can collide, which the controller's check of the stored bytes and hash catches), and
     * as long as the ids of earlier versions ({@code nw-block-00000042}), which Azure requires within a blob.
     */
    static String blockId(Path file, int i) {
        String tag = String.format("%06x", file.toAbsolutePath().normalize().toString().hashCode() & 0xffffff);
        return Base64.getEncoder().encodeToString(String.format("nw%s-%08d", tag, i).getBytes(StandardCharsets.US_ASCII));
    }

    private boolean sameBlocks(List<String> ids, Map<String, Long> committed, long total) {
        long sum = 0;
        for (String id : ids) {
            Long size = committed.get(id);
            if (size == null) return false;
            sum += size;
        }
        return sum == total;
    }

    /** The URL without its SAS query, for messages. */
    static String redact(String url) {
        int q = url.indexOf('?');
        return q < 0 ? url : url.substring(0, q) + "?<sas>";
    }
}
