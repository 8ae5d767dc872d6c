package io.blockferry.store;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.regex.Pattern;

/**
 * A random id made once per data directory ({@code DATA_DIR/installation-id}) and kept across
 * restarts and upgrades: what tells two Blockferry installations on one Kafka apart when their
 * configuration does not (the source's consumer groups, finding 15 of the audit).
 */
public final class InstallationId {

    private static final Pattern VALID = Pattern.compile("[0-9a-f]{12}");

    private InstallationId() {
    }

    /** The id of the data directory, made (written aside, then renamed) when it has none yet. */
    public static String of(Path dataDir) {
        Path file = dataDir.resolve("installation-id");
        try {
            if (Files.exists(file)) {
                String id = Files.readString(file).trim();
                if (!VALID.matcher(id).matches()) {
                    throw new StoreException(file + " holds '" + id + "', which is not an installation id (12 hex "
                            + "digits): restore it from a backup of the data directory, or delete it to make a new "
                            + "one (the source then re-reads the acks topic from its start once)", null);
                }
                return id;
            }
            byte[] random = new byte[6];
            new SecureRandom().nextBytes(random);
            String id = HexFormat.of().formatHex(random);
            OwnerOnly.createDirectories(dataDir);
            Path fresh = dataDir.resolve("installation-id.new");
            Files.deleteIfExists(fresh);
            OwnerOnly.createFile(fresh);
            Files.writeString(fresh, id + "\n");
            Files.move(fresh, file, StandardCopyOption.ATOMIC_MOVE);
            return id;
        } catch (IOException e) {
            throw new StoreException("cannot read or make " + file + " (" + e.getMessage() + "): check that the data "
                    + "directory is writable by this user", e);
        }
    }
}
