package netwatcher.agent.upload;

import netwatcher.model.agent.UploadTarget;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilderFactory;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongConsumer;

/**
 * Uploads to Azure Blob Storage (or Azurite) through the Blob service's REST API with the target's SAS: Get
 * Block List, Put Block, Put Block List, Put Blob (an empty file). The file is cut into blocks of
 * {@code blockBytes} with deterministic ids ({@code nw<tag>-00000042}); an attempt first lists the blob's blocks
 * and stages only those not already staged with the right size, then commits the list with {@code If-None-Match: *}
 * (a stored blob is never overwritten). So an attempt after an outage resumes where the last one stopped, and a
 * repeated commit of a blob this file made is recognised as done. One try per request: {@link UploadService} does
 * the long retrying. Each block streams from the file in small pieces as it is sent, so memory does not grow with
 * the block size.
 *
 * <p>Why not the Azure SDK, which the controller uses: memory. The agent runs in a 20 MiB heap (agent-jvm.options)
 * beside its captures and checks, and the cluster failover test saw agents that uploaded to Blob through the SDK
 * thrash their collector or end with {@code OutOfMemoryError}. Measured by {@code BlobUploadHeapTest} (three files of
 * three 8 MiB blocks at once, in a JVM with the agent's options): through the SDK the heap pools peaked at 14.4 MiB
 * with 50 collections (201 ms); through these four SAS-authenticated REST calls on the JDK's HTTP client and XML
 * parser, 9.5 MiB with 29 collections (53 ms), and the SDK's classes (Reactor, Jackson, Netty buffers) are no
 * longer loaded at all. Thread-safe.
 */
public final class BlobUploader implements Uploader {
    /** The Blob service REST version the requests ask for (supported by Azure and Azurite alike). */
    static final String API_VERSION = "2021-08-06";

    private final int blockBytes;
    private HttpClient http; // built by the first upload: an agent that never uploads to Blob makes no client

    public BlobUploader(int blockBytes) {
        this.blockBytes = blockBytes;
    }

