package netwatcher.controller.console;

import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Function;
import netwatcher.arm.ArmErrorCode;
import netwatcher.arm.ArmResourceId;
import netwatcher.arm.Json;
import netwatcher.controller.db.Database;
import netwatcher.controller.db.Row;
import netwatcher.model.agent.CaptureReport;

/**
 * The console's capture table: one page of the live captures a caller may read, sorted and filtered in SQL
 * (so a page costs the same with ten captures or ten thousand), plus the totals the header shows. The SQL
 * reads {@code nw_capture} as the capture feature writes it; it never writes. Stateless and thread-safe.
 */
final class CaptureTable {
    /** Largest page. */
    static final int MAX_PAGE = 200;

    /** A sortable column: its query name and its SQL column. */
    enum Sort {
        NAME("name"), STATUS("status"), VM("vm_key"), CREATED("created_at");

        final String column;

        Sort(String column) { this.column = column; }

        static Sort of(String text) {
            if (text == null || text.isEmpty()) return CREATED;
            for (Sort s : values()) if (s.name().equalsIgnoreCase(text)) return s;
            throw ArmErrorCode.InvalidParameter.exception("sort must be name, status, vm or created; was '" + text + "'.", "sort");
        }
    }

    /**
     * What one page asks for.
     *
     * @param search  a substring of the capture's or VM's name (case-insensitive), or null
     * @param status  only captures in this status (NotStarted, Running, Stopped, Error, Unknown), or null
     */
    record Query(Sort sort, boolean descending, int page, int size, String search, String status) {
        Query {
            if (page < 0) throw ArmErrorCode.InvalidParameter.exception("page must be 0 or more.", "page");
            if (size < 1 || size > MAX_PAGE) throw ArmErrorCode.InvalidParameter.exception("size must be 1 to " + MAX_PAGE + ".", "size");
            if (search != null && search.isBlank()) search = null;
            if (status != null && !status.matches("NotStarted|Running|Stopped|Error|Unknown")) {
                throw ArmErrorCode.InvalidParameter.exception("status must be NotStarted, Running, Stopped, Error or Unknown.", "status");
            }
        }
    }

    /**
     * One capture as a row: its state and the agent's latest counters.
     *
     * @param reportedAt when the controller recorded the agent's latest report (the live feed's latency starts there)
     * @param download   the path of its file under this controller ({@code /storage/...}) once uploaded, else null
     * @param canWrite   whether the caller may stop or delete it (Contributor)
     * @param files      a file set's or ring's files as the agent last reported them, or null for a one-file capture
     */
    record CaptureRow(String id, String key, String name, String vm, String status, String provisioningState, Instant createdAt,
                      Instant reportedAt, Counters counters, String message, String download, boolean canWrite, Files files) {}

    /**
     * A file set's or ring's files in short (queryStatus's {@code ring} has them in full).
     *
     * @param written files the capture has opened so far
     * @param onHost  files still on the host (a ring keeps at most its fileCount)
     * @param lost    files removed from the host before their upload finished
     */
    record Files(long written, long onHost, long lost) {
        static Files of(CaptureReport r) {
            if (r == null || r.ring() == null) return null;
            return new Files(r.ring().filesWritten(), r.ring().files().stream().filter(f -> f.onHost()).count(), r.ring().filesLost());
        }
    }

    /** The agent's counters; zero before its first report. */
    record Counters(long packets, long bytes, long kernelDrops, long interfaceDrops, String uploadState, long uploadedBytes) {
        static Counters of(CaptureReport r) {
            if (r == null) return new Counters(0, 0, 0, 0, null, 0);
            return new Counters(r.packets(), r.bytes(), r.kernelDrops(), r.interfaceDrops(),
                    r.uploadState() == null ? null : r.uploadState().name().toLowerCase(Locale.ROOT), r.uploadedBytes());
        }
    }

    /** One page and the totals over everything the caller may read (not only this page). */
    record Page(List<CaptureRow> items, long total, long failed, long running, int page, int size) {
        Page {
            items = List.copyOf(items);
        }
    }

    private static final String COLUMNS = "capture_key, id, vm_key, name, status, provisioning_state, created_at, reported_at,"
            + " report_json, message, storage_account_key, blob_path, watcher_key";

    private final Database db;
    /** The download path of a stored file ({@code /storage/{account}/{blob}}) for a local account's key, or empty. */
    private final Function<String, Optional<String>> localAccountName;

    CaptureTable(Database db, Function<String, Optional<String>> localAccountName) {
        this.db = db;
        this.localAccountName = localAccountName;
    }

