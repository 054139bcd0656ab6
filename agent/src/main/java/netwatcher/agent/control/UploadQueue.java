package netwatcher.agent.control;

import netwatcher.agent.upload.UploadService;
import netwatcher.model.agent.CaptureReport;
import netwatcher.model.capture.UploadState;

import java.nio.file.Path;

/**
 * Hands finished capture files to the {@link UploadService} and turns its progress and outcome into
 * journaled reports ({@code uploading}, {@code done} with the file's SHA-256, or {@code failed}:
 * {@code Error}/{@code UploadFailed}). An upload of a capture that was forgotten meanwhile reports
 * nothing.
 *
 * <p>Thread-safety: {@link #start} is called holding {@link CaptureTable#lock}; the listener takes
 * it from the upload threads.
 */
final class UploadQueue {
    private final CaptureTable table;
    private final UploadService uploads;

    UploadQueue(CaptureTable table, UploadService uploads) {
        this.table = table;
        this.uploads = uploads;
    }

    /** Starts uploading {@code t}'s final file to its order's target. Caller holds the table's lock. */
    void start(TrackedCapture t) {
        CaptureReport base = t.entry.report();
        table.record(t, t.entry.withReport(CaptureReports.withUpload(base, UploadState.UPLOADING, base.uploadedBytes())));
        Reconciler.LOG.atInfo().addKeyValue("capture", t.name()).addKeyValue("file", t.entry.filePath())
                .addKeyValue("target", t.entry.order().upload().kind()).log("capture upload started");
        t.upload = uploads.submit(t.entry.key(), Path.of(t.entry.filePath()), t.entry.order().upload(), new Progress(t));
    }

    /** Journals and reports one upload's progress. */
    private final class Progress implements UploadService.Listener {
        private final TrackedCapture t;
        private final String key;

        Progress(TrackedCapture t) {
            this.t = t;
            this.key = t.entry.key();
        }

        @Override
        public void progress(long uploadedBytes) {
            update(uploadedBytes, UploadState.UPLOADING, null, null);
        }

        @Override
        public void done(long uploadedBytes, String sha256) {
            Reconciler.LOG.atInfo().addKeyValue("capture", t.name()).addKeyValue("bytes", uploadedBytes)
                    .addKeyValue("sha256", sha256).log("capture upload done");
            update(uploadedBytes, UploadState.DONE, null, sha256);
        }

        @Override
        public void failed(String message, long uploadedBytes) {
            update(uploadedBytes, UploadState.FAILED, message, null);
        }

        private void update(long bytes, UploadState state, String failure, String sha256) {
            synchronized (table.lock) {
                if (table.get(key) != t) return;
                CaptureReport r = t.entry.report().withUpload(state, bytes, sha256);
                if (failure != null) {
                    r = CaptureReports.uploadFailed(r, failure);
                    Reconciler.LOG.atWarn().addKeyValue("capture", t.name()).addKeyValue("bytes", bytes)
                            .log("capture upload failed: {}", failure);
                }
                if (state != UploadState.UPLOADING) t.upload = null;
                table.record(t, t.entry.withReport(r));
            }
        }
    }
}
