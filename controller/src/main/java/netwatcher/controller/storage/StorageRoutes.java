package netwatcher.controller.storage;

import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import netwatcher.arm.ArmErrorCode;
import netwatcher.arm.ArmException;
import netwatcher.controller.http.AccessControl;
import netwatcher.controller.http.Exchange;
import netwatcher.controller.http.InputPolicy;
import netwatcher.controller.http.Router;

/**
 * {@code Microsoft.Storage/storageAccounts} GET/list, and the download endpoint of local accounts:
 * {@code GET /storage/{account}/{path}} with a bearer token (Reader on the account; an unknown account
 * is answered like one the caller may not read) and HTTP
 * range requests ({@code Range: bytes=a-b}, {@code bytes=a-}, {@code bytes=-n}), read by
 * {@link InputPolicy#byteRange}.
 */
public final class StorageRoutes {
    private static final String ACCOUNTS = "/subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.Storage/storageAccounts";
    private final StorageService storage;
    private final AccessControl access;

    public StorageRoutes(StorageService storage, AccessControl access) {
        this.storage = storage;
        this.access = access;
    }

    public void register(Router router) {
        router.add("GET", ACCOUNTS + "/{name}", Router.Kind.ARM, (ex, v) -> {
            StorageAccount a = storage.offered().stream()
                    .filter(s -> s.id().subscriptionId().equalsIgnoreCase(v.get("sub")) && s.id().resourceGroup().equalsIgnoreCase(v.get("rg"))
                            && s.name().equalsIgnoreCase(v.get("name")))
                    .findFirst().orElseThrow(() -> ArmErrorCode.ResourceNotFound.exception("The Resource 'Microsoft.Storage/storageAccounts/"
                            + v.get("name") + "' under resource group '" + v.get("rg") + "' was not found."));
            ex.json(200, render(ex, a));
        });
        router.add("GET", ACCOUNTS, Router.Kind.ARM, (ex, v) -> ex.json(200, Exchange.list(storage.offered().stream()
                .filter(s -> s.id().subscriptionId().equalsIgnoreCase(v.get("sub")) && s.id().resourceGroup().equalsIgnoreCase(v.get("rg")))
                .map(a -> render(ex, a)).toList())));
        router.add("GET", "/subscriptions/{sub}/providers/Microsoft.Storage/storageAccounts", Router.Kind.ARM,
                (ex, v) -> ex.json(200, Exchange.list(storage.offered().stream()
                        .filter(s -> s.id().subscriptionId().equalsIgnoreCase(v.get("sub")))
                        .map(a -> render(ex, a)).toList())));
        router.add("GET", "/storage/{account}/{path...}", Router.Kind.PUBLIC, this::download);
    }

    private Map<String, Object> render(Exchange ex, StorageAccount a) {
        String blob = a.kind() == StorageAccount.Kind.LOCAL ? ex.baseUrl() + "/storage/" + a.name() + "/"
                : storage.blobUrl(a, ex.baseUrl(), "").replaceAll("/$", "") + "/";
        return Exchange.object("id", a.id().toString(), "name", a.name(), "type", "Microsoft.Storage/storageAccounts",
                "location", a.location(), "kind", "StorageV2", "sku", Map.of("name", "Standard_LRS", "tier", "Standard"),
                "tags", Map.of("netwatcher-kind", a.kind() == StorageAccount.Kind.LOCAL ? "local-directory" : "azure-blob"),
                "properties", Map.of("provisioningState", "Succeeded", "primaryEndpoints", Map.of("blob", blob),
                        "primaryLocation", a.location(), "statusOfPrimary", "available"));
    }

    private void download(Exchange ex, Map<String, String> v) throws Exception {
        var caller = access.authenticate(ex.authorization());
        var found = storage.all().stream().filter(a -> a.name().equalsIgnoreCase(v.get("account"))
                && a.kind() == StorageAccount.Kind.LOCAL).findFirst();
        // an unknown account and one the caller may not read get the same 403: the answer must not
        // tell a caller without rights which accounts exist (docs/security.md)
        if (found.isEmpty() ? !caller.admin() : !access.allows(caller, AccessControl.Permission.READ, found.get().id())) {
            throw ArmErrorCode.AuthorizationFailed.exception("The client '" + caller.name() + "' with object id '" + caller.id()
                    + "' does not have authorization to read blobs of storage account '" + v.get("account")
                    + "' (it needs role Reader on the account, its resource group or its subscription), or no such account exists.");
        }
        StorageAccount account = found.orElseThrow(() -> ArmErrorCode.NotFound.exception("No local storage account named '"
                + v.get("account") + "'."));
        StorageService.Content file = storage.open(account, v.get("path")).orElseThrow(() -> ArmErrorCode.NotFound.exception(
                "The blob '" + v.get("path") + "' does not exist in account '" + account.name() + "' (yet: uploads appear when complete)."));
        long size = file.size();
        long start = 0;
        long end = size - 1;
        int status = 200;
        Optional<InputPolicy.ByteRange> range;
        try {
            range = InputPolicy.byteRange(ex.header("Range"), size);
        } catch (ArmException unsatisfiable) {
            ex.setHeader("Content-Range", "bytes */" + size);
            throw unsatisfiable;
        }
        if (range.isPresent()) {
            start = range.get().first();
            end = range.get().last();
            status = 206;
            ex.setHeader("Content-Range", "bytes " + start + "-" + end + "/" + size);
        }
        ex.setHeader("Accept-Ranges", "bytes");
        ex.setHeader("Content-Disposition", "attachment; filename=\"" + file.fileName() + "\"");
        long length = end - start + 1;
        try (InputStream in = file.open(); OutputStream out = ex.stream(status, "application/vnd.tcpdump.pcap", length)) {
            in.skipNBytes(start);
            if (!"HEAD".equals(ex.method())) {
                byte[] buf = new byte[64 * 1024];
                long left = length;
                while (left > 0) {
                    int n = in.read(buf, 0, (int) Math.min(buf.length, left));
                    if (n < 0) break;
                    out.write(buf, 0, n);
                    left -= n;
                }
            }
        }
    }
}