    Page page(Query q, ReadScopes scopes, boolean everything) {
        List<Object> params = new ArrayList<>();
        StringBuilder where = new StringBuilder(" WHERE deleted = FALSE");
        if (!everything) {
            List<String> watchers = db.query("SELECT DISTINCT watcher_key FROM nw_capture WHERE deleted = FALSE", r -> r.getString("watcher_key"))
                    .stream().filter(k -> ArmResourceId.tryParse(k).map(scopes::reads).orElse(false)).toList();
            if (watchers.isEmpty()) return new Page(List.of(), 0, 0, 0, q.page(), q.size());
            where.append(" AND watcher_key IN (").append(String.join(",", java.util.Collections.nCopies(watchers.size(), "?"))).append(')');
            params.addAll(watchers);
        }
        if (q.search() != null) {
            where.append(" AND (LOWER(name) LIKE ? OR vm_key LIKE ?)");
            String like = "%" + q.search().toLowerCase(Locale.ROOT).replace("\\", "").replace("%", "").replace("_", "") + "%";
            params.add(like);
            params.add(like);
        }
        List<Object> countParams = List.copyOf(params);
        // SUM over no rows is NULL: COALESCE, so an empty table has totals of 0
        long[] totals = db.queryOne("SELECT COUNT(*) AS n, COALESCE(SUM(CASE WHEN status = 'Error' THEN 1 ELSE 0 END), 0) AS failed,"
                        + " COALESCE(SUM(CASE WHEN status = 'Running' THEN 1 ELSE 0 END), 0) AS running FROM nw_capture" + where,
                r -> new long[] {r.getLong("n"), r.getLong("failed"), r.getLong("running")}, countParams.toArray()).orElse(new long[3]);
        if (q.status() != null) {
            where.append(" AND status = ?");
            params.add(q.status());
        }
        String order = " ORDER BY " + q.sort().column + (q.descending() ? " DESC" : " ASC") + ", capture_key ASC";
        params.add(q.size());
        params.add((long) q.page() * q.size());
        // sort keys only, then read the page's rows by key: the sort then holds two narrow columns per capture,
        // not every capture's report (BENCHMARKS.md §10)
        List<String> keys = db.query("SELECT capture_key FROM nw_capture" + where + order + " LIMIT ? OFFSET ?",
                r -> r.getString("capture_key"), params.toArray());
        List<CaptureRow> rows = keys.isEmpty() ? List.of() : byKeys(keys, scopes);
        long total = q.status() == null ? totals[0] : db.queryOne("SELECT COUNT(*) AS n FROM nw_capture" + where,
                r -> r.getLong("n"), params.subList(0, params.size() - 2).toArray()).orElse(0L);
        return new Page(rows, total, totals[1], totals[2], q.page(), q.size());
    }

    /** The rows of {@code keys}, in that order. */
    private List<CaptureRow> byKeys(List<String> keys, ReadScopes scopes) {
        java.util.Map<String, CaptureRow> found = new java.util.HashMap<>();
        db.query("SELECT " + COLUMNS + " FROM nw_capture WHERE capture_key IN ("
                + String.join(",", java.util.Collections.nCopies(keys.size(), "?")) + ")", r -> {
                    CaptureRow row = row(r, scopes);
                    found.put(row.key(), row);
                    return row;
                }, keys.toArray());
        return keys.stream().map(found::get).filter(java.util.Objects::nonNull).toList();
    }

    /** Reads one capture's row, or empty when it is gone or the caller may not read it. */
    Optional<CaptureRow> find(String key, ReadScopes scopes) {
        List<CaptureRow> found = db.query("SELECT " + COLUMNS + " FROM nw_capture WHERE capture_key = ? AND deleted = FALSE",
                r -> ArmResourceId.tryParse(r.getString("watcher_key")).map(scopes::reads).orElse(false) ? row(r, scopes) : null, key);
        return found.stream().filter(java.util.Objects::nonNull).findFirst();
    }

    private CaptureRow row(Row r, ReadScopes scopes) throws SQLException {
        String report = r.getString("report_json");
        CaptureReport rep = report == null ? null : Json.read(report, CaptureReport.class);
        String id = r.getString("id");
        String vmKey = r.getString("vm_key");
        String download = null;
        String account = r.getString("storage_account_key");
        String blob = r.getString("blob_path");
        if (account != null && blob != null && rep != null && rep.uploadState() != null
                && rep.uploadState() == netwatcher.model.capture.UploadState.DONE) {
            download = localAccountName.apply(account).map(name -> "/storage/" + name + "/" + blob).orElse(null);
        }
        boolean canWrite = ArmResourceId.tryParse(id).map(scopes::writes).orElse(false);
        return new CaptureRow(id, r.getString("capture_key"), r.getString("name"), vmKey.substring(vmKey.lastIndexOf('/') + 1),
                r.getString("status"), r.getString("provisioning_state"), r.getInstant("created_at"), r.getInstant("reported_at"),
                Counters.of(rep), r.getString("message"), download, canWrite, Files.of(rep));
    }
}