    private synchronized HttpClient http() {
        if (http == null) {
            http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).followRedirects(HttpClient.Redirect.NEVER).build();
        }
        return http;
    }

    @Override
    public void upload(Path file, UploadTarget target, LongConsumer progress, FileDigest digest) throws IOException, InterruptedException {
        try {
            attempt(file, target.url(), progress, digest);
        } catch (RuntimeException e) {
            // a malformed URL, a parser surprise: worth a report, never a crash of the upload thread
            throw new IOException("blob upload to " + redact(target.url()) + " failed: "
                    + String.valueOf(e.getMessage()).replaceAll("sig=[^&\\s]+", "sig=<redacted>"), e);
        }
    }

    private void attempt(Path file, String url, LongConsumer progress, FileDigest digest) throws IOException, InterruptedException {
        long total = Files.size(file);
        int blocks = (int) Math.max(1, (total + blockBytes - 1) / blockBytes);
        List<String> ids = new ArrayList<>(blocks);
        for (int i = 0; i < blocks; i++) {
            ids.add(blockId(file, i));
        }
        BlockLists lists = blockLists(url);
        if (total == 0) {
            if (lists.committed().isEmpty()) {
                expect(send(request(url, "").header("x-ms-blob-type", "BlockBlob").header("If-None-Match", "*")
                        .PUT(HttpRequest.BodyPublishers.noBody())), url, "Put Blob", 201);
            }
            progress.accept(0);
            return;
        }
        if (lists.committed().size() == blocks && sameBlocks(ids, lists.committed(), total)) {
            progress.accept(total);
            return;
        }
        long confirmed = 0;
        for (int i = 0; i < blocks; i++) {
            long start = (long) i * blockBytes;
            long length = Math.min(blockBytes, total - start);
            Long have = lists.uncommitted().get(ids.get(i));
            if (have == null || have != length) {
                digest.catchUp(file, start);
                putBlock(file, url, ids.get(i), new Span(start, length), digest);
            } else {
                digest.catchUp(file, start + length); // staged by an earlier attempt: hash it from the file
            }
            confirmed += length;
            progress.accept(confirmed);
        }
        StringBuilder xml = new StringBuilder("<?xml version=\"1.0\" encoding=\"utf-8\"?><BlockList>");
        for (String id : ids) xml.append("<Latest>").append(id).append("</Latest>");
        xml.append("</BlockList>");
        HttpResponse<String> commit = send(request(url, "comp=blocklist").header("If-None-Match", "*")
                .header("Content-Type", "application/xml")
                .PUT(HttpRequest.BodyPublishers.ofString(xml.toString(), StandardCharsets.UTF_8)));
        if (commit.statusCode() == 409 || commit.statusCode() == 412) {
            throw new IOException("the blob " + redact(url) + " exists already (another capture's file):"
                    + " a stored file is never overwritten");
        }
        expect(commit, url, "Put Block List", 201);
        progress.accept(total);
    }

    /** A byte range of the file. */
    private record Span(long start, long length) {}

    /** Stages one block, read from the file in small pieces as it is sent and hashed on the way. */
    private void putBlock(Path file, String url, String id, Span span, FileDigest digest) throws IOException, InterruptedException {
        try (InputStream in = digest.tap(new BoundedInputStream(Channels.newInputStream(
                Files.newByteChannel(file, StandardOpenOption.READ).position(span.start())), span.length()), span.start())) {
            HttpRequest.BodyPublisher body = HttpRequest.BodyPublishers.fromPublisher(
                    HttpRequest.BodyPublishers.ofInputStream(() -> in), span.length());
            expect(send(request(url, "comp=block&blockid=" + URLEncoder.encode(id, StandardCharsets.UTF_8)).PUT(body)),
                    url, "Put Block", 201);
        }
    }

    /** The blob's committed and uncommitted blocks by id, with their sizes; both empty when there is no blob yet. */
    private record BlockLists(Map<String, Long> committed, Map<String, Long> uncommitted) {}

    private BlockLists blockLists(String url) throws IOException, InterruptedException {
        HttpResponse<String> r = send(request(url, "comp=blocklist&blocklisttype=all").GET());
        if (r.statusCode() == 404) return new BlockLists(Map.of(), Map.of());
        expect(r, url, "Get Block List", 200);
        try {
            DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
            f.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
            f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            String body = r.body().startsWith("\uFEFF") ? r.body().substring(1) : r.body();
            Document doc = f.newDocumentBuilder().parse(new org.xml.sax.InputSource(new java.io.StringReader(body)));
            return new BlockLists(blocks(doc, "CommittedBlocks"), blocks(doc, "UncommittedBlocks"));
        } catch (javax.xml.parsers.ParserConfigurationException | org.xml.sax.SAXException | NumberFormatException e) {
            throw new IOException("Get Block List of " + redact(url) + " answered what is not a block list: " + e.getMessage(), e);
        }
    }

    private static Map<String, Long> blocks(Document doc, String section) {
        Map<String, Long> out = new HashMap<>();
        NodeList sections = doc.getElementsByTagName(section);
        for (int s = 0; s < sections.getLength(); s++) {
            NodeList list = ((Element) sections.item(s)).getElementsByTagName("Block");
            for (int i = 0; i < list.getLength(); i++) {
                Element b = (Element) list.item(i);
                out.put(text(b, "Name"), Long.parseLong(text(b, "Size")));
            }
        }
        return out;
    }

    private static String text(Element e, String child) {
        NodeList n = e.getElementsByTagName(child);
        return n.getLength() == 0 ? "" : n.item(0).getTextContent().trim();
    }

    /** A request to the blob's URL (its SAS kept) with {@code query} added. */
    private static HttpRequest.Builder request(String url, String query) {
        String u = query.isEmpty() ? url : url + (url.indexOf('?') < 0 ? "?" : "&") + query;
        return HttpRequest.newBuilder(URI.create(u)).timeout(Duration.ofSeconds(60)).header("x-ms-version", API_VERSION);
    }

    private HttpResponse<String> send(HttpRequest.Builder request) throws IOException, InterruptedException {
        return http().send(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }

    private static void expect(HttpResponse<String> r, String url, String what, int status) throws IOException {
        if (r.statusCode() == status) return;
        String code = r.headers().firstValue("x-ms-error-code").orElse("");
        throw new IOException(what + " of blob upload to " + redact(url) + " failed: HTTP " + r.statusCode()
                + (code.isEmpty() ? "" : " " + code));
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
