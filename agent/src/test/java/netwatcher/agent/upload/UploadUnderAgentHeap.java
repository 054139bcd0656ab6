package netwatcher.agent.upload;

import netwatcher.model.agent.UploadTarget;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * A child JVM's main for {@link BlobUploadHeapTest}: uploads each (file, SAS URL) pair of its arguments at the
 * same time with {@link BlobUploader} and the agent's default block size, then exits 0; any failure exits 1
 * (an {@code OutOfMemoryError} under the agent's {@code -XX:+ExitOnOutOfMemoryError} exits 3).
 */
public final class UploadUnderAgentHeap {
    private UploadUnderAgentHeap() {}

    public static void main(String[] args) throws Exception {
        int block = Integer.parseInt(args[0]);
        BlobUploader uploader = new BlobUploader(block);
        try (ExecutorService pool = Executors.newFixedThreadPool((args.length - 1) / 2)) {
            List<Future<?>> uploads = new ArrayList<>();
            for (int i = 1; i + 1 < args.length; i += 2) {
                Path file = Path.of(args[i]);
                String url = args[i + 1];
                uploads.add(pool.submit(() -> {
                    uploader.upload(file, new UploadTarget(UploadTarget.BLOB, url, url.substring(0, url.indexOf('?'))),
                            bytes -> { }, new FileDigest());
                    return null;
                }));
            }
            for (Future<?> f : uploads) f.get();
        } catch (Exception e) {
            e.printStackTrace();
            System.exit(1);
        }
        long peak = 0, gcs = 0, gcMillis = 0;
        for (var pool : java.lang.management.ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == java.lang.management.MemoryType.HEAP) peak += pool.getPeakUsage().getUsed();
        }
        for (var gc : java.lang.management.ManagementFactory.getGarbageCollectorMXBeans()) {
            gcs += gc.getCollectionCount();
            gcMillis += gc.getCollectionTime();
        }
        System.out.println("heap peak " + peak / 1024 + " KiB (sum of pools' peaks), " + gcs + " collections, " + gcMillis + " ms in GC");
        System.exit(0);
    }
}
