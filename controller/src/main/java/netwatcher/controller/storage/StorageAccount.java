package netwatcher.controller.storage;

import java.nio.file.Path;
import netwatcher.arm.ArmResourceId;

/**
 * A configured storage account.
 *
 * @param directory        for LOCAL accounts, where blobs are files ({@code directory/container/path})
 * @param connectionString for BLOB accounts, an Azure Storage connection string with an account key or SAS
 */
public record StorageAccount(ArmResourceId id, String location, Kind kind, Path directory, String connectionString) {
    public enum Kind { LOCAL, BLOB }

    public String name() { return id.name(); }
}
